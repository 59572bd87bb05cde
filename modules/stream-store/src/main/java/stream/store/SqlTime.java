package stream.store;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** SQLite's CURRENT_TIMESTAMP text (UTC, "YYYY-MM-DD HH:MM:SS") to {@link Instant}. */
final class SqlTime {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private SqlTime() {
    }

    static Instant parse(String text) {
        if (text == null) {
            return null;
        }
        String t = text.length() > 19 ? text.substring(0, 19) : text;
        return LocalDateTime.parse(t, FORMAT).toInstant(ZoneOffset.UTC);
    }
}
