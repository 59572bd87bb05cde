package stream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import stream.it.harness.NchanServer;
import stream.it.harness.Processes;
import stream.it.harness.Resources;
import stream.it.harness.RtmpServer;
import stream.it.harness.RtspCamera;
import stream.it.harness.TestPorts;
import stream.it.harness.Waits;

/**
 * Several streams on one appliance (contract §7) end to end: the jlinked appliance, two GStreamer RTSP cameras,
 * nginx-rtmp and an nchan control channel, all on 127.0.0.1, driven through /api/streams as a user would.
 */
class MultiStreamTest {
    static final Duration LONG = Duration.ofSeconds(90);
    static RtspCamera frontCamera;
    static RtspCamera yardCamera;
    static RtmpServer rtmp;
    static NchanServer nchan;

    @TempDir
    Path tmp;
    ApplianceProcess app;
    ApiClient api;
    /** Part of every stream key of this test, so its ffmpeg processes can be found. */
    String prefix;
    String channel;

    @BeforeAll
    static void servers() {
        frontCamera = RtspCamera.builder().port(TestPorts.freePort()).path("/front").audio(RtspCamera.Audio.NONE).start();
        yardCamera = RtspCamera.builder().port(TestPorts.freePort()).path("/yard").audio(RtspCamera.Audio.AAC).start();
        rtmp = new RtmpServer().start();
        nchan = new NchanServer().start();
    }

    @AfterAll
    static void stopServers() {
        Resources.closeAll(frontCamera, yardCamera, rtmp, nchan);
    }

