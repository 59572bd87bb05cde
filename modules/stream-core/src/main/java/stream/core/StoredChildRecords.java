package stream.core;

import java.util.List;
import stream.core.ffmpeg.ChildRecord;
import stream.core.ffmpeg.ChildRecords;
import stream.store.ChildProcess;
import stream.store.ChildProcessRepository;

/** One stream's rows of child_processes, as a keeper's {@link ChildRecords}. */
record StoredChildRecords(ChildProcessRepository repository, long configId) implements ChildRecords {
    @Override
    public void add(ChildRecord child) {
        repository.record(new ChildProcess(configId, child.role(), child.pid(), child.startTicks()));
    }

    @Override
    public void remove(ChildRecord child) {
        repository.remove(configId, child.role(), child.pid());
    }

    @Override
    public List<ChildRecord> all() {
        return repository.all().stream().filter(c -> c.configId() == configId)
                .map(c -> new ChildRecord(c.role(), c.pid(), c.startTicks())).toList();
    }
}
