package stream.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The reconnect delays: doubling to a cap, the server's retry: as the first delay, jitter within its share. */
class SseRetryPolicyTest {
    private final SseRetryPolicy policy = new SseRetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), 0);

    @Test
    void doublesPerFailureUpToTheCap() {
        assertEquals(Duration.ofSeconds(1), policy.delay(0, null));
        assertEquals(Duration.ofSeconds(2), policy.delay(1, null));
        assertEquals(Duration.ofSeconds(16), policy.delay(4, null));
        assertEquals(Duration.ofSeconds(30), policy.delay(5, null));
        assertEquals(Duration.ofSeconds(30), policy.delay(Integer.MAX_VALUE, null));
    }

    @Test
    void theServersRetryReplacesTheFirstDelayWithinTheFloorAndTheCap() {
        assertEquals(Duration.ofMillis(250), policy.delay(0, 250L));
        assertEquals(Duration.ofMillis(500), policy.delay(1, 250L));
        assertEquals(SseRetryPolicy.MIN_RECONNECTION_TIME, policy.delay(0, 0L));
        assertEquals(Duration.ofSeconds(30), policy.delay(0, 3_600_000L));
    }

    @Test
    void jitterKeepsTheDelayBetweenItsFixedShareAndTheNominalDelay() {
        SseRetryPolicy half = new SseRetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.5);
        for (int i = 0; i < 200; i++) {
            long ms = half.delay(2, null).toMillis();
            assertTrue(ms >= 2000 && ms <= 4000, ms + " ms");
        }
    }

    @Test
    void refusesANonsensePolicy() {
        assertThrows(IllegalArgumentException.class,
                () -> new SseRetryPolicy(Duration.ZERO, Duration.ofSeconds(1), 0));
        assertThrows(IllegalArgumentException.class,
                () -> new SseRetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), 0));
        assertThrows(IllegalArgumentException.class,
                () -> new SseRetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(2), 1.5));
    }
}
