package stream.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRetentionTest {
    @TempDir
    Path dir;

    @Test
    void prunesRowsOlderThanTheRetentionAndKeepsNewerOnes() {
        try (Database db = Database.open(dir.resolve("r.db"))) {
            var logs = new StreamLogRepository(db);
            db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO stream_logs (config_id, event_type, message, status, timestamp) "
                                + "VALUES (1, 'old', ?, 'info', datetime('now', ?))")) {
                    for (int age : new int[] {45, 31, 29, 1}) {
                        ps.setString(1, age + " days old");
                        ps.setString(2, "-" + age + " days");
                        ps.executeUpdate();
                    }
                }
                return null;
            });
            var settings = new SettingsRepository(db);
            try (LogRetention retention = new LogRetention(logs, () -> settings.load().logRetentionDays())) {
                assertEquals(2, retention.pruneNow());
            }
            List<String> left = logs.page(10, null, "old", null).stream().map(LogEntry::message).toList();
            assertEquals(List.of("1 days old", "29 days old"), left);
            assertTrue(logs.page(1, null, "log_retention", null).get(0).message().contains("Deleted 2"));

            settings.put(Settings.LOG_RETENTION_DAYS, "7");
            try (LogRetention retention = new LogRetention(logs, () -> settings.load().logRetentionDays())) {
                assertEquals(1, retention.pruneNow(), "a changed setting applies at the next run");
            }
        }
    }
}
