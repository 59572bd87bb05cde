package stream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import stream.it.harness.Processes;
import stream.it.harness.Resources;
import stream.it.harness.RtmpServer;
import stream.it.harness.RtspCamera;
import stream.it.harness.TestPorts;
import stream.it.harness.Waits;

/**
 * SIGTERM to the jlinked appliance while its streams are busy (issue 14: "stopping is orderly"): it exits 0 within the
 * contract's 10 s, every ffmpeg it started (relays and their snapshot readers) is gone when it has exited, no
 * child-process record is left, the database took the last log row, and nothing it printed is an exception, a stack
 * trace or a complaint about a closed database. Real parts: two GStreamer cameras, nginx-rtmp, the image.
 */
class OrderlyStopTest {
    static final Duration LONG = Duration.ofSeconds(90);
    /** What an orderly stop never prints: an exception's name or a stack frame, a write to the closed database. */
    static final Pattern NOT_ORDERLY = Pattern.compile(
            "Exception|Error:|\\n\\s+at [\\w.$]+\\(|connection closed|SQLITE_|Throwable|SEVERE");

    static RtspCamera frontCamera;
    static RtspCamera yardCamera;
    static RtmpServer rtmp;

    @TempDir
    Path tmp;
    ApplianceProcess app;
    ApiClient api;
    String prefix;

    @BeforeAll
    static void servers() {
        frontCamera = RtspCamera.builder().port(TestPorts.freePort()).path("/front").start();
        yardCamera = RtspCamera.builder().port(TestPorts.freePort()).path("/yard").audio(RtspCamera.Audio.AAC).start();
        rtmp = new RtmpServer().start();
    }

    @AfterAll
    static void stopServers() {
        Resources.closeAll(frontCamera, yardCamera, rtmp);
    }

