package stream.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/** child_processes rows: recorded when ffmpeg starts, removed when it has ended. */
public final class ChildProcessRepository {
    private final Database db;

    public ChildProcessRepository(Database db) {
        this.db = db;
    }

    public void record(ChildProcess child) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO child_processes (config_id, role, pid, start_ticks) VALUES (?, ?, ?, ?)
                    ON CONFLICT(config_id, role) DO UPDATE SET pid = excluded.pid, start_ticks = excluded.start_ticks,
                        started_at = CURRENT_TIMESTAMP""")) {
                ps.setLong(1, child.configId());
                ps.setString(2, child.role());
                ps.setLong(3, child.pid());
                ps.setLong(4, child.startTicks());
                return ps.executeUpdate();
            }
        });
    }

    public void remove(long configId, String role, long pid) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM child_processes WHERE config_id = ? AND role = ? AND pid = ?")) {
                ps.setLong(1, configId);
                ps.setString(2, role);
                ps.setLong(3, pid);
                return ps.executeUpdate();
            }
        });
    }

    public List<ChildProcess> all() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT config_id, role, pid, start_ticks FROM child_processes ORDER BY config_id, role");
                 ResultSet rs = ps.executeQuery()) {
                List<ChildProcess> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new ChildProcess(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
                }
                return out;
            }
        });
    }
}
