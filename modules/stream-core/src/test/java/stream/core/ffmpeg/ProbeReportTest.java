package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing of saved ffprobe 5.1 output from the test cameras, and the advice drawn from it. */
class ProbeReportTest {
    static String fixture(String name) throws IOException {
        try (InputStream in = ProbeReportTest.class.getResourceAsStream("/probe/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsAnH264CameraWithAacAudio() throws IOException {
        ProbeReport report = ProbeReport.parse(fixture("h264-aac.json"));
        assertEquals("h264", report.videoCodec());
        assertEquals(640, report.width());
        assertEquals(360, report.height());
        assertEquals(25.0, report.fps());
        assertEquals("aac", report.audioCodec());
        assertEquals(3, report.keyframeTimes().size(), report.keyframeTimes().toString());
        assertEquals(2.0, report.keyframeInterval(), 0.05);
        assertTrue(report.videoSpan() > 5.5, "span " + report.videoSpan());
        assertEquals(List.of(), ProbeAdvice.advise(report));
    }

    @Test
    void aCameraWithoutAudioGetsASilentTrack() throws IOException {
        ProbeReport report = ProbeReport.parse(fixture("h264-noaudio.json"));
        assertNull(report.audioCodec());
        assertEquals(2.0, report.keyframeInterval(), 0.05);
        assertEquals(List.of("The camera sends no audio; a silent AAC track will be added, because YouTube requires "
                + "audio."), ProbeAdvice.advise(report));
    }

    @Test
    void g711AudioWillBeTranscoded() throws IOException {
        ProbeReport report = ProbeReport.parse(fixture("h264-pcmu.json"));
        assertEquals("pcm_mulaw", report.audioCodec());
        assertEquals(List.of("The camera's G.711 μ-law audio will be transcoded to AAC, which YouTube requires."),
                ProbeAdvice.advise(report));
    }

    @Test
    void hevcCannotBePassedThroughWithFfmpeg51() throws IOException {
        ProbeReport report = ProbeReport.parse(fixture("h265-aac.json"));
        assertEquals("hevc", report.videoCodec());
        assertEquals(2.0, report.keyframeInterval(), 0.05);
        List<String> advice = ProbeAdvice.advise(report);
        assertEquals(1, advice.size(), advice.toString());
        assertTrue(advice.get(0).contains("cannot be passed through to RTMP with ffmpeg 5.1 (FLV has no HEVC until "
                + "FFmpeg 6.1); choose a transcoding preset or set the camera to H.264"), advice.get(0));
    }

    @Test
    void aSixSecondGopShowsOneKeyframeAndAGapOverFourSeconds() throws IOException {
        ProbeReport report = ProbeReport.parse(fixture("h264-gop6.json"));
        assertEquals(1, report.keyframeTimes().size());
        assertNull(report.keyframeInterval());
        assertTrue(report.longestWithoutKeyframe() > 5.5, "gap " + report.longestWithoutKeyframe());
        List<String> advice = ProbeAdvice.advise(report);
        assertEquals(1, advice.size(), advice.toString());
        assertTrue(advice.get(0).matches("The camera sent no keyframe for more than 5\\.9 s; YouTube wants one every "
                + "2 s and refuses more than 4 s: set the camera's I-frame interval \\(GOP\\) to 2 s \\(50 frames at "
                + "25 fps\\) or choose a transcoding preset\\."), advice.get(0));
    }

    @Test
    void aMeasuredIntervalOverFourSecondsIsNamed() {
        String json = "{\"packets\": [" + packet(0, "0.0", "K_") + "," + packet(0, "5.0", "K_") + ","
                + packet(0, "5.96", "__") + "], \"streams\": [" + video("\"25/1\"", "\"25/1\"") + "]}";
        ProbeReport report = ProbeReport.parse(json);
        assertEquals(5.0, report.keyframeInterval());
        assertTrue(ProbeAdvice.advise(report).get(0).startsWith("The camera sends a keyframe only every 5 s;"));
    }

    @Test
    void withoutAUsableStreamRateTheFpsComesFromThePackets() {
        StringBuilder packets = new StringBuilder();
        for (int i = 0; i <= 20; i++) {
            packets.append(i == 0 ? "" : ",").append(packet(0, String.valueOf(i * 0.1), i == 0 ? "K_" : "__"));
        }
        String json = "{\"packets\": [" + packets + "], \"streams\": [" + video("\"0/0\"", "\"90000/1\"") + "]}";
        assertEquals(10.0, ProbeReport.parse(json).fps());
    }

    @Test
    void packetsWithoutTimestampsAndDuplicateKeyframesAreIgnored() {
        String json = "{\"packets\": [{\"stream_index\": 0, \"flags\": \"K_\"}," + packet(0, "0.5", "K_") + ","
                + packet(0, "0.5", "K_") + "," + packet(1, "1.0", "K_") + "," + packet(0, "2.5", "K_") + "],"
                + "\"streams\": [" + video("\"25/1\"", "\"25/1\"") + "]}";
        ProbeReport report = ProbeReport.parse(json);
        assertEquals(List.of(0.5, 2.5), report.keyframeTimes());
        assertEquals(2.0, report.keyframeInterval());
    }

    @Test
    void outputCutShortByAKillIsRejected() throws IOException {
        String full = fixture("h264-aac.json");
        assertThrows(IllegalArgumentException.class, () -> ProbeReport.parse(full.substring(0, full.length() / 2)));
        assertThrows(IllegalArgumentException.class, () -> ProbeReport.parse(""));
    }

    @Test
    void anEmptyResultHasNoVideo() {
        ProbeReport report = ProbeReport.parse("{}");
        assertFalse(report.hasVideo());
        assertEquals(0, report.longestWithoutKeyframe());
    }

    private static String packet(int stream, String pts, String flags) {
        return "{\"stream_index\": " + stream + ", \"pts_time\": \"" + pts + "\", \"flags\": \"" + flags + "\"}";
    }

    private static String video(String avg, String r) {
        return "{\"index\": 0, \"codec_name\": \"h264\", \"codec_type\": \"video\", \"width\": 1280, \"height\": 720,"
                + " \"avg_frame_rate\": " + avg + ", \"r_frame_rate\": " + r + "}";
    }
}
