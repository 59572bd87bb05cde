package stream.core.ffmpeg;

/**
 * One block of ffmpeg's {@code -progress} output, ended by a {@code progress=continue} or {@code progress=end} line,
 * with values ffmpeg reports as N/A (or not at all) as {@code NaN} for decimals and {@code -1} for whole numbers.
 *
 * @param frame frames of the first video stream written so far ({@code frame=})
 * @param fps frames per second over the run ({@code fps=})
 * @param bitrateKbps the output's average bitrate in kbit/s ({@code bitrate=1234.5kbits/s})
 * @param totalSize bytes written to the first output ({@code total_size=})
 * @param outTimeUs the output position in microseconds ({@code out_time_us=}; ffmpeg 5.1 prints the same number,
 *     also in microseconds despite its name, as {@code out_time_ms=}); may be slightly negative at the very start
 * @param dupFrames frames duplicated to keep the output frame rate ({@code dup_frames=})
 * @param dropFrames frames dropped ({@code drop_frames=})
 * @param speed the processing speed relative to real time ({@code speed=1.02x})
 * @param ended whether this is the last block ({@code progress=end}): ffmpeg is finishing
 */
public record Progress(long frame, double fps, double bitrateKbps, long totalSize, long outTimeUs, long dupFrames,
                       long dropFrames, double speed, boolean ended) {

    /** Marks a whole-number value ffmpeg did not report. */
    public static final long UNKNOWN = -1;

    /** Whether ffmpeg reported an output position. */
    public boolean hasOutTime() {
        return outTimeUs != UNKNOWN;
    }

    /** The output position in seconds, or NaN when unknown. */
    public double outTimeSeconds() {
        return hasOutTime() ? outTimeUs / 1_000_000.0 : Double.NaN;
    }
}
