package stream.it.harness;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Condition polling instead of fixed sleeps: the CI box is a slow shared 2-core machine, so
 * deadlines are generous but a satisfied condition returns at once.
 */
public final class Waits {

    public static final Duration POLL = Duration.ofMillis(150);

    private Waits() {}

    /**
     * Polls until {@code condition} holds; fails with an AssertionError naming {@code what}.
     * An exception thrown by the condition counts as "not yet" (a server still starting
     * refuses connections); the last one becomes the failure's cause.
     */
    public static void waitUntil(BooleanSupplier condition, Duration timeout, String what) {
        waitFor(() -> condition.getAsBoolean() ? Boolean.TRUE : null, timeout, what);
    }

    /** Polls until {@code supplier} returns non-null and returns that value. */
    public static <T> T waitFor(Supplier<T> supplier, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                T value = supplier.get();
                if (value != null) {
                    return value;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                AssertionError failure = new AssertionError(
                        "timed out after " + timeout.toMillis() + " ms waiting for: " + what
                                + (last == null ? "" : " (last error: " + last + ")"));
                if (last != null) {
                    failure.initCause(last);
                }
                throw failure;
            }
            pause(POLL);
        }
    }

    /** One poll interval; used only between condition checks, never as a wait for an effect. */
    static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
    }
}
