package stream.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import stream.core.SecretMasker;
import stream.core.ValidationException;
import stream.core.ffmpeg.EncodingArgs;
import stream.core.ffmpeg.Preset;
import stream.core.ffmpeg.PresetCatalog;

/** The fixed output format of a kept session on an encoding preset, and the ingest's arguments for it. */
class VideoEncodingTest {
    static final PresetCatalog SHIPPED = PresetCatalog.load(Path.of("../../ffmpeg-presets"));

    static EncodingArgs preset(String name) {
        return SHIPPED.find(name).map(Preset::encodingArgs).orElseThrow();
    }

    @Test
    void copyHasNoEncoding() {
        assertEquals(Optional.empty(), VideoEncoding.forSession(preset("copy"), 640, 360, 30.0));
        assertFalse(VideoEncoding.needsCamera(preset("copy")));
    }

    @Test
    void aScaleWithBothSidesFixesTheSizeWithoutAskingTheCamera() {
        assertFalse(VideoEncoding.needsCamera(EncodingArgs.parse("-c:v libx264 -vf scale=1280:720 -r 30")));
        VideoEncoding e = VideoEncoding.forSession(EncodingArgs.parse("-c:v libx264 -vf scale=1280:720 -r 30"),
                320, 240, 15.0).orElseThrow();
        assertEquals(List.of(1280, 720, 30), List.of(e.width(), e.height(), e.fps()));
        VideoEncoding sized = VideoEncoding.forSession(EncodingArgs.parse("-c:v libx264 -s hd720"), null, null, null)
                .orElseThrow();
        assertEquals(List.of(1280, 720, 25), List.of(sized.width(), sized.height(), sized.fps()));
    }

    @Test
    void aScaleKeepingTheAspectTakesTheFirstCamerasAndItsRate() {
        assertTrue(VideoEncoding.needsCamera(preset("low-480p")));
        VideoEncoding wide = VideoEncoding.forSession(preset("low-480p"), 640, 360, 29.97).orElseThrow();
        // as ffmpeg's scale=-2:480 makes it of a 640x360 picture
        assertEquals(List.of(854, 480, 30), List.of(wide.width(), wide.height(), wide.fps()));
        VideoEncoding fourThree = VideoEncoding.forSession(preset("low-480p"), 320, 240, 25.0).orElseThrow();
        assertEquals(List.of(640, 480, 25), List.of(fourThree.width(), fourThree.height(), fourThree.fps()));
        VideoEncoding unknown = VideoEncoding.forSession(preset("low-480p"), null, null, null).orElseThrow();
        assertEquals(List.of(854, 480, 25), List.of(unknown.width(), unknown.height(), unknown.fps()),
                "a camera that did not answer: 16:9 at 25 fps");
        assertEquals(25, VideoEncoding.forSession(preset("low-480p"), 640, 360, 90000.0).orElseThrow().fps(),
                "a bogus rate is no rate");
    }

    @Test
    void withoutAScaleTheCamerasSizeIsKeptForTheSession() {
        VideoEncoding e = VideoEncoding.forSession(preset("pi-hw"), 1920, 1080, 25.0).orElseThrow();
        assertEquals(List.of(1920, 1080), List.of(e.width(), e.height()));
        VideoEncoding odd = VideoEncoding.forSession(preset("pi-hw"), 641, 361, 25.0).orElseThrow();
        assertEquals(List.of(640, 360), List.of(odd.width(), odd.height()), "even sides for 4:2:0");
    }

    @Test
    void theIngestKeepsThePresetsVideoOptionsAndLeavesAudioAndOutputToTheSession() {
        VideoEncoding e = VideoEncoding.forSession(preset("low-480p"), 640, 360, 25.0).orElseThrow();
        List<String> cmd = new SessionCommands("/usr/bin/ffmpeg").ingest("rtsp://127.0.0.1:8554/cam", Optional.of(e));
        String line = String.join(" ", cmd);
        assertTrue(line.contains("-c:v libx264 -preset veryfast -b:v 1000k -maxrate 1000k -bufsize 2000k"), line);
        assertTrue(line.contains("-force_key_frames expr:gte(t,n_forced*2) -sc_threshold 0"), line);
        assertEquals("scale=-2:480,scale=854:480:force_original_aspect_ratio=decrease:force_divisible_by=2,"
                + "pad=854:480:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=25,format=yuv420p", cmd.get(cmd.indexOf("-vf") + 1));
        assertEquals(1, cmd.stream().filter("-vf"::equals).count(), line);
        assertEquals(1, cmd.stream().filter("-c:a"::equals).count(), "the session's own audio only: " + line);
        assertEquals(1, cmd.stream().filter("-f"::equals).count(), line);
        assertFalse(cmd.contains("flv"), line);
        assertTrue(line.endsWith("-c:a aac -ar 44100 -ac 2 -b:a 128k -f mpegts -flush_packets 1 pipe:1"), line);
        assertTrue(line.contains("-bf 0"), "no B-frames: every source in presentation order, like the slate: " + line);
    }

