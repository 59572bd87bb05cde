package stream.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import stream.http.ApiRoutes;
import stream.http.AuthFilter;
import stream.http.ErrorFilter;
import stream.http.HttpApi;
import stream.http.SecretHash;
import stream.store.Database;
import stream.store.LogRetention;
import stream.store.LogStatus;
import stream.store.SettingsRepository;
import stream.store.StreamConfigRepository;
import stream.store.StreamLogRepository;

/** The whole object graph of one appliance, built from the launcher options; the only place that wires parts. */
final class Appliance implements AutoCloseable {
    static final String ADMIN_PASSWORD_HASH = "admin_password_hash";
    static final String API_TOKEN_HASH = "api_token_hash";

    private final LauncherOptions options;
    private final System.Logger log = System.getLogger("stream.app");
    private Database db;
    private LogRetention retention;
    private HttpApi http;
    private StreamLogRepository logs;
    private boolean closed;

    Appliance(LauncherOptions options) {
        this.options = options;
    }

    void start() throws IOException {
        Path dataDir = options.data().toAbsolutePath();
        db = Database.open(dataDir.resolve("streamrelay.db"));
        var configs = new StreamConfigRepository(db);
        var settings = new SettingsRepository(db);
        logs = new StreamLogRepository(db);
        ensureAdminPassword(settings, dataDir);

        retention = new LogRetention(logs, () -> settings.load().logRetentionDays());
        retention.start();

        http = new HttpApi(new InetSocketAddress(options.bind(), options.port()), new ApiRoutes(configs).routes(),
                List.of(new ErrorFilter(), new AuthFilter(() -> settings.get(ADMIN_PASSWORD_HASH).orElse(null),
                        () -> settings.get(API_TOKEN_HASH).orElse(null))),
                null);
        http.start();
        logs.append(null, "appliance_start", "streamrelay started; dashboard on port " + http.port(), LogStatus.INFO);
        log.log(System.Logger.Level.INFO, "streamrelay listening on " + options.bind() + ":" + http.port()
                + ", data in " + dataDir);
    }

    /**
     * The admin password: set from --admin-password when given; otherwise, on a first start, a random one is written
     * to a 0600 file in the data directory (never to the log, which may be read by others).
     */
    private void ensureAdminPassword(SettingsRepository settings, Path dataDir) throws IOException {
        String stored = settings.get(ADMIN_PASSWORD_HASH).orElse(null);
        if (options.adminPassword() != null) {
            if (!SecretHash.matches(options.adminPassword(), stored)) {
                settings.put(ADMIN_PASSWORD_HASH, SecretHash.of(options.adminPassword()));
            }
            return;
        }
        if (stored != null) {
            return;
        }
        String generated = SecretHash.randomToken(12);
        Path file = dataDir.resolve("initial-admin-password");
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, generated + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        settings.put(ADMIN_PASSWORD_HASH, SecretHash.of(generated));
        log.log(System.Logger.Level.INFO, "initial admin password written to " + file);
    }

    int port() {
        return http.port();
    }

    /** Stops in the reverse order of start; safe to call twice (the signal handler and the shutdown hook). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (http != null) {
            http.close();
        }
        if (retention != null) {
            retention.close();
        }
        if (logs != null) {
            try {
                logs.append(null, "appliance_stop", "streamrelay stopped", LogStatus.INFO);
            } catch (RuntimeException ignored) {
                // shutting down: a failed last log line must not stop the database from closing
            }
        }
        if (db != null) {
            db.close();
        }
    }
}
