package stream.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real appliance: build/image/bin/streamrelay started as a process on 127.0.0.1, with its own data folder.
 * Stops exactly the process it started.
 */
final class ApplianceProcess implements AutoCloseable {
    static final Path ROOT = findRoot();
    static final Path LAUNCHER = ROOT.resolve("build/image/bin/streamrelay");
    static final String PASSWORD = "it-admin-password";

    private final Path data;
    private final int port;
    private final Path output;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;

    ApplianceProcess(Path data, int port) {
        this.data = data;
        this.port = port;
        this.output = data.resolveSibling(data.getFileName() + "-appliance.log");
    }

    static Path findRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("modules/stream-app"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** Starts with these extra launcher arguments and the given environment (null: inherit), waits for /healthz. */
    ApplianceProcess start(Map<String, String> env, String... extraArgs) throws IOException {
        return launch(env, List.of("--admin-password", PASSWORD), extraArgs);
    }

    /** Starts with {@link #PASSWORD} read from this file (--admin-password-file) instead of the command line. */
    ApplianceProcess startWithPasswordFile(Path passwordFile, Map<String, String> env) throws IOException {
        return launch(env, List.of("--admin-password-file", passwordFile.toString()));
    }

    private ApplianceProcess launch(Map<String, String> env, List<String> passwordArgs, String... extraArgs)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString(), "--data", data.toString(), "--port",
                Integer.toString(port), "--bind", "127.0.0.1"));
        cmd.addAll(passwordArgs);
        cmd.addAll(List.of(extraArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile());
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("appliance exited with " + process.exitValue() + ": " + log());
            }
            if (healthy()) {
                return this;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("appliance did not answer /healthz within 60 s: " + log());
    }

    boolean healthy() {
        try {
            return get("/healthz", false).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    HttpResponse<String> get(String path, boolean auth) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).GET(), auth);
    }

    HttpResponse<String> send(HttpRequest.Builder b, boolean auth) throws IOException {
        if (auth) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    ("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
        }
        try {
            return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    Path data() {
        return data;
    }

    String log() {
        try {
            return Files.exists(output) ? Files.readString(output) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM and wait; returns the exit status. */
    int terminate(Duration within) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("appliance did not exit within " + within + " of SIGTERM");
        }
        return process.exitValue();
    }

    /** SIGKILL: the appliance dies without any chance to clean up. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM first, so the appliance stops its ffmpeg as it would under systemd; SIGKILL only if it hangs. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
