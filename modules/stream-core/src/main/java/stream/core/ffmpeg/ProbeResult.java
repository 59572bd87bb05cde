package stream.core.ffmpeg;

import java.util.List;

/**
 * What a camera sends, or why it could not be reached, as {@code POST /api/probe} reports it.
 *
 * @param ok whether the camera answered with a video stream
 * @param videoCodec ffprobe's codec name: h264, hevc, mjpeg...
 * @param fps frames per second, null when unknown
 * @param keyframeIntervalSeconds the longest gap between two keyframes seen, null when fewer than two came
 * @param audioCodec ffprobe's codec name (aac, pcm_mulaw, pcm_alaw...), null when the camera sends no audio
 * @param reason when not ok, one plain sentence saying why; never contains the camera's password
 * @param advice plain sentences about what will happen or what to change (HEVC, long GOP, audio)
 */
public record ProbeResult(boolean ok, String videoCodec, Integer width, Integer height, Double fps,
                          Double keyframeIntervalSeconds, String audioCodec, String reason, List<String> advice) {
    public ProbeResult {
        advice = advice == null ? List.of() : List.copyOf(advice);
    }

    /** A camera that could not be probed, for this reason. */
    public static ProbeResult failed(String reason) {
        return new ProbeResult(false, null, null, null, null, null, null, reason, List.of());
    }
}
