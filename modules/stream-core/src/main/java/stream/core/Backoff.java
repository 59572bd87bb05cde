package stream.core;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter as an immutable value: {@link #delay()} is the wait before the next try and
 * {@link #next()} the backoff after that try failed. It paces the ffmpeg restarts; the SSE client, which needs nothing
 * but the JDK, has its own {@code SseRetryPolicy} with the same shape.
 *
 * @param initial the first delay
 * @param max the cap on any delay
 * @param jitter the fraction of the delay that is random (0 none, 0.5 means a delay in [d/2, d])
 * @param attempt how many tries have failed in a row (0 for the first)
 */
public record Backoff(Duration initial, Duration max, double jitter, int attempt) {

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max");
        }
        if (jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("jitter must be within [0, 1]");
        }
    }

    /** A fresh backoff, before any failure. */
    public static Backoff of(Duration initial, Duration max, double jitter) {
        return new Backoff(initial, max, jitter, 0);
    }

    /** The delay before the next try without jitter: initial doubled per failure, capped at max. */
    public Duration nominalDelay() {
        long initialMs = initial.toMillis();
        int shift = Math.min(attempt, 30);
        long ms = initialMs << shift;
        if (ms < 0 || ms > max.toMillis() || (ms >> shift) != initialMs) {
            ms = max.toMillis();
        }
        return Duration.ofMillis(ms);
    }

    /** The delay before the next try, jitter applied (never below the nominal delay's (1 - jitter) share). */
    public Duration delay() {
        long nominal = nominalDelay().toMillis();
        long fixed = Math.round(nominal * (1 - jitter));
        long random = nominal - fixed;
        return Duration.ofMillis(fixed + (random > 0 ? ThreadLocalRandom.current().nextLong(random + 1) : 0));
    }

    /** The backoff after one more failure. */
    public Backoff next() {
        return new Backoff(initial, max, jitter, attempt == Integer.MAX_VALUE ? attempt : attempt + 1);
    }

    /** The backoff after a success long enough to start over. */
    public Backoff reset() {
        return new Backoff(initial, max, jitter, 0);
    }
}
