package stream.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The settings table as key/value text, and as the typed {@link Settings}. */
public final class SettingsRepository {
    private final Database db;
    private final List<Consumer<Settings>> listeners = new CopyOnWriteArrayList<>();
    /**
     * Values read, kept until the next write: every authenticated API call needs the password hash, and a query per
     * call cost more than the rest of a status answer. The appliance is the only writer of its database.
     */
    private final Map<String, Optional<String>> cache = new java.util.concurrent.ConcurrentHashMap<>();
    private long writes;

    public SettingsRepository(Database db) {
        this.db = db;
    }

    /** Called with the new settings after every committed change (the SSE client reconnects on it). */
    public void onChange(Consumer<Settings> listener) {
        listeners.add(listener);
    }

    public Settings load() {
        Map<String, String> all = all();
        int days = Settings.DEFAULT_LOG_RETENTION_DAYS;
        try {
            days = Integer.parseInt(all.getOrDefault(Settings.LOG_RETENTION_DAYS, "30"));
        } catch (NumberFormatException ignored) {
            // a hand-edited bad value falls back to the default rather than stopping retention
        }
        String token = all.get(Settings.SSE_TOKEN);
        return new Settings(blankToNull(all.get(Settings.SSE_URL)), "1".equals(all.get(Settings.SSE_ENABLED)),
                blankToNull(token), days);
    }

    /**
     * The value when it is in memory, without reading the database or taking a lock (for a caller that must never
     * wait); null when it is not, as after a write, until the next {@link #get}.
     */
    public Optional<String> atHand(String key) {
        return cache.get(key);
    }

    public Optional<String> get(String key) {
        Optional<String> cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        long version;
        synchronized (cache) {
            version = writes;
        }
        Optional<String> value = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT value FROM settings WHERE key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
        synchronized (cache) {
            if (version == writes) { // a value read while a write was under way may be stale: not kept
                cache.put(key, value);
            }
        }
        return value;
    }

    public Map<String, String> all() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT key, value FROM settings ORDER BY key");
                 ResultSet rs = ps.executeQuery()) {
                Map<String, String> out = new LinkedHashMap<>();
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
                return out;
            }
        });
    }

    public void put(String key, String value) {
        putAll(Map.of(key, value));
    }

    /** Writes all the values in one transaction, then tells the listeners once. */
    public void putAll(Map<String, String> values) {
        synchronized (cache) {
            writes++;
            cache.clear();
        }
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO settings (key, value) VALUES (?, ?)
                    ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = CURRENT_TIMESTAMP""")) {
                for (Map.Entry<String, String> e : values.entrySet()) {
                    ps.setString(1, e.getKey());
                    ps.setString(2, e.getValue());
                    ps.executeUpdate();
                }
            }
            return null;
        });
        synchronized (cache) {
            writes++;
            cache.clear();
        }
        Settings now = load();
        for (Consumer<Settings> l : listeners) {
            l.accept(now);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
