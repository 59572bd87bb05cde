package stream.core.ffmpeg;

import java.util.List;

/**
 * Where a keeper records the processes it started, so that the next run of the appliance finds the ones a crash left
 * behind. Written before anything else happens after a spawn, removed once the process has ended.
 */
public interface ChildRecords {
    /** Keeps nothing (tests, tools). */
    ChildRecords NONE = new ChildRecords() {
        @Override
        public void add(ChildRecord child) {
        }

        @Override
        public void remove(ChildRecord child) {
        }

        @Override
        public List<ChildRecord> all() {
            return List.of();
        }
    };

    void add(ChildRecord child);

    /** Forgets the record of this role and pid (the start time is not compared). */
    void remove(ChildRecord child);

    List<ChildRecord> all();
}