    @BeforeEach
    void appliance() throws Exception {
        for (RtspCamera c : List.of(frontCamera, yardCamera)) {
            if (!c.isRunning()) {
                c.restart();
            }
        }
        if (!rtmp.isRunning()) {
            rtmp.restart();
        }
        if (!nchan.isRunning()) {
            nchan.start();
        }
        String unique = Long.toString(System.nanoTime(), 36);
        prefix = "ms" + unique;
        channel = "ctl-" + unique;
        app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort()).start(null, "--sse-url",
                nchan.subscribeUrl(channel));
        api = new ApiClient(app);
    }

    @AfterEach
    void close() throws Exception {
        if (app != null) {
            app.close();
        }
        try {
            Processes.awaitNoneMatching("ffmpeg", prefix, Duration.ofSeconds(20));
        } catch (AssertionError e) {
            Processes.findByArgument("ffmpeg", prefix).forEach(p -> Processes.sigkill(p.pid()));
            throw e;
        }
    }

    String key(String name) {
        return prefix + name;
    }

    /** The default stream on the front camera and a new stream "yard" on the yard camera, both with copy. */
    long twoStreams() throws IOException {
        api.json("PUT", "/api/streams/default/config", "{\"preset\":\"copy\"}", 200);
        api.json("PUT", "/api/streams/default/config/urls", Json.object().add("rtsp_url", frontCamera.url())
                .add("rtmp_url", rtmp.rtmpUrl(key("front"))).toString(), 200);
        JsonObject created = api.json("POST", "/api/streams", Json.object().add("name", "yard")
                .add("rtsp_url", yardCamera.url()).add("rtmp_url", rtmp.rtmpUrl(key("yard"))).add("preset", "copy")
                .toString(), 201);
        assertTrue(created.getBoolean("success", false), created.toString());
        assertEquals("yard", created.getString("name", ""));
        return created.get("id").asLong();
    }

    JsonObject status(String ref) throws IOException {
        return api.json("GET", "/api/streams/" + ref + "/status", null, 200);
    }

    JsonObject waitForState(String ref, String state) {
        return Waits.waitFor(() -> {
            try {
                JsonObject s = status(ref);
                return state.equals(s.getString("state", "")) ? s : null;
            } catch (IOException e) {
                return null;
            }
        }, LONG, ref + " in state " + state);
    }

    void startBoth() throws IOException {
        api.json("POST", "/api/streams/default/start", "{}", 200);
        api.json("POST", "/api/streams/yard/start", "{}", 200);
        waitForState("default", "running");
        waitForState("yard", "running");
        rtmp.waitForBytesGrowing(key("front"), LONG);
        rtmp.waitForBytesGrowing(key("yard"), LONG);
    }

    List<JsonObject> streamList() throws IOException {
        return StreamSupport.stream(api.json("GET", "/api/streams", null, 200).get("streams").asArray().spliterator(),
                false).map(JsonValue::asObject).toList();
    }

    @Test
    void twoStreamsRunAtOnceToTwoDestinationsEachWithItsOwnStateAndMetrics() throws Exception {
        long yardId = twoStreams();
        assertEquals("stopped", status("yard").getString("state", ""), "a new stream is stopped until started");
        startBoth();

        List<JsonObject> list = streamList();
        assertEquals(List.of("default", "yard"), list.stream().map(o -> o.getString("name", "")).toList());
        assertEquals(yardId, list.get(1).get("id").asLong());
        assertTrue(list.stream().allMatch(o -> "running".equals(o.getString("state", ""))), list.toString());
        assertFalse(list.toString().contains(key("yard")), "the stream key is masked in the list");

        // the seed's routes act on the default stream, /api/streams/{id} on the one named
        JsonObject seed = api.status();
        assertEquals(status("default").get("stream_id"), seed.get("stream_id"));
        assertEquals(yardId, status(Long.toString(yardId)).get("stream_id").asLong());
        long frontPid = seed.get("pid").asLong();
        long yardPid = status("yard").get("pid").asLong();
        assertNotEquals(frontPid, yardPid);
        assertTrue(Processes.info(frontPid).orElseThrow().commandLine().contains(key("front")));
        assertTrue(Processes.info(yardPid).orElseThrow().commandLine().contains(key("yard")));

        String metrics = app.get("/metrics", true).body();
        assertTrue(metrics.contains("streamrelay_stream_state{stream=\"default\",state=\"running\"} 1"), metrics);
        assertTrue(metrics.contains("streamrelay_stream_state{stream=\"yard\",state=\"running\"} 1"), metrics);
        assertTrue(metrics.contains("streamrelay_stream_fps{stream=\"yard\"}"), metrics);
        for (String line : metrics.lines().filter(l -> l.startsWith("streamrelay_stream_")).toList()) {
            assertTrue(line.contains("stream=\"default\"") || line.contains("stream=\"yard\""), line);
        }

        // every dashboard event names its stream; both streams' statuses arrive
        List<JsonObject> events = dashboardEvents(6, Duration.ofSeconds(20));
        Set<Long> seen = new HashSet<>();
        for (JsonObject e : events) {
            assertTrue(e.get("stream_id") != null, "an event without stream_id: " + e);
            if (e.get("stream_id").isNumber()) {
                seen.add(e.get("stream_id").asLong());
            }
        }
        assertTrue(seen.contains(yardId) && seen.contains(seed.get("stream_id").asLong()), "events: " + events);

        // a kill -9 of the yard's ffmpeg: it comes back by itself while the front stream keeps sending
        Processes.sigkill(yardPid);
        rtmp.waitForBytesGrowing(key("front"), LONG);
        Waits.waitUntil(() -> {
            try {
                JsonObject s = status("yard");
                return "running".equals(s.getString("state", "")) && s.get("pid").isNumber()
                        && s.get("pid").asLong() != yardPid;
            } catch (IOException e) {
                return false;
            }
        }, LONG, "a new ffmpeg for yard");
        rtmp.waitForBytesGrowing(key("yard"), LONG);
        assertTrue(status("yard").getInt("restarts", 0) >= 1);
        assertEquals(0, status("default").getInt("restarts", -1), "the front stream was not touched");
        assertEquals(frontPid, status("default").get("pid").asLong());

        // deleting the running yard stream stops its ffmpeg; its logs stay readable
        long newYardPid = status("yard").get("pid").asLong();
        api.json("DELETE", "/api/streams/yard", null, 200);
        Processes.awaitGone(newYardPid, Duration.ofSeconds(15));
        rtmp.waitUntilNotPublishing(key("yard"), LONG);
        assertEquals(List.of("default"), streamList().stream().map(o -> o.getString("name", "")).toList());
        assertEquals(404, api.call("GET", "/api/streams/yard/status", null).statusCode());
        JsonObject logs = api.json("GET", "/api/streams/" + yardId + "/logs?limit=200", null, 200);
        String logText = logs.get("logs").toString();
        assertTrue(logText.contains("stream_deleted") && logText.contains("state_running"), logText);
        assertFalse(logText.contains(key("yard")), "the key is masked in the logs");
        assertEquals(200, api.call("GET", "/api/streams/" + yardId + "/history", null).statusCode());
        assertEquals("running", api.state(), "the default stream runs on");
        assertEquals(frontPid, api.status().get("pid").asLong());
    }

    @Test
    void theSeedsRoutesActOnTheDefaultStreamAndLeaveTheOtherAlone() throws Exception {
        long yardId = twoStreams();
        startBoth();
        long defaultId = api.status().get("stream_id").asLong();
        long yardPid = status("yard").get("pid").asLong();
        JsonObject yardConfig = api.json("GET", "/api/streams/yard/config?reveal=true", null, 200);

        // settings and URLs through the seed's paths land on the default stream's row
        api.json("PUT", "/api/config", "{\"auto_restart\":false}", 200);
        api.setUrls(frontCamera.url(), rtmp.rtmpUrl(key("front2")), false);
        JsonObject defaultConfig = api.revealedConfig();
        assertFalse(defaultConfig.getBoolean("auto_restart", true));
        assertTrue(defaultConfig.getString("rtmp_url", "").endsWith(key("front2")), defaultConfig.toString());
        assertEquals(yardConfig.toString(), api.json("GET", "/api/streams/yard/config?reveal=true", null, 200)
                .toString(), "the other stream's row is untouched");
        List<JsonObject> history = StreamSupport.stream(api.json("GET", "/api/streams/" + defaultId
                + "/history?limit=10", null, 200).get("history").asArray().spliterator(), false)
                .map(JsonValue::asObject).toList();
        assertTrue(history.get(0).getString("new_rtmp_url", "").endsWith(key("front2").substring(key("front2").length() - 4)),
                "the change is in the default stream's history: " + history);

        // stop, start and restart through the seed's paths move the default stream only
        api.stop();
        assertEquals("stopped", api.state());
        rtmp.waitUntilNotPublishing(key("front"), LONG);
        rtmp.waitForBytesGrowing(key("yard"), LONG);
        api.start();
        api.waitForState("running", LONG);
        rtmp.waitForBytesGrowing(key("front2"), LONG);
        long frontPid = api.status().get("pid").asLong();
        api.json("POST", "/api/stream/restart", "{}", 200);
        Waits.waitUntil(() -> {
            try {
                JsonObject s = api.status();
                return "running".equals(s.getString("state", "")) && s.get("pid").isNumber()
                        && s.get("pid").asLong() != frontPid;
            } catch (IOException e) {
                return false;
            }
        }, LONG, "the default stream restarted");
        api.json("POST", "/api/stream/control", "{\"action\":\"stop\"}", 200);
        assertEquals("stopped", api.state());

        JsonObject yard = status("yard");
        assertEquals("running", yard.getString("state", ""));
        assertEquals(yardPid, yard.get("pid").asLong(), "the other stream kept its ffmpeg throughout");
        assertEquals(0, yard.getInt("restarts", -1));
        assertEquals(yardId, yard.get("stream_id").asLong());
        rtmp.waitForBytesGrowing(key("yard"), LONG);

        // the seed's /api/logs and /api/history are the default stream's (with the appliance's own log rows); all=true
        // lists every stream's
        Set<String> seedLogStreams = configIds(api.json("GET", "/api/logs?limit=1000", null, 200), "logs");
        assertTrue(seedLogStreams.contains(String.valueOf(defaultId)), seedLogStreams.toString());
        assertTrue(seedLogStreams.contains("null"), "the appliance's own rows: " + seedLogStreams);
        assertFalse(seedLogStreams.contains(String.valueOf(yardId)), "no row of the other stream: " + seedLogStreams);
        Set<String> allLogStreams = configIds(api.json("GET", "/api/logs?limit=1000&all=true", null, 200), "logs");
        assertTrue(allLogStreams.containsAll(Set.of(String.valueOf(defaultId), String.valueOf(yardId))), allLogStreams.toString());
        assertEquals(Set.of(String.valueOf(defaultId)), configIds(api.json("GET", "/api/history?limit=1000", null, 200), "history"));
        assertEquals(400, api.call("GET", "/api/logs?all=yes", null).statusCode());
    }

    /** The config_id of each row of a logs or history answer, as text ("null" for a row of no stream). */
    private static Set<String> configIds(JsonObject answer, String list) {
        return StreamSupport.stream(answer.get(list).asArray().spliterator(), false)
                .map(v -> v.asObject().get("config_id")).map(v -> v == null ? "absent" : v.toString())
                .collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void badNamesDuplicatesANinthStreamUnknownRefsAndTheDefaultAreRefusedWithNothingChanged() throws Exception {
        String valid = Json.object().add("rtsp_url", frontCamera.url()).add("rtmp_url", rtmp.rtmpUrl(key("x"))).toString();
        for (String name : List.of("", "Yard", "yard cam", "a".repeat(33), "../x", "ü")) {
            JsonObject body = Json.parse(valid).asObject().add("name", name);
            HttpResponse<String> r = api.call("POST", "/api/streams", body.toString());
            assertEquals(400, r.statusCode(), name + " -> " + r.body());
            assertTrue(r.body().contains("\"field\":\"name\""), r.body());
        }
        for (String body : List.of("{\"name\":\"cam\",\"rtsp_url\":\"file:///etc/passwd\",\"rtmp_url\":\"rtmp://127.0.0.1/live/x\"}",
                "{\"name\":\"cam\",\"rtsp_url\":\"rtsp://127.0.0.1/a\"}",
                "{\"name\":\"cam\",\"rtsp_url\":\"rtsp://127.0.0.1/a\",\"rtmp_url\":\"rtmp://127.0.0.1/live/x\",\"preset\":\"nosuch\"}",
                "{\"name\":\"cam\",\"rtsp_url\":\"rtsp://127.0.0.1/a\",\"rtmp_url\":\"rtmp://127.0.0.1/live/x\",\"ffmpeg_params\":\"-i /etc/passwd\"}",
                "not json")) {
            HttpResponse<String> r = api.call("POST", "/api/streams", body);
            assertEquals(400, r.statusCode(), body + " -> " + r.body());
            assertTrue(r.body().contains("\"success\":false"), r.body());
        }
        assertEquals(1, streamList().size(), "nothing was added");

        for (int i = 2; i <= 8; i++) {
            api.json("POST", "/api/streams", Json.parse(valid).asObject().add("name", "cam-" + i).toString(), 201);
        }
        HttpResponse<String> duplicate = api.call("POST", "/api/streams",
                Json.parse(valid).asObject().add("name", "cam-2").toString());
        assertEquals(409, duplicate.statusCode(), duplicate.body());
        HttpResponse<String> ninth = api.call("POST", "/api/streams",
                Json.parse(valid).asObject().add("name", "cam-9").toString());
        assertEquals(409, ninth.statusCode(), ninth.body());
        assertTrue(ninth.body().contains("\"success\":false") && ninth.body().contains("8"), ninth.body());
        assertEquals(8, streamList().size());

        for (String path : List.of("/api/streams/nowhere/status", "/api/streams/99/status", "/api/streams/nowhere/config",
                "/api/streams/nowhere/logs", "/api/streams/nowhere/history", "/api/streams/nowhere/snapshot.jpg")) {
            HttpResponse<String> r = api.call("GET", path, null);
            assertEquals(404, r.statusCode(), path + " -> " + r.body());
            JsonObject error = Json.parse(r.body()).asObject();
            assertFalse(error.getBoolean("success", true));
            assertTrue(error.getString("message", "").contains("nowhere") || error.getString("message", "").contains("99"),
                    r.body());
            assertTrue(error.get("errors").isArray());
        }
        assertEquals(404, api.call("POST", "/api/streams/nowhere/start", "{}").statusCode());
        assertEquals(404, api.call("DELETE", "/api/streams/nowhere", null).statusCode());
        assertEquals(409, api.call("DELETE", "/api/streams/default", null).statusCode());
        long defaultId = api.status().get("stream_id").asLong();
        assertEquals(409, api.call("DELETE", "/api/streams/" + defaultId, null).statusCode());
        assertEquals(8, streamList().size());

        // a setting through /api/streams/{ref}/config changes that stream only
        api.json("PUT", "/api/streams/cam-3/config", "{\"auto_restart\":false}", 200);
        assertFalse(api.json("GET", "/api/streams/cam-3/config", null, 200).getBoolean("auto_restart", true));
        assertTrue(api.json("GET", "/api/config", null, 200).getBoolean("auto_restart", false));
        // and after a delete there is room again
        api.json("DELETE", "/api/streams/cam-8", null, 200);
        api.json("POST", "/api/streams", Json.parse(valid).asObject().add("name", "cam-9").toString(), 201);
    }

    @Test
    void anSseUpdateNamingAStreamMovesOnlyThatOneAndAnUnknownStreamIsRejected() throws Exception {
        twoStreams();
        startBoth();
        api.waitForSseState("connected", LONG);
        nchan.waitForSubscribers(channel, 1, LONG);
        long frontPid = api.status().get("pid").asLong();
        long yardPid = status("yard").get("pid").asLong();

        nchan.publish(channel, "url_update", Json.object().add("stream", "yard")
                .add("rtmp_url", rtmp.rtmpUrl(key("yard2"))).add("restart_required", true).toString());
        rtmp.waitForBytesGrowing(key("yard2"), LONG);
        rtmp.waitUntilNotPublishing(key("yard"), LONG);
        Processes.awaitGone(yardPid, Duration.ofSeconds(15));
        assertEquals(frontPid, api.status().get("pid").asLong(), "the default stream kept its ffmpeg");
        assertEquals(0, api.status().getInt("restarts", -1));
        assertTrue(api.json("GET", "/api/streams/yard/config?reveal=true", null, 200).getString("rtmp_url", "")
                .endsWith(key("yard2")));

        nchan.publish(channel, "url_update", Json.object().add("stream", "nowhere")
                .add("rtmp_url", rtmp.rtmpUrl(key("lost"))).toString());
        JsonObject rejected = Waits.waitFor(() -> {
            try {
                return api.sseEvents(5).stream().filter(e -> "rejected".equals(e.getString("outcome", ""))).findFirst()
                        .orElse(null);
            } catch (IOException e) {
                return null;
            }
        }, LONG, "the event for an unknown stream, stored and rejected");
        assertTrue(rejected.getString("outcome_reason", "").contains("nowhere"), rejected.toString());
        assertTrue(rejected.getBoolean("processed", false));
        assertFalse(streamList().toString().contains("lost"));
        assertEquals(frontPid, api.status().get("pid").asLong());
    }

    @Test
    void aKilledApplianceWithTwoStreamsLeavesNoFfmpegAndEachResumesByItsDesiredState() throws Exception {
        twoStreams();
        api.json("POST", "/api/streams", Json.object().add("name", "idle").add("rtsp_url", frontCamera.url())
                .add("rtmp_url", rtmp.rtmpUrl(key("idle"))).toString(), 201);
        startBoth();
        long frontPid = api.status().get("pid").asLong();
        long yardPid = status("yard").get("pid").asLong();

        app.kill();
        assertTrue(Processes.isAlive(frontPid) && Processes.isAlive(yardPid), "ffmpeg outlives a SIGKILLed parent");
        app = new ApplianceProcess(app.data(), TestPorts.freePort()).start(null);
        api = new ApiClient(app);
        // each orphan is ended by the new appliance (or has ended itself on its broken progress pipe)
        Processes.awaitGone(frontPid, Duration.ofSeconds(20));
        Processes.awaitGone(yardPid, Duration.ofSeconds(20));
        waitForState("default", "running");
        waitForState("yard", "running");
        rtmp.waitForBytesGrowing(key("front"), LONG);
        rtmp.waitForBytesGrowing(key("yard"), LONG);
        assertEquals("stopped", status("idle").getString("state", ""), "a stream meant to be stopped stays stopped");
        assertEquals(1, Processes.findByArgument("ffmpeg", key("front")).size(), "one ffmpeg for the front stream");
        assertEquals(1, Processes.findByArgument("ffmpeg", key("yard")).size(), "one ffmpeg for the yard stream");
        assertTrue(Processes.findByArgument("ffmpeg", key("idle")).isEmpty());

        // an orderly stop clears every child-process record and prints no shutdown error
        assertEquals(0, app.terminate(Duration.ofSeconds(10)));
        String out = app.log();
        assertFalse(out.contains("RejectedExecutionException") || out.contains("database connection closed"), out);
        assertTrue(Processes.findByArgument("ffmpeg", prefix).isEmpty());
        assertEquals(0, new ApplianceDb(app.data()).count("SELECT count(*) FROM child_processes"),
                "no child-process record left after SIGTERM");
    }

    /** Reads {@code count} events from GET /api/events and returns their data objects. */
    List<JsonObject> dashboardEvents(int count, Duration within) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(app.uri("/api/events")).header("Authorization", "Basic "
                + Base64.getEncoder().encodeToString(("admin:" + ApplianceProcess.PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .timeout(within).build();
        HttpResponse<InputStream> r = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        List<JsonObject> out = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while (out.size() < count && System.nanoTime() < deadline && (line = in.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    out.add(Json.parse(line.substring(6)).asObject());
                }
            }
        }
        return out;
    }
}
