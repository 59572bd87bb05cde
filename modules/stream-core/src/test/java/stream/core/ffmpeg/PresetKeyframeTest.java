package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The software transcoding presets, run for real, put a keyframe every 2 s whatever the frame rate. */
class PresetKeyframeTest {
    private static final String FFPROBE = "/usr/bin/ffprobe";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} at {1} fps")
    @CsvSource({"document-default, 25, 1920, 1080", "low-480p, 30, 854, 480", "low-480p, 15, 854, 480"})
    void putsAKeyframeEveryTwoSeconds(String name, int fps, int width, int height) throws Exception {
        Preset preset = PresetCatalog.load(PresetCatalogTest.SHIPPED).find(name).orElseThrow();
        Path out = dir.resolve(name + ".flv");
        List<String> command = new ArrayList<>(List.of(PresetArgsTest.FFMPEG, "-hide_banner", "-nostdin", "-v", "error",
                "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=" + fps,
                "-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo", "-t", "6"));
        command.addAll(preset.args());
        command.add(out.toString());
        TimedProcess.Outcome encode = TimedProcess.run(command, Duration.ofSeconds(60));
        assertTrue(encode.succeeded(), encode.stderr());

        TimedProcess.Outcome probe = TimedProcess.run(List.of(FFPROBE, "-v", "error", "-select_streams", "v:0",
                "-show_streams", "-show_entries", "packet=stream_index,pts_time,flags", "-of", "json", out.toString()),
                Duration.ofSeconds(10));
        assertTrue(probe.succeeded(), probe.stderr());
        ProbeReport report = ProbeReport.parse(probe.stdout());

        assertEquals("h264", report.videoCodec());
        assertEquals(width, report.width());
        assertEquals(height, report.height());
        List<Double> keyframes = report.keyframeTimes();
        assertEquals(3, keyframes.size(), keyframes.toString());
        double frame = 1.0 / fps;
        assertTrue(keyframes.get(0) - report.videoStart() <= frame + 1e-6, keyframes.toString());
        for (int i = 1; i < keyframes.size(); i++) {
            double gap = keyframes.get(i) - keyframes.get(i - 1);
            assertEquals(2.0, gap, frame + 1e-6, "keyframe gap in " + keyframes);
        }
        assertEquals(new TreeSet<>(keyframes).size(), keyframes.size());
    }
}
