package stream.sse;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When the client tries again after a connection ended or failed: the first delay (or the server's {@code retry:}
 * reconnection time, which replaces it as §9.2.6 says), doubled for each failure in a row up to a cap, with a random
 * share so that many clients do not come back at the same instant.
 *
 * @param initial the first delay when the server sent no {@code retry:}
 * @param max the cap on any delay
 * @param jitter the share of each delay that is random (0 none, 0.5 means a delay in [d/2, d])
 */
public record SseRetryPolicy(Duration initial, Duration max, double jitter) {
    /** A {@code retry: 0} server that closes at once would otherwise be reconnected to in a busy loop. */
    public static final Duration MIN_RECONNECTION_TIME = Duration.ofMillis(100);
    /** 1 s doubling to 60 s, each delay between half and all of its nominal value. */
    public static final SseRetryPolicy DEFAULT = new SseRetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.5);

    public SseRetryPolicy {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("the retry policy needs 0 < initial <= max");
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be within [0, 1]");
        }
    }

    /**
     * The delay before the next try without its random share.
     *
     * @param failuresInARow how many tries have failed since the last success (0 before the first retry)
     * @param serverRetryMillis the server's last {@code retry:} value, or null when it sent none
     */
    public Duration nominalDelay(int failuresInARow, Long serverRetryMillis) {
        long first = initial.toMillis();
        if (serverRetryMillis != null) {
            first = Math.max(MIN_RECONNECTION_TIME.toMillis(), Math.min(serverRetryMillis, max.toMillis()));
        }
        int shift = Math.min(Math.max(failuresInARow, 0), 30);
        long ms = first << shift;
        if (ms < 0 || ms > max.toMillis() || (ms >> shift) != first) {
            ms = Math.max(first, max.toMillis());
        }
        return Duration.ofMillis(ms);
    }

    /** The delay before the next try, never below the nominal delay's {@code 1 - jitter} share. */
    public Duration delay(int failuresInARow, Long serverRetryMillis) {
        long nominal = nominalDelay(failuresInARow, serverRetryMillis).toMillis();
        long fixed = Math.round(nominal * (1 - jitter));
        long random = nominal - fixed;
        return Duration.ofMillis(fixed + (random > 0 ? ThreadLocalRandom.current().nextLong(random + 1) : 0));
    }
}
