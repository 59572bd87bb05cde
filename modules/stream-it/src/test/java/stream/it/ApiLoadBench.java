package stream.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import stream.it.harness.RtmpServer;
import stream.it.harness.RtspCamera;
import stream.it.harness.TestPorts;
import stream.it.harness.Waits;

/**
 * Benchmark (run by bench/api.sh, not by the test suite): the status route on keep-alive connections under wrk,
 * with Basic and with Bearer credentials, beside the architecture document's stack (Express 4, bench/anchor) in the
 * same run; one keep-alive connection's latency; 100 clients polling while a stream runs; and the health check and
 * an authenticated call while 500 stalled connections are open.
 */
class ApiLoadBench {
    static final int SECONDS = Integer.getInteger("bench.seconds", 10);

    record Wrk(double requestsPerSecond, double p50Ms, double p99Ms, long non2xx, long errors) {
        String line() {
            return String.format(Locale.ROOT, "%.0f req/s p50=%.2fms p99=%.2fms non2xx=%d socket_errors=%d",
                    requestsPerSecond, p50Ms, p99Ms, non2xx, errors);
        }
    }

    @Test
    void statusRouteBesideExpress() throws Exception {
        Path tmp = Files.createTempDirectory("bench-api");
        Path anchor = ApplianceProcess.ROOT.resolve("bench/anchor");
        List<String> report = new ArrayList<>();
        String loadBefore = loadAverage();
        int expressPort = TestPorts.freePort();
        try (RtspCamera camera = RtspCamera.builder().port(TestPorts.freePort()).path("/cam1").audio(RtspCamera.Audio.AAC).start();
             RtmpServer rtmp = new RtmpServer().start();
             ApplianceProcess app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort()).start(null)) {
            ApiClient api = new ApiClient(app);
            api.preset("copy");
            api.setUrls(camera.url(), rtmp.rtmpUrl("bench" + System.nanoTime()), false);
            api.start();
            api.waitForState("running", Duration.ofSeconds(60));
            String token = api.json("POST", "/api/settings/token", null, 200).getString("token", "");
            String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + ApplianceProcess.PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            String bearer = "Bearer " + token;
            Process express = new ProcessBuilder("node", "server.js", Integer.toString(expressPort), basic, bearer)
                    .directory(anchor.toFile()).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("express.log").toFile()).start();
            try {
                String appStatus = app.uri("/api/stream/status").toString();
                String expressStatus = "http://127.0.0.1:" + expressPort + "/api/stream/status";
                Waits.waitUntil(() -> {
                    Wrk w = wrk(1, 1, 1, basic, expressStatus);
                    return w.requestsPerSecond() > 0 && w.non2xx() == 0;
                }, Duration.ofSeconds(30), "the Express anchor answering");
                // warm-up, not counted: the appliance with each scheme for the same time (each credential's first
                // check, PBKDF2, is paid here, once per scheme), and Express
                wrk(2, 16, 5, basic, appStatus);
                wrk(2, 16, 5, bearer, appStatus);
                wrk(2, 16, 5, basic, expressStatus);

                Wrk appBasic = wrk(2, 16, SECONDS, basic, appStatus);
                Wrk appBearer = wrk(2, 16, SECONDS, bearer, appStatus);
                Wrk expressBasic = wrk(2, 16, SECONDS, basic, expressStatus);
                Wrk appOne = wrk(1, 1, SECONDS, basic, appStatus);
                Wrk expressOne = wrk(1, 1, SECONDS, basic, expressStatus);
                Wrk healthOne = wrk(1, 1, SECONDS, basic, app.uri("/healthz").toString());
                Wrk hundred = wrk(2, 100, SECONDS, basic, appStatus);
                String stateAfter = api.state();

                report.add("api_status_keepalive appliance_basic   " + appBasic.line());
                report.add("api_status_keepalive appliance_bearer  " + appBearer.line());
                report.add("api_status_keepalive express4_anchor   " + expressBasic.line());
                report.add(String.format(Locale.ROOT,
                        "api_ratio_vs_express basic=%.2fx bearer=%.2fx (goal >= 3x); p99 basic=%.2fms bearer=%.2fms (goal < 10 ms)",
                        appBasic.requestsPerSecond / expressBasic.requestsPerSecond,
                        appBearer.requestsPerSecond / expressBasic.requestsPerSecond, appBasic.p99Ms, appBearer.p99Ms));
                report.add("api_one_connection appliance_status " + appOne.line() + " (goal p50 < 2 ms)");
                report.add("api_one_connection appliance_healthz " + healthOne.line());
                report.add("api_one_connection express4_status  " + expressOne.line());
                report.add("api_100_clients_while_streaming " + hundred.line() + " stream_state_after=" + stateAfter);
                report.add(stalledConnections(app, basic, 500));
            } finally {
                express.destroy();
                express.waitFor();
            }
        }
        String out = String.join("\n", report);
        System.out.println(out);
        Path results = ApplianceProcess.ROOT.resolve("bench/results/api.txt");
        Files.createDirectories(results.getParent());
        // the machine may be shared: figures taken under load say little, so the load goes beside them
        Files.writeString(results, "# " + Instant.now() + " seconds=" + SECONDS + " cores="
                + Runtime.getRuntime().availableProcessors() + " load_before=" + loadBefore + " load_after="
                + loadAverage() + "\n" + out + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The 1, 5 and 15 minute load averages, as /proc/loadavg has them. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + "/" + f[1] + "/" + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Opens {@code n} connections that each send part of a request and stall, then times two calls. */
    static String stalledConnections(ApplianceProcess app, String basic, int n) throws IOException {
        List<Socket> stalled = new ArrayList<>();
        int port = app.uri("/").getPort();
        try {
            for (int i = 0; i < n; i++) {
                Socket s = new Socket();
                s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                s.getOutputStream().write(("GET /api/stream/status HTTP/1.1\r\nX-" + i).getBytes(StandardCharsets.US_ASCII));
                stalled.add(s);
            }
            List<Double> health = new ArrayList<>();
            List<Double> status = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                health.add(timedGet(port, "/healthz", null));
                status.add(timedGet(port, "/api/stream/status", basic));
            }
            Collections.sort(health);
            Collections.sort(status);
            return String.format(Locale.ROOT,
                    "api_with_%d_stalled_connections healthz_ms median=%.1f max=%.1f status_ms median=%.1f max=%.1f (goal < 100 ms)",
                    n, health.get(10), health.get(19), status.get(10), status.get(19));
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    /** Milliseconds from connecting to the end of a 200 answer; fails on anything else. */
    static double timedGet(int port, String path, String auth) throws IOException {
        long t0 = System.nanoTime();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (auth == null ? "" : "Authorization: " + auth + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            if (!answer.startsWith("HTTP/1.1 200 ")) {
                throw new AssertionError(path + " answered " + answer);
            }
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    static Wrk wrk(int threads, int connections, int seconds, String auth, String url) {
        try {
            Process p = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency",
                    "-H", "Authorization: " + auth, url).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return new Wrk(number(out, "Requests/sec:\\s+([0-9.]+)"), millis(out, "50%"), millis(out, "99%"),
                    (long) number(out, "Non-2xx or 3xx responses: ([0-9]+)"), socketErrors(out));
        } catch (IOException e) {
            throw new AssertionError("wrk could not run (bench/api.sh installs it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static double number(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static long socketErrors(String out) {
        Matcher m = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(out);
        if (!m.find()) {
            return 0;
        }
        long sum = 0;
        for (int i = 1; i <= 4; i++) {
            sum += Long.parseLong(m.group(i));
        }
        return sum;
    }

    /** wrk prints latency percentiles as "99%   1.23ms" (or us, s). */
    private static double millis(String out, String percentile) {
        Matcher m = Pattern.compile("\\s" + Pattern.quote(percentile) + "\\s+([0-9.]+)(us|ms|s)").matcher(out);
        if (!m.find()) {
            return Double.NaN;
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }
}
