package stream.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import stream.it.harness.RtmpServer;
import stream.it.harness.RtspCamera;
import stream.it.harness.TestPorts;
import stream.it.harness.Waits;

/**
 * Benchmark (run by bench/footprint.sh, not by the test suite): the appliance's resident memory idle and while
 * streaming a real camera (GStreamer RTSP server) to nginx-rtmp, and the Java process's CPU while streaming with one
 * dashboard client on GET /api/events (curl -N) and one status call a second. ffmpeg's own CPU is not counted: it
 * is a child process, accounted to the parent only once waited for.
 * Properties: bench.cdsDir (STREAMRELAY_CDS_DIR for the appliance: the archive footprint.sh made), bench.seconds
 * (measuring time after 20 s of streaming, default 60), bench.out (file for the figures, one key=value a line).
 */
class FootprintBench {
    static final Duration MEASURE = Duration.ofSeconds(Integer.getInteger("bench.seconds", 60));
    /**
     * Streaming, with a status call a second, before the CPU is measured: past the JIT compiling the streaming and
     * status code paths (C1 was still the busiest thread after 20 s), as an appliance is for all but its first minutes.
     */
    static final Duration WARM_UP = Duration.ofSeconds(Integer.getInteger("bench.warmUpSeconds", 60));

    @Test
    void memoryAndCpuWhileStreaming() throws Exception {
        Path tmp = Files.createTempDirectory("bench-footprint");
        Map<String, String> env = new HashMap<>(System.getenv());
        String cdsDir = System.getProperty("bench.cdsDir", "");
        if (cdsDir.isEmpty()) {
            env.put("STREAMRELAY_CDS", "off");
        } else {
            env.put("STREAMRELAY_CDS_DIR", cdsDir);
        }
        List<String> out = new ArrayList<>();
        try (RtspCamera camera = RtspCamera.builder().port(TestPorts.freePort()).path("/cam1").audio(RtspCamera.Audio.AAC).start();
             RtmpServer rtmp = new RtmpServer().start();
             ApplianceProcess app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort()).start(env)) {
            long javaPid = app.pid();
            String cmdline = Files.readString(Path.of("/proc", Long.toString(javaPid), "cmdline"));
            out.add("cds_archive_in_use=" + cmdline.contains("-XX:SharedArchiveFile="));
            ApiClient api = new ApiClient(app);
            pauseOver(Duration.ofSeconds(10));
            out.add("rss_idle_kb=" + rssKb(javaPid));

            api.preset("copy");
            // the plain relay (one ffmpeg), which the goal was set for, then the kept session (keep_session, the
            // default since issue 17: ingest, publisher and slate processes fed through the JVM), one after the other
            // in the same process; the kept session's figures carry the prefix kept_
            measureStreaming(api, app, camera, rtmp, tmp, false, "", out);
            measureStreaming(api, app, camera, rtmp, tmp, true, "kept_", out);
        }
        String text = String.join("\n", out) + "\n";
        System.out.print(text);
        String file = System.getProperty("bench.out", "");
        if (!file.isEmpty()) {
            Files.writeString(Path.of(file), text);
        }
    }

    /** Streams in the given mode with one /api/events client and a status call a second; adds the figures to out. */
    private static void measureStreaming(ApiClient api, ApplianceProcess app, RtspCamera camera, RtmpServer rtmp,
                                         Path tmp, boolean keepSession, String prefix, List<String> out)
            throws Exception {
        long javaPid = app.pid();
        api.json("PUT", "/api/config", com.eclipsesource.json.Json.object().add("keep_session", keepSession).toString(),
                200);
        String key = "footprint" + System.nanoTime();
        api.setUrls(camera.url(), rtmp.rtmpUrl(key), false);
        api.start();
        api.waitForState("running", Duration.ofSeconds(60));
        rtmp.waitForBytesGrowing(key, Duration.ofSeconds(60));
        out.add(prefix + "keep_session=" + keepSession);
        Path eventsFile = tmp.resolve(prefix + "events.txt");
        Process events = new ProcessBuilder("curl", "-s", "-N", "-u", "admin:" + ApplianceProcess.PASSWORD,
                app.uri("/api/events").toString())
                .redirectOutput(eventsFile.toFile()).redirectErrorStream(true).start();
        try {
            Waits.waitUntil(() -> size(eventsFile) > 0, Duration.ofSeconds(30), "the first event");
            // steady streaming, as for days on end: past the JIT compiling the streaming code paths, and the status
            // path too, which is called as it is while measuring (without these calls the measured minute was the
            // status path's first, interpreted and compiled while measured: the busiest JVM thread with the reader)
            Instant warmEnd = Instant.now().plus(WARM_UP);
            while (Instant.now().isBefore(warmEnd)) {
                api.status();
                pauseOver(Duration.ofSeconds(1));
            }
            long ticks0 = cpuTicks(javaPid);
            java.util.Map<String, Long> threads0 = threadTicks(javaPid);
            long wall0 = System.nanoTime();
            long maxRss = 0;
            int statusCalls = 0;
            Instant end = Instant.now().plus(MEASURE);
            while (Instant.now().isBefore(end)) {
                if (!"running".equals(api.state())) {
                    throw new AssertionError("the stream left running while measuring: " + api.status());
                }
                statusCalls++;
                maxRss = Math.max(maxRss, rssKb(javaPid));
                pauseOver(Duration.ofSeconds(1));
            }
            double cpuSeconds = (cpuTicks(javaPid) - ticks0) / 100.0; // USER_HZ is 100 on Linux
            java.util.Map<String, Long> threads1 = threadTicks(javaPid);
            double wall = (System.nanoTime() - wall0) / 1e9;
            if (!events.isAlive()) {
                throw new AssertionError("the /api/events client ended while measuring");
            }
            out.add(prefix + "rss_streaming_max_kb=" + maxRss);
            out.add(String.format(Locale.ROOT, "%sjvm_cpu_percent=%.2f", prefix, 100 * cpuSeconds / wall));
            out.add(String.format(Locale.ROOT, "%sjvm_cpu_seconds=%.2f", prefix, cpuSeconds));
            // C1 still compiles methods that a status call a second takes minutes to make hot: a share that an
            // appliance streaming for days no longer pays, shown apart
            long jitTicks = threads1.entrySet().stream().filter(e -> e.getKey().startsWith("C1 Compiler"))
                    .mapToLong(e -> e.getValue() - threads0.getOrDefault(e.getKey(), 0L)).sum();
            out.add(String.format(Locale.ROOT, "%sjvm_cpu_percent_without_jit=%.2f", prefix,
                    100 * (cpuSeconds - jitTicks / 100.0) / wall));
            out.add(String.format(Locale.ROOT, "%smeasured_seconds=%.0f", prefix, wall));
            out.add(prefix + "status_calls=" + statusCalls);
            out.add(prefix + "warm_up_seconds=" + WARM_UP.toSeconds());
            // where the CPU went: the busiest threads (by name) over the measured time, in ticks of 10 ms
            out.add(prefix + "jvm_cpu_ticks_by_thread=" + threads1.entrySet().stream()
                    .map(e -> java.util.Map.entry(e.getKey(), e.getValue() - threads0.getOrDefault(e.getKey(), 0L)))
                    .filter(e -> e.getValue() > 0)
                    .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                    .map(e -> e.getKey() + ":" + e.getValue()).toList());
            out.add(prefix + "events_bytes=" + size(eventsFile));
            // the plain relay's one ffmpeg; in the kept session the status names the publisher's
            long ffmpegPid = api.status().get("pid").asLong();
            out.add(prefix + "ffmpeg_rss_kb=" + rssKb(ffmpegPid));
        } finally {
            events.destroy();
            events.waitFor();
        }
        api.stop();
        api.waitForState("stopped", Duration.ofSeconds(60));
    }

    private static long size(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void pauseOver(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        Waits.waitUntil(() -> System.nanoTime() >= until, d.plusSeconds(5), "time to pass");
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
    }

    /** utime+stime of each thread of {@code pid}, summed by thread name (a name's threads come and go). */
    private static java.util.Map<String, Long> threadTicks(long pid) throws IOException {
        java.util.Map<String, Long> byName = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    byName.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended while being read
                }
            }
        }
        return byName;
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return 0;
    }
}
