package stream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesFromOneSecondToTheCapAndResets() {
        Backoff b = Backoff.of(Duration.ofSeconds(1), Duration.ofSeconds(30), 0);
        long[] expected = {1, 2, 4, 8, 16, 30, 30, 30};
        for (long s : expected) {
            assertEquals(Duration.ofSeconds(s), b.delay());
            b = b.next();
        }
        for (int i = 0; i < 100; i++) {
            b = b.next();
        }
        assertEquals(Duration.ofSeconds(30), b.delay(), "no overflow after many failures");
        assertEquals(Duration.ofSeconds(1), b.reset().delay());
    }

    @Test
    void jitterStaysWithinItsShareOfTheDelay() {
        Backoff b = Backoff.of(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.5).next().next(); // nominal 4 s
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 2000; i++) {
            long d = b.delay().toMillis();
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertTrue(min >= 2000 && max <= 4000, min + ".." + max);
        assertTrue(max - min > 1000, "the delays actually vary: " + min + ".." + max);
    }
}
