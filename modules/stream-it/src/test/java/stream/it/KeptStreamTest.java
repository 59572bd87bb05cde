package stream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import stream.it.harness.NchanServer;
import stream.it.harness.Processes;
import stream.it.harness.RtmpServer;
import stream.it.harness.RtmpStreamStats;
import stream.it.harness.RtspCamera;
import stream.it.harness.TestPorts;
import stream.it.harness.Waits;

/**
 * Issue 17 end to end: the jlinked appliance with keep_session on (the contract's default), driven through its REST
 * API and its SSE control channel, GStreamer cameras, nginx-rtmp as the destination and a viewer pulling the
 * destination from it. Across camera switches, outages, a freeze and killed ingests, the destination must see one
 * RTMP session (the publisher's client id at nginx never changes) whose pictures keep arriving with timestamps that
 * run on.
 */
class KeptStreamTest {
    static final Duration LONG = Duration.ofSeconds(90);
    /** Longest wall-clock pause between two pictures the viewer may see. */
    static final long MAX_ARRIVAL_GAP_NANOS = Duration.ofSeconds(1).toNanos();
    /** Largest step between two pictures' timestamps (0.5 s at 90 kHz). */
    static final long MAX_TIMESTAMP_STEP = 45_000;

    static RtspCamera withAudio;
    static RtspCamera silent;
    static RtspCamera guarded;
    static RtmpServer rtmp;
    static NchanServer nchan;

    @TempDir
    Path tmp;
    ApplianceProcess app;
    ApiClient api;
    String key;
    String channel;
    final List<AutoCloseable> toClose = new ArrayList<>();
    /** Everything the status said while a test watched it (state, source). */
    final Set<String> statesSeen = ConcurrentHashMap.newKeySet();
    volatile boolean watching;
    final java.util.Queue<String> publisherWaits = new java.util.concurrent.ConcurrentLinkedQueue<>();

    @BeforeAll
    static void servers() {
        withAudio = RtspCamera.builder().port(TestPorts.freePort()).path("/cam1").audio(RtspCamera.Audio.AAC).start();
        silent = RtspCamera.builder().port(TestPorts.freePort()).path("/cam2").size(320, 240)
                .audio(RtspCamera.Audio.NONE).start();
        guarded = RtspCamera.builder().port(TestPorts.freePort()).path("/cam3").auth("viewer", "s3cr@t:pw")
                .audio(RtspCamera.Audio.AAC).start();
        rtmp = new RtmpServer().start();
        nchan = new NchanServer().start();
    }

