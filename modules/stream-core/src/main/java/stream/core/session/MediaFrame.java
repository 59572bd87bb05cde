package stream.core.session;

import java.util.Objects;

/**
 * One access unit out of a transport stream: an H.264 picture (Annex B, with its start codes) or one AAC frame
 * (with its ADTS header). Timestamps are in 90 kHz ticks, unbounded (already unwrapped from 33 bits where that
 * matters); {@code keyframe} is an IDR picture.
 */
public record MediaFrame(Kind kind, long pts, long dts, byte[] data, boolean keyframe) {

    public enum Kind { VIDEO, AUDIO }

    public MediaFrame {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(data, "data");
    }

    public static MediaFrame video(long pts, long dts, byte[] data) {
        return new MediaFrame(Kind.VIDEO, pts, dts, data, H264.isIdr(data));
    }

    public static MediaFrame audio(long pts, byte[] data) {
        return new MediaFrame(Kind.AUDIO, pts, pts, data, false);
    }

    /** Width and height from the SPS in this picture, or null (no SPS, or not a picture). */
    public int[] pictureSize() {
        return isVideo() ? H264.pictureSize(data) : null;
    }

    public boolean isVideo() {
        return kind == Kind.VIDEO;
    }

    /** The same frame moved by {@code ticks} on the timeline. */
    public MediaFrame shifted(long ticks) {
        return new MediaFrame(kind, pts + ticks, dts + ticks, data, keyframe);
    }

    public MediaFrame withData(byte[] newData) {
        return new MediaFrame(kind, pts, dts, newData, keyframe);
    }
}
