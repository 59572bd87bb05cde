package stream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import stream.core.ffmpeg.CameraProbe;
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
                "-f", "flv"), List.of(), true);
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
}
