package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import stream.core.RtmpUrl;
import stream.core.RtspUrl;

/** A chosen preset becomes ffmpeg_params; what the stream then runs must keep everything the preset asks for. */
class PresetParamsTest {
    static final PresetCatalog SHIPPED = PresetCatalog.load(Path.of("../../ffmpeg-presets"));

    List<String> commandFor(String preset) {
        EncodingArgs encoding = EncodingArgs.parse(SHIPPED.find(preset).orElseThrow().ffmpegParams());
        return new FfmpegCommand("ffmpeg", new RtspUrl("rtsp://127.0.0.1:8554/cam1"), new RtmpUrl("rtmp://127.0.0.1:1935/live/k"), encoding,
                CameraAudio.AAC).arguments();
    }

    @Test
    void everyShippedPresetSurvivesTheRoundTripThroughFfmpegParams() {
        for (Preset p : SHIPPED.all()) {
            EncodingArgs again = EncodingArgs.parse(p.ffmpegParams());
            assertEquals(p.encodingArgs(), again, p.name());
            assertEquals(p.args(), again.tokens(), p.name());
        }
    }

    @Test
    void vaapisDeviceComesBeforeTheCameraInput() {
        List<String> args = commandFor("vaapi");
        int device = args.indexOf("-vaapi_device");
        assertTrue(device > 0, args.toString());
        assertEquals("/dev/dri/renderD128", args.get(device + 1));
        assertTrue(device < args.indexOf("-i"), "a global option before the input: " + args);
    }
}
