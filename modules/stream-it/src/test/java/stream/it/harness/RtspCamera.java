package stream.it.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A fake IP camera: GStreamer's RTSP server (camera.py under Debian's /usr/bin/python3) serving a
 * live H.264 test pattern, optionally with AAC or G.711 PCMU audio and Basic/Digest auth, on
 * 127.0.0.1. The media is shared, so several clients see one encoder like on a real camera.
 *
 * <pre>
 * try (RtspCamera cam = RtspCamera.builder().audio(RtspCamera.Audio.AAC).auth("admin", "p@ss").start()) {
 *     String url = cam.url();   // rtsp://admin:p%40ss@127.0.0.1:PORT/cam1
 * }
 * </pre>
 */
public final class RtspCamera implements AutoCloseable {

    public static final Path PYTHON = Path.of("/usr/bin/python3");
    /** First start on a fresh CI machine also builds GStreamer's plugin registry, which takes a while. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(45);

    public enum Audio { NONE, AAC, PCMU }

    public enum AuthMethod { BASIC, DIGEST }

    /**
     * Camera settings. {@code port} 0 means "pick a free one" (kept across restarts);
     * {@code user}/{@code password} null means no authentication.
     */
    public record Options(int port, String path, String user, String password, AuthMethod authMethod,
                          Audio audio, int audioSampleRate, Duration keyframeInterval,
                          int width, int height, int fps, int bitrateKbps) {
        public Options {
            if (path == null || !path.startsWith("/") || path.length() < 2) {
                throw new IllegalArgumentException("path must look like /cam1: " + path);
            }
            if ((user == null) != (password == null)) {
                throw new IllegalArgumentException("user and password go together");
            }
            if (keyframeInterval.isNegative() || keyframeInterval.isZero()) {
                throw new IllegalArgumentException("keyframe interval must be positive");
            }
        }

        public boolean hasAuth() {
            return user != null;
        }

        public static Builder builder() {
            return new Builder();
        }
    }

    /** Defaults: free port, /cam1, no auth (Digest when set), no audio, 1 s keyframes, 640x360@25, 600 kbit/s. */
    public static final class Builder {
        private int port;
        private String path = "/cam1";
        private String user;
        private String password;
        private AuthMethod authMethod = AuthMethod.DIGEST;
        private Audio audio = Audio.NONE;
        private int audioSampleRate = 16000;
        private Duration keyframeInterval = Duration.ofSeconds(1);
        private int width = 640;
        private int height = 360;
        private int fps = 25;
        private int bitrateKbps = 600;

        public Builder port(int port) { this.port = port; return this; }
        public Builder path(String path) { this.path = path; return this; }
        public Builder auth(String user, String password) { this.user = user; this.password = password; return this; }
        public Builder authMethod(AuthMethod method) { this.authMethod = method; return this; }
        public Builder audio(Audio audio) { this.audio = audio; return this; }
        /** AAC only; PCMU is always 8000 Hz. */
        public Builder audioSampleRate(int hz) { this.audioSampleRate = hz; return this; }
        public Builder keyframeInterval(Duration interval) { this.keyframeInterval = interval; return this; }
        public Builder size(int width, int height) { this.width = width; this.height = height; return this; }
        public Builder fps(int fps) { this.fps = fps; return this; }
        public Builder bitrateKbps(int kbps) { this.bitrateKbps = kbps; return this; }

        public Options build() {
            return new Options(port, path, user, password, authMethod, audio, audioSampleRate, keyframeInterval,
                    width, height, fps, bitrateKbps);
        }

