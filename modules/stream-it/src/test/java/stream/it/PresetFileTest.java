package stream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import stream.it.harness.RtmpServer;
import stream.it.harness.RtspCamera;
import stream.it.harness.TestPorts;

/**
 * Adding a preset is adding one file: the image as built, a home whose ffmpeg-presets/ holds one file more, and that
 * preset is listed in the place its file gives, runnable, chosen through the API and on air from a real camera.
 */
class PresetFileTest {
    static final Duration LONG = Duration.ofSeconds(60);
    static RtspCamera camera;
    static RtmpServer rtmp;

    @TempDir
    Path tmp;

    @BeforeAll
    static void servers() {
        camera = RtspCamera.builder().port(TestPorts.freePort()).path("/cam1").audio(RtspCamera.Audio.NONE).start();
        rtmp = new RtmpServer().start();
    }

    @AfterAll
    static void stopServers() {
        if (camera != null) {
            camera.close();
        }
        if (rtmp != null) {
            rtmp.close();
        }
    }

    @Test
    void aNewPresetFileIsListedChosenAndStreamedWithNoCodeChange() throws Exception {
        Path image = ApplianceProcess.ROOT.resolve("build/image/share");
        Path home = tmp.resolve("home");
        Path presets = Files.createDirectories(home.resolve("share/ffmpeg-presets"));
        Files.createSymbolicLink(home.resolve("share/web"), image.resolve("web"));
        try (var shipped = Files.list(image.resolve("ffmpeg-presets"))) {
            for (Path file : shipped.toList()) {
                Files.copy(file, presets.resolve(file.getFileName()));
            }
        }
        Files.writeString(presets.resolve("yard-360p.json"), """
                {
                  "name": "yard-360p",
                  "order": 25,
                  "description": "360p at 600 kbit/s for a metered uplink.",
                  "hardware": "any machine",
                  "encoder": "libx264",
                  "args": ["-c:v", "libx264", "-preset", "veryfast", "-b:v", "600k", "-vf", "scale=-2:360",
                           "-force_key_frames", "expr:gte(t,n_forced*2)",
                           "-c:a", "aac", "-b:a", "128k", "-ar", "44100", "-f", "flv"]
                }
                """);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("STREAMRELAY_JAVA_OPTS", "-Dstreamrelay.home=" + home);
        try (ApplianceProcess app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort())) {
            app.start(env);
            ApiClient api = new ApiClient(app);

            List<JsonObject> listed = StreamSupport.stream(api.json("GET", "/api/presets", null, 200)
                    .get("presets").asArray().spliterator(), false).map(JsonValue::asObject).toList();
            assertEquals(List.of("document-default", "copy", "yard-360p", "pi-hw", "nvenc", "vaapi", "low-480p"),
                    listed.stream().map(p -> p.getString("name", "?")).toList());
            JsonObject yard = listed.get(2);
            assertTrue(yard.getBoolean("available", false), yard.toString());
            assertEquals("600k", yard.get("arguments").asArray().get(5).asString(), yard.toString());

            api.preset("yard-360p");
            String key = "presetfile" + TestPorts.freePort();
            api.setUrls(camera.url(), rtmp.rtmpUrl(key), false);
            api.start();
            JsonObject running = api.waitForState("running", LONG);
            assertEquals("yard-360p", running.getString("preset", "?"), running.toString());
            api.stop();
            api.waitForState("stopped", LONG);
        }
    }
}
