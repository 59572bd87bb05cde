package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ProgressParserTest {

    private static List<Progress> parse(List<String> lines) {
        ProgressParser parser = new ProgressParser();
        List<Progress> out = new ArrayList<>();
        for (String line : lines) {
            parser.accept(line).ifPresent(out::add);
        }
        return out;
    }

    @Test
    void aRealLibx264RunGivesOneProgressPerBlockEndingWithEnd() {
        List<Progress> all = parse(Fixtures.lines("progress-libx264-5s.txt"));
        assertEquals(11, all.size());
        assertTrue(all.subList(0, 10).stream().noneMatch(Progress::ended));
        Progress last = all.get(10);
        assertTrue(last.ended());
        assertEquals(125, last.frame());
        // over the window of the last 5 blocks (from frame=64, total_size=32019, out_time_us=581000), not ffmpeg's
        // averages since the start (fps=24.50, bitrate=355.6)
        assertEquals((125 - 64) / 4.434, last.fps(), 1e-9);
        assertEquals((222943 - 32019) * 8 / 1000.0 / 4.434, last.bitrateKbps(), 1e-9);
        assertEquals(222943, last.totalSize());
        assertEquals(5_015_000, last.outTimeUs());
        assertEquals(5.015, last.outTimeSeconds(), 1e-9);
        assertEquals(0, last.dupFrames());
        assertEquals(0, last.dropFrames());
        assertEquals(0.983, last.speed(), 1e-9);
    }

    @Test
    void theFirstBlockOfARealRunHasNoBitrateAndZeroSpeed() {
        Progress first = parse(Fixtures.lines("progress-libx264-5s.txt")).get(0);
        assertEquals(1, first.frame());
        assertTrue(Double.isNaN(first.bitrateKbps()), "bitrate=N/A");
        assertEquals(0.0, first.speed(), 1e-9); // "speed=   0x"
        assertEquals(0, first.outTimeUs());
        assertTrue(first.hasOutTime());
    }

    @Test
    void outputTimeAdvancesThroughARealRun() {
        List<Progress> all = parse(Fixtures.lines("progress-libx264-anullsrc-rtmp.txt"));
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i).outTimeUs() >= all.get(i - 1).outTimeUs());
        }
        assertTrue(all.get(all.size() - 1).outTimeUs() > 3_000_000);
    }

    @Test
    void aRealTwoOutputRunWithStreamKeysForBothOutputsParses() {
        List<Progress> all = parse(Fixtures.lines("progress-copy-rtmp-snapshot.txt"));
        assertEquals(3, all.size());
        Progress last = all.get(2);
        assertTrue(last.ended());
        assertEquals(152, last.frame());
        // over the window from the first block (total_size=15428, out_time_us=93000); ffmpeg's average: 1461.7
        assertEquals((1104097 - 15428) * 8 / 1000.0 / 5.95, last.bitrateKbps(), 1e-9);
        assertEquals(6_043_000, last.outTimeUs());
        assertEquals(6.77, last.speed(), 1e-9);
    }

    @Test
    void notAvailableValuesAreNanOrUnknown() {
        List<Progress> all = parse(List.of("frame=N/A", "fps=N/A", "bitrate=N/A", "total_size=N/A",
                "out_time_us=N/A", "out_time_ms=N/A", "out_time=N/A", "dup_frames=0", "drop_frames=0",
                "speed=N/A", "progress=continue"));
        Progress p = all.get(0);
        assertEquals(Progress.UNKNOWN, p.frame());
        assertTrue(Double.isNaN(p.fps()));
        assertTrue(Double.isNaN(p.bitrateKbps()));
        assertEquals(Progress.UNKNOWN, p.totalSize());
        assertFalse(p.hasOutTime());
        assertTrue(Double.isNaN(p.outTimeSeconds()));
        assertTrue(Double.isNaN(p.speed()));
    }

    @Test
    void outTimeMsIsReadAsMicrosecondsWhenOutTimeUsIsMissing() {
        // ffmpeg 5.1 prints the same microsecond value under both names (see the fixtures).
        Progress p = parse(List.of("out_time_ms=2500000", "progress=continue")).get(0);
        assertEquals(2_500_000, p.outTimeUs());
    }

    @Test
    void outTimeUsWinsOverOutTimeMs() {
        Progress p = parse(List.of("out_time_us=1000", "out_time_ms=9999", "progress=continue")).get(0);
        assertEquals(1000, p.outTimeUs());
    }

    @Test
    void unknownKeysGarbageAndLineEndingsAreTolerated() {
        List<Progress> all = parse(List.of("", "garbage", "=x", "frame=12\r", "fps=abc", "stream_0_0_q=28.0",
                "new_key_of_ffmpeg_7=1", "bitrate=12kbits", "speed=fast", "out_time_us=-66000",
                "progress=continue"));
        assertEquals(1, all.size());
        Progress p = all.get(0);
        assertEquals(12, p.frame());
        assertTrue(Double.isNaN(p.fps()));
        assertTrue(Double.isNaN(p.bitrateKbps()));
        assertTrue(Double.isNaN(p.speed()));
        assertEquals(-66000, p.outTimeUs(), "ffmpeg may report a small negative time at the start");
    }

    @Test
    void eachBlockStartsFresh() {
        List<Progress> all = parse(List.of("frame=5", "speed=1x", "progress=continue", "progress=continue"));
        assertEquals(5, all.get(0).frame());
        assertEquals(Progress.UNKNOWN, all.get(1).frame());
        assertTrue(Double.isNaN(all.get(1).speed()));
    }

    private static List<String> block(long frame, long totalSize, long outTimeUs) {
        return List.of("frame=" + frame, "fps=80.0", "bitrate=999.0kbits/s", "total_size=" + totalSize,
                "out_time_us=" + outTimeUs, "speed=1.0x", "progress=continue");
    }

    @Test
    void fpsAndBitrateAreWhatFlowsNowNotAveragesSinceTheStart() {
        // a camera's burst at connect: 80 frames in the first second of output, then 25 a second and 50 kB a second
        List<String> lines = new ArrayList<>(block(80, 100_000, 1_000_000));
        for (int i = 1; i <= 8; i++) {
            lines.addAll(block(80 + 25L * i, 100_000 + 50_000L * i, 1_000_000 + 1_000_000L * i));
        }
        List<Progress> all = parse(lines);
        assertEquals(80.0, all.get(0).fps(), 1e-9, "ffmpeg's own figure until there is a window");
        assertEquals(999.0, all.get(0).bitrateKbps(), 1e-9);
        for (Progress p : all.subList(1, all.size())) {
            assertEquals(25.0, p.fps(), 1e-9);
            assertEquals(400.0, p.bitrateKbps(), 1e-9); // 50 kB a second
        }
    }

    @Test
    void nothingFlowingShowsZero() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            lines.addAll(block(100, 500_000, 4_000_000)); // a frozen camera: output time stands still
        }
        Progress last = parse(lines).get(6);
        assertEquals(0.0, last.fps(), 1e-9);
        assertEquals(0.0, last.bitrateKbps(), 1e-9);
    }

    @Test
    void outputTimeGoingBackStartsANewWindow() {
        List<String> lines = new ArrayList<>(block(100, 500_000, 4_000_000));
        lines.addAll(block(125, 550_000, 5_000_000));
        lines.addAll(block(10, 20_000, 400_000)); // timestamps reset
        lines.addAll(block(35, 70_000, 1_400_000));
        List<Progress> all = parse(lines);
        assertEquals(25.0, all.get(1).fps(), 1e-9);
        assertEquals(80.0, all.get(2).fps(), 1e-9, "no window across the reset: ffmpeg's figure");
        assertEquals(25.0, all.get(3).fps(), 1e-9);
    }
}
