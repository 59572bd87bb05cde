package stream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Instants in answers are written as {@link Instant#toString} writes them, whichever were written before. */
class JsonViewsTimeTest {
    @Test
    void writesEachInstantAsItsOwnTextWhateverItsSlotHeldBefore() {
        SplittableRandom random = new SplittableRandom(7);
        Instant[] recent = new Instant[40];
        for (int i = 0; i < 20_000; i++) {
            // new instants, and ones written a little earlier (cached or pushed out by another in their slot)
            Instant t = i % 3 == 0 && recent[i % 40] != null ? recent[i % 40]
                    : Instant.ofEpochSecond(random.nextLong(4_000_000_000L), random.nextInt(4) == 0 ? 0
                    : random.nextInt(1_000_000_000));
            recent[i % 40] = t;
            assertEquals(t.toString(), JsonViews.instantText(t));
            assertEquals(com.eclipsesource.json.Json.value(t.toString()), JsonViews.time(t));
        }
        // equal instants made apart (not the same object) are one text
        Instant a = Instant.parse("2026-11-28T19:03:20.096209073Z");
        assertEquals("2026-11-28T19:03:20.096209073Z", JsonViews.instantText(a));
        assertEquals("2026-11-28T19:03:20.096209073Z", JsonViews.instantText(Instant.parse(a.toString())));
        assertEquals("2026-11-28T19:03:20Z", JsonViews.instantText(Instant.ofEpochSecond(a.getEpochSecond())));
    }
}
