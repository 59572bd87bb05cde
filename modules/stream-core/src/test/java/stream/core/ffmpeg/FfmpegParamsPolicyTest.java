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
import java.util.Optional;
import java.util.stream.Stream;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
    void everySpellingOfAnAllowedOptionHasOneCanonicalName() {
        assertEquals(Optional.of("c:v"), FfmpegParamsPolicy.canonical("-vcodec"));
        assertEquals(Optional.of("c:v"), FfmpegParamsPolicy.canonical("-codec:v:0"));
        assertEquals(Optional.of("fps_mode"), FfmpegParamsPolicy.canonical("-vsync"));
        assertEquals(Optional.empty(), FfmpegParamsPolicy.canonical("-i"));
        assertEquals(Optional.empty(), FfmpegParamsPolicy.canonical("-foo"));
    }

    @Test
    void anInputIsRefused() {
        assertRefusedMentioning("-c:v libx264 -i /etc/passwd", "'-i'", "input");
    }

    @Test
    void anyFormatButFlvIsRefused() {
        assertRefusedMentioning("-f lavfi", "'-f'", "flv");
        assertRefusedMentioning("-f image2", "'-f'", "flv");
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
        assertRefusedMentioning("-preset -i input.mp4", "'-preset' needs a value", "not the option '-i'");
        assertRefusedMentioning("-b:v -1k", "'-b:v' needs a value (a bitrate", "not word 2 (****)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/passwd", "./x", "../x", "~/x", "file:x", "concat:a|b", "concatf:list",
            "pipe:0", "fd:3", "subfile:,,start,0,end,0,,:/etc/passwd", "data:text/plain,x", "crypto:x", "cache:x",
            "async:x", "tcp:x", "udp:x", "http:x", "HTTP://x", "x://y", "data/../../etc/passwd", "fast..x", ".",
            "..", "a/../b"})
    void valuesThatLookLikeFilesOrUrlsAreRefused(String value) {
        String message = refusal("-preset " + value);
        assertTrue(message.startsWith("'-preset'") && message.contains("file path or URL"), message);
        assertFalse(message.contains(value) && value.length() > 2, "the value is not repeated: " + message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-force_key_frames expr:../x", "-x264-params keyint=..",
            "-pix_fmt data/../../x", "-tune ..", "-threads ./2"})
    void aClimbOutOfAFolderIsRefusedAnywhereInAValue(String params) {
        assertRefusedMentioning(params, "file path or URL");
    }

    @Test
    void aValueOfTheWrongKindIsRefusedWithWhatWasExpected() {
        assertRefusedMentioning("-b:v fast", "'-b:v' expects", "bitrate");
        assertRefusedMentioning("-g two", "'-g' expects", "whole number");
        assertRefusedMentioning("-s big!", "'-s' expects", "size");
        assertRefusedMentioning("-crf high", "'-crf' expects a number");
        assertRefusedMentioning("-aspect wide", "'-aspect' expects an aspect ratio");
        assertRefusedMentioning("-t forever", "'-t' expects a duration");
        assertRefusedMentioning("-flvflags 1", "'-flvflags' expects flags");
        assertRefusedMentioning("-x264-params =1", "'-x264-params' expects key=value pairs");
    }

    @Test
    void onlyH264VideoAndAacAudioCodecsAreAccepted() {
        assertRefusedMentioning("-c:v libx265", "'-c:v'", "H.264", "copy, h264_nvenc, h264_omx");
        assertRefusedMentioning("-c:a libmp3lame", "'-c:a'", "AAC", "aac, copy, libfdk_aac");
        for (String codec : FfmpegParamsPolicy.VIDEO_CODECS) {
            assertEquals(codec, check("-c:v " + codec).get("c:v"));
        }
        for (String codec : FfmpegParamsPolicy.AUDIO_CODECS) {
            assertEquals(codec, check("-c:a " + codec).get("c:a"));
        }
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
        assertRefusedMentioning("-preset 'very\nfast'", "'-preset' has a value with a control character");
        String message = refusal("-c:v libx264 'rtmp://h/live/abcd-efgh\tijkl-mnop'");
        assertTrue(message.startsWith("word 3 (****mnop) contains a control character"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "movie=/etc/passwd", "movie=x.mp4[a];[in][a]overlay", "amovie=x.wav", "subtitles=x.srt", "ass=x.ass",
            "sendcmd=f=cmds.txt", "zmq", "azmq=bind_address=tcp\\\\://*\\\\:5555", "lut3d=x.cube", "lut1d=file=x",
            "haldclut", "frei0r=distort0r", "ladspa=f=x", "lv2=p=x", "signature=filename=x", "ocr",
            "scale=640:-2,movie@m=x.mp4", "[in]movie=x[out]", "vidstabdetect=result=x.trf",
            "psnr=stats_file=x.log", "dnn_processing=model=x.pb", "removelogo=mask.png"})
    void filtersThatReadWriteOrRunThingsAreRefused(String graph) {
        assertRefusedMentioning("-c:v libx264 -vf " + quote(graph), "'-vf': the filter graph ", "filter");
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
        assertRefusedMentioning("-c:v libx264 -vf " + quote(graph), "'-vf': the filter graph ");
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
        assertRefusedMentioning("-x264-params keyint=/etc/x", "'-x264-params' expects key=value pairs");
        assertRefusedMentioning("-x264opts stats=x.log", "'stats'", "file");
        assertRefusedMentioning("-x264-params keyint=50:dump-yuv=x", "'dump-yuv'");
    }

    @Test
    void x264ParametersComeFromAnAllowlist() {
        assertDoesNotThrow(() -> check("-x264-params keyint=50:min-keyint=50:scenecut=0:nal-hrd=cbr"
                + ":vbv-maxrate=4500:vbv-bufsize=9000:bframes=2:ref=3:aq-mode=1:no-mbtree"));
        assertRefusedMentioning("-x264-params keyint=50:opencl=1", "not an x264 parameter", "allowed: 8x8dct");
        String message = refusal("-x264opts keyint=50:abcd1234efgh5678=1");
        assertTrue(message.contains("****5678 is not an x264 parameter"), message);
        assertFalse(message.contains("abcd1234"), message);
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
                () -> assertTrue(refusal("-c:v libx264 -f mp4").contains("'-f'")),
                () -> assertTrue(refusal("-c:v libx264 out.mkv").startsWith("word 3 (****) is not an option")),
                () -> assertTrue(refusal("-c:v libx264 -foo 1").startsWith("'-foo' is not an encoding option")));
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
            JsonValue device = preset.get("vaapi_device");
            if (device != null) {
                tokens.addAll(List.of("-vaapi_device", device.asString()));
            }
            for (String key : List.of("args")) {
                JsonValue array = preset.get(key);
                if (array != null) {
                    array.asArray().forEach(v -> tokens.add(v.asString()));
                }
            }
            assertDoesNotThrow(() -> FfmpegParamsPolicy.check(tokens), file.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-s 99999x99999", "-s 15x720", "-s 1280x15", "-s 7681x4320", "-s 1920x7681", "-s 0x0",
            "-s huge", "-s 123456x1", "-r 1/0", "-r 0", "-r 0/0", "-r 0/1", "-r 0.0", "-r 241", "-r 240.01",
            "-r 480/1", "-r nan", "-r inf", "-r -5", "-r fast", "-b:v 999999999k", "-b:v 0", "-b:v 0k",
            "-b:v 100.001M", "-maxrate 101M", "-bufsize 1000000000", "-b:a 200000k", "-minrate 1000M", "-b:v -1k",
            "-ar 0", "-ar 7999", "-ar 192001", "-ar 44.1k", "-ac 0", "-ac 9", "-ac -1", "-aspect 0:1",
            "-aspect 16:0", "-aspect -16:9", "-crf nan", "-g 99999999", "-qp 1e9"})
    void absurdSizesRatesAndBitratesAreRefused(String params) {
        String option = params.split(" ")[0];
        String message = refusal(params);
        assertTrue(message.startsWith("'" + option + "' expects ")
                || message.startsWith("'" + option + "' needs a value"), message);
    }

    @ParameterizedTest
    @CsvSource({"-s 16x16, s", "-s 7680x4320, s", "-s hd720, s", "-s uhd4320, s", "-r 240, r", "-r 30000/1001, r",
            "-r 0.5, r", "-r ntsc, r", "-b:v 100M, b:v", "-b:v 100000k, b:v", "-b:v 100000000, b:v", "-b:v 0.5M, b:v",
            "-maxrate 1, maxrate", "-ar 8000, ar", "-ar 192000, ar", "-ac 1, ac", "-ac 8, ac", "-aspect 4:3, aspect",
            "-aspect 1.7778, aspect", "-crf -1.5, crf"})
    void valuesAtTheBoundsAreAccepted(String params, String setting) {
        assertEquals(params.split(" ")[1], check(params).get(setting));
    }

    @Test
    void refusalsNeverRepeatAValueThatCouldBeASecret() {
        String key = "S3cr3t-abcd-efgh-ijkl-mnop";
        for (String params : List.of(
                "-c:v libx264 rtmp://a.rtmp.youtube.com/live2/" + key,
                "-c:v libx264 " + key,
                "-c:v " + key,
                "-b:v " + key,
                "-f " + key,
                "-preset rtmp://user:" + key + "@host/x",
                "-preset file:" + key,
                "-x264-params keyint=" + key + "/x",
                "-x264-params " + key + "=1",
                "-vf drawtext=text=" + key + "..",
                "-vf " + key,
                "-vf scale=" + key + "=1",
                "-vf movie=rtmp\\://host/live/" + key,
                "-vaapi_device /dev/" + key,
                "-" + key.toLowerCase() + "/x 1",
                "-preset -" + key + "/x",
                "-c:v libx264 'http://h/e?token=" + key + "'")) {
            String message = refusal(params);
            assertFalse(message.contains("S3cr3t") || message.contains("abcd-efgh") || message.contains("s3cr3t"),
                    () -> params + " -> " + message);
        }
    }

    /** Quotes a filter graph for the tokenizer, as a user would type it. */
    private static String quote(String graph) {
        return "\"" + graph.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
