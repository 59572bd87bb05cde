package stream.core;

import static stream.core.TestWaits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import stream.core.ffmpeg.ChildRecord;
import stream.core.ffmpeg.ChildRecords;
import stream.core.session.MediaProcess;
import stream.core.session.PlainMediaProcess;

/** How a kept session's processes are recorded as the stream's children, with real short-lived processes. */
class KeptRunTest {
    /** Child records kept in memory, as the database would keep them. */
    static final class MemoryRecords implements ChildRecords {
        final List<ChildRecord> rows = new CopyOnWriteArrayList<>();

        @Override
        public void add(ChildRecord child) {
            rows.add(child);
        }

        @Override
        public void remove(ChildRecord child) {
            rows.removeIf(r -> r.role().equals(child.role()) && r.pid() == child.pid());
        }

        @Override
        public List<ChildRecord> all() {
            return List.copyOf(rows);
        }
    }


    @Test
    void eachProcessIsRecordedUnderItsOwnRoleWhileItRunsAndForgottenWhenItEnds() throws Exception {
        MemoryRecords records = new MemoryRecords();
        MediaProcess.Starter starter = KeptRun.recording(PlainMediaProcess.starter(), records);
        try (MediaProcess a = starter.start("ingest", List.of("sleep", "30"), SecretMasker.forUrls());
             MediaProcess b = starter.start("ingest", List.of("sleep", "30"), SecretMasker.forUrls())) {
            assertEquals(List.of("session-ingest-" + a.pid(), "session-ingest-" + b.pid()),
                    records.all().stream().map(ChildRecord::role).toList(),
                    "two ingests at once (a switch) need two records");
            assertTrue(records.all().get(0).startTicks() > 0, "the start time tells a reused pid apart");
            a.close();
            assertEquals(List.of("session-ingest-" + b.pid()), records.all().stream().map(ChildRecord::role).toList(),
                    "a closed process's record goes with the close, before anyone may close the database");
            assertEquals(b.pid(), records.all().get(0).pid());
        }
        await(() -> records.all().isEmpty(), "every record to go");
    }

    @Test
    void leftoversThatAreNotOurFfmpegAreNeverKilledOnlyForgotten() throws Exception {
        MemoryRecords records = new MemoryRecords();
        Process stranger = new ProcessBuilder("sleep", "30").start();
        try {
            long ticks = stream.core.ffmpeg.ProcessIdentity.startTicks(stranger.pid()).orElseThrow();
            records.add(new ChildRecord("session-publisher-" + stranger.pid(), stranger.pid(), ticks));
            records.add(new ChildRecord(StreamController.ROLE, 1, 0)); // the relay's own: not a session's
            List<Long> ended = KeptRun.endLeftovers(records);
            assertEquals(List.of(), ended, "a process that is not ffmpeg is not ours to end");
            assertTrue(stranger.isAlive());
            assertEquals(List.of(StreamController.ROLE), records.all().stream().map(ChildRecord::role).toList(),
                    "the session's record is dropped, the relay's is left to the relay");
        } finally {
            stranger.destroyForcibly();
        }
    }
}
