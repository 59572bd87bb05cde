package stream.store;

import java.time.Instant;

/**
 * One row of stream_config: one camera-to-destination stream. {@code preset} is null when
 * {@code ffmpegParams} was set by hand; {@code desiredState} is what the user last asked for; {@code name} is unique
 * among the streams not deleted (contract §7); {@code keepSession} keeps the destination's RTMP session open across
 * camera changes and outages (contract §8).
 */
public record StreamConfig(long id, String name, String rtspUrl, String rtmpUrl, String ffmpegParams, boolean autoRestart,
                           String preset, DesiredState desiredState, Instant createdAt, Instant updatedAt,
                           boolean keepSession) {

    /** A row with the contract's default for keep_session (on). */
    public StreamConfig(long id, String name, String rtspUrl, String rtmpUrl, String ffmpegParams, boolean autoRestart,
                        String preset, DesiredState desiredState, Instant createdAt, Instant updatedAt) {
        this(id, name, rtspUrl, rtmpUrl, ffmpegParams, autoRestart, preset, desiredState, createdAt, updatedAt, true);
    }

    /** What the user wants the stream to do; kept across restarts of the appliance. */
    public enum DesiredState {
        RUNNING, STOPPED;

        String sql() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static DesiredState ofSql(String s) {
            return "running".equals(s) ? RUNNING : STOPPED;
        }
    }

    /** The URLs as scheme and host only: they carry the camera's password and the stream key. */
    @Override
    public String toString() {
        return "StreamConfig[id=" + id + ", name=" + name + ", rtspUrl=" + UrlRedaction.shown(rtspUrl) + ", rtmpUrl="
                + UrlRedaction.shown(rtmpUrl) + ", ffmpegParams=" + (ffmpegParams == null ? "null" : "(hidden)")
                + ", autoRestart=" + autoRestart + ", preset=" + preset + ", desiredState=" + desiredState
                + ", createdAt=" + createdAt + ", updatedAt=" + updatedAt + ", keepSession=" + keepSession + "]";
    }
}
