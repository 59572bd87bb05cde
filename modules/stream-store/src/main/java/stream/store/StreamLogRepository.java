package stream.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** stream_logs rows. Messages must already be masked: this layer stores what it is given. */
public final class StreamLogRepository {
    private static final String COLUMNS = "id, config_id, event_type, message, status, timestamp";
    private final Database db;
    private final List<Consumer<LogEntry>> listeners = new CopyOnWriteArrayList<>();

    public StreamLogRepository(Database db) {
        this.db = db;
    }

    /** Called with each row after it is committed (the dashboard's live log). */
    public void onAppend(Consumer<LogEntry> listener) {
        listeners.add(listener);
    }

    public LogEntry append(Long configId, String eventType, String message, LogStatus status) {
        LogEntry entry = db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO stream_logs (config_id, event_type, message, status) VALUES (?, ?, ?, ?) RETURNING "
                            + COLUMNS)) {
                if (configId == null) {
                    ps.setNull(1, Types.INTEGER);
                } else {
                    ps.setLong(1, configId);
                }
                ps.setString(2, eventType);
                ps.setString(3, message);
                ps.setString(4, status.sql());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return map(rs);
                }
            }
        });
        for (Consumer<LogEntry> l : listeners) {
            l.accept(entry);
        }
        return entry;
    }

    /**
     * One page, newest first: rows with id below {@code beforeId} (null for the newest), optionally of one
     * event type and one status.
     */
    public List<LogEntry> page(int limit, Long beforeId, String eventType, LogStatus status) {
        return page(null, limit, beforeId, eventType, status);
    }

    /** As {@link #page(int, Long, String, LogStatus)}, only the rows of one stream ({@code configId} null: all). */
    public List<LogEntry> page(Long configId, int limit, Long beforeId, String eventType, LogStatus status) {
        return page(configId, false, limit, beforeId, eventType, status);
    }

    /**
     * One stream's rows together with the appliance's own (rows of no stream, such as its start and stop): what a
     * log of the one stream the appliance had showed before there were several.
     */
    public List<LogEntry> pageWithApplianceRows(long configId, int limit, Long beforeId, String eventType,
                                                LogStatus status) {
        return page(configId, true, limit, beforeId, eventType, status);
    }

    private List<LogEntry> page(Long configId, boolean withApplianceRows, int limit, Long beforeId, String eventType,
                                LogStatus status) {
        return db.read(c -> {
            StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM stream_logs WHERE 1 = 1");
            List<Object> args = new ArrayList<>();
            if (configId != null) {
                sql.append(withApplianceRows ? " AND (config_id = ? OR config_id IS NULL)" : " AND config_id = ?");
                args.add(configId);
            }
            if (beforeId != null) {
                sql.append(" AND id < ?");
                args.add(beforeId);
            }
            if (eventType != null) {
                sql.append(" AND event_type = ?");
                args.add(eventType);
            }
            if (status != null) {
                sql.append(" AND status = ?");
                args.add(status.sql());
            }
            sql.append(" ORDER BY id DESC LIMIT ?");
            args.add(limit);
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    List<LogEntry> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(map(rs));
                    }
                    return out;
                }
            }
        });
    }

    public long count() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM stream_logs");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** Deletes rows older than {@code days} days; returns how many went. */
    public int pruneOlderThan(int days) {
        return db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM stream_logs WHERE timestamp < datetime('now', ?)")) {
                ps.setString(1, "-" + days + " days");
                return ps.executeUpdate();
            }
        });
    }

    private static LogEntry map(ResultSet rs) throws SQLException {
        long configId = rs.getLong(2);
        Long cid = rs.wasNull() ? null : configId;
        return new LogEntry(rs.getLong(1), cid, rs.getString(3), rs.getString(4), LogStatus.parse(rs.getString(5)),
                SqlTime.parse(rs.getString(6)));
    }
}