    @AfterAll
    static void stopServers() {
        for (AutoCloseable c : new AutoCloseable[] {withAudio, silent, guarded, rtmp, nchan}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.out.println("closing " + c + ": " + e);
            }
        }
    }

    @BeforeEach
    void fresh() {
        for (RtspCamera cam : List.of(withAudio, silent, guarded)) {
            if (cam.isFrozen()) {
                cam.thaw();
            }
            if (!cam.isRunning()) {
                cam.restart();
            }
        }
        if (!rtmp.isRunning()) {
            rtmp.restart();
        }
        String unique = Long.toString(System.nanoTime(), 36);
        key = "kept" + unique;
        channel = "kept-" + unique;
    }

    @AfterEach
    void close() throws Exception {
        watching = false;
        System.out.println("publisher waits (newest last): " + publisherWaits);
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        if (app != null) {
            try {
                System.out.println("logs: " + api.logMessages(40));
            } catch (Exception e) {
                // the appliance may be gone already
            }
            app.close();
        }
        try {
            Processes.awaitNoneMatching("ffmpeg", key, Duration.ofSeconds(20));
        } catch (AssertionError e) {
            Processes.findByArgument("ffmpeg", key).forEach(p -> Processes.sigkill(p.pid()));
            throw e;
        }
    }

    void startAppliance(String... extraArgs) throws IOException {
        app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort()).start(null, extraArgs);
        api = new ApiClient(app);
        api.preset("copy");
    }

    /** Starts streaming from {@code camera} with keep_session as the contract's default has it, and a viewer. */
    RtmpViewer startStreaming(String cameraUrl) throws Exception {
        assertTrue(api.json("GET", "/api/config", null, 200).getBoolean("keep_session", false),
                "keep_session is on by default (contract §8)");
        api.setUrls(cameraUrl, rtmp.rtmpUrl(key), false);
        api.start();
        api.waitForState("running", LONG);
        RtmpStreamStats atRunning = rtmp.stream(key).orElse(null); // read right when the status says running
        assertTrue(atRunning != null && atRunning.publishing() && atRunning.hasVideo(),
                "running said before the destination had media: " + atRunning);
        // on a loaded machine the camera may take longer than the first-picture timeout: the slate comes first then
        Waits.waitUntil(() -> "camera".equals(source()), LONG, "the camera on air");
        rtmp.waitForPublishing(key, LONG);
        RtmpViewer v = new RtmpViewer(rtmp.rtmpUrl(key));
        toClose.add(v);
        Waits.waitUntil(() -> v.videoFrames() >= 25 || !v.isAlive(), LONG, "viewer receiving 25 pictures");
        assertTrue(v.isAlive(), "viewer ended: " + v.log());
        watchStatus();
        return v;
    }

    /** Records every state and source the status shows, twice a second, until the test ends. */
    void watchStatus() {
        watching = true;
        Thread t = new Thread(() -> {
            while (watching) {
                try {
                    JsonObject s = api.status();
                    statesSeen.add(s.getString("state", "?") + "/" + (s.get("source").isNull() ? "-"
                            : s.getString("source", "?")));
                    if (s.get("pid").isNumber()) {
                        // where the publisher waits (pipe_read: for media from the appliance; a socket wait: for
                        // the destination), kept to tell a stall's side if a switch times out
                        publisherWaits.add(Instant.now() + " " + wchan(s.getLong("pid", -1)) + " "
                                + s.get("source"));
                        while (publisherWaits.size() > 40) {
                            publisherWaits.poll();
                        }
                    }
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // the appliance is being restarted
                }
            }
        }, "status-watch");
        t.setDaemon(true);
        t.start();
    }

    long publisherClientId() {
        return rtmp.stats().publisherClientId(key).orElseThrow(() -> new AssertionError("nobody publishes " + key));
    }

    JsonObject session() throws IOException {
        JsonObject s = api.status().get("session").asObject();
        return s;
    }

    String source() {
        try {
            JsonObject s = api.status();
            return s.get("source").isNull() ? null : s.getString("source", null);
        } catch (IOException e) {
            return null;
        }
    }

    long switches() {
        try {
            return session().getLong("switches", -1);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static void awaitMorePictures(RtmpViewer v, long count) {
        long from = v.videoFrames();
        Waits.waitUntil(() -> v.videoFrames() >= from + count || !v.isAlive(), LONG,
                "viewer receiving " + count + " more pictures");
        assertTrue(v.isAlive(), "viewer session ended: " + v.log());
    }

    /**
     * From the viewer's {@code skip}th picture on (its first ones come in a burst from nginx's cache): no pause over
     * 1 s between arrivals, DTS always increasing, never by more than 0.5 s; audio present throughout and running on.
     */
    static void assertContinuous(RtmpViewer v, int skip) {
        List<RtmpViewer.Arrival> video = v.video();
        long maxGap = 0;
        long maxStep = 0;
        for (int i = skip + 1; i < video.size(); i++) {
            RtmpViewer.Arrival a = video.get(i - 1);
            RtmpViewer.Arrival b = video.get(i);
            maxGap = Math.max(maxGap, b.nanos() - a.nanos());
            long step = b.dts() - a.dts();
            assertTrue(step > 0, "DTS not increasing at picture " + i + ": " + a + " then " + b);
            maxStep = Math.max(maxStep, step);
        }
        List<RtmpViewer.Arrival> audio = v.audio();
        long maxAudioStep = 0;
        for (int i = 1; i < audio.size(); i++) {
            long step = audio.get(i).pts() - audio.get(i - 1).pts();
            assertTrue(step > 0, "audio PTS not increasing at frame " + i);
            maxAudioStep = Math.max(maxAudioStep, step);
        }
        System.out.printf("viewer: %d pictures, %d audio frames, longest arrival gap %d ms, largest DTS step %d ms,"
                        + " largest audio step %d ms%n", video.size(), audio.size(), maxGap / 1_000_000,
                maxStep / 90, maxAudioStep / 90);
        assertTrue(maxGap <= MAX_ARRIVAL_GAP_NANOS, "pictures paused " + maxGap / 1_000_000 + " ms at the viewer");
        assertTrue(maxStep <= MAX_TIMESTAMP_STEP, "timestamps jumped " + maxStep / 90 + " ms");
        assertTrue(audio.size() > video.size(), "audio track missing or sparse: " + audio.size() + " frames");
        assertTrue(maxAudioStep <= MAX_TIMESTAMP_STEP, "audio timestamps jumped " + maxAudioStep / 90 + " ms");
    }

    static String urlUpdate(String rtsp) {
        return Json.object().add("rtsp_url", rtsp).add("timestamp", Instant.now().toString())
                .add("restart_required", true).toString();
    }

    // ------------------------------------------------------------------------------------------------------------

    @Test
    void switchesByApiToACameraWithoutAudioAndBySseToOneBehindAPasswordOnOneSession() throws Exception {
        startAppliance("--sse-url", nchan.subscribeUrl(channel));
        RtmpViewer v = startStreaming(withAudio.url());
        SequenceHeaderWatch headers = new SequenceHeaderWatch(rtmp.rtmpUrl(key));
        toClose.add(headers);
        Waits.waitUntil(() -> headers.pictures() > 0 || !headers.isAlive(), LONG, "ffprobe reading the destination");
        long headersBefore = headers.newHeaders();
        long client = publisherClientId();
        long publisherPid = api.status().getLong("pid", -1);
        assertEquals("camera", source());
        awaitMorePictures(v, 50);

        // 1. by the API: a camera without audio, of another size
        api.setUrls(silent.url(), rtmp.rtmpUrl(key), true);
        Waits.waitUntil(() -> switches() == 1 && "camera".equals(source()), LONG, "the switch to the silent camera");
        awaitMorePictures(v, 75);
        // copy: the cut to 320x240 reached the destination with a fresh AVC sequence header, not in-band SPS only
        Waits.waitUntil(() -> headers.newHeaders() > headersBefore || !headers.isAlive(), LONG,
                "a fresh sequence header at the destination");
        assertTrue(headers.isAlive(), "ffprobe's session at the destination ended");

        // 2. by SSE: a camera behind a password
        api.waitForSseState("connected", LONG);
        nchan.waitForSubscribers(channel, 1, LONG);
        nchan.publish(channel, "url_update", urlUpdate(guarded.url()));
        Waits.waitUntil(() -> switches() == 2 && "camera".equals(source()), LONG, "the switch to the guarded camera");
        awaitMorePictures(v, 75);

        JsonObject status = api.status();
        assertEquals("running", status.getString("state", ""), status.toString());
        assertEquals(publisherPid, status.getLong("pid", -2), "the publisher ffmpeg was never replaced");
        assertEquals(0, status.getLong("restarts", -1), status.toString());
        assertEquals(client, publisherClientId(), "the publisher's RTMP connection at nginx changed");
        assertTrue(v.isAlive(), "viewer session ended: " + v.log());
        assertContinuous(v, 25);
        List<String> sizes = v.sizes();
        assertEquals(List.of("640x360", "320x240", "640x360"), sizes.subList(Math.max(0, sizes.size() - 3), sizes.size()),
                "picture sizes at the viewer: " + sizes);
        assertFalse(statesSeen.stream().anyMatch(s -> !s.startsWith("running/")), "states seen: " + statesSeen);

        String logs = String.join("\n", api.logMessages(60));
        // normally "Switched from camera ... to ..."; on a machine so loaded that the first camera stalls meanwhile,
        // the second one comes in after a moment of slate: either way at its first keyframe
        assertTrue(logs.contains("Switched from camera " + withAudio.url() + " to " + silent.url())
                || logs.contains("Camera " + silent.url() + " is back on air"), logs);
        assertTrue(logs.contains("rtsp://viewer:***@127.0.0.1:" + guarded.port() + "/cam3"), logs);
        assertFalse(logs.contains("s3cr") || app.get("/api/stream/status", true).body().contains("s3cr"),
                "the camera's password leaked");
        assertTrue(status.getString("warning", "").contains("resolution"), "the copy preset warns of the size change: "
                + status);

        String metrics = app.get("/metrics", true).body();
        assertTrue(metrics.contains("streamrelay_stream_session_switches_total{stream=\"default\"} 2"), metrics);
        assertTrue(metrics.contains("streamrelay_stream_source{stream=\"default\",source=\"camera\"} 1"), metrics);

        // a stop closes the session: nothing of it is left
        v.close();
        api.stop();
        rtmp.waitUntilNotPublishing(key, LONG);
        Processes.awaitNoneMatching("ffmpeg", key, Duration.ofSeconds(20));
        for (RtspCamera cam : List.of(withAudio, silent, guarded)) {
            Processes.awaitNoneMatching("ffmpeg", "127.0.0.1:" + cam.port() + "/", Duration.ofSeconds(20));
        }
    }

    @Test
    void aCameraGoneForEightSecondsAndOneFrozenGoToTheSlateAndComeBack() throws Exception {
        RtspCamera cam = RtspCamera.builder().port(TestPorts.freePort()).path("/yard").audio(RtspCamera.Audio.AAC)
                .start();
        toClose.add(cam);
        startAppliance();
        RtmpViewer v = startStreaming(cam.url());
        long client = publisherClientId();
        awaitMorePictures(v, 50);

        // gone for 8 s
        long stoppedAt = System.nanoTime();
        cam.stop();
        Waits.waitUntil(() -> "slate".equals(source()), LONG, "the slate on air");
        long slateAfterMs = (System.nanoTime() - stoppedAt) / 1_000_000;
        Waits.waitUntil(() -> System.nanoTime() - stoppedAt >= Duration.ofSeconds(8).toNanos(), LONG, "8 s of outage");
        assertEquals("running", api.state(), "the stream stays running on the slate");
        cam.start();
        Waits.waitUntil(() -> "camera".equals(source()), LONG, "the camera back on air");
        awaitMorePictures(v, 50);
        double slateSeconds = session().getDouble("slate_s", -1);
        System.out.printf("slate on air %d ms after the camera stopped (status polled every 150 ms); %.1f s of slate%n",
                slateAfterMs, slateSeconds);
        assertTrue(slateAfterMs < 2_500, "slate after " + slateAfterMs + " ms");
        assertTrue(slateSeconds >= 6, "slate seconds " + slateSeconds);

        // frozen (SIGSTOP) and thawed
        cam.freeze();
        Waits.waitUntil(() -> "slate".equals(source()), LONG, "the slate on air for the frozen camera");
        awaitMorePictures(v, 100); // four seconds of slate at the viewer
        cam.thaw();
        Waits.waitUntil(() -> "camera".equals(source()), LONG, "the thawed camera back on air");
        awaitMorePictures(v, 50);

        assertEquals(client, publisherClientId(), "the publisher's RTMP connection at nginx changed");
        assertTrue(v.isAlive(), "viewer session ended: " + v.log());
        assertContinuous(v, 25);
        JsonObject status = api.status();
        assertEquals(0, status.getLong("restarts", -1), status.toString());
        assertEquals(0, session().getLong("switches", -1), "an outage is not a switch of camera");
        assertTrue(statesSeen.contains("running/slate") && statesSeen.contains("running/camera"), statesSeen.toString());
        assertFalse(statesSeen.stream().anyMatch(s -> !s.startsWith("running/")), "states seen: " + statesSeen);
        List<String> logs = api.logMessages(60);
        assertTrue(logs.stream().filter(l -> l.contains("the slate goes on air")).count() >= 2, logs.toString());
        assertTrue(logs.stream().filter(l -> l.contains("is back on air at its first keyframe after")).count() >= 2,
                logs.toString());
        String metrics = app.get("/metrics", true).body();
        assertTrue(metrics.contains("streamrelay_stream_session_slate_seconds_total{stream=\"default\"}"), metrics);
    }

    @Test
    void killedIngestGoesToTheSlateAndBackAndAKilledPublisherIsStartedAgainOnTheSameSession() throws Exception {
        startAppliance();
        RtmpViewer v = startStreaming(withAudio.url());
        long client = publisherClientId();
        awaitMorePictures(v, 50);

        long ingest = ingestPid(withAudio);
        String ingestRole = ingestRole(ingest);
        Processes.sigkill(ingest);
        Waits.waitUntil(() -> "slate".equals(source()), LONG, "the slate after the ingest was killed");
        Waits.waitUntil(() -> "camera".equals(source()) && ingestPidOrNone(withAudio) > 0
                && ingestPidOrNone(withAudio) != ingest, LONG, "a new ingest on air");
        awaitMorePictures(v, 50);
        assertEquals(client, publisherClientId(), "the publisher's RTMP connection at nginx changed");
        assertContinuous(v, 25);
        Processes.awaitGone(ingest, Duration.ofSeconds(20));
        // the ingest's keeper started the new one: same role, recorded while it runs; the killed one's record is gone
        long restarted = ingestPid(withAudio);
        assertEquals(ingestRole, ingestRole(restarted), "the new ingest is the same keeper's");
        Waits.waitUntil(() -> childRecords().stream().noneMatch(r -> r.getLong("pid", -1) == ingest), LONG,
                "the killed ingest's child record removed");
        String failed = "camera " + withAudio.url() + " failed ("; // the log's sentences begin with a capital
        assertTrue(api.logMessages(30).stream().anyMatch(l -> l.toLowerCase(Locale.ROOT).contains(failed)
                && l.contains("next try in")), "the keeper's restart told: " + api.logMessages(30));

        // The publisher killed: its keeper starts it again on the same kept session. The destination gets a new
        // RTMP session (unavoidable), the camera's ingest is not restarted, and the stream says running only once
        // the new publisher writes to the destination.
        long cameraIngest = ingestPid(withAudio);
        long publisher = api.status().getLong("pid", -1);
        Processes.sigkill(publisher);
        Waits.waitUntil(() -> {
            try {
                return !"running".equals(api.status().getString("state", ""));
            } catch (IOException e) {
                return false;
            }
        }, LONG, "the stream no longer running once its publisher died");
        RtmpStreamStats atRunning = Waits.waitFor(() -> {
            try {
                JsonObject s = api.status();
                if (!"running".equals(s.getString("state", "")) || !s.get("pid").isNumber()
                        || s.getLong("pid", -1) == publisher) {
                    return null;
                }
                // read the destination right when the status first says running again
                return rtmp.stream(key).orElseGet(() -> new RtmpStreamStats("live", key, false, false, 0, 0, 0, 0, 0,
                        null, null));
            } catch (IOException e) {
                return null;
            }
        }, LONG, "the new publisher running");
        assertTrue(atRunning.publishing() && atRunning.hasVideo() && atRunning.bytesIn() > 0,
                "running said before the destination had media: " + atRunning);
        assertNotEquals(client, publisherClientId(), "a new RTMP session after the publisher died");
        JsonObject again = api.status();
        assertTrue(again.getLong("restarts", 0) >= 1, again.toString());
        assertEquals(cameraIngest, ingestPidOrNone(withAudio), "the camera's ingest was restarted with the publisher");
        assertTrue(Processes.info(cameraIngest).isPresent(), "the camera's ingest is gone");
        assertTrue(api.logMessages(30).stream().noneMatch(l -> l.contains("A new session to the destination opens")),
                "a whole new session was opened: " + api.logMessages(30));
        rtmp.waitForBytesGrowing(key, LONG);
        Waits.waitUntil(() -> publishers().size() == 1, LONG, "one publisher for the destination");
        RtmpViewer after = new RtmpViewer(rtmp.rtmpUrl(key));
        toClose.add(after);
        Waits.waitUntil(() -> after.videoFrames() >= 50 || !after.isAlive(), LONG, "a new viewer receiving pictures");
        assertTrue(after.isAlive(), "viewer of the new RTMP session ended: " + after.log());
        assertEquals(cameraIngest, ingestPidOrNone(withAudio), "the camera's ingest stayed");

        // The camera gone for good: the slate stays on air while the ingest's keeper tries the camera again and
        // again, waiting longer each time (its backoff: 1 s, 2 s, 4 s, each +-20 %; the first try may be the second
        // step when the ingest on air had not run healthy for 10 s).
        // the test's whole log is well under 200 entries: the same list before and after, newest first
        long failuresBefore = api.logMessages(200).stream()
                .filter(l -> l.toLowerCase(Locale.ROOT).contains(failed) && l.contains("next try in ")).count();
        withAudio.stop();
        Waits.waitUntil(() -> "slate".equals(source()), LONG, "the slate after the camera went away");
        List<Long> delays = Waits.waitFor(() -> {
            try {
                String src = source(); // null: the status did not answer this once
                assertTrue(src == null || "slate".equals(src), "the slate stays on air while the camera is gone: " + src);
                List<Long> d = new ArrayList<>();
                for (String l : api.logMessages(200)) {
                    if (l.toLowerCase(Locale.ROOT).contains(failed) && l.contains("next try in ")) {
                        d.add(0, Long.parseLong(l.replaceAll(".*next try in (\\d+) ms.*", "$1")));
                    }
                }
                int from = (int) failuresBefore;
                return d.size() >= from + 3 ? List.copyOf(d.subList(from, from + 3)) : null;
            } catch (IOException e) {
                return null;
            }
        }, LONG, "three failed tries of the gone camera");
        System.out.println("retry delays of the gone camera (ms): " + delays);
        for (int i = 1; i < delays.size(); i++) {
            assertTrue(delays.get(i) > delays.get(i - 1), "the delays grow: " + delays);
        }
        assertTrue(delays.get(2) >= 3_000, "the delays double: " + delays);
        assertEquals("running", api.state(), "the stream stays running on the slate");
        withAudio.start();
        Waits.waitUntil(() -> "camera".equals(source()), LONG, "the camera back on air");
        assertTrue(ingestRole(ingestPid(withAudio)).startsWith("session-ingest-"));
    }

    /** The stream's child_processes rows (role, pid). */
    List<JsonObject> childRecords() {
        return new ApplianceDb(app.data()).query("SELECT role, pid FROM child_processes");
    }

    /** The child record role of a running ingest: its keeper's, {@code session-ingest-...}. */
    String ingestRole(long pid) {
        JsonObject row = Waits.waitFor(() -> childRecords().stream().filter(r -> r.getLong("pid", -1) == pid)
                .findFirst().orElse(null), LONG, "the child record of ingest " + pid);
        String role = row.getString("role", "");
        assertTrue(role.startsWith("session-ingest-"), "an ingest kept by its keeper: " + row);
        return role;
    }

    @Test
    void aRestartRequestStartsAPublisherThatWaitsOutItsBackoffAtOnce() throws Exception {
        startAppliance();
        startStreaming(withAudio.url());
        long ingest = ingestPid(withAudio);
        rtmp.stop(); // every start of the publisher is refused now: its keeper waits longer each time (1, 2, 4, 8 s)
        try {
            Waits.waitUntil(() -> {
                try {
                    JsonObject s = api.status();
                    return "restarting".equals(s.getString("state", "")) && s.getLong("restarts", 0) >= 4;
                } catch (IOException e) {
                    return false;
                }
            }, LONG, "the publisher refused four times, waiting out a backoff of some 8 s");
        } finally {
            rtmp.start();
        }
        // the destination is back; the user does not want to wait out the backoff
        api.json("POST", "/api/stream/restart", "{}", 200);
        Waits.waitUntil(() -> {
            try {
                return api.logMessages(20).stream().anyMatch(l -> l.contains("Starting the publisher now, on request"));
            } catch (IOException e) {
                return false;
            }
        }, LONG, "the waiting publisher started on request");
        api.waitForState("running", LONG);
        rtmp.waitForBytesGrowing(key, LONG);
        assertEquals(ingest, ingestPidOrNone(withAudio), "the camera's ingest went on throughout");
    }

    @Test
    void aKilledApplianceLeavesNoFfmpegAndResumesItsSession() throws Exception {
        startAppliance();
        startStreaming(withAudio.url());
        long publisher = api.status().getLong("pid", -1);
        long ingest = ingestPid(withAudio);
        List<Processes.ProcessInfo> children = Processes.find(p -> p.parentPid() == app.pid()
                && p.executableName().contains("ffmpeg"));
        assertTrue(children.size() >= 2, "publisher and ingest are the appliance's children: " + children);
        // the ingest's keeper recorded it: the next start would end it by this record if it lived on
        ingestRole(ingest);

        app.kill();
        // stdin EOF ends the publisher, EPIPE the ingest: nothing waits for the next start
        Processes.awaitGone(publisher, Duration.ofSeconds(20));
        Processes.awaitGone(ingest, Duration.ofSeconds(20));
        for (Processes.ProcessInfo p : children) {
            Processes.awaitGone(p.pid(), Duration.ofSeconds(20));
        }

        app = new ApplianceProcess(app.data(), TestPorts.freePort()).start(null);
        api = new ApiClient(app);
        JsonObject resumed = api.waitForState("running", LONG);
        assertFalse(resumed.get("session").isNull(), "resumed on a kept session: " + resumed);
        rtmp.waitForBytesGrowing(key, LONG);
        assertEquals(1, publishers().size(), "one publisher: " + publishers());
        assertTrue(api.logMessages(30).stream().anyMatch(l -> l.contains("Resuming the stream")));
    }

    @Test
    void keepSessionIsASettingAndOffGivesThePlainRestart() throws Exception {
        startAppliance();
        HttpResponse<String> bad = api.call("PUT", "/api/config", "{\"keep_session\":\"yes\"}");
        assertEquals(400, bad.statusCode(), bad.body());
        JsonObject error = Json.parse(bad.body()).asObject();
        assertEquals("keep_session", error.get("errors").asArray().get(0).asObject().getString("field", ""),
                bad.body());
        assertTrue(api.json("GET", "/api/config", null, 200).getBoolean("keep_session", false), "unchanged");

        api.json("PUT", "/api/config", "{\"keep_session\":false}", 200);
        assertFalse(api.json("GET", "/api/config", null, 200).getBoolean("keep_session", true));
        api.setUrls(withAudio.url(), rtmp.rtmpUrl(key), false);
        api.start();
        JsonObject running = api.waitForState("running", LONG);
        assertTrue(running.get("session").isNull(), "no kept session: " + running);
        rtmp.waitForBytesGrowing(key, LONG);
        long client = publisherClientId();
        long relay = running.getLong("pid", -1);

        api.setUrls(silent.url(), rtmp.rtmpUrl(key), true);
        Waits.waitUntil(() -> {
            try {
                JsonObject s = api.status();
                return "running".equals(s.getString("state", "")) && s.getLong("pid", relay) != relay;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }, LONG, "the relay restarted on the new camera");
        rtmp.waitForBytesGrowing(key, LONG);
        assertNotEquals(client, publisherClientId(), "the plain relay reconnects to the destination");
    }

    @Test
    void anEncodingPresetGivesTheDestinationOneFormatAcrossCamerasAndTheSlateAndAChangeOfPresetKeepsTheSession()
            throws Exception {
        RtspCamera small = RtspCamera.builder().port(TestPorts.freePort()).path("/small").size(320, 240)
                .audio(RtspCamera.Audio.NONE).start();
        toClose.add(small);
        startAppliance();
        api.preset("low-480p"); // libx264, scale=-2:480: 854x480 for the first camera's 16:9
        RtmpViewer v = startStreaming(withAudio.url());
        long client = publisherClientId();
        long publisherPid = api.status().getLong("pid", -1);
        List<String> ingest = Processes.info(ingestPid(withAudio)).orElseThrow().argv();
        assertTrue(ingest.contains("libx264") && ingest.contains("-vf"), "the ingest encodes: " + ingest);
        awaitMorePictures(v, 50);

        // another camera of another size and aspect, without audio: fitted into the same format
        api.setUrls(small.url(), rtmp.rtmpUrl(key), true);
        Waits.waitUntil(() -> switches() == 1 && "camera".equals(source()), LONG, "the switch to the 320x240 camera");
        awaitMorePictures(v, 75);
        // the slate, in the same format
        small.stop();
        Waits.waitUntil(() -> "slate".equals(source()), LONG, "the slate on air");
        awaitMorePictures(v, 50);
        small.start();
        Waits.waitUntil(() -> "camera".equals(source()), LONG, "the camera back on air");
        awaitMorePictures(v, 50);

        assertEquals(List.of("854x480"), v.sizes(), "one picture size at the viewer across cameras and slate");
        long sizedPictures = v.video().stream().filter(a -> a.size() != null).count();
        assertTrue(sizedPictures >= 4, "keyframes with their size seen by the viewer: " + sizedPictures);
        assertContinuous(v, 25);
        JsonObject status = api.status();
        assertEquals("running", status.getString("state", ""), status.toString());
        assertEquals(publisherPid, status.getLong("pid", -2), "the publisher ffmpeg was never replaced");
        assertEquals(client, publisherClientId(), "the publisher's RTMP connection at nginx changed");
        assertTrue(status.get("warning").isNull(), "one format, no size warning: " + status);

        // a change of preset on the running stream: cut over on the same session, to the camera's own 320x240
        api.preset("copy");
        Waits.waitUntil(() -> {
            List<String> sizes = v.sizes();
            return sizes.get(sizes.size() - 1).equals("320x240") || !v.isAlive();
        }, LONG, "the camera's own size at the viewer after the change to copy");
        awaitMorePictures(v, 50);
        assertEquals(List.of("854x480", "320x240"), v.sizes());
        assertEquals(client, publisherClientId(), "a change of preset kept the RTMP session");
        assertEquals(publisherPid, api.status().getLong("pid", -2), "a change of preset kept the publisher");
        Waits.waitUntil(() -> {
            List<Processes.ProcessInfo> ingests = Processes.find(p -> p.parentPid() == app.pid()
                    && p.commandLine().contains("127.0.0.1:" + small.port() + "/"));
            return ingests.size() == 1 && !ingests.get(0).argv().contains("libx264");
        }, LONG, "one ingest of the camera, copying (the encoding one closed after the cut)");
        assertContinuous(v, 25);
        String logs = String.join("\n", api.logMessages(60));
        assertTrue(logs.contains("The encoding changes to a copy of the camera's video"), logs);
        assertTrue(logs.contains("is on air in the new encoding (copied) at its first keyframe"), logs);
    }

    @Test
    void theDashboardsThumbnailShowsWhatTheKeptSessionSendsTheSlateIncluded() throws Exception {
        RtspCamera cam = RtspCamera.builder().port(TestPorts.freePort()).path("/porch").audio(RtspCamera.Audio.AAC)
                .start();
        toClose.add(cam);
        startAppliance();
        startStreaming(cam.url());
        List<Processes.ProcessInfo> snapshots = Processes.find(p -> p.parentPid() == app.pid()
                && p.argv().contains("image2"));
        assertEquals(1, snapshots.size(), "one snapshot process, the appliance's child: " + snapshots);
        List<String> argv = snapshots.get(0).argv();
        assertEquals("mpegts", argv.get(argv.indexOf("-i") - 1), "it reads the session's output: " + argv);

        BufferedImage camera = Waits.waitFor(this::snapshotImage, LONG, "a snapshot JPEG of the camera");
        int[] corner = rgb(camera, 4, 4);
        assertTrue(corner[2] < 25, "the camera's black background: " + Arrays.toString(corner));

        // a snapshot process that dies is started again by its keeper: the slate's thumbnail below comes from it
        long killed = snapshots.get(0).pid();
        Processes.sigkill(killed);
        Processes.ProcessInfo again = Waits.waitFor(() -> {
            List<Processes.ProcessInfo> now = Processes.find(p -> p.parentPid() == app.pid()
                    && p.argv().contains("image2"));
            return now.size() == 1 && now.get(0).pid() != killed ? now.get(0) : null;
        }, LONG, "a new snapshot process after the old one was killed");
        assertEquals("camera", source(), "the broadcast went on");

        cam.stop();
        Waits.waitUntil(() -> "slate".equals(source()), LONG, "the slate on air");
        // one JPEG every 10 s of output: the slate's (its background 0x1d2733) within two
        BufferedImage slate = Waits.waitFor(() -> {
            BufferedImage img = snapshotImage();
            return img != null && rgb(img, 4, 4)[2] > 35 ? img : null;
        }, LONG, "a snapshot of the slate");
        int[] slateCorner = rgb(slate, 4, 4);
        assertTrue(Math.abs(slateCorner[0] - 0x1d) < 16 && Math.abs(slateCorner[1] - 0x27) < 16
                && Math.abs(slateCorner[2] - 0x33) < 16, "the slate's colour: " + Arrays.toString(slateCorner));
        assertEquals(640, slate.getWidth(), "the thumbnail's width");

        api.stop();
        Processes.awaitGone(again.pid(), Duration.ofSeconds(20));
        assertEquals(404, app.get("/api/stream/snapshot.jpg", true).statusCode(), "no snapshot when stopped");
    }

    /** The snapshot route's JPEG, decoded, or null while it answers anything else. */
    BufferedImage snapshotImage() {
        try {
            HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            app.uri("/api/stream/snapshot.jpg")).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            ("admin:" + ApplianceProcess.PASSWORD).getBytes(StandardCharsets.UTF_8))).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                return null;
            }
            assertEquals("image/jpeg", r.headers().firstValue("Content-Type").orElse(""));
            byte[] body = r.body();
            assertTrue(body.length > 2 && (body[0] & 0xFF) == 0xFF && (body[1] & 0xFF) == 0xD8, "a JPEG's first bytes");
            return ImageIO.read(new ByteArrayInputStream(body));
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static int[] rgb(BufferedImage img, int x, int y) {
        int p = img.getRGB(x, y);
        return new int[] {(p >> 16) & 0xFF, (p >> 8) & 0xFF, p & 0xFF};
    }

    /** The appliance's ffmpeg processes that publish to this test's destination (the viewer's is not one). */
    List<Processes.ProcessInfo> publishers() {
        return Processes.find(p -> p.parentPid() == app.pid() && p.commandLine().contains(key));
    }

    /** The kernel function a process sleeps in (/proc/PID/wchan), or "gone". */
    static String wchan(long pid) {
        try {
            return java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "wchan"));
        } catch (IOException e) {
            return "gone";
        }
    }

    long ingestPid(RtspCamera cam) {
        return Waits.waitFor(() -> {
            long p = ingestPidOrNone(cam);
            return p > 0 ? p : null;
        }, LONG, "the ingest of " + cam);
    }

    long ingestPidOrNone(RtspCamera cam) {
        List<Processes.ProcessInfo> found = Processes.find(p -> p.parentPid() == app.pid()
                && p.commandLine().contains("127.0.0.1:" + cam.port() + "/"));
        return found.isEmpty() ? -1 : found.get(0).pid();
    }
}
