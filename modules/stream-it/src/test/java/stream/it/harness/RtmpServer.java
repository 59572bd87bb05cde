package stream.it.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An RTMP ingest like YouTube's, for ffmpeg to publish to: nginx with libnginx-mod-rtmp on
 * 127.0.0.1:{@link #rtmpPort()}, application {@code live} (live on, record off) and application
 * {@code reject} (denies every publish), plus the {@code rtmp_stat all} page on
 * 127.0.0.1:{@link #httpPort()}/stat.
 */
public final class RtmpServer implements AutoCloseable {

    public static final String LIVE_APP = "live";
    public static final String REJECT_APP = "reject";
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);

    private final boolean portsGiven;
    private int rtmpPort;
    private int httpPort;
    private Path dir;
    private Nginx nginx;

    /** Free ports are picked at start() and kept across restarts. */
    public RtmpServer() {
        this.portsGiven = false;
    }

    public RtmpServer(int rtmpPort, int httpPort) {
        this.portsGiven = true;
        this.rtmpPort = rtmpPort;
        this.httpPort = httpPort;
    }

    /** Starts nginx and returns when both ports accept. */
    public synchronized RtmpServer start() {
        if (dir == null) {
            dir = ScratchDir.create("rtmp");
            nginx = new Nginx("nginx-rtmp", dir);
            ShutdownHook.register(this);
        }
        boolean mayRepick = !portsGiven && rtmpPort == 0;
        for (int attempt = 1; ; attempt++) {
            if (rtmpPort == 0) {
                rtmpPort = TestPorts.freePort();
                httpPort = TestPorts.freePort();
            }
            nginx.writeConfig(List.of("ngx_rtmp_module.so"), rtmpBlock(dir), httpServer());
            try {
                nginx.start(List.of(rtmpPort, httpPort));
                return this;
            } catch (Nginx.PortInUseException e) {
                if (!mayRepick || attempt >= 5) {
                    throw e;
                }
                rtmpPort = 0;
            }
        }
    }

    private String rtmpBlock(Path dir) {
        // nginx-rtmp has its own access log, by default at the compiled-in /var/log/nginx/access.log
        // (unwritable for a normal user).
        return """
                rtmp {
                  access_log %s;
                  server {
                    listen 127.0.0.1:%d;
                    chunk_size 4096;
                    application %s {
                      live on;
                      record off;
                    }
                    # Every publish is refused (nginx-rtmp logs "access forbidden by rule" and drops the connection).
                    application %s {
                      live on;
                      record off;
                      deny publish all;
                    }
                  }
                }
                """.formatted(dir.resolve("rtmp-access.log"), rtmpPort, LIVE_APP, REJECT_APP);
    }

    private String httpServer() {
        return """
                  server {
                    listen 127.0.0.1:%d;
                    location = /stat {
                      rtmp_stat all;
                    }
                  }
                """.formatted(httpPort);
    }

    /** Fast shutdown: the RTMP port refuses afterwards, publishers see their connection closed. */
    public synchronized void stop() {
        if (nginx == null || !nginx.isRunning()) {
            return;
        }
        nginx.stop();
        TestPorts.awaitRefusing(rtmpPort, Duration.ofSeconds(10));
    }

    /** Stop, then start on the same ports. */
    public synchronized RtmpServer restart() {
        stop();
        return start();
    }

    public synchronized boolean isRunning() {
        return nginx != null && nginx.isRunning();
    }

    public int rtmpPort() {
        requireStarted();
        return rtmpPort;
    }

    public int httpPort() {
        requireStarted();
        return httpPort;
    }

    /** rtmp://127.0.0.1:PORT/live/KEY */
    public String rtmpUrl(String key) {
        return "rtmp://127.0.0.1:" + rtmpPort() + "/" + LIVE_APP + "/" + key;
    }

    /** rtmp://127.0.0.1:PORT/reject/KEY: connect succeeds, publish is refused and the connection dropped. */
    public String rejectingUrl(String key) {
        return "rtmp://127.0.0.1:" + rtmpPort() + "/" + REJECT_APP + "/" + key;
    }

    public String statUrl() {
        return "http://127.0.0.1:" + httpPort() + "/stat";
    }

    /** Reads and parses the stat page now; throws IllegalStateException when the server is down. */
    public RtmpStats stats() {
        LocalHttp.Reply reply = LocalHttp.request("GET", statUrl(), Map.of(), null, HTTP_TIMEOUT);
        if (reply.status() != 200) {
            throw new IllegalStateException("GET " + statUrl() + " answered " + reply.status());
        }
        return RtmpStats.parse(reply.body());
    }

    /** Stream {@code key} of application live, if nginx knows it. */
    public Optional<RtmpStreamStats> stream(String key) {
        return stats().stream(key);
    }

    /** Waits until someone publishes {@code key} and nginx has seen its video codec header. */
    public RtmpStreamStats waitForPublishing(String key, Duration timeout) {
        return Waits.waitFor(() -> stream(key).filter(s -> s.publishing() && s.hasVideo()).orElse(null), timeout,
                "RTMP stream live/" + key + " publishing with video");
    }

    /** Waits until {@code key} is published and its bytes_in grew between two reads; returns the later read. */
    public RtmpStreamStats waitForBytesGrowing(String key, Duration timeout) {
        AtomicLong first = new AtomicLong(-1);
        return Waits.waitFor(() -> {
            RtmpStreamStats s = stream(key).filter(RtmpStreamStats::publishing).orElse(null);
            if (s == null) {
                return null;
            }
            if (first.get() < 0) {
                first.set(s.bytesIn());
                return null;
            }
            return s.bytesIn() > first.get() ? s : null;
        }, timeout, "bytes_in of RTMP stream live/" + key + " growing");
    }

    /**
     * Waits until bytes_in of {@code key} stayed unchanged for {@code quietFor} (e.g. the camera
     * froze and ffmpeg's buffers drained). Observing a stall needs a window by nature; the wait
     * still ends as soon as one is seen.
     */
    public RtmpStreamStats waitForBytesStalled(String key, Duration quietFor, Duration timeout) {
        AtomicLong lastBytes = new AtomicLong(-1);
        AtomicLong since = new AtomicLong();
        return Waits.waitFor(() -> {
            RtmpStreamStats s = stream(key).orElse(null);
            long bytes = s == null ? -2 : s.bytesIn();
            long now = System.nanoTime();
            if (bytes != lastBytes.get()) {
                lastBytes.set(bytes);
                since.set(now);
                return null;
            }
            return s != null && now - since.get() >= quietFor.toNanos() ? s : null;
        }, timeout, "bytes_in of RTMP stream live/" + key + " unchanged for " + quietFor.toMillis() + " ms");
    }

    /** Waits until nobody publishes {@code key} (stream gone from the stat page or not publishing). */
    public void waitUntilNotPublishing(String key, Duration timeout) {
        Waits.waitUntil(() -> stream(key).map(s -> !s.publishing()).orElse(true), timeout,
                "RTMP stream live/" + key + " not publishing");
    }

    /** nginx master pid first, then its worker; empty when stopped. */
    public synchronized List<Long> pids() {
        return nginx == null ? List.of() : nginx.pids();
    }

    /** nginx's error log (info level: connects, publishes, "access forbidden by rule"). */
    public Path logFile() {
        requireStarted();
        return nginx.logFile();
    }

    public String log() {
        return nginx == null ? "" : nginx.log();
    }

    private void requireStarted() {
        if (rtmpPort == 0 || nginx == null) {
            throw new IllegalStateException("RtmpServer never started");
        }
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
        return "RtmpServer[rtmp 127.0.0.1:" + rtmpPort + ", http :" + httpPort + (isRunning() ? "" : ", stopped") + "]";
    }
}
