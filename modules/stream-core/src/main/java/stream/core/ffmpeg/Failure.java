package stream.core.ffmpeg;

/**
 * A recognised ffmpeg failure.
 *
 * @param kind what failed
 * @param message the kind's sentence followed by ffmpeg's own words, URLs masked
 * @param line the stderr line it was recognised in, as given
 */
public record Failure(FailureKind kind, String message, String line) {

    /** Whether running the same command again will most likely fail the same way. */
    public boolean permanent() {
        return kind.permanent();
    }

    public FailureKind.Side side() {
        return kind.side();
    }
}
