package stream.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaTest {
    @TempDir
    Path dir;

    /** architecture.md §6.2's tables and indexes, keyed by name, whitespace normalised. */
    static Map<String, String> documentDdl() throws IOException {
        String script;
        try (InputStream in = SchemaTest.class.getResourceAsStream("/architecture-6.2.sql")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String> out = new LinkedHashMap<>();
        Pattern name = Pattern.compile("CREATE (?:TABLE|INDEX) (\\w+)");
        for (String stmt : Migrations.statements(script)) {
            String sql = stmt.lines().filter(l -> !l.strip().startsWith("--")).reduce("", (a, b) -> a + "\n" + b);
            Matcher m = name.matcher(sql);
            if (m.find()) {
                out.put(m.group(1), normalise(sql));
            }
        }
        return out;
    }

    static String normalise(String sql) {
        return sql.replaceAll("\\s+", " ").replaceAll("\\( ", "(").replaceAll(" \\)", ")").strip();
    }

    static Map<String, String> schemaOf(Database db) {
        return db.read(c -> {
            Map<String, String> out = new LinkedHashMap<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")) {
                while (rs.next()) {
                    out.put(rs.getString(1), normalise(rs.getString(2)));
                }
            }
            return out;
        });
    }

    @Test
    void fixtureIsTheArchitectureDocumentsDdlWordForWord() throws IOException {
        Path doc = Path.of("../../../shared/architecture.md");
        Assumptions.assumeTrue(Files.exists(doc), "shared/architecture.md is beside the repository in CI and dev");
        String text = Files.readString(doc);
        String block = text.substring(text.indexOf("```sql") + 6);
        block = block.substring(0, block.indexOf("-- Insert initial"));
        String fixture = new String(SchemaTest.class.getResourceAsStream("/architecture-6.2.sql").readAllBytes(),
                StandardCharsets.UTF_8);
        assertEquals(normalise(block), normalise(fixture));
    }

    @Test
    void migrationOneCreatesTheDocumentsTablesAndIndexesExactly() throws IOException {
        try (Database db = Database.open(dir.resolve("v1.db"), 1)) {
            Map<String, String> actual = schemaOf(db);
            Map<String, String> expected = documentDdl();
            assertEquals(7, expected.size(), "4 tables and 3 indexes in the document");
            for (Map.Entry<String, String> e : expected.entrySet()) {
                assertEquals(e.getValue(), actual.get(e.getKey()), "table/index " + e.getKey());
            }
            assertEquals(1, db.schemaVersion());
        }
    }

    @Test
    void latestSchemaKeepsEveryDocumentColumnConstraintAndIndex() throws IOException {
        try (Database db = Database.open(dir.resolve("latest.db"))) {
            Map<String, String> actual = schemaOf(db);
            for (Map.Entry<String, String> e : documentDdl().entrySet()) {
                String expected = e.getValue();
                String got = actual.get(e.getKey());
                if (expected.startsWith("CREATE INDEX")) {
                    assertEquals(expected, got, e.getKey());
                } else {
                    // ALTER TABLE ADD COLUMN appends to the stored statement: the document's part must be intact
                    String prefix = expected.substring(0, expected.lastIndexOf(')'));
                    assertTrue(got.startsWith(prefix), e.getKey() + " was " + got);
                }
            }
            assertTrue(actual.containsKey("settings"));
            assertEquals(Migrations.LATEST, db.schemaVersion());
        }
    }

    @Test
    void checkConstraintsRejectValuesOutsideTheDocumentsLists() {
        try (Database db = Database.open(dir.resolve("check.db"))) {
            StoreException e = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class, () -> db.write(c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("INSERT INTO stream_logs (event_type, status) VALUES ('x', 'fatal')");
                }
            }));
            assertTrue(e.getMessage().contains("CHECK"), e.getMessage());
            org.junit.jupiter.api.Assertions.assertThrows(StoreException.class, () -> db.write(c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("INSERT INTO url_history (change_source) VALUES ('cron')");
                }
            }));
            org.junit.jupiter.api.Assertions.assertThrows(StoreException.class, () -> db.write(c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("INSERT INTO stream_logs (config_id, event_type) VALUES (999, 'x')");
                }
            }), "foreign keys are on");
        }
    }

    @Test
    void initialRowUsesLoopbackExamplesAndTheDocumentsDefaults() {
        try (Database db = Database.open(dir.resolve("init.db"))) {
            List<StreamConfig> all = new StreamConfigRepository(db).all();
            assertEquals(1, all.size());
            StreamConfig c = all.get(0);
            assertEquals("rtsp://127.0.0.1:8554/cam1", c.rtspUrl());
            assertEquals("rtmp://127.0.0.1:1935/live/streamkey", c.rtmpUrl());
            assertEquals("-c:v libx264 -preset veryfast -b:v 4500k -maxrate 5000k -bufsize 10000k -vf \"scale=1920:1080\" "
                    + "-c:a aac -b:a 128k -ar 44100 -f flv", c.ffmpegParams());
            assertTrue(c.autoRestart());
            assertEquals(StreamConfig.DesiredState.STOPPED, c.desiredState(), "a new appliance does not stream by itself");
            assertFalse(c.rtmpUrl().contains("youtube"));
        }
    }

    @Test
    void pragmasAreSetOnEveryConnection() {
        try (Database db = Database.open(dir.resolve("pragma.db"))) {
            for (String pragma : List.of("journal_mode", "foreign_keys", "busy_timeout")) {
                Object value = db.read(c -> {
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + pragma)) {
                        return rs.getString(1);
                    }
                });
                Object written = db.write(c -> {
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + pragma)) {
                        return rs.getString(1);
                    }
                });
                String expected = switch (pragma) {
                    case "journal_mode" -> "wal";
                    case "foreign_keys" -> "1";
                    default -> String.valueOf(Database.BUSY_TIMEOUT_MS);
                };
                assertEquals(expected, value, pragma + " on the read connection");
                assertEquals(expected, written, pragma + " on the write connection");
            }
        }
    }
}
