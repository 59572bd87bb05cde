package stream.core;

import java.time.Instant;

/**
 * One stream's status as the API shows it (contract §4, GET /api/stream/status); URLs already masked.
 *
 * @param configId the stream's id (its stream_config row), shown as {@code stream_id}
 * @param name the stream's name
 * @param startedAt when the current ffmpeg was spawned (null when none runs)
 * @param runningSince when output last started advancing (null unless running), for uptime
 * @param warning a standing problem that is not an error, e.g. speed under real time
 * @param session the kept destination session (contract §8), or null when none is open (stopped, or keep_session off)
 */
public record StreamStatus(long configId, StreamState state, String name, Long pid, Instant startedAt,
                           Instant runningSince, String rtspUrl, String rtmpUrl, String preset, StreamMetrics metrics,
                           long restarts, String lastError, String warning, SessionStatus session) {

    /** A status without a kept session (the plain relay). */
    public StreamStatus(long configId, StreamState state, String name, Long pid, Instant startedAt,
                        Instant runningSince, String rtspUrl, String rtmpUrl, String preset, StreamMetrics metrics,
                        long restarts, String lastError, String warning) {
        this(configId, state, name, pid, startedAt, runningSince, rtspUrl, rtmpUrl, preset, metrics, restarts,
                lastError, warning, null);
    }

    /**
     * What is on air (contract §8): the session's source when one is open; a plain relay that runs shows its camera;
     * null when nothing runs.
     */
    public String source() {
        if (session != null) {
            return session.source();
        }
        return state == StreamState.RUNNING ? "camera" : null;
    }

    /** Seconds since output started flowing, 0 unless running. */
    public long uptimeSeconds() {
        return runningSince == null || state != StreamState.RUNNING ? 0
                : Math.max(0, java.time.Duration.between(runningSince, Instant.now()).getSeconds());
    }
}
