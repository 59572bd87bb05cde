package stream.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The numbered schema migrations; {@code PRAGMA user_version} records how many have run. */
final class Migrations {
    /** Example values on loopback: the architecture document's camera and key belong to a real person. */
    static final String INITIAL_RTSP_URL = "rtsp://127.0.0.1:8554/cam1";
    static final String INITIAL_RTMP_URL = "rtmp://127.0.0.1:1935/live/streamkey";

    /** Migration 1 is architecture.md §6.2 word for word, but for the initial row's values. */
    static final String V1 = """
        CREATE TABLE stream_config (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            rtsp_url TEXT NOT NULL,
            rtmp_url TEXT NOT NULL,
            ffmpeg_params TEXT DEFAULT '-c:v libx264 -preset veryfast -b:v 4500k -maxrate 5000k -bufsize 10000k -vf "scale=1920:1080" -c:a aac -b:a 128k -ar 44100 -f flv',
            auto_restart BOOLEAN DEFAULT 1,
            created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
            updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
        );

        CREATE TABLE stream_logs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            config_id INTEGER,
            event_type TEXT NOT NULL,
            message TEXT,
            status TEXT CHECK (status IN ('success', 'error', 'warning', 'info')),
            timestamp DATETIME DEFAULT CURRENT_TIMESTAMP,
            FOREIGN KEY (config_id) REFERENCES stream_config(id)
        );

        CREATE TABLE url_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            config_id INTEGER,
            old_rtsp_url TEXT,
            new_rtsp_url TEXT,
            old_rtmp_url TEXT,
            new_rtmp_url TEXT,
            change_source TEXT CHECK (change_source IN ('sse', 'api', 'manual')),
            changed_at DATETIME DEFAULT CURRENT_TIMESTAMP,
            FOREIGN KEY (config_id) REFERENCES stream_config(id)
        );

        CREATE TABLE sse_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            event_type TEXT NOT NULL,
            event_data TEXT,
            processed BOOLEAN DEFAULT 0,
            received_at DATETIME DEFAULT CURRENT_TIMESTAMP
        );

        CREATE INDEX idx_stream_logs_timestamp ON stream_logs(timestamp DESC);
        CREATE INDEX idx_url_history_changed_at ON url_history(changed_at DESC);
        CREATE INDEX idx_sse_events_processed ON sse_events(processed, received_at);

        INSERT INTO stream_config (rtsp_url, rtmp_url) VALUES
        ('%s',
        '%s');
        """.formatted(INITIAL_RTSP_URL, INITIAL_RTMP_URL);

    /**
     * Migration 2: what the contract adds. Columns are only ever added (the contract forbids removing or
     * renaming the architecture document's).
     */
    static final String V2 = """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
        );
        INSERT INTO settings (key, value) VALUES ('log_retention_days', '30'), ('sse_enabled', '0');

        ALTER TABLE stream_config ADD COLUMN preset TEXT;
        ALTER TABLE stream_config ADD COLUMN desired_state TEXT NOT NULL DEFAULT 'stopped'
            CHECK (desired_state IN ('running', 'stopped'));

        ALTER TABLE sse_events ADD COLUMN last_event_id TEXT;
        ALTER TABLE sse_events ADD COLUMN outcome TEXT
            CHECK (outcome IS NULL OR outcome IN ('applied', 'rejected', 'skipped', 'ignored'));
        ALTER TABLE sse_events ADD COLUMN outcome_reason TEXT;
        ALTER TABLE sse_events ADD COLUMN event_timestamp TEXT;
        CREATE INDEX idx_sse_events_last_event_id ON sse_events(last_event_id) WHERE processed = 1;

        CREATE INDEX idx_stream_logs_config ON stream_logs(config_id, id);

        -- the ffmpeg processes a supervisor started, so that a restart after kill -9 can end the ones left over
        CREATE TABLE child_processes (
            config_id INTEGER NOT NULL,
            role TEXT NOT NULL,
            pid INTEGER NOT NULL,
            start_ticks INTEGER NOT NULL,
            started_at DATETIME DEFAULT CURRENT_TIMESTAMP,
            PRIMARY KEY (config_id, role),
            FOREIGN KEY (config_id) REFERENCES stream_config(id)
        );
        """;

    /**
     * Migration 3: several streams (contract §7). A deleted stream keeps its row (marked deleted_at) so that its logs
     * and URL history, which reference it, stay readable; its name may then be used again.
     */
    static final String V3 = """
        ALTER TABLE stream_config ADD COLUMN name TEXT
            CHECK (name IS NULL OR (length(name) BETWEEN 1 AND 32 AND name NOT GLOB '*[^a-z0-9-]*'));
        ALTER TABLE stream_config ADD COLUMN deleted_at DATETIME;
        UPDATE stream_config SET name = CASE WHEN id = (SELECT min(id) FROM stream_config) THEN 'default'
            ELSE 'stream-' || id END;
        CREATE UNIQUE INDEX idx_stream_config_name ON stream_config(name) WHERE deleted_at IS NULL;

        ALTER TABLE sse_events ADD COLUMN config_id INTEGER REFERENCES stream_config(id);
        CREATE INDEX idx_sse_events_config_applied ON sse_events(config_id, event_timestamp) WHERE outcome = 'applied';
        CREATE INDEX idx_url_history_config ON url_history(config_id, id);
        """;

    /**
     * Migration 4: keeping the destination's session (contract §8). On by default, also for the streams that exist:
     * the contract makes it the plain behaviour only when a user turns it off.
     */
    static final String V4 = """
        ALTER TABLE stream_config ADD COLUMN keep_session BOOLEAN NOT NULL DEFAULT 1;
        """;

    static final List<String> ALL = List.of(V1, V2, V3, V4);
    static final int LATEST = ALL.size();

    private Migrations() {
    }

    /** Runs, each in its own transaction, every migration between the file's version and {@code target}. */
    static void migrate(Connection c, int target) throws SQLException {
        if (target < 0 || target > LATEST) {
            throw new IllegalArgumentException("no schema version " + target + " (latest is " + LATEST + ")");
        }
        int current;
        try (Statement s = c.createStatement(); var rs = s.executeQuery("PRAGMA user_version")) {
            current = rs.getInt(1);
        }
        if (current > LATEST) {
            throw new SQLException("database schema version " + current + " is newer than this program (" + LATEST
                    + "); install the newer streamrelay again");
        }
        for (int v = current + 1; v <= target; v++) {
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                try {
                    for (String stmt : statements(ALL.get(v - 1))) {
                        s.execute(stmt);
                    }
                    s.execute("PRAGMA user_version = " + v);
                    s.execute("COMMIT");
                } catch (SQLException e) {
                    s.execute("ROLLBACK");
                    throw new SQLException("migration " + v + " failed: " + e.getMessage(), e);
                }
            }
        }
    }

    /** Splits a script on the semicolons that end statements (none of ours has one inside a literal). */
    static List<String> statements(String script) {
        return java.util.Arrays.stream(script.split(";\\s*\\n"))
                .map(String::strip)
                .map(st -> st.endsWith(";") ? st.substring(0, st.length() - 1) : st)
                .filter(st -> !st.isEmpty() && !st.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("--")))
                .toList();
    }
}
