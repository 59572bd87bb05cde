package stream.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import stream.core.RelayCommands;
import stream.core.StreamController;
import stream.core.Streams;
import stream.core.control.EventInbox;
import stream.core.ffmpeg.CameraProbe;
import stream.core.ffmpeg.EncoderAvailability;
import stream.core.ffmpeg.PresetCatalog;
import java.util.function.Supplier;
import stream.http.AboutRoute;
import stream.http.AccountRoutes;
import stream.http.ApiRoutes;
import stream.http.DashboardSessions;
import stream.http.Routes;
import stream.http.SignInThrottle;
import stream.http.ApiTokens;
import stream.http.DashboardEvents;
import stream.http.JsonViews;
import stream.http.AuthFilter;
import stream.http.CrossSiteFilter;
import stream.http.ErrorFilter;
import stream.http.FfmpegTools;
import stream.http.HttpApi;
import stream.http.SecretHash;
import stream.http.Stores;
import stream.http.StaticFiles;
import stream.sse.SseClient;
import stream.sse.SseClientConfig;
import stream.sse.SseLog;
import stream.sse.SseUrlPolicy;
import stream.store.ChildProcessRepository;
import stream.store.Database;
import stream.store.LogRetention;
import stream.store.LogStatus;
import stream.store.Settings;
import stream.store.SettingsRepository;
import stream.store.SseEventRecord;
import stream.store.SseEventRepository;
import stream.store.StreamConfigRepository;
import stream.store.StreamLogRepository;
import stream.store.UrlHistoryRepository;

/** The whole object graph of one appliance, built from the launcher options; the only place that wires parts. */
final class Appliance implements AutoCloseable {
    static final String ADMIN_PASSWORD_HASH = "admin_password_hash";
    private static final Duration ENCODER_CHECK_DELAY = Duration.ofSeconds(5);

    private final LauncherOptions options;
    private final System.Logger log = System.getLogger("stream.app");
    private Database db;
    private LogRetention retention;
    private HttpApi http;
    private StreamLogRepository logs;
    private Streams streams;
    private SseClient sse;
    private EncoderAvailability encoders;
    private DashboardEvents dashboard;
    private RuntimeFolder runtime;
    private boolean closed;

    Appliance(LauncherOptions options) {
        this.options = options;
    }

