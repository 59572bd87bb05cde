package stream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import stream.core.ffmpeg.CameraProbe;
import stream.core.ffmpeg.EncoderAvailability;
import stream.core.ffmpeg.Preset;
import stream.core.ffmpeg.PresetCatalog;
import stream.store.StreamConfig;

/** A stream on a preset is launched with the preset's own token lists; hand-written parameters are tokenized. */
class RelayCommandsTest {
    @TempDir
    Path dir;

    static StreamConfig stream(String params, String preset) throws Exception {
        // a closed port on loopback: the audio probe is refused at once
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        return new StreamConfig(1, "default", "rtsp://127.0.0.1:" + port + "/cam", "rtmp://127.0.0.1:1935/live/key",
                params, true, preset, StreamConfig.DesiredState.STOPPED, Instant.EPOCH, Instant.EPOCH);
    }

    static final String STORED = "-c:v libx264 -b:v 4500k -c:a aac -f flv";

    @Test
    void aPresetsArgumentsComeFromItsFileTokenByToken() throws Exception {
        Preset low = new Preset("low", "", "", "libx264", List.of("-c:v", "libx264", "-b:v", "1200k", "-c:a", "aac",
                "-f", "flv"), true);
        RelayCommands commands = new RelayCommands("ffmpeg", new CameraProbe("ffprobe"), dir,
                PresetCatalog.of(List.of(low)));
        // what ffmpeg_params holds is for people to read; the preset's file decides
        List<String> relay = commands.commandsFor(stream(STORED, "low")).relay();
        assertTrue(relay.contains("1200k") && !relay.contains("4500k"), relay.toString());
    }

    @Test
    void handWrittenParametersAndAMissingPresetUseTheStoredText() throws Exception {
        RelayCommands commands = new RelayCommands("ffmpeg", new CameraProbe("ffprobe"), dir,
                PresetCatalog.of(List.of()));
        StreamConfig removed = stream(STORED, "removed-preset");
        List<String> relay = commands.commandsFor(removed).relay();
        assertTrue(relay.contains("4500k"), relay.toString());
        StreamConfig byHand = new StreamConfig(removed.id(), removed.name(), removed.rtspUrl(), removed.rtmpUrl(), STORED,
                true, null, StreamConfig.DesiredState.STOPPED, Instant.EPOCH, Instant.EPOCH);
        assertEquals(relay, commands.commandsFor(byHand).relay());
    }

    @Test
    void aNewPresetFileIsListedInItsOrderAndLaunchedWithNoCodeChange() throws Exception {
        Path presetDir = Files.createDirectories(dir.resolve("ffmpeg-presets"));
        try (var shipped = Files.list(Path.of("../../ffmpeg-presets"))) {
            for (Path file : shipped.toList()) {
                Files.copy(file, presetDir.resolve(file.getFileName()));
            }
        }
        // one file: its order puts it between copy (20) and pi-hw (30); the software encoder runs on any machine
        Files.writeString(presetDir.resolve("yard-720p.json"), """
                {
                  "name": "yard-720p",
                  "order": 25,
                  "description": "720p at 2.5 Mbit/s for a slow uplink.",
                  "encoder": "libx264",
                  "args": ["-c:v", "libx264", "-preset", "veryfast", "-b:v", "2500k", "-vf", "scale=-2:720",
                           "-force_key_frames", "expr:gte(t,n_forced*2)",
                           "-c:a", "aac", "-b:a", "128k", "-ar", "44100", "-f", "flv"]
                }
                """);
        PresetCatalog catalog = PresetCatalog.load(presetDir);
        assertEquals(List.of(), catalog.problems());
        assertEquals(List.of("document-default", "copy", "yard-720p", "pi-hw", "nvenc", "vaapi", "low-480p"),
                catalog.all().stream().map(Preset::name).toList());

        Preset yard = catalog.find("yard-720p").orElseThrow();
        assertTrue(new EncoderAvailability("/usr/bin/ffmpeg").check(yard).available(),
                "a one-second trial encode with the file's own arguments runs here");
        List<String> relay = new RelayCommands("ffmpeg", new CameraProbe("ffprobe"), dir, catalog)
                .commandsFor(stream(STORED, "yard-720p")).relay();
        int output = relay.indexOf("-b:v");
        assertEquals("2500k", relay.get(output + 1), relay.toString());
        assertTrue(relay.indexOf("scale=-2:720") > relay.indexOf("-i"), relay.toString());
        assertTrue(!relay.contains("-vaapi_device") && !relay.contains("4500k"), relay.toString());
    }

    @Test
    void aPresetsVaapiDeviceGoesBeforeTheCameraFromItsOwnField() throws Exception {
        PresetCatalog shipped = PresetCatalog.load(Path.of("../../ffmpeg-presets"));
        Preset vaapi = shipped.find("vaapi").orElseThrow();
        assertEquals(java.util.Optional.of("/dev/dri/renderD128"), vaapi.vaapiDevice());
        assertTrue(!vaapi.args().contains("-vaapi_device"), "the device is not among the output arguments");
        List<String> relay = new RelayCommands("ffmpeg", new CameraProbe("ffprobe"), dir, shipped)
                .commandsFor(stream(STORED, "vaapi")).relay();
        int device = relay.indexOf("-vaapi_device");
        assertEquals("/dev/dri/renderD128", relay.get(device + 1));
        assertTrue(device > 0 && device < relay.indexOf("-i"), relay.toString());
        assertEquals(1, java.util.Collections.frequency(relay, "-vaapi_device"), relay.toString());
    }
}