        /** Builds and starts the camera. */
        public RtspCamera start() {
            return new RtspCamera(build()).start();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private final Options options;
    private Path dir;
    private Path script;
    private Path logFile;
    private int port;
    private ChildProcess process;
    private boolean frozen;
    private Duration lastStartupTime;

    public RtspCamera(Options options) {
        this.options = options;
    }

    /** Starts the camera and returns once a DESCRIBE of {@link #url()} answers 200 with an SDP. */
    public synchronized RtspCamera start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("camera already running");
        }
        prepareDir();
        long begin = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            int candidate = port != 0 ? port : options.port() != 0 ? options.port() : TestPorts.freePort();
            ChildProcess started = ChildProcess.start("camera", command(candidate), logFile, environment());
            try {
                Waits.waitUntil(() -> !started.isAlive() || started.output().contains("READY "),
                        START_TIMEOUT, "camera on port " + candidate + " to listen");
            } catch (AssertionError e) {
                started.kill();
                throw new AssertionError(e.getMessage() + "\ncamera log:\n" + ChildProcess.tail(started.output(), 30), e);
            }
            if (!started.isAlive()) {
                String out = started.output();
                boolean portTaken = out.contains("BIND FAILED");
                // A port we picked ourselves may have been grabbed by another process: pick again.
                // A port that is ours to keep (restart, or given by the test) must not change.
                if (portTaken && port == 0 && options.port() == 0 && attempt < 5) {
                    continue;
                }
                throw new IllegalStateException("camera exited with " + started.process().exitValue()
                        + (portTaken ? " (port " + candidate + " in use)" : "") + ":\n" + ChildProcess.tail(out, 30));
            }
            port = candidate;
            process = started;
            frozen = false;
            break;
        }
        ChildProcess started = process;
        String url = url();
        try {
            Waits.waitUntil(() -> !started.isAlive() || RtspProbe.describe(url, Duration.ofSeconds(15)).status() == 200,
                    START_TIMEOUT, "DESCRIBE " + url + " answering 200");
        } catch (AssertionError e) {
            stop();
            throw new AssertionError(e.getMessage() + "\ncamera log:\n" + ChildProcess.tail(started.output(), 30), e);
        }
        if (!started.isAlive()) {
            throw new IllegalStateException("camera died while starting:\n" + ChildProcess.tail(started.output(), 30));
        }
        lastStartupTime = Duration.ofNanos(System.nanoTime() - begin);
        return this;
    }

    private void prepareDir() {
        if (dir != null) {
            return;
        }
        if (!Files.isExecutable(PYTHON)) {
            throw new IllegalStateException(PYTHON + " missing (needs Debian's python3 with python3-gi, gir1.2-gst-rtsp-server-1.0)");
        }
        dir = ScratchDir.create("camera");
        script = dir.resolve("camera.py");
        logFile = dir.resolve("camera.log");
        try (InputStream in = RtspCamera.class.getResourceAsStream("camera.py")) {
            if (in == null) {
                throw new IllegalStateException("resource stream/it/harness/camera.py missing");
            }
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ShutdownHook.register(this);
    }

    private List<String> command(int listenPort) {
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), "-u", script.toString(),
                "--port", Integer.toString(listenPort),
                "--path", options.path(),
                "--audio", options.audio().name().toLowerCase(Locale.ROOT),
                "--audio-rate", Integer.toString(options.audioSampleRate()),
                "--keyframe-interval", Double.toString(options.keyframeInterval().toMillis() / 1000.0),
                "--width", Integer.toString(options.width()),
                "--height", Integer.toString(options.height()),
                "--fps", Integer.toString(options.fps()),
                "--bitrate", Integer.toString(options.bitrateKbps())));
        if (options.hasAuth()) {
            cmd.addAll(List.of("--user", options.user(), "--password", options.password(),
                    "--auth-method", options.authMethod().name().toLowerCase(Locale.ROOT)));
        }
        return cmd;
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        // A pyenv/virtualenv in the caller's environment must not leak into Debian's python.
        env.put("PYTHONPATH", null);
        env.put("PYTHONHOME", null);
        env.put("GST_DEBUG", System.getProperty("streamrelay.it.gstDebug", "1"));
        env.put("GST_DEBUG_NO_COLOR", "1");
        return env;
    }

    /** rtsp://[user:password@]127.0.0.1:PORT/path, credentials percent-encoded ('@' becomes %40). */
    public String url() {
        return options.hasAuth() ? urlWithCredentials(options.user(), options.password()) : urlWithoutCredentials();
    }

    /** The URL with the configured user but another password, e.g. a wrong one. */
    public String urlWithPassword(String password) {
        return urlWithCredentials(options.hasAuth() ? options.user() : "admin", password);
    }

    public String urlWithCredentials(String user, String password) {
        return "rtsp://" + RtspProbe.percentEncode(user) + ":" + RtspProbe.percentEncode(password) + "@"
                + hostPortPath();
    }

    public String urlWithoutCredentials() {
        return "rtsp://" + hostPortPath();
    }

    private String hostPortPath() {
        if (port == 0) {
            throw new IllegalStateException("camera never started: no port yet");
        }
        return "127.0.0.1:" + port + options.path();
    }

    public int port() {
        return port;
    }

    public Options options() {
        return options;
    }

    /** The python process's pid (GStreamer runs inside it). */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("camera not running");
        }
        return process.pid();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public synchronized boolean isFrozen() {
        return frozen;
    }

    /** Time the last start() took until DESCRIBE answered. */
    public Duration lastStartupTime() {
        return lastStartupTime;
    }

    /** SIGKILL: the camera vanishes (port refuses, open connections are reset/closed by the kernel). */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.kill();
        process = null;
        frozen = false;
        TestPorts.awaitRefusing(port, Duration.ofSeconds(10));
    }

    /** Stops (if running) and starts again on the same port and path. */
    public synchronized RtspCamera restart() {
        stop();
        return start();
    }

    /**
     * SIGSTOP: the camera hangs. TCP connections stay open and the kernel still completes new
     * handshakes into the backlog, but no RTSP answer and no RTP packet comes.
     */
    public synchronized void freeze() {
        Processes.sigstop(pid());
        Processes.awaitStopped(pid(), Duration.ofSeconds(10));
        frozen = true;
    }

    /** SIGCONT after {@link #freeze()}. */
    public synchronized void thaw() {
        Processes.sigcont(pid());
        Processes.awaitRunning(pid(), Duration.ofSeconds(10));
        frozen = false;
    }

    /** camera.py's stdout/stderr (all runs), in the camera's temp dir; deleted by close(). */
    public Path logFile() {
        return logFile;
    }

    public String log() {
        return logFile == null ? "" : ChildProcess.readLog(logFile, 0);
    }

    @Override
    public synchronized void close() {
        try {
            stop();
        } finally {
            ScratchDir.delete(dir);
            ShutdownHook.unregister(this);
        }
    }

    @Override
    public String toString() {
        return "RtspCamera[" + (port == 0 ? "not started" : urlWithoutCredentials()) + ", audio " + options.audio()
                + (process == null ? ", stopped" : ", pid " + process.pid()) + "]";
    }
}
