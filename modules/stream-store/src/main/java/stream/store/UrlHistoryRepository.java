package stream.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** url_history rows, written by {@link StreamConfigRepository#updateUrls}. */
public final class UrlHistoryRepository {
    private static final String COLUMNS =
            "id, config_id, old_rtsp_url, new_rtsp_url, old_rtmp_url, new_rtmp_url, change_source, changed_at";
    private final Database db;

    public UrlHistoryRepository(Database db) {
        this.db = db;
    }

    /** Newest first. */
    public List<UrlChange> recent(int limit) {
        return recent(null, limit);
    }

    /** Newest first, the rows of one stream ({@code configId} null: all). */
    public List<UrlChange> recent(Long configId, int limit) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM url_history"
                    + (configId == null ? "" : " WHERE config_id = ?") + " ORDER BY id DESC LIMIT ?")) {
                int i = 1;
                if (configId != null) {
                    ps.setLong(i++, configId);
                }
                ps.setInt(i, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    List<UrlChange> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(map(rs));
                    }
                    return out;
                }
            }
        });
    }

    UrlChange find(long id) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM url_history WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new StoreException("no url_history row " + id, null);
                    }
                    return map(rs);
                }
            }
        });
    }

    private static UrlChange map(ResultSet rs) throws SQLException {
        long configId = rs.getLong(2);
        return new UrlChange(rs.getLong(1), rs.wasNull() ? null : configId, rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), ChangeSource.ofSql(rs.getString(7)), SqlTime.parse(rs.getString(8)));
    }
}