    @BeforeEach
    void appliance() throws IOException {
        prefix = "os" + Long.toString(System.nanoTime(), 36);
        app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort()).start(null);
        api = new ApiClient(app);
    }

    @AfterEach
    void close() throws Exception {
        if (app != null) {
            app.close();
        }
        // whatever a failed test left is ended here, so that it cannot disturb the next one
        Processes.findByArgument("ffmpeg", prefix).forEach(p -> Processes.sigkill(p.pid()));
    }

    String key(String name) {
        return prefix + name;
    }

    /**
     * The default stream on the front camera, "yard" on the yard camera (AAC audio), both with copy, and "gone" on a
     * camera port where nothing listens: on the plain relay its ffmpeg keeps failing and waits out a backoff between
     * tries; with the kept session (the default) it shows the slate while its camera is retried.
     */
    void threeStreams() throws IOException {
        threeStreams(true);
    }

    void threeStreams(boolean keepSession) throws IOException {
        api.json("PUT", "/api/streams/default/config", "{\"preset\":\"copy\"}", 200);
        api.json("PUT", "/api/streams/default/config/urls", Json.object().add("rtsp_url", frontCamera.url())
                .add("rtmp_url", rtmp.rtmpUrl(key("front"))).toString(), 200);
        api.json("POST", "/api/streams", Json.object().add("name", "yard").add("rtsp_url", yardCamera.url())
                .add("rtmp_url", rtmp.rtmpUrl(key("yard"))).add("preset", "copy").toString(), 201);
        api.json("POST", "/api/streams", Json.object().add("name", "gone")
                .add("rtsp_url", "rtsp://127.0.0.1:" + TestPorts.freePort() + "/nothing")
                .add("rtmp_url", rtmp.rtmpUrl(key("gone"))).add("preset", "copy").toString(), 201);
        for (String s : List.of("default", "yard", "gone")) {
            if (!keepSession) {
                api.json("PUT", "/api/streams/" + s + "/config", "{\"keep_session\":false}", 200);
            }
            api.json("POST", "/api/streams/" + s + "/start", "{}", 200);
        }
    }

    String state(String stream) {
        try {
            return api.json("GET", "/api/streams/" + stream + "/status", null, 200).getString("state", "");
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void sigtermWhileTwoStreamsRunAndOneWaitsOutABackoffEndsEveryFfmpegCleanly() throws Exception {
        threeStreams(false); // the plain relay's backoff and its one record per relay are what this looks at
        Waits.waitUntil(() -> state("default").equals("running"), LONG, "default running");
        Waits.waitUntil(() -> state("yard").equals("running"), LONG, "yard running");
        rtmp.waitForBytesGrowing(key("front"), LONG);
        rtmp.waitForBytesGrowing(key("yard"), LONG);
        // the third has failed at least once and is between tries
        Waits.waitUntil(() -> state("gone").equals("restarting"), LONG, "gone waiting out a backoff");
        assertEquals(2, new ApplianceDb(app.data()).count("SELECT count(*) FROM child_processes"),
                "a record per running relay while they run");

        assertStopsInOrder();
        rtmp.waitUntilNotPublishing(key("front"), LONG);
        rtmp.waitUntilNotPublishing(key("yard"), LONG);
    }

    @Test
    void sigtermWhileStreamsAreStillStartingEndsEveryFfmpegCleanly() throws Exception {
        threeStreams();
        // no waiting for "running": ffmpeg is spawned, probing or connecting when the signal arrives
        Waits.waitUntil(() -> !ffmpegOfTheAppliance().isEmpty(), LONG, "an ffmpeg started by the appliance");
        assertStopsInOrder();
    }

    @Test
    void sigtermRightAfterAStreamWasDeletedAndAnotherRestartedIsOrderlyToo() throws Exception {
        threeStreams();
        Waits.waitUntil(() -> state("yard").equals("running"), LONG, "yard running");
        api.json("DELETE", "/api/streams/yard", null, 200);
        api.json("POST", "/api/streams/default/restart", "{}", 200);
        // a restarted kept session starts its camera's ingest first and its publisher at the first picture: the
        // signal goes as soon as an ffmpeg of the appliance runs again, not at an instant when none happens to
        Waits.waitUntil(() -> !ffmpegOfTheAppliance().isEmpty(), LONG, "an ffmpeg of the appliance after the restart");
        assertStopsInOrder();
        // the deleted stream's rows stay readable in the database the stop closed
        assertTrue(new ApplianceDb(app.data()).count("SELECT count(*) FROM stream_logs WHERE event_type = 'stream_deleted'")
                >= 1);
    }

    @Test
    void sigtermWhileANewCameraIsBeingProbedIsOrderlyAndWithinTenSeconds() throws Exception {
        // the plain relay probes a new camera before it switches (a kept session connects it while the old stays on)
        api.json("PUT", "/api/config", "{\"preset\":\"copy\",\"keep_session\":false}", 200);
        api.setUrls(frontCamera.url(), rtmp.rtmpUrl(key("front")), false);
        api.start();
        api.waitForState("running", LONG);
        rtmp.waitForBytesGrowing(key("front"), LONG);
        // the new camera accepts the connection and says nothing: its probe would wait seconds for an answer
        yardCamera.freeze();
        try {
            api.setUrls(yardCamera.url(), rtmp.rtmpUrl(key("front")), true);
            Waits.waitUntil(() -> !Processes.findByArgument("ffprobe", yardCamera.url()).isEmpty(), LONG,
                    "the probe of the new camera");
            assertStopsInOrder();
            assertTrue(Processes.findByArgument("ffprobe", yardCamera.url()).isEmpty(), "the probe ended too");
        } finally {
            yardCamera.thaw();
        }
    }

    /** The ffmpeg and ffprobe processes whose parent is the appliance: relays, snapshot readers and probes alike. */
    List<Processes.ProcessInfo> ffmpegOfTheAppliance() {
        long parent = app.pid();
        return Processes.find(p -> p.parentPid() == parent
                && (p.executableName().equals("ffmpeg") || p.executableName().equals("ffprobe")));
    }

    /** SIGTERM, then everything an orderly stop promises, checked on the image's output and its database. */
    void assertStopsInOrder() throws Exception {
        List<Processes.ProcessInfo> children = ffmpegOfTheAppliance();
        assertFalse(children.isEmpty(), "the appliance runs ffmpeg when the signal is sent");

        long t0 = System.nanoTime();
        int status = app.terminate(Duration.ofSeconds(10));
        long stopMillis = (System.nanoTime() - t0) / 1_000_000;
        String out = app.log();
        assertEquals(0, status, "exit status after SIGTERM; output:\n" + out);
        assertTrue(out.contains("streamrelay listening on"), "the appliance's own output is read here:\n" + out);
        assertFalse(NOT_ORDERLY.matcher(out).find(), "the stop printed an error:\n" + out);
        System.out.println("orderly stop of " + children.size() + " ffmpeg processes took " + stopMillis + " ms");

        // the appliance waited for its children: none outlives it, not even for a moment
        for (Processes.ProcessInfo child : children) {
            assertFalse(Processes.isAlive(child.pid()), "ffmpeg " + child.pid() + " outlived the appliance: " + child);
        }
        assertTrue(Processes.findByArgument("ffmpeg", prefix).isEmpty(), "an ffmpeg of this test still runs");

        ApplianceDb db = new ApplianceDb(app.data());
        assertEquals(0, db.count("SELECT count(*) FROM child_processes"), "no child-process record after SIGTERM");
        JsonObject last = db.query("SELECT event_type FROM stream_logs ORDER BY id DESC LIMIT 1").get(0);
        assertEquals("appliance_stop", last.getString("event_type", ""),
                "the stop's last log row was written before the database closed");
    }
}
