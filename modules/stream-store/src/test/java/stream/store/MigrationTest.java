package stream.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationTest {
    @TempDir
    Path dir;

    @Test
    void migratesAnEmptyFileToTheLatestVersion() {
        try (Database db = Database.open(dir.resolve("empty.db"))) {
            assertEquals(Migrations.LATEST, db.schemaVersion());
            assertEquals(Settings.DEFAULT_LOG_RETENTION_DAYS, new SettingsRepository(db).load().logRetentionDays());
        }
    }

    @Test
    void migratesFromThePreviousVersionKeepingRows() {
        Path file = dir.resolve("old.db");
        try (Database v1 = Database.open(file, Migrations.LATEST - 1)) {
            assertEquals(Migrations.LATEST - 1, v1.schemaVersion());
            v1.write(c -> {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("UPDATE stream_config SET rtsp_url = 'rtsp://127.0.0.1:9554/kept' WHERE id = 1");
                    s.executeUpdate("INSERT INTO stream_logs (config_id, event_type, message, status) "
                            + "VALUES (1, 'stream_start', 'before the upgrade', 'info')");
                    return s.executeUpdate("INSERT INTO sse_events (event_type, event_data) VALUES ('url_update', '{}')");
                }
            });
        }
        try (Database db = Database.open(file)) {
            assertEquals(Migrations.LATEST, db.schemaVersion());
            StreamConfig c = new StreamConfigRepository(db).findDefault();
            assertEquals("rtsp://127.0.0.1:9554/kept", c.rtspUrl());
            assertEquals(StreamConfig.DesiredState.STOPPED, c.desiredState());
            assertTrue(c.keepSession(), "an upgraded stream keeps its session, the contract's default");
            assertEquals("before the upgrade", new StreamLogRepository(db).page(10, null, null, null).get(0).message());
            SseEventRecord e = new SseEventRepository(db).unprocessed().get(0);
            assertEquals("url_update", e.eventType());
            assertEquals(null, e.outcome());
        }
    }

    @Test
    void reopeningAnExistingDatabaseChangesNothing() {
        Path file = dir.resolve("again.db");
        try (Database db = Database.open(file)) {
            new StreamConfigRepository(db).updateUrls(1, "rtsp://127.0.0.1:8554/other", null, ChangeSource.API);
        }
        try (Database db = Database.open(file)) {
            assertEquals(1, new StreamConfigRepository(db).all().size(), "the initial row is inserted once");
            assertEquals("rtsp://127.0.0.1:8554/other", new StreamConfigRepository(db).findDefault().rtspUrl());
            assertEquals(1, new UrlHistoryRepository(db).recent(10).size());
        }
    }

    @Test
    void refusesADatabaseFromANewerProgram() {
        Path file = dir.resolve("newer.db");
        try (Database db = Database.open(file)) {
            db.write(c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("PRAGMA user_version = " + (Migrations.LATEST + 1));
                }
            });
        }
        StoreException e = assertThrows(StoreException.class, () -> Database.open(file));
        assertTrue(e.getMessage().contains("newer than this program"), e.getMessage());
    }

    @Test
    void databaseFileAndItsWalAreReadableByTheOwnerOnly() throws Exception {
        Path file = dir.resolve("data/streamrelay.db");
        try (Database db = Database.open(file)) {
            new StreamLogRepository(db).append(1L, "test", "x", LogStatus.INFO);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            Path wal = dir.resolve("data/streamrelay.db-wal");
            assertTrue(Files.exists(wal));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(wal)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        }
    }

    @Test
    void anExistingFileWithWideModeIsNarrowedTo0600() throws Exception {
        Path file = dir.resolve("wide.db");
        Files.createFile(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        try (Database db = Database.open(file)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
    }
}
