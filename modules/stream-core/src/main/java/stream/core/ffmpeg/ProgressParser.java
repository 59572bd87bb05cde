package stream.core.ffmpeg;

import java.util.Locale;
import java.util.Optional;

/**
 * Reads ffmpeg's {@code -progress} output line by line and yields a {@link Progress} at each block's end. The relay
 * writes it to stderr among its log lines; {@link #isProgressLine} tells them apart.
 */
public final class ProgressParser {
    // Unknown keys (stream_0_0_q, keys of newer versions) and unreadable lines are skipped, so a newer ffmpeg or a
    // stray line never stops the metrics. One parser per ffmpeg process, fed by one thread.

    private long frame;
    private double fps;
    private double bitrateKbps;
    private long totalSize;
    private long outTimeUs;
    private long dupFrames;
    private long dropFrames;
    private double speed;
    private boolean outTimeUsSeen;

    public ProgressParser() {
        reset();
    }

    /**
     * Whether a stderr line is a progress line ({@code key=value}, the key in lower case) rather than a log line:
     * with {@code -loglevel level+...} ffmpeg starts every log line with {@code [}.
     */
    public static boolean isProgressLine(String line) {
        int eq = line.indexOf('=');
        if (eq <= 0 || line.charAt(0) < 'a' || line.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < eq; i++) {
            char c = line.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** Takes one line (without or with its line ending); returns the block's progress when the line ends a block. */
    public Optional<Progress> accept(String line) {
        if (line == null) {
            return Optional.empty();
        }
        String trimmed = line.strip();
        int eq = trimmed.indexOf('=');
        if (eq <= 0) {
            return Optional.empty();
        }
        String key = trimmed.substring(0, eq).strip();
        String value = trimmed.substring(eq + 1).strip();
        switch (key) {
            case "frame" -> frame = wholeNumber(value);
            case "fps" -> fps = decimal(value);
            case "bitrate" -> bitrateKbps = bitrate(value);
            case "total_size" -> totalSize = wholeNumber(value);
            case "out_time_us" -> {
                outTimeUs = signedWholeNumber(value);
                outTimeUsSeen = true;
            }
            // ffmpeg 5.1 prints microseconds here too; use it only when out_time_us is missing (older builds).
            case "out_time_ms" -> {
                if (!outTimeUsSeen) {
                    outTimeUs = signedWholeNumber(value);
                }
            }
            case "dup_frames" -> dupFrames = wholeNumber(value);
            case "drop_frames" -> dropFrames = wholeNumber(value);
            case "speed" -> speed = speed(value);
            case "progress" -> {
                Progress progress = new Progress(frame, fps, bitrateKbps, totalSize, outTimeUs, dupFrames,
                        dropFrames, speed, value.equals("end"));
                reset();
                return Optional.of(progress);
            }
            default -> {
                // unknown keys (stream_0_0_q, out_time, newer ffmpeg additions) are not needed
            }
        }
        return Optional.empty();
    }

    private void reset() {
        frame = Progress.UNKNOWN;
        fps = Double.NaN;
        bitrateKbps = Double.NaN;
        totalSize = Progress.UNKNOWN;
        outTimeUs = Progress.UNKNOWN;
        dupFrames = Progress.UNKNOWN;
        dropFrames = Progress.UNKNOWN;
        speed = Double.NaN;
        outTimeUsSeen = false;
    }

    private static long wholeNumber(String value) {
        long n = signedWholeNumber(value);
        return n < 0 ? Progress.UNKNOWN : n;
    }

    private static long signedWholeNumber(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return Progress.UNKNOWN;
        }
    }

    private static double decimal(String value) {
        try {
            double d = Double.parseDouble(value);
            return Double.isFinite(d) ? d : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** "1234.5kbits/s" (ffmpeg pads it: "bitrate= 355.6kbits/s"); N/A gives NaN. */
    private static double bitrate(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        if (v.endsWith("kbits/s")) {
            return decimal(v.substring(0, v.length() - "kbits/s".length()).strip());
        }
        return Double.NaN;
    }

    /** "1.02x" (padded at the start: "speed=   0x"); N/A gives NaN. */
    private static double speed(String value) {
        if (value.endsWith("x")) {
            return decimal(value.substring(0, value.length() - 1).strip());
        }
        return Double.NaN;
    }
}
