package stream.it;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import stream.it.harness.Processes;
import stream.it.harness.RtmpServer;
import stream.it.harness.RtspCamera;
import stream.it.harness.TestPorts;
import stream.it.harness.Waits;

/**
 * Benchmark (run by bench/streams.sh, not by the test suite): four streams with the copy preset at once, each pulling
 * the same GStreamer camera to its own nginx-rtmp key; the Java process's CPU share and resident memory while they
 * run (goals: under 1 % of a core, under 64 MB), then the time from launching the appliance again (after a SIGTERM)
 * until all four are running again.
 */
class StreamsBench {
    static final Duration STEADY = Duration.ofSeconds(Integer.getInteger("bench.steadySeconds", 60));
    static final int STREAMS = 4;

    @Test
    void fourStreamsFootprintAndResumeTime() throws Exception {
        Path tmp = Files.createTempDirectory("bench-streams");
        List<String> report = new ArrayList<>();
        String prefix = "benchms" + System.nanoTime();
        try (RtspCamera camera = RtspCamera.builder().port(TestPorts.freePort()).path("/cam")
                     .audio(RtspCamera.Audio.AAC).start();
             RtmpServer rtmp = new RtmpServer().start()) {
            ApplianceProcess app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort()).start(null);
            try {
                ApiClient api = new ApiClient(app);
                api.json("PUT", "/api/config", "{\"preset\":\"copy\"}", 200);
                api.setUrls(camera.url(), rtmp.rtmpUrl(prefix + "0"), false);
                for (int i = 1; i < STREAMS; i++) {
                    api.json("POST", "/api/streams", Json.object().add("name", "cam-" + i).add("rtsp_url", camera.url())
                            .add("rtmp_url", rtmp.rtmpUrl(prefix + i)).add("preset", "copy").toString(), 201);
                }
                api.json("POST", "/api/stream/start", "{}", 200);
                for (int i = 1; i < STREAMS; i++) {
                    api.json("POST", "/api/streams/cam-" + i + "/start", "{}", 200);
                }
                waitAllRunning(api, Duration.ofSeconds(120));
                for (int i = 0; i < STREAMS; i++) {
                    rtmp.waitForBytesGrowing(prefix + i, Duration.ofSeconds(60));
                }

                long javaPid = app.pid();
                long ticks0 = cpuTicks(javaPid);
                long start = System.nanoTime();
                long maxRss = 0;
                while (System.nanoTime() - start < STEADY.toNanos()) {
                    maxRss = Math.max(maxRss, rssKb(javaPid));
                    long next = System.nanoTime() + 1_000_000_000L;
                    Waits.waitUntil(() -> System.nanoTime() >= next, Duration.ofSeconds(5), "a second to pass");
                }
                double wall = (System.nanoTime() - start) / 1e9;
                double cpuSeconds = (cpuTicks(javaPid) - ticks0) / 100.0; // USER_HZ is 100 on Linux
                long ffmpegRss = Processes.findByArgument("ffmpeg", prefix).stream()
                        .mapToLong(p -> rssKbOrZero(p.pid())).sum();
                report.add(String.format(Locale.ROOT, "streams_java_cpu_percent_of_one_core=%.2f with %d copy streams"
                        + " over %.0f s (goal < 1)", 100 * cpuSeconds / wall, STREAMS, wall));
                report.add(String.format(Locale.ROOT, "streams_java_rss_max_mb=%.1f (goal < 64); all ffmpeg rss_mb=%.1f",
                        maxRss / 1024.0, ffmpegRss / 1024.0));

                app.terminate(Duration.ofSeconds(10));
                Instant relaunch = Instant.now();
                app = new ApplianceProcess(app.data(), TestPorts.freePort()).start(null);
                api = new ApiClient(app);
                waitAllRunning(api, Duration.ofSeconds(120));
                double resume = Duration.between(relaunch, Instant.now()).toMillis() / 1000.0;
                report.add(String.format(Locale.ROOT, "streams_all_running_after_restart_s=%.2f (%d streams, launch to"
                        + " every state running)", resume, STREAMS));
            } finally {
                app.close();
            }
        }
        String stamp = Instant.now() + " (" + Runtime.getRuntime().availableProcessors() + " cores, load "
                + Files.readString(Path.of("/proc/loadavg")).split(" ")[0] + ")";
        Path out = ApplianceProcess.ROOT.resolve("bench/results/streams.txt");
        Files.createDirectories(out.getParent());
        List<String> lines = new ArrayList<>();
        lines.add("# " + stamp);
        lines.addAll(report);
        Files.write(out, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        report.forEach(System.out::println);
    }

    private static void waitAllRunning(ApiClient api, Duration within) {
        Waits.waitUntil(() -> {
            try {
                List<String> states = StreamSupport.stream(api.json("GET", "/api/streams", null, 200).get("streams")
                        .asArray().spliterator(), false).map(JsonValue::asObject)
                        .map(o -> o.getString("state", "")).toList();
                return states.size() == STREAMS && states.stream().allMatch("running"::equals);
            } catch (IOException | AssertionError e) {
                return false;
            }
        }, within, "all " + STREAMS + " streams running");
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return 0;
    }

    private static long rssKbOrZero(long pid) {
        try {
            return rssKb(pid);
        } catch (IOException e) {
            return 0;
        }
    }
}
