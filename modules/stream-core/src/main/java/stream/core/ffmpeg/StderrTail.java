package stream.core.ffmpeg;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;

import stream.core.SecretMasker;

/**
 * The last lines ffmpeg wrote to stderr, masked before they are kept, in a thread-safe bounded ring that the stderr
 * reader fills and the API, logs and {@link FailureClassifier} read.
 */
public final class StderrTail {
    /** Lines kept by default. */
    public static final int DEFAULT_LINES = 200;
    /** Longest line kept by default, in characters; ffmpeg's own lines stay far below it. */
    public static final int DEFAULT_LINE_CHARS = 4096;
    /** Appended to a line that was cut. */
    static final String TRUNCATED = " [...truncated]";

    private final int capacity;
    private final int maxLineChars;
    private final SecretMasker masker;
    private final ArrayDeque<String> lines;
    private long added;

    /** A tail of {@link #DEFAULT_LINES} lines of at most {@link #DEFAULT_LINE_CHARS} characters. */
    public StderrTail(SecretMasker masker) {
        this(DEFAULT_LINES, DEFAULT_LINE_CHARS, masker);
    }

    /**
     * @param capacity how many lines to keep
     * @param maxLineChars the longest line kept; longer ones are cut and marked
     * @param masker applied to every line before it is kept, so no secret is ever stored
     */
    public StderrTail(int capacity, int maxLineChars, SecretMasker masker) {
        if (capacity < 1 || maxLineChars < 1) {
            throw new IllegalArgumentException("capacity and maxLineChars must be positive");
        }
        this.capacity = capacity;
        this.maxLineChars = maxLineChars;
        this.masker = Objects.requireNonNull(masker, "masker");
        this.lines = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /** Masks, bounds and keeps one line (its line ending removed); returns the line as kept. */
    public String add(String line) {
        String raw = line == null ? "" : stripLineEnd(line);
        // Mask the whole line first: cutting first could leave half a URL or secret that the masker no longer
        // recognises. (The reader bounds how long a line can get; ffmpeg's own lines are short.)
        String masked = masker.mask(raw);
        if (masked.length() > maxLineChars) {
            masked = masked.substring(0, maxLineChars) + TRUNCATED;
        }
        synchronized (lines) {
            if (lines.size() == capacity) {
                lines.removeFirst();
            }
            lines.addLast(masked);
            added++;
        }
        return masked;
    }

    /** A snapshot of the kept lines, oldest first. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The newest {@code n} kept lines, oldest first. */
    public List<String> last(int n) {
        List<String> all = lines();
        return all.subList(Math.max(0, all.size() - n), all.size());
    }

    /** How many lines were ever added, including those already dropped from the ring. */
    public long added() {
        synchronized (lines) {
            return added;
        }
    }

    /** Forgets all lines (for a new ffmpeg run). */
    public void clear() {
        synchronized (lines) {
            lines.clear();
        }
    }

    private static String stripLineEnd(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == '\n' || line.charAt(end - 1) == '\r')) {
            end--;
        }
        return line.substring(0, end);
    }
}
