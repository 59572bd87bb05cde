package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import stream.core.ValidationException;

class FfmpegParamsPolicyTest {
    static final String DOCUMENT_DEFAULT = "-c:v libx264 -preset veryfast -b:v 4500k -maxrate 5000k -bufsize 10000k"
            + " -vf \"scale=1920:1080\" -c:a aac -b:a 128k -ar 44100 -f flv";

    private static Map<String, String> check(String params) {
        return FfmpegParamsPolicy.check(ArgsTokenizer.tokenize(params));
    }

    /** The message of the refusal, after checking it is a field error on ffmpeg_params. */
    private static String refusal(String params) {
        ValidationException e = assertThrows(ValidationException.class, () -> check(params), params);
        assertEquals(1, e.errors().size());
        assertEquals("ffmpeg_params", e.errors().get(0).field());
        return e.errors().get(0).message();
    }

    private static void assertRefusedMentioning(String params, String... fragments) {
        String message = refusal(params);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), () -> "'" + message + "' should mention '" + fragment + "'");
        }
    }

    @Test
    void theArchitectureDefaultPassesAndReportsItsSettings() {
        Map<String, String> settings = check(DOCUMENT_DEFAULT);
        assertEquals("libx264", settings.get("c:v"));
        assertEquals("scale=1920:1080", settings.get("vf"));
        assertEquals("aac", settings.get("c:a"));
        assertEquals("flv", settings.get("f"));
        assertEquals(List.of("c:v", "preset", "b:v", "maxrate", "bufsize", "vf", "c:a", "b:a", "ar", "f"),
                List.copyOf(settings.keySet()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "-c:v copy -c:a copy",
            "-c:v copy -c:a aac -b:a 128k -ar 44100",
            "-c:v libx264 -preset veryfast -tune zerolatency -profile:v high -level 4.1 -pix_fmt yuv420p"
                    + " -g 50 -keyint_min 50 -sc_threshold 0 -bf 2 -b:v 2500k -maxrate 2500k -bufsize 2500k"
                    + " -r 25 -c:a aac -b:a 128k -ac 2 -ar 44100",
            "-c:v h264_v4l2m2m -num_capture_buffers 256 -num_output_buffers 512 -g 50 -pix_fmt yuv420p -b:v 2M",
            "-c:v h264_nvenc -preset p4 -tune ll -rc cbr -b:v 4500k -zerolatency 1 -spatial-aq 1",
            "-vaapi_device /dev/dri/renderD128 -vf format=nv12,hwupload -c:v h264_vaapi -rc_mode CBR -b:v 3M",
            "-c:v libx264 -crf 23 -vf scale=-2:480,fps=30000/1001 -s 854x480 -aspect 16:9",
            "-c:v libx264 -x264-params keyint=50:min-keyint=50:scenecut=0:nal-hrd=cbr -force_key_frames"
                    + " expr:gte(t,n_forced*2)",
            "-vcodec libx264 -acodec aac -ab 96k -vb 1500k -threads 2 -fps_mode cfr",
            "-c:v libx264 -vf \"drawtext=text='Camera 1':x=10:y=10:fontsize=24:fontcolor=white\"",
            "-c:v libx264 -vf yadif,hqdn3d=4:3:6:4.5 -af volume=2.0,highpass=f=200",
            "-c:v libx264 -t 18:00:00 -flvflags no_duration_filesize -max_muxing_queue_size 1024",
            "-c:v libx264 -strict -2 -sc_threshold -1"})
    void typicalEncoderSettingsPass(String params) {
        assertDoesNotThrow(() -> check(params));
    }

    @Test
    void anInputIsRefused() {
        assertRefusedMentioning("-c:v libx264 -i /etc/passwd", "'-i'", "input");
    }

    @Test
    void anyFormatButFlvIsRefused() {
        assertRefusedMentioning("-f lavfi", "'-f lavfi'", "flv");
        assertRefusedMentioning("-f image2", "'-f image2'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-map 0:v", "-filter_complex [0:v]scale=640:-2", "-lavfi nullsrc",
            "-filter_script:v graph.txt", "-filter_complex_script graph.txt", "-attach font.ttf",
            "-dump_attachment:t out.bin", "-y", "-progress http://evil/", "-report", "-passlogfile x",
            "-vstats_file x", "-sdp_file x.sdp", "-c copy", "-codec libx264", "-an", "-nostdin", "-loglevel quiet",
            "-hwaccel cuda", "-protocol_whitelist file,http"})
    void optionsThatReachBeyondTheOneOutputAreRefusedWithTheirName(String params) {
        String option = params.split(" ")[0];
        assertRefusedMentioning(params, "'" + option + "'", "not allowed");
    }

    @Test
    void anUnknownOptionIsRefusedByName() {
        assertRefusedMentioning("-c:v libx264 -foo 1", "'-foo'", "not an encoding option");
    }

    @ParameterizedTest
    @ValueSource(strings = {"out.flv", "rtmp://example.com/live/key", "-c:v libx264 extra.mp4", "-", "--"})
    void positionalWordsAreRefusedAsInputsOrOutputs(String params) {
        assertRefusedMentioning(params, "is not an option", "inputs or outputs");
    }

    @Test
    void anOptionWithoutItsValueIsRefused() {
        assertRefusedMentioning("-c:v libx264 -preset", "'-preset' needs a value");
    }

    @Test
    void anotherOptionInPlaceOfAValueIsRefused() {
        assertRefusedMentioning("-preset -i input.mp4", "'-preset' needs a value", "'-i'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/passwd", "./x", "../x", "~/x", "file:x", "concat:a|b", "concatf:list",
            "pipe:0", "fd:3", "subfile:,,start,0,end,0,,:/etc/passwd", "data:text/plain,x", "crypto:x", "cache:x",
            "async:x", "tcp:x", "udp:x", "http:x", "HTTP://x", "x://y"})
    void valuesThatLookLikeFilesOrUrlsAreRefused(String value) {
        assertRefusedMentioning("-preset " + value, "'-preset " + value + "'", "file path or URL");
    }

    @Test
    void aValueOfTheWrongKindIsRefusedWithWhatWasExpected() {
        assertRefusedMentioning("-b:v fast", "'-b:v fast'", "bitrate");
        assertRefusedMentioning("-g two", "'-g two'", "whole number");
        assertRefusedMentioning("-s big!", "'-s big!'", "size");
    }

    @Test
    void onlyH264VideoAndAacAudioCodecsAreAccepted() {
        assertRefusedMentioning("-c:v libx265", "'-c:v libx265'", "H.264");
        assertRefusedMentioning("-c:a libmp3lame", "'-c:a libmp3lame'", "AAC");
    }

    @Test
    void anOptionGivenTwiceIsRefusedEvenUnderAnotherSpelling() {
        assertRefusedMentioning("-b:v 1M -b:v 2M", "'-b:v' is given twice");
        assertRefusedMentioning("-c:v libx264 -vcodec copy", "'-vcodec' is given twice", "'-c:v'");
    }

    @Test
    void filteringACopiedStreamIsRefused() {
        assertRefusedMentioning("-c:v copy -vf scale=1280:720", "'-vf'", "copy");
        assertRefusedMentioning("-c:a copy -af volume=2", "'-af'", "copy");
    }

    @Test
    void aValueWithAControlCharacterIsRefused() {
        assertRefusedMentioning("-preset 'very\nfast'", "control character");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "movie=/etc/passwd", "movie=x.mp4[a];[in][a]overlay", "amovie=x.wav", "subtitles=x.srt", "ass=x.ass",
            "sendcmd=f=cmds.txt", "zmq", "azmq=bind_address=tcp\\\\://*\\\\:5555", "lut3d=x.cube", "lut1d=file=x",
            "haldclut", "frei0r=distort0r", "ladspa=f=x", "lv2=p=x", "signature=filename=x", "ocr",
            "scale=640:-2,movie@m=x.mp4", "[in]movie=x[out]", "vidstabdetect=result=x.trf",
            "psnr=stats_file=x.log", "dnn_processing=model=x.pb", "removelogo=mask.png"})
    void filtersThatReadWriteOrRunThingsAreRefused(String graph) {
        assertRefusedMentioning("-c:v libx264 -vf " + quote(graph), "'-vf ", "filter");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "drawtext=fontfile=/usr/share/fonts/x.ttf:text=hi",
            "drawtext=textfile=notes.txt",
            "drawtext=font.ttf:text=hi",
            "drawtext='text=a:fontfile=/etc/passwd'",
            "drawtext=text=hi:fontfile=x.ttf",
            "deshake=filename=log.txt",
            "metadata=mode=print:file=out.txt",
            "scale=w=640:h=/etc/x",
            "scale=file\\\\:x:480"})
    void filterOptionsThatNameFilesAreRefused(String graph) {
        assertRefusedMentioning("-c:v libx264 -vf " + quote(graph), "'-vf ");
    }

    @Test
    void theRefusalSaysWhichFilterAndWhy() {
        assertRefusedMentioning("-vf movie=x.mp4", "movie filter", "reads another file");
        assertRefusedMentioning("-vf drawtext=fontfile=x.ttf", "fontfile", "names a file");
    }

    @ParameterizedTest
    @ValueSource(strings = {"scale=1920:1080", "fps=30000/1001", "scale=iw/2:-2", "format=nv12,hwupload",
            "scale=1280:720:flags=lanczos,setsar=1", "[in]scale=640:-2[out]", "drawtext=text='a\\:b':x=(w-tw)/2",
            "crop=in_w-100:in_h:50:0", "eq=brightness=0.06:saturation=1.2", "sws_flags=bicubic;scale=640:-2"})
    void ordinaryFilterGraphsWithColonsAndFractionsPass(String graph) {
        assertDoesNotThrow(() -> check("-c:v libx264 -vf " + quote(graph)));
    }

    @Test
    void anUnclosedQuoteInAFilterGraphIsRefused() {
        assertRefusedMentioning("-vf \"drawtext=text='abc\"", "never closed");
    }

    @Test
    void x264ParametersThatNameFilesAreRefused() {
        assertRefusedMentioning("-x264-params stats=x.log", "'stats'");
        assertRefusedMentioning("-x264-params keyint=50:qpfile=q.txt", "'qpfile'");
        assertRefusedMentioning("-x264-params keyint=/etc/x", "file path or URL");
    }

    @Test
    void theVaapiDeviceMustBeARenderNode() {
        assertDoesNotThrow(() -> check("-vaapi_device /dev/dri/renderD129"));
        assertRefusedMentioning("-vaapi_device /etc/passwd", "render node");
    }

    @Test
    void everyRefusalNamesTheOffendingToken() {
        assertAll(
                () -> assertTrue(refusal("-c:v libx264 -map 0:a").contains("'-map'")),
                () -> assertTrue(refusal("-c:v libx264 -f mp4").contains("'-f mp4'")),
                () -> assertTrue(refusal("-c:v libx264 out.mkv").contains("'out.mkv'")));
    }

    @Test
    void everyShippedPresetPasses() throws Exception {
        Path presets = Path.of("../../ffmpeg-presets");
        assumeTrue(Files.isDirectory(presets), "the repository's ffmpeg-presets directory");
        List<Path> files;
        try (Stream<Path> list = Files.list(presets)) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertFalse(files.isEmpty());
        for (Path file : files) {
            JsonObject preset = Json.parse(Files.readString(file)).asObject();
            List<String> tokens = new ArrayList<>();
            for (String key : List.of("input_args", "args")) {
                JsonValue array = preset.get(key);
                if (array != null) {
                    array.asArray().forEach(v -> tokens.add(v.asString()));
                }
            }
            assertDoesNotThrow(() -> FfmpegParamsPolicy.check(tokens), file.toString());
        }
    }

    /** Quotes a filter graph for the tokenizer, as a user would type it. */
    private static String quote(String graph) {
        return "\"" + graph.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
