package stream.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import stream.it.harness.Processes;
import stream.it.harness.RtmpServer;
import stream.it.harness.RtmpStreamStats;
import stream.it.harness.RtspCamera;
import stream.it.harness.TestPorts;
import stream.it.harness.Waits;

/**
 * Benchmark (run by bench/url-switch.sh, not by the test suite): for a camera with audio, one without audio and one
 * behind an RTSP password, the time from a URL change request until 50 kB of the new destination's stream reach
 * nginx-rtmp, next to a bare ffmpeg on the same camera in the same run (see {@link #startBare}, stopped and started
 * by hand); then the Java process's CPU share and resident memory,
 * and the two ffmpeg processes' memory, while streaming the camera without audio.
 */
class UrlSwitchBench {
    static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    static final Duration STEADY = Duration.ofSeconds(Integer.getInteger("bench.steadySeconds", 30));
    /** What "on air" means here: the destination has this much of the new stream. */
    static final long ON_AIR_BYTES = 50_000;
    static final double GOAL_RATIO = 1.1;

    record Camera(String name, RtspCamera camera) {}

    @Test
    void urlSwitchLatencyAndFootprint() throws Exception {
        Path tmp = Files.createTempDirectory("bench-switch");
        List<String> report = new ArrayList<>();
        // the appliance as installed: install.sh makes the CDS archive before the first start (a fresh image would
        // run without one until a background job made it 20 s in, and its RSS would be that of no archive)
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("STREAMRELAY_CDS_DIR", tmp.resolve("cds").toString());
        ProcessBuilder makeCds = new ProcessBuilder(ApplianceProcess.LAUNCHER.toString(), "--make-cds").inheritIO();
        makeCds.environment().putAll(env);
        if (makeCds.start().waitFor() != 0) {
            throw new IllegalStateException("streamrelay --make-cds failed");
        }
        try (RtspCamera withAudio = RtspCamera.builder().port(TestPorts.freePort()).path("/audio")
                     .audio(RtspCamera.Audio.AAC).start();
             RtspCamera withoutAudio = RtspCamera.builder().port(TestPorts.freePort()).path("/silent")
                     .audio(RtspCamera.Audio.NONE).start();
             RtspCamera withPassword = RtspCamera.builder().port(TestPorts.freePort()).path("/secure")
                     .auth("admin", "p@ss:w0rd").audio(RtspCamera.Audio.AAC).start();
             RtmpServer rtmp = new RtmpServer().start();
             ApplianceProcess app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort()).start(env)) {
            ApiClient api = new ApiClient(app);
            api.preset("copy");
            String prefix = "bench" + System.nanoTime();
            List<Camera> cameras = List.of(new Camera("with_audio", withAudio),
                    new Camera("without_audio", withoutAudio), new Camera("rtsp_password", withPassword));
            for (Camera c : cameras) {
                String url = c.camera().url();
                List<Double> appliance = new ArrayList<>();
                List<Double> bare = new ArrayList<>();
                // warm-up: the appliance probes a camera's audio once; a switch to it afterwards is what is measured
                api.setUrls(url, rtmp.rtmpUrl(prefix + c.name() + "w"), true);
                api.start();
                api.waitForState("running", Duration.ofSeconds(60));
                waitForBytes(rtmp, prefix + c.name() + "w");
                // rounds alternate between the appliance and bare ffmpeg, so both see the same machine load; both
                // measure a switch: the running ffmpeg is replaced by one publishing to a new key
                for (int i = 0; i < ROUNDS; i++) {
                    pauseOver(Duration.ofMillis(2500)); // past the burst-coalescing window: the switch is immediate
                    String key = prefix + c.name() + "a" + i;
                    long t0 = System.nanoTime();
                    api.setUrls(url, rtmp.rtmpUrl(key), true);
                    waitForBytes(rtmp, key);
                    appliance.add((System.nanoTime() - t0) / 1e6);
                    api.waitForState("running", Duration.ofSeconds(60));

                    long pid = api.status().get("pid").asLong();
                    api.stop();
                    Processes.awaitGone(pid, Duration.ofSeconds(15));
                    String warmKey = prefix + c.name() + "w" + i;
                    Process running = startBare(url, rtmp.rtmpUrl(warmKey), tmp.resolve("bare-" + i + ".log"));
                    waitForBytes(rtmp, warmKey);
                    String bareKey = prefix + c.name() + "b" + i;
                    // as the appliance switches: the old ffmpeg is told to end and the new one starts at once
                    long t1 = System.nanoTime();
                    running.destroy();
                    Process old = running;
                    running = startBare(url, rtmp.rtmpUrl(bareKey), tmp.resolve("bare-" + i + "b.log"));
                    old.waitFor();
                    try {
                        waitForBytes(rtmp, bareKey);
                        bare.add((System.nanoTime() - t1) / 1e6);
                    } finally {
                        running.destroy();
                        running.waitFor();
                    }
                    api.start();
                    api.waitForState("running", Duration.ofSeconds(60));
                }
                double medA = median(appliance);
                double medB = median(bare);
                report.add(String.format(Locale.ROOT, "url_switch_to_50kB_ms camera=%s appliance median=%.0f all=%s"
                        + " bare_ffmpeg median=%.0f all=%s ratio=%.2f (goal <= %.1f)", c.name(), medA,
                        round(appliance), medB, round(bare), medA / medB, GOAL_RATIO));
                System.out.println(report.get(report.size() - 1));
            }

            // footprint while streaming the camera without audio (relay and snapshot process both running)
            api.setUrls(withoutAudio.url(), rtmp.rtmpUrl(prefix + "f"), true);
            api.waitForState("running", Duration.ofSeconds(60));
            pauseOver(Duration.ofSeconds(5));
            long javaPid = app.pid();
            long ticks0 = cpuTicks(javaPid);
            long wall0 = System.nanoTime();
            long maxRss = 0;
            Instant end = Instant.now().plus(STEADY);
            while (Instant.now().isBefore(end)) {
                maxRss = Math.max(maxRss, rssKb(javaPid));
                pauseOver(Duration.ofSeconds(1));
            }
            double cpuSeconds = (cpuTicks(javaPid) - ticks0) / 100.0; // USER_HZ is 100 on Linux
            double wall = (System.nanoTime() - wall0) / 1e9;
            long relayPid = api.status().get("pid").asLong();
            long snapshotRss = Processes.find(p -> p.parentPid() == javaPid && p.argv().contains("image2")).stream()
                    .mapToLong(p -> rssKbOrZero(p.pid())).sum();
            report.add(String.format(Locale.ROOT,
                    "java_cpu_percent_of_one_core=%.2f over %.0f s streaming (target < 1)", 100 * cpuSeconds / wall, wall));
            report.add(String.format(Locale.ROOT, "java_rss_max_mb=%.1f (target < 64); ffmpeg_rss_mb relay=%.1f"
                    + " snapshot=%.1f", maxRss / 1024.0, rssKb(relayPid) / 1024.0, snapshotRss / 1024.0));
            api.stop();
        }
        String out = String.join("\n", report);
        System.out.println(out);
        Path results = ApplianceProcess.ROOT.resolve("bench/results/url-switch.txt");
        Files.createDirectories(results.getParent());
        Files.writeString(results, "# " + Instant.now() + " rounds=" + ROUNDS + " host cores="
                + Runtime.getRuntime().availableProcessors() + " (start or URL switch until " + ON_AIR_BYTES
                + " bytes reach nginx-rtmp)\n" + out + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * A bare relay of this camera: the appliance's own camera input options (without -thread_queue_size 512 ffmpeg
     * 5.1 took 1 to 3 s longer here to put 50 kB on air, which would flatter the appliance), then copy the video and
     * AAC for the camera's audio if it has any; no silent track, no snapshot, no supervision.
     */
    private static Process startBare(String camera, String rtmpUrl, Path log) throws IOException {
        return new ProcessBuilder("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp",
                "-timeout", "5000000", "-fflags", "+genpts", "-thread_queue_size", "512",
                "-i", camera, "-c:v", "copy", "-c:a", "aac", "-f", "flv", rtmpUrl)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Polls the stat page every 10 ms: the moment nginx-rtmp has 50 kB of the stream {@code key}. */
    private static void waitForBytes(RtmpServer rtmp, String key) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            RtmpStreamStats s = rtmp.stream(key).orElse(null);
            if (s != null && s.bytesIn() >= ON_AIR_BYTES) {
                return;
            }
            pauseOver(Duration.ofMillis(10));
        }
        throw new AssertionError("not " + ON_AIR_BYTES + " bytes at " + key + " within 60 s");
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

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static List<Long> round(List<Double> xs) {
        return xs.stream().map(Math::round).toList();
    }
}
