package stream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * A change of camera on a running stream (issue 14: "the new camera is probed only after the old ffmpeg was stopped,
 * so the stream is off the air during the probe"): the new camera is probed while the old ffmpeg still sends, and the
 * stream is off the air only for the swap. The new camera answers slowly here (it is frozen while the probe waits on
 * it), so the probe lasts seconds and what the destination receives meanwhile can be watched.
 */
class CameraSwitchTest {
    static final Duration LONG = Duration.ofSeconds(90);
    static RtspCamera oldCamera;
    static RtspCamera newCamera;
    static RtmpServer rtmp;

    @TempDir
    Path tmp;
    ApplianceProcess app;
    ApiClient api;
    String key;

    @BeforeAll
    static void servers() {
        oldCamera = RtspCamera.builder().port(TestPorts.freePort()).path("/old").start();
        newCamera = RtspCamera.builder().port(TestPorts.freePort()).path("/new").start();
        rtmp = new RtmpServer().start();
    }

    @AfterAll
    static void stopServers() {
        Resources.closeAll(oldCamera, newCamera, rtmp);
    }

    @BeforeEach
    void appliance() throws IOException {
        key = "cs" + Long.toString(System.nanoTime(), 36);
        app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort()).start(null);
        api = new ApiClient(app);
    }

    @AfterEach
    void close() throws Exception {
        if (newCamera.isFrozen()) {
            newCamera.thaw();
        }
        if (app != null) {
            app.close();
        }
        Processes.awaitNoneMatching("ffmpeg", key, Duration.ofSeconds(20));
    }

    @Test
    void theNewCameraIsProbedWhileTheOldFfmpegStaysOnAir() throws Exception {
        // the plain relay's switch (a kept session connects the new camera while the old one stays on air, without a
        // probe: KeptStreamTest)
        api.json("PUT", "/api/config", "{\"preset\":\"copy\",\"keep_session\":false}", 200);
        api.setUrls(oldCamera.url(), rtmp.rtmpUrl(key), false);
        api.start();
        long oldPid = api.waitForState("running", LONG).get("pid").asLong();
        rtmp.waitForBytesGrowing(key, LONG);

        // the new camera accepts the connection but says nothing: the probe waits on it for seconds
        newCamera.freeze();
        api.setUrls(newCamera.url(), rtmp.rtmpUrl(key), true);
        long probePid = Waits.waitFor(() -> Processes.findByArgument("ffprobe", newCamera.url()).stream()
                .map(Processes.ProcessInfo::pid).findFirst().orElse(null), LONG, "the probe of the new camera");

        // while that probe runs, the old ffmpeg runs on and the destination keeps receiving its media
        JsonObject during = api.status();
        assertEquals("running", during.getString("state", ""), during.toString());
        assertEquals(oldPid, during.get("pid").asLong(), "the old ffmpeg is still the stream's");
        assertTrue(Processes.isAlive(oldPid), "the old ffmpeg runs during the probe");
        rtmp.waitForBytesGrowing(key, LONG);
        assertTrue(Processes.isAlive(probePid), "the bytes grew while the new camera was being probed");
        assertTrue(Processes.isAlive(oldPid), "the old ffmpeg still runs at the end of that window");

        // the camera answers again; the stream switches to it and goes on to the same destination
        newCamera.thaw();
        Waits.waitUntil(() -> {
            try {
                JsonObject s = api.status();
                return "running".equals(s.getString("state", "")) && s.get("pid").isNumber()
                        && s.get("pid").asLong() != oldPid;
            } catch (IOException e) {
                return false;
            }
        }, LONG, "a new ffmpeg running on the new camera");
        Processes.awaitGone(oldPid, Duration.ofSeconds(15));
        rtmp.waitForBytesGrowing(key, LONG);
        List<Processes.ProcessInfo> relays = Processes.findByArgument("ffmpeg", key);
        assertEquals(1, relays.size(), relays.toString());
        assertTrue(relays.get(0).commandLine().contains(newCamera.url()), relays.get(0).commandLine());
        assertTrue(api.logMessages(50).stream().anyMatch(m -> m.contains("Switching to the new URLs")),
                "the switch is in the log");
        assertEquals(newCamera.url(), api.revealedConfig().getString("rtsp_url", ""));
    }
}
