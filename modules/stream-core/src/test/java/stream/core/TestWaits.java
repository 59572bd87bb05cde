package stream.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in stream-core's tests: on a condition, with a deadline generous enough for a busy 2-core machine. */
public final class TestWaits {
    private TestWaits() {
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} after 30 s. */
    public static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }
}
