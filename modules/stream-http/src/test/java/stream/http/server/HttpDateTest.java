package stream.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HttpDateTest {
    private static String javaTime(long epochSecond) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochSecond(epochSecond).atOffset(ZoneOffset.UTC));
    }

    @Test
    void writesWhatJavaTimeWritesOnEveryDayFrom1970To2200() {
        // every day at a second that changes with the day, so every hour, minute and second value comes up too
        for (long day = 0; day < 84_000; day++) {
            long second = day * 86_400 + (day * 7919) % 86_400;
            assertEquals(javaTime(second), HttpDate.format(second), "second " + second);
        }
    }

    @Test
    void writesWhatJavaTimeWritesAtTheEdgesOfDaysMonthsAndLeapYears() {
        long[] seconds = {0, 59, 86_399, 86_400, 951_782_399L /* 2000-02-28T23:59:59 */, 951_868_799L /* 29 Feb 2000 */,
                4_107_542_399L /* 2100-02-28T23:59:59 */, 4_107_542_400L /* 1 Mar 2100: no leap day */,
                1_796_083_199L, 253_402_300_799L /* the last second of 9999 */};
        for (long s : seconds) {
            assertEquals(javaTime(s), HttpDate.format(s), "second " + s);
        }
        assertEquals("Sun, 1 Nov 2026 09:05:03 GMT", HttpDate.format(1_793_523_903L));
    }

    @Test
    void writesWhatJavaTimeWritesAtRandomSecondsUpToTheYear9999() {
        SplittableRandom random = new SplittableRandom(12);
        for (int i = 0; i < 200_000; i++) {
            long s = random.nextLong(253_402_300_800L);
            assertEquals(javaTime(s), HttpDate.format(s), "second " + s);
        }
    }

    @Test
    void leavesClocksBefore1970OrAfter9999ToJavaTime() {
        for (long s : new long[] {-1, -86_401, -62_135_596_800L /* year 1 */}) {
            assertEquals(javaTime(s), HttpDate.format(s), "second " + s);
        }
        for (long s : new long[] {253_402_300_800L, 300_000_000_000L}) {
            assertThrows(DateTimeException.class, () -> javaTime(s));
            assertThrows(DateTimeException.class, () -> HttpDate.format(s));
        }
    }
}
