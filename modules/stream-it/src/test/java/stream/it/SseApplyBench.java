package stream.it;

import com.eclipsesource.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import stream.it.harness.NchanServer;
import stream.it.harness.TestPorts;
import stream.it.harness.Waits;

/**
 * Benchmark (run by bench/sse-apply.sh, not by the test suite): the time from publishing a url_update to nchan to the
 * appliance having applied it (the new URL in its configuration), median and p99 over 200 events; then the
 * throughput of a burst of 1000 events (stored and decided per second).
 */
class SseApplyBench {
    static final int EVENTS = Integer.getInteger("bench.events", 200);
    static final int BURST = Integer.getInteger("bench.burst", 1000);

    @Test
    void publishToAppliedLatencyAndBurstThroughput() throws Exception {
        Path tmp = Files.createTempDirectory("bench-sse");
        List<String> report = new ArrayList<>();
        try (NchanServer nchan = new NchanServer(TestPorts.freePort(), 5000, Duration.ofMinutes(10)).start()) {
            String channel = "bench" + System.nanoTime();
            try (ApplianceProcess app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort())
                    .start(null, "--sse-url", nchan.subscribeUrl(channel))) {
                ApiClient api = new ApiClient(app);
                api.waitForSseState("connected", Duration.ofSeconds(60));
                nchan.waitForSubscribers(channel, 1, Duration.ofSeconds(30));

                List<Double> latencies = new ArrayList<>();
                for (int i = 0; i < EVENTS; i++) {
                    String rtmp = "rtmp://127.0.0.1:1935/live/lat" + i;
                    String data = Json.object().add("rtmp_url", rtmp).add("timestamp", Instant.now().toString())
                            .add("restart_required", true).toString();
                    long t0 = System.nanoTime();
                    nchan.publish(channel, "url_update", data);
                    // a tight poll (each GET takes about a millisecond on loopback), not Waits' 150 ms steps
                    long deadline = t0 + Duration.ofSeconds(30).toNanos();
                    while (!rtmp.equals(api.revealedConfig().getString("rtmp_url", ""))) {
                        if (System.nanoTime() > deadline) {
                            throw new AssertionError("event " + i + " not applied within 30 s");
                        }
                    }
                    latencies.add((System.nanoTime() - t0) / 1e6);
                }

                long before = api.json("GET", "/api/sse/events?limit=1", null, 200).get("events").asArray().get(0)
                        .asObject().getLong("id", 0);
                long t0 = System.nanoTime();
                for (int i = 0; i < BURST; i++) {
                    nchan.publish(channel, "url_update", Json.object()
                            .add("rtmp_url", "rtmp://127.0.0.1:1935/live/burst" + i)
                            .add("timestamp", Instant.now().toString()).toString());
                }
                double publishSeconds = (System.nanoTime() - t0) / 1e9;
                String last = "rtmp://127.0.0.1:1935/live/burst" + (BURST - 1);
                Waits.waitUntil(() -> {
                    try {
                        var newest = api.json("GET", "/api/sse/events?limit=1", null, 200).get("events").asArray()
                                .get(0).asObject();
                        return newest.getLong("id", 0) >= before + BURST && newest.getBoolean("processed", false);
                    } catch (Exception e) {
                        return false;
                    }
                }, Duration.ofSeconds(120), "the burst stored and decided");
                double allSeconds = (System.nanoTime() - t0) / 1e9;
                boolean endsOnLast = last.equals(api.revealedConfig().getString("rtmp_url", ""));

                report.add(String.format(Locale.ROOT, "sse_publish_to_applied_ms median=%.1f p99=%.1f max=%.1f over %d events",
                        pct(latencies, 0.5), pct(latencies, 0.99), Collections.max(latencies), EVENTS));
                report.add(String.format(Locale.ROOT,
                        "sse_burst events=%d published_in=%.2fs all_stored_and_decided_in=%.2fs throughput=%.0f events/s ends_on_last=%s",
                        BURST, publishSeconds, allSeconds, BURST / allSeconds, endsOnLast));
            }
        }
        String out = String.join("\n", report);
        System.out.println(out);
        Path results = ApplianceProcess.ROOT.resolve("bench/results/sse-apply.txt");
        Files.createDirectories(results.getParent());
        Files.writeString(results, "# " + Instant.now() + " host cores=" + Runtime.getRuntime().availableProcessors()
                + "\n" + out + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    private static double pct(List<Double> xs, double p) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p * s.size()) - 1));
    }
}