    void start() throws IOException {
        DataFolder data = DataFolder.prepare(options.data());
        Path dataDir = data.dir();
        // Opening the store (SQLite's native library, the connections, the migrations) and making the parts that need
        // no store are independent, and both are mostly first-run code in the interpreter: side by side they use the
        // board's second core, which a start otherwise leaves to the JIT compiler.
        CompletableFuture<Database> opening = new CompletableFuture<>();
        Thread opener = new Thread(() -> {
            try {
                opening.complete(Database.open(data.database()));
            } catch (Throwable e) {
                opening.completeExceptionally(e);
            }
        }, "store-open");
        opener.start();
        PresetCatalog presets;
        CameraProbe probe;
        RelayCommands commands;
        Path home = Path.of(System.getProperty("streamrelay.home", "."));
        try {
            presets = PresetCatalog.load(firstExisting(home.resolve("share/ffmpeg-presets"), Path.of("ffmpeg-presets")));
            encoders = new EncoderAvailability(options.ffmpeg());
            probe = new CameraProbe(ffprobeBeside(options.ffmpeg()));
            runtime = RuntimeFolder.create(RuntimeFolder.defaultParent(System.getenv("RUNTIME_DIRECTORY"), dataDir));
            runtime.removedStale().forEach(p -> log.log(System.Logger.Level.INFO,
                    "removed runtime folder " + p + " left by an earlier run that was killed"));
            commands = new RelayCommands(options.ffmpeg(), probe, runtime.path(), presets);
        } catch (IOException | RuntimeException | Error e) {
            // the store opened beside a failed start is closed with the rest by close()
            db = opening.exceptionally(openFailed -> null).join();
            throw e;
        }
        db = storeOf(opening);
        var configs = new StreamConfigRepository(db);
        var settings = new SettingsRepository(db);
        var events = new SseEventRepository(db);
        var children = new ChildProcessRepository(db);
        logs = new StreamLogRepository(db);
        // Hashing the admin password (PBKDF2, a good part of the start-up time) waits until the server listens;
        // every authenticated call waits for it in turn, so no call ever sees a stale or missing password.
        String newAdminPassword = adminPasswordToStore(settings, data);
        CompletableFuture<Void> adminPassword = new CompletableFuture<>();
        if (options.sseUrl() != null) {
            settings.putAll(Map.of(Settings.SSE_URL, options.sseUrl(), Settings.SSE_ENABLED, "1"));
        }

        retention = new LogRetention(logs, () -> settings.load().logRetentionDays());
        presets.problems().forEach(p -> logs.append(null, "preset_invalid", p, LogStatus.WARNING));

        streams = new Streams(configs, children, logs, id -> new StreamController(id, configs, logs, children, commands,
                StreamController.Timing.defaults()));

        EventInbox inbox = new EventInbox(db, events, logs, streams);
        List<SseEventRecord> last = events.recent(1, null);
        String lastEventId = last.isEmpty() || last.get(0).lastEventId() == null ? "" : last.get(0).lastEventId();
        sse = new SseClient(sseConfig(settings.load()), lastEventId,
                event -> inbox.onEvent(event.type(), event.data(), event.lastEventId()), new SseLogToStore(logs));
        settings.onChange(s -> sse.reconfigure(sseConfig(s)));

        // a reconnecting dashboard gets the rows it missed, at most the newest 200
        dashboard = new DashboardEvents(after -> logs.page(200, null, null, null).stream().filter(e -> e.id() > after)
                .sorted(java.util.Comparator.comparingLong(stream.store.LogEntry::id)).map(JsonViews::log).toList());
        logs.onAppend(e -> dashboard.publishLog(e.id(), JsonViews.log(e)));
        configs.onChange(id -> dashboard.publish("config", configs.find(id).map(c -> JsonViews.config(c, false))
                .orElseGet(() -> com.eclipsesource.json.Json.object().add("stream_id", id).add("deleted", true))));
        streams.onStatus(s -> dashboard.publishStatus(s.configId(), s.state().wire(),
                () -> JsonViews.status(s, sse.status())));
        dashboard.start(() -> {
            Map<Long, Supplier<com.eclipsesource.json.JsonObject>> all = new java.util.LinkedHashMap<>();
            streams.all().forEach(c -> all.put(c.id(), () -> JsonViews.status(c.status(), sse.status())));
            return all;
        });

        ApiTokens tokens = new ApiTokens(settings);
        Stores stores = new Stores(configs, logs, new UrlHistoryRepository(db), events, settings);
        Supplier<String> adminPasswordHash = () -> {
            adminPassword.join();
            return settings.get(ADMIN_PASSWORD_HASH).orElse(null);
        };
        // one throttle for the sign-in form and Basic auth: guesses through either count together
        SignInThrottle throttle = new SignInThrottle();
        DashboardSessions sessions = new DashboardSessions(adminPasswordHash);
        FfmpegTools tools = new FfmpegTools(presets, encoders, probe);
        Routes routes = new ApiRoutes(streams, stores, tools, sse::status, tokens, dashboard,
                new SseUrlPolicy(options.port())).routes();
        new AccountRoutes(sessions, throttle, adminPasswordHash, hash -> settings.put(ADMIN_PASSWORD_HASH, hash), tokens)
                .addTo(routes);
        routes.get("/api/about", new AboutRoute(version(), options.ffmpeg(), tools));
        http = new HttpApi(new InetSocketAddress(options.bind(), options.port()), routes,
                List.of(new ErrorFilter(), new CrossSiteFilter(), new AuthFilter(adminPasswordHash,
                        () -> settings.get(ApiTokens.HASH_KEY).orElse(null),
                        // as at hand, never waiting (the selector thread asks): null while not in memory
                        () -> adminPassword.isDone() && !adminPassword.isCompletedExceptionally() ? atHand(settings, ADMIN_PASSWORD_HASH) : null,
                        () -> atHand(settings, ApiTokens.HASH_KEY), throttle, sessions)),
                new StaticFiles(firstExisting(home.resolve("share/web"), Path.of("web"))));
        http.start();
        storeInBackground(settings, newAdminPassword, adminPassword);
        // These start their own threads, and would compete for the CPU with the start-up if started before.
        retention.start();
        // The encoder checks start ffmpeg several times (one trial encode per hardware preset): a few seconds later,
        // so that they do not slow the first answers either. GET /api/presets before then starts the check it needs.
        CompletableFuture.delayedExecutor(ENCODER_CHECK_DELAY.toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> encoders.checkInBackground(presets.all()));
        logs.append(null, "appliance_start", "streamrelay started; dashboard on port " + http.port(), LogStatus.INFO);
        log.log(System.Logger.Level.INFO, "streamrelay listening on " + options.bind() + ":" + http.port()
                + ", data in " + dataDir + ", runtime files in " + runtime.path());

        // after the HTTP server, so /healthz answers while leftovers of a crash are cleaned up
        streams.start();
        inbox.start();
        sse.start();
    }

