package stream.core;

/** The latest figures from ffmpeg's progress output; null where ffmpeg reported N/A or nothing yet. */
public record StreamMetrics(Double fps, Double bitrateKbps, Double speed, Long frames, Long dropFrames, Long dupFrames,
                            Double outTimeS) {
    public static final StreamMetrics NONE = new StreamMetrics(null, null, null, null, null, null, null);
}
