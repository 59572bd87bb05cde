package stream.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** sse_events rows: every dispatched event is inserted before it is acted on, then marked processed. */
public final class SseEventRepository {
    private static final String COLUMNS =
            "id, event_type, event_data, last_event_id, processed, outcome, outcome_reason, received_at, config_id";
    private final Database db;

    public SseEventRepository(Database db) {
        this.db = db;
    }

    /** Stores a just-dispatched event, unprocessed; returns its row. */
    public SseEventRecord insert(String eventType, String eventData, String lastEventId) {
        return db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO sse_events (event_type, event_data, last_event_id) VALUES (?, ?, ?) RETURNING " + COLUMNS)) {
                ps.setString(1, eventType);
                ps.setString(2, eventData);
                ps.setString(3, lastEventId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return map(rs);
                }
            }
        });
    }

    /**
     * Marks an event decided. {@code eventTimestamp} is the applied event's own timestamp, kept so that an
     * older event arriving later is not applied over it.
     */
    public void markProcessed(long id, SseEventRecord.Outcome outcome, String reason, String eventTimestamp) {
        markProcessed(id, null, outcome, reason, eventTimestamp);
    }

    /** As {@link #markProcessed(long, SseEventRecord.Outcome, String, String)}, naming the stream it was for. */
    public void markProcessed(long id, Long configId, SseEventRecord.Outcome outcome, String reason,
                              String eventTimestamp) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE sse_events SET processed = 1, outcome = ?, "
                    + "outcome_reason = ?, event_timestamp = ?, config_id = ? WHERE id = ?")) {
                ps.setString(1, outcome.sql());
                ps.setString(2, reason);
                ps.setString(3, eventTimestamp);
                ps.setObject(4, configId);
                ps.setLong(5, id);
                return ps.executeUpdate();
            }
        });
    }

    /** Oldest first: events stored but not yet decided (a crash came in between). */
    public List<SseEventRecord> unprocessed() {
        return query("SELECT " + COLUMNS + " FROM sse_events WHERE processed = 0 ORDER BY id", -1);
    }

    /** Newest first; {@code processed} null for both kinds. */
    public List<SseEventRecord> recent(int limit, Boolean processed) {
        String where = processed == null ? "" : " WHERE processed = " + (processed ? 1 : 0);
        return query("SELECT " + COLUMNS + " FROM sse_events" + where + " ORDER BY id DESC LIMIT ?", limit);
    }

    /**
     * Whether another row with the same SSE id, type and data was already decided: a server replaying after a
     * reconnect. The id alone is not enough: it persists across events that do not set their own.
     */
    public boolean isDuplicateOfProcessed(SseEventRecord row) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT 1 FROM sse_events WHERE processed = 1 AND last_event_id = ? AND event_type = ?
                    AND event_data IS ? AND id <> ? LIMIT 1""")) {
                ps.setString(1, row.lastEventId());
                ps.setString(2, row.eventType());
                ps.setString(3, row.eventData());
                ps.setLong(4, row.id());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** Whether an event carrying this SSE id, other than row {@code exceptRowId}, was already decided. */
    public boolean isSseIdProcessed(String lastEventId, long exceptRowId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM sse_events WHERE processed = 1 AND last_event_id = ? AND id <> ? LIMIT 1")) {
                ps.setString(1, lastEventId);
                ps.setLong(2, exceptRowId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** The SSE id stored with the row before {@code rowId}, or null when it is the first. */
    public String previousLastEventId(long rowId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT last_event_id FROM sse_events WHERE id < ? ORDER BY id DESC LIMIT 1")) {
                ps.setLong(1, rowId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    /** The event timestamp of the newest applied url_update, if any. */
    public Optional<String> newestAppliedTimestamp() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT event_timestamp FROM sse_events WHERE outcome = 'applied' AND event_timestamp IS NOT NULL "
                            + "ORDER BY event_timestamp DESC LIMIT 1");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        });
    }

    /** The event timestamp of the newest url_update applied to one stream (contract §7: compared per stream). */
    public Optional<String> newestAppliedTimestamp(long configId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT max(event_timestamp) FROM sse_events WHERE outcome = 'applied' AND config_id = ?")) {
                ps.setLong(1, configId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    public long count(SseEventRecord.Outcome outcome) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM sse_events WHERE outcome = ?")) {
                ps.setString(1, outcome.sql());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    public long countAll() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM sse_events");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    private List<SseEventRecord> query(String sql, int limit) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (limit >= 0) {
                    ps.setInt(1, limit);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    List<SseEventRecord> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(map(rs));
                    }
                    return out;
                }
            }
        });
    }

    private static SseEventRecord map(ResultSet rs) throws SQLException {
        return new SseEventRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5),
                SseEventRecord.Outcome.ofSql(rs.getString(6)), rs.getString(7), SqlTime.parse(rs.getString(8)),
                rs.getObject(9) == null ? null : rs.getLong(9));
    }
}