    /** The store the opener thread made, or its failure as thrown by {@link Database#open}. */
    private static Database storeOf(CompletableFuture<Database> opening) {
        try {
            return opening.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error failure) {
                throw failure;
            }
            throw e;
        }
    }

    private static String atHand(SettingsRepository settings, String key) {
        Optional<String> value = settings.atHand(key);
        return value == null ? null : value.orElse(null);
    }

    /** The HTTP server's port (the one asked for, or the one the system chose for port 0). */
    int port() {
        return http.port();
    }

    /** The version the build gave the application module, or null when run from classes without one. */
    private static String version() {
        var descriptor = Appliance.class.getModule().getDescriptor();
        return descriptor == null ? null : descriptor.rawVersion().orElse(null);
    }

    private static SseClientConfig sseConfig(Settings s) {
        if (s.sseUrl() == null || !s.sseEnabled()) {
            return SseClientConfig.disabled();
        }
        return SseClientConfig.of(s.sseUrl(), s.sseToken(), new SseSecretMasking());
    }

    private static Path firstExisting(Path... candidates) {
        for (Path p : candidates) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return candidates[0];
    }

    /** ffprobe from the same folder as the given ffmpeg, or from PATH. */
    static String ffprobeBeside(String ffmpeg) {
        int slash = ffmpeg.lastIndexOf('/');
        return slash < 0 ? "ffprobe" : ffmpeg.substring(0, slash + 1) + "ffprobe";
    }

    /**
     * The admin password to hash and store, or null to keep the stored one: --admin-password or
     * --admin-password-file when given; otherwise,
     * on a first start, a random one, written here (before the server answers) to a 0600 file in the data directory,
     * never to the log, which may be read by others.
     */
    private String adminPasswordToStore(SettingsRepository settings, DataFolder data) throws IOException {
        if (options.adminPassword() != null) {
            return options.adminPassword();
        }
        if (settings.get(ADMIN_PASSWORD_HASH).isPresent()) {
            return null;
        }
        String generated = SecretHash.randomToken(12);
        Path file = data.initialPassword();
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, generated + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        log.log(System.Logger.Level.INFO, "initial admin password written to " + file);
        return generated;
    }

    /**
     * Hashes and stores the admin password on a thread of its own (a given one only when it differs from the stored
     * one), then completes {@code done}. If that fails the appliance cannot authenticate anyone: it exits 1, as a
     * failed start does.
     */
    private void storeInBackground(SettingsRepository settings, String password, CompletableFuture<Void> done) {
        if (password == null) {
            done.complete(null);
            return;
        }
        Thread t = new Thread(() -> {
            try {
                if (!SecretHash.matches(password, settings.get(ADMIN_PASSWORD_HASH).orElse(null))) {
                    settings.put(ADMIN_PASSWORD_HASH, SecretHash.of(password));
                }
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
                System.err.println("streamrelay: cannot start: storing the admin password failed: " + e.getMessage());
                System.exit(1);
            }
        }, "admin-password");
        t.start();
    }

    /** Stops in the reverse order of start; safe to call twice (the signal handler and the shutdown hook). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (dashboard != null) {
            dashboard.close();
        }
        if (http != null) {
            http.close();
        }
        if (sse != null) {
            sse.close();
        }
        if (streams != null) {
            streams.close();
        }
        if (runtime != null) {
            runtime.close(); // after the streams: ffmpeg no longer writes there
        }
        if (encoders != null) {
            encoders.close();
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

    /** The SSE client's sentences go to stream_logs, where the dashboard shows them. */
    private record SseLogToStore(StreamLogRepository logs) implements SseLog {
        @Override
        public void info(String message) {
            logs.append(null, "sse", message, LogStatus.INFO);
        }

        @Override
        public void warn(String message) {
            logs.append(null, "sse", message, LogStatus.WARNING);
        }

        @Override
        public void error(String message) {
            logs.append(null, "sse", message, LogStatus.ERROR);
        }
    }
}
