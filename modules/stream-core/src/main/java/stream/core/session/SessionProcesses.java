package stream.core.session;

import java.util.Objects;

import stream.core.ffmpeg.ChildRecords;

/**
 * How a {@link KeptSession} runs its ffmpeg processes. The slate's one-shot encodes go through {@code starter}; the
 * publisher, the snapshot process and each camera's ingest are kept alive by an
 * {@link stream.core.ffmpeg.FfmpegKeeper} each, which records each of its processes in {@code records} under its role.
 *
 * @param publisherRole    the publisher's child record role: unique among a stream's processes (a change of
 *                         destination runs two sessions, each with a publisher, and a record is one per role)
 * @param snapshotRole     the snapshot process's, as unique
 * @param ingestRolePrefix the ingests' roles are this and a number the session counts up: unique among the stream's
 *                         processes as long as no other session of the stream has the same prefix
 * @param publisherChanged told whenever the publisher was started, began to carry media to the destination, ended
 *                         or gave up; runs on the session's control thread, so it must be short and never block
 */
public record SessionProcesses(MediaProcess.Starter starter, ChildRecords records, String publisherRole,
                               String snapshotRole, String ingestRolePrefix, Runnable publisherChanged) {
    public SessionProcesses {
        Objects.requireNonNull(starter, "starter");
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(publisherRole, "publisherRole");
        Objects.requireNonNull(snapshotRole, "snapshotRole");
        Objects.requireNonNull(ingestRolePrefix, "ingestRolePrefix");
        Objects.requireNonNull(publisherChanged, "publisherChanged");
    }

    /** Processes started by {@code starter}, the publisher recorded nowhere and its changes told to no one. */
    public static SessionProcesses unrecorded(MediaProcess.Starter starter) {
        return new SessionProcesses(starter, ChildRecords.NONE, "publisher", "snapshot", "ingest-", () -> { });
    }
}
