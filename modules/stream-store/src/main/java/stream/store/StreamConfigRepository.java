package stream.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** stream_config rows; a URL change writes its url_history row in the same transaction. */
public final class StreamConfigRepository {
    private static final String COLUMNS =
            "id, name, rtsp_url, rtmp_url, ffmpeg_params, auto_restart, preset, desired_state, created_at, updated_at, keep_session";
    private static final String ACTIVE = "deleted_at IS NULL";

    private final Database db;
    private final java.util.List<java.util.function.LongConsumer> listeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    public StreamConfigRepository(Database db) {
        this.db = db;
    }

    /** Called with the stream's id after each change of its row (the dashboard's config event). */
    public void onChange(java.util.function.LongConsumer listener) {
        listeners.add(listener);
    }

    private void changed(long id) {
        listeners.forEach(l -> l.accept(id));
    }

    /** A stream that was not deleted. */
    public Optional<StreamConfig> find(long id) {
        return findWhere("id = ? AND " + ACTIVE, id);
    }

    /** A stream that was not deleted, by its name. */
    public Optional<StreamConfig> findByName(String name) {
        return findWhere("name = ? AND " + ACTIVE, name);
    }

    /** A stream even if deleted: its logs and URL history stay readable. */
    public Optional<StreamConfig> findEvenDeleted(long id) {
        return findWhere("id = ?", id);
    }

    /** The newest deleted stream that had this name (its logs stay readable under it until the name is reused). */
    public Optional<StreamConfig> findDeletedByName(String name) {
        return findWhere("id = (SELECT max(id) FROM stream_config WHERE name = ? AND deleted_at IS NOT NULL)", name);
    }

    private Optional<StreamConfig> findWhere(String where, Object arg) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM stream_config WHERE " + where)) {
                ps.setObject(1, arg);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(map(rs)) : Optional.empty();
                }
            }
        });
    }

    /** Adds a stream, stopped; returns its row. A name already in use is a {@link StoreException}. */
    public StreamConfig create(String name, String rtspUrl, String rtmpUrl, String ffmpegParams, String preset,
                               boolean autoRestart) {
        long id = db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO stream_config (name, rtsp_url, rtmp_url, ffmpeg_params, preset, auto_restart)
                    VALUES (?, ?, ?, ?, ?, ?) RETURNING id""")) {
                ps.setString(1, name);
                ps.setString(2, rtspUrl);
                ps.setString(3, rtmpUrl);
                ps.setString(4, ffmpegParams);
                if (preset == null) {
                    ps.setNull(5, Types.VARCHAR);
                } else {
                    ps.setString(5, preset);
                }
                ps.setBoolean(6, autoRestart);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
        changed(id);
        return find(id).orElseThrow();
    }

    /** Removes a stream from the list; the row stays (marked deleted) for its logs and URL history. */
    public void markDeleted(long id) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE stream_config SET deleted_at = CURRENT_TIMESTAMP, "
                    + "desired_state = 'stopped' WHERE id = ? AND " + ACTIVE)) {
                ps.setLong(1, id);
                return ps.executeUpdate();
            }
        });
        changed(id);
    }

    /** The stream the seed's single-stream routes act on: the row with the lowest id (never deleted). */
    public StreamConfig findDefault() {
        return all().stream().findFirst()
                .orElseThrow(() -> new StoreException("stream_config has no row", null));
    }

    public List<StreamConfig> all() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM stream_config WHERE " + ACTIVE + " ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                List<StreamConfig> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(map(rs));
                }
                return out;
            }
        });
    }

    /**
     * Sets either or both URLs (null keeps the current one) and records the change in url_history.
     * Returns the history row, or empty when nothing actually changed.
     */
    public Optional<UrlChange> updateUrls(long id, String rtspUrl, String rtmpUrl, ChangeSource source) {
        Optional<UrlChange> change = db.<Optional<UrlChange>>write(c -> {
            StreamConfig before = find(id).orElseThrow(() -> new StoreException("no stream " + id, null));
            String newRtsp = rtspUrl == null ? before.rtspUrl() : rtspUrl;
            String newRtmp = rtmpUrl == null ? before.rtmpUrl() : rtmpUrl;
            if (newRtsp.equals(before.rtspUrl()) && newRtmp.equals(before.rtmpUrl())) {
                return Optional.empty();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE stream_config SET rtsp_url = ?, rtmp_url = ?, updated_at = CURRENT_TIMESTAMP WHERE id = ?")) {
                ps.setString(1, newRtsp);
                ps.setString(2, newRtmp);
                ps.setLong(3, id);
                ps.executeUpdate();
            }
            long historyId;
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO url_history (config_id, old_rtsp_url, new_rtsp_url, old_rtmp_url, new_rtmp_url, change_source)
                    VALUES (?, ?, ?, ?, ?, ?) RETURNING id""")) {
                ps.setLong(1, id);
                ps.setString(2, before.rtspUrl());
                ps.setString(3, newRtsp);
                ps.setString(4, before.rtmpUrl());
                ps.setString(5, newRtmp);
                ps.setString(6, source.sql());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    historyId = rs.getLong(1);
                }
            }
            return Optional.of(new UrlHistoryRepository(db).find(historyId));
        });
        change.ifPresent(ch -> changed(id));
        return change;
    }

    /** Sets the ffmpeg arguments and the preset they came from (null when typed by hand). */
    public void updateEncoding(long id, String ffmpegParams, String preset) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE stream_config SET ffmpeg_params = ?, preset = ?, updated_at = CURRENT_TIMESTAMP WHERE id = ?")) {
                ps.setString(1, ffmpegParams);
                if (preset == null) {
                    ps.setNull(2, Types.VARCHAR);
                } else {
                    ps.setString(2, preset);
                }
                ps.setLong(3, id);
                return ps.executeUpdate();
            }
        });
        changed(id);
    }

    public void updateAutoRestart(long id, boolean autoRestart) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE stream_config SET auto_restart = ?, updated_at = CURRENT_TIMESTAMP WHERE id = ?")) {
                ps.setBoolean(1, autoRestart);
                ps.setLong(2, id);
                return ps.executeUpdate();
            }
        });
        changed(id);
    }

    public void updateKeepSession(long id, boolean keepSession) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE stream_config SET keep_session = ?, updated_at = CURRENT_TIMESTAMP WHERE id = ?")) {
                ps.setBoolean(1, keepSession);
                ps.setLong(2, id);
                return ps.executeUpdate();
            }
        });
        changed(id);
    }

    public void updateDesiredState(long id, StreamConfig.DesiredState state) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE stream_config SET desired_state = ? WHERE id = ?")) {
                ps.setString(1, state.sql());
                ps.setLong(2, id);
                return ps.executeUpdate();
            }
        });
        changed(id);
    }

    private static StreamConfig map(ResultSet rs) throws SQLException {
        return new StreamConfig(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getObject(6) == null || rs.getBoolean(6), rs.getString(7),
                StreamConfig.DesiredState.ofSql(rs.getString(8)),
                SqlTime.parse(rs.getString(9)), SqlTime.parse(rs.getString(10)),
                rs.getObject(11) == null || rs.getBoolean(11));
    }

}
