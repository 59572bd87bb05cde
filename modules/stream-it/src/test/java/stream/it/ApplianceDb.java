package stream.it;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

/**
 * The appliance's SQLite file (DATA/streamrelay.db) through the sqlite3 command-line tool: exact rows where the REST
 * API masks stream keys or pages, and writes made while the appliance is down (to stage a crash). The appliance runs
 * WAL with a busy timeout, so reading beside it is safe; the tool waits up to 10 s for a lock too.
 */
final class ApplianceDb {
    private final Path file;

    ApplianceDb(Path dataDir) {
        this.file = dataDir.resolve("streamrelay.db");
    }

    /** The rows of a SELECT as JSON objects (sqlite3 -json); empty when none. */
    List<JsonObject> query(String sql) {
        String out = run("-json", sql).strip();
        if (out.isEmpty()) {
            return List.of();
        }
        return StreamSupport.stream(Json.parse(out).asArray().spliterator(), false).map(JsonValue::asObject).toList();
    }

    /** The single number a {@code SELECT count(*) ...} gives. */
    long count(String sql) {
        String out = run("-list", sql).strip();
        return Long.parseLong(out);
    }

    /** Runs statements (e.g. an INSERT while the appliance is stopped). */
    void execute(String sql) {
        run("-list", sql);
    }

    /** A SQL string literal. */
    static String quote(String s) {
        return s == null ? "NULL" : "'" + s.replace("'", "''") + "'";
    }

    private String run(String mode, String sql) {
        try {
            Process p = new ProcessBuilder("sqlite3", "-bail", "-cmd", ".timeout 10000", mode, file.toString(), sql)
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("sqlite3 hung on: " + sql);
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("sqlite3 exited " + p.exitValue() + " on: " + sql + "\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run sqlite3", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
