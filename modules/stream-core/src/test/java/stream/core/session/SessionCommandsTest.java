package stream.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import stream.core.ValidationException;

class SessionCommandsTest {
    private final SessionCommands commands = new SessionCommands("/usr/bin/ffmpeg");

    @Test
    void ingestCopiesVideoAndMakesAacInTheSessionFormat() {
        List<String> cmd = commands.ingest("rtsp://admin:p%40ss@127.0.0.1:8554/cam1");
        int input = cmd.indexOf("-i");
        assertEquals("rtsp://admin:p%40ss@127.0.0.1:8554/cam1", cmd.get(input + 1));
        assertEquals(List.of("-rtsp_transport", "tcp", "-timeout", "5000000", "-fflags", "+genpts+nobuffer",
                "-analyzeduration", "300000"), cmd.subList(input - 8, input));
        assertTrue(String.join(" ", cmd).contains("-map 0:v:0 -map 0:a:0? -c:v copy -c:a aac -ar 44100 -ac 2"), cmd.toString());
        assertEquals("pipe:1", cmd.get(cmd.size() - 1));
    }

    @Test
    void anIngestThatKeepsWhatItsProbeReadDiffersOnlyInNotDroppingIt() {
        String camera = "rtsp://127.0.0.1:8554/cam1";
        List<String> dropping = commands.ingest(camera, Optional.empty(), SessionCommands.Probed.DROPPED);
        List<String> keeping = commands.ingest(camera, Optional.empty(), SessionCommands.Probed.KEPT);
        assertEquals(commands.ingest(camera), dropping, "dropped unless asked otherwise");
        int flags = keeping.indexOf("-fflags");
        assertEquals("+genpts", keeping.get(flags + 1), keeping.toString());
        List<String> expected = new java.util.ArrayList<>(dropping);
        expected.set(dropping.indexOf("-fflags") + 1, "+genpts");
        assertEquals(expected, keeping, "everything else the same");
        assertThrows(ValidationException.class,
                () -> commands.ingest("file:/etc/passwd", Optional.empty(), SessionCommands.Probed.KEPT));
    }

    @Test
    void ingestReportsProgressOnStderrForItsKeepersWatchdog() {
        List<String> cmd = commands.ingest("rtsp://127.0.0.1:8554/cam1", Optional.empty());
        assertTrue(String.join(" ", cmd).contains("-nostats -progress pipe:2 -stats_period 1"), cmd.toString());
        assertTrue(cmd.indexOf("-progress") < cmd.indexOf("-i"), "a global option, before the input: " + cmd);
        assertEquals("pipe:1", cmd.get(cmd.size() - 1), "stdout stays the transport stream: " + cmd);
    }

    @Test
    void publisherCopiesStdinToTheDestination() {
        List<String> cmd = commands.publisher("rtmp://127.0.0.1:1935/live/key");
        assertTrue(String.join(" ", cmd).contains("-f mpegts -i pipe:0 -map 0:v:0 -map 0:a:0 -c copy -bsf:v extract_extradata -f flv"), cmd.toString());
        assertEquals("rtmp://127.0.0.1:1935/live/key", cmd.get(cmd.size() - 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:/etc/passwd", "-i", "concat:a|b", "http://127.0.0.1/x", "rtsp://", "pipe:0",
            "rtsp://127.0.0.1/a b"})
    void noOtherInputReachesTheIngest(String url) {
        ValidationException e = assertThrows(ValidationException.class, () -> commands.ingest(url));
        assertEquals("rtsp_url", e.errors().get(0).field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:out.flv", "-y", "rtsp://127.0.0.1/live/x", "rtmp://127.0.0.1"})
    void noOtherOutputReachesThePublisher(String url) {
        ValidationException e = assertThrows(ValidationException.class, () -> commands.publisher(url));
        assertEquals("rtmp_url", e.errors().get(0).field());
    }

    @Test
    void theSlateTakesOnlyPlainPathsAndSaneSizes() {
        Path text = Path.of("/tmp/slate-1.txt");
        assertTrue(commands.slate(1280, 720, 25, text, null).contains("-frames:v"));
        assertThrows(IllegalArgumentException.class, () -> commands.slate(1280, 720, 25, Path.of("/tmp/a:b.txt"), null));
        assertThrows(IllegalArgumentException.class, () -> commands.slate(1280, 720, 25, Path.of("/tmp/a,b'.txt"), null));
        assertThrows(IllegalArgumentException.class, () -> commands.slate(1281, 720, 25, text, null));
        assertThrows(IllegalArgumentException.class, () -> commands.slate(1280, 720, 0, text, null));
        assertThrows(IllegalArgumentException.class, () -> new SessionCommands("-version"));
    }
}
