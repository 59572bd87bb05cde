/**
 * The launcher and the wiring: the only place the object graph (store, streams, control server's SSE client, HTTP
 * server) is built, from the launcher options; started in order and stopped cleanly on SIGTERM. It exports nothing:
 * {@code build/image/bin/streamrelay} runs {@code stream.app.Main}.
 *
 * <pre>{@code
 * Appliance appliance = new Appliance(LauncherOptions.parse(new String[] {"--data", dataDir.toString(),
 *         "--bind", "127.0.0.1", "--port", "8080", "--admin-password", adminPassword}, System.getenv()));
 * appliance.start();   // /healthz answers; each stream resumes by its desired state
 * appliance.close();   // every ffmpeg stopped gracefully, the database closed
 * }</pre>
 */
module stream.app {
    requires stream.core;
    requires stream.store;
    requires stream.sse;
    requires stream.http;
    requires jdk.unsupported;
    requires minimal.json;

    provides java.lang.System.LoggerFinder with stream.app.StderrLoggerFinder;
}
