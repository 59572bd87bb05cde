package stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

class StderrLoggerFinderTest {
    private static final DateTimeFormatter JUL_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @Test
    void theLineHasTheShapeJavaUtilLoggingPrintedWithTheLaunchersFormat() {
        long millis = Instant.parse("2026-11-28T18:54:11.250Z").toEpochMilli();
        TimeZone utc = TimeZone.getTimeZone("UTC");
        assertEquals("2026-11-28 18:54:11 INFO stream.app: streamrelay listening" + System.lineSeparator(),
                StderrLoggerFinder.line(millis, utc, System.Logger.Level.INFO, "stream.app", "streamrelay listening",
                        null));
        assertEquals("2026-11-28 18:54:11 SEVERE stream.http: HTTP server stopped" + System.lineSeparator(),
                StderrLoggerFinder.line(millis, utc, System.Logger.Level.ERROR, "stream.http", "HTTP server stopped",
                        null));
        String withTrace = StderrLoggerFinder.line(millis, utc, System.Logger.Level.WARNING, "stream.store", "pruning",
                new IllegalStateException("disk full"));
        assertTrue(withTrace.startsWith("2026-11-28 18:54:11 WARNING stream.store: pruning" + System.lineSeparator()
                + "java.lang.IllegalStateException: disk full" + System.lineSeparator() + "\tat "), withTrace);
    }

    @Test
    void theLocalTimeAgreesWithJavaTimeAcrossYearsZonesAndDaylightSaving() {
        Random random = new Random(12);
        for (String zone : new String[] {"UTC", "Europe/Berlin", "America/St_Johns", "Australia/Lord_Howe",
                "Pacific/Kiritimati", "America/Los_Angeles"}) {
            TimeZone tz = TimeZone.getTimeZone(zone);
            for (int i = 0; i < 2000; i++) {
                // 1970 to 2100, leap days and year ends included by chance and by the fixed cases below
                long millis = (long) (random.nextDouble() * 4_102_444_800_000L);
                assertSameAsJavaTime(millis, tz);
            }
            for (String fixed : new String[] {"2024-02-29T23:59:59Z", "2000-03-01T00:00:00Z", "2100-02-28T12:00:00Z",
                    "1999-12-31T23:59:59Z", "1970-01-01T00:00:00Z"}) {
                assertSameAsJavaTime(Instant.parse(fixed).toEpochMilli(), tz);
            }
        }
    }

    private static void assertSameAsJavaTime(long millis, TimeZone tz) {
        String expected = LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneId.of(tz.getID())).format(JUL_FORMAT);
        String line = StderrLoggerFinder.line(millis, tz, System.Logger.Level.INFO, "x", "m", null);
        assertEquals(expected, line.substring(0, 19), tz.getID() + " at " + millis);
    }

    @Test
    void belowInfoIsNotWrittenAsJavaUtilLoggingsDefaultLevelDid() {
        System.Logger logger = new StderrLoggerFinder().getLogger("stream.app", StderrLoggerFinder.class.getModule());
        assertTrue(logger.isLoggable(System.Logger.Level.INFO));
        assertTrue(logger.isLoggable(System.Logger.Level.ERROR));
        assertEquals(false, logger.isLoggable(System.Logger.Level.DEBUG));
        assertEquals(false, logger.isLoggable(System.Logger.Level.OFF));
    }

    @Test
    void theModuleProvidesTheSystemsLoggerFinder() {
        assertInstanceOf(StderrLoggerFinder.class, System.LoggerFinder.getLoggerFinder());
    }
}