    @Test
    void aHandWrittenEncodingGetsAnEncoderAndRegularKeyframes() {
        VideoEncoding e = VideoEncoding.forSession(EncodingArgs.parse("-b:v 2M -t 3600 -c:a aac"), 1280, 720, 25.0)
                .orElseThrow();
        List<String> opts = e.outputOptions();
        assertTrue(String.join(" ", opts).contains("-c:v libx264"), opts.toString());
        assertTrue(String.join(" ", opts).contains("-force_key_frames expr:gte(t,n_forced*2)"), opts.toString());
        assertFalse(opts.contains("-t"), "an ingest that ended after -t would be an outage: " + opts);
    }

    @Test
    void aGraphThatUploadsToTheGpuComesAfterTheFitting() {
        VideoEncoding e = VideoEncoding.forSession(preset("vaapi"), 1280, 720, 25.0).orElseThrow();
        assertTrue(e.filterGraph().endsWith(",fps=25,format=nv12,hwupload"), e.filterGraph());
        List<String> cmd = new SessionCommands("/usr/bin/ffmpeg").ingest("rtsp://127.0.0.1:8554/cam", Optional.of(e));
        assertEquals(List.of("-vaapi_device", "/dev/dri/renderD128"),
                cmd.subList(cmd.indexOf("-vaapi_device"), cmd.indexOf("-vaapi_device") + 2));
        assertTrue(cmd.indexOf("-vaapi_device") < cmd.indexOf("-i"));
    }

    @Test
    void noUrlOrRefusedParameterReachesAnEncodingIngest() {
        VideoEncoding e = VideoEncoding.forSession(preset("low-480p"), 640, 360, 25.0).orElseThrow();
        SessionCommands commands = new SessionCommands("/usr/bin/ffmpeg");
        for (String url : List.of("file:/etc/passwd", "-i", "concat:a|b")) {
            ValidationException refused = assertThrows(ValidationException.class,
                    () -> commands.ingest(url, Optional.of(e)));
            assertEquals("rtsp_url", refused.errors().get(0).field());
        }
        assertThrows(ValidationException.class, () -> EncodingArgs.parse("-c:v libx264 -vf movie=/etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> new VideoEncoding(preset("copy"), 640, 360, 25));
        assertThrows(IllegalArgumentException.class, () -> new VideoEncoding(preset("low-480p"), 641, 360, 25));
    }

    /**
     * The ingest's video options on Debian's ffmpeg, a 4:3 test picture in place of a camera: the pictures come out
     * at the session's 854x480 and 25 fps (the camera's 30 dropped to it), with a keyframe every 2 s.
     */
    @Test
    void ffmpegFitsAnotherCamerasPictureIntoTheSessionsFormat() throws Exception {
        VideoEncoding e = VideoEncoding.forSession(preset("low-480p"), 640, 360, 25.0).orElseThrow();
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
                "-f", "lavfi", "-i", "testsrc=s=320x240:r=30", "-t", "4.5", "-map", "0:v:0"));
        cmd.addAll(e.outputOptions());
        cmd.addAll(List.of("-f", "mpegts", "pipe:1"));
        List<MediaFrame> frames = new ArrayList<>();
        try (MediaProcess p = PlainMediaProcess.start("encode", cmd, SecretMasker.forUrls())) {
            p.stdin().close();
            new TsDemuxer(frames::add).readAll(p.stdout());
            assertTrue(frames.size() > 100, "frames: " + frames.size() + " " + p.stderrTail());
        }
        List<MediaFrame> keyframes = frames.stream().filter(MediaFrame::keyframe).toList();
        for (MediaFrame k : keyframes) {
            assertEquals("854x480", k.pictureSize()[0] + "x" + k.pictureSize()[1]);
        }
        assertEquals(3, keyframes.size(), "a keyframe at 0, 2 and 4 s");
        assertEquals(2 * Ts.TICKS_PER_SECOND, keyframes.get(1).dts() - keyframes.get(0).dts());
        assertEquals(Ts.TICKS_PER_SECOND / 25, frames.get(1).dts() - frames.get(0).dts(), "25 fps");
        assertTrue(frames.stream().allMatch(f -> f.pts() == f.dts()), "no B-frames");
    }
}
