package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The filter graph allowlist, graph by graph as ffmpeg 5.1 receives it (after the shell-style tokenizer). */
class FilterGraphCheckTest {
    private static String refusal(String graph) {
        Optional<String> problem = FilterGraphCheck.problem(graph);
        assertTrue(problem.isPresent(), () -> "should be refused: " + graph);
        return problem.get();
    }

    private static void assertRefusedMentioning(String graph, String... fragments) {
        String message = refusal(graph);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), () -> "'" + message + "' should mention '" + fragment + "'");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // size, rate, format, aspect
            "scale=1920:1080", "scale=-2:480", "scale=iw/2:-1", "scale=1280:720:flags=lanczos",
            "scale=w=1280:h=720:force_original_aspect_ratio=decrease", "scale=16:7680", "scale=7680:16",
            "scale=width=trunc(iw/2)*2:height=ih", "scale=1280:720:bicubic", "scale@first=640:360",
            "fps=25", "fps=30000/1001", "fps=fps=ntsc", "fps=240", "fps=0.5", "fps=fps=25:round=near",
            "format=yuv420p", "format=pix_fmts=nv12|yuv420p", "setsar=1", "setsar=sar=1/1", "setdar=16/9",
            "setdar=dar=4/3:max=100", "setpts=PTS-STARTPTS",
            // geometry
            "crop=1280:720:0:0", "crop=in_w-100:in_h:50:0", "crop=w=in_w/2:h=in_h/2", "crop=out_w=640:out_h=360:x=-(10)", "eq=brightness=-.5",
            "pad=1920:1080:(ow-iw)/2:(oh-ih)/2:black", "pad=w=1920:h=1080:color=0x000000",
            "transpose=1", "transpose=dir=clock:passthrough=landscape", "hflip", "vflip", "hflip,vflip",
            // deinterlacing
            "yadif", "yadif=0:-1:0", "yadif=mode=send_field:parity=auto", "bwdif=mode=send_field", "w3fdif",
            "deinterlace_vaapi=rate=field",
            // picture
            "eq=brightness=0.06:saturation=1.2", "eq=1.1:0.05:1.3", "unsharp=5:5:1.0", "unsharp=lx=5:ly=5:la=0.8",
            "hqdn3d=4:3:6:4.5", "hqdn3d", "drawbox=x=10:y=10:w=100:h=50:color=red@0.5:t=fill",
            "drawbox=10:10:100:50:blue", "drawtext=text='Cam 1':x=10:y=10:fontsize=24:fontcolor=white:box=1"
                    + ":boxcolor=black@0.5", "drawtext=text=a\\\\:b:x=(w-tw)/2", "drawtext=text=",
            // hardware upload
            "format=nv12,hwupload", "hwupload=derive_device=vaapi", "hwdownload,format=nv12",
            "scale_vaapi=w=1280:h=720", "null",
            // audio
            "volume=2.0", "volume=6dB", "volume=volume=0.5:precision=fixed", "aresample=44100",
            "aresample=async=1:first_pts=0", "aresample=osr=48000",
            "aformat=sample_fmts=fltp:sample_rates=44100:channel_layouts=stereo", "aformat=f=s16:r=48000:cl=mono",
            "pan=stereo|c0=FL|c1=FR", "pan=mono|c0=0.5*c0+0.5*c1", "loudnorm=I=-16:TP=-1.5:LRA=11",
            "loudnorm=i=-23:print_format=summary", "highpass=f=200", "highpass=200", "lowpass=f=8000:p=2",
            "asetpts=PTS-STARTPTS", "anull", "volume=2,highpass=f=100,lowpass=f=8000",
            // graph syntax
            "[in]scale=640:-2[out]", "sws_flags=bicubic;scale=640:-2", "sws_flags=lanczos+accurate_rnd;scale=640:-2",
            " scale = 640 : 360 ", "scale=640:360,fps=25", "scale='640':'360'"})
    void whatACameraRelayNeedsPasses(String graph) {
        assertEquals(Optional.empty(), FilterGraphCheck.problem(graph), graph);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "curves=preset=vintage:plot=/tmp/x | curves filter",
            "firequalizer=gain=1:dumpfile=/tmp/x | firequalizer filter",
            "movie=/etc/passwd | movie filter",
            "amovie=x.wav | amovie filter",
            "subtitles=x.srt | subtitles filter",
            "ass=x.ass | ass filter",
            "sendcmd=f=cmds.txt | sendcmd filter",
            "zmq | zmq filter",
            "lut3d=file=x.cube | lut3d filter",
            "haldclut | haldclut filter",
            "frei0r=distort0r | frei0r filter",
            "ladspa=f=x | ladspa filter",
            "lv2=p=x | lv2 filter",
            "ocr | ocr filter",
            "signature=filename=x | signature filter",
            "vidstabdetect=result=x.trf | vidstabdetect filter",
            "nnedi=weights=x | nnedi filter",
            "MOVIE=x | movie filter",
            "scale=640:-2,movie@m=x.mp4 | movie filter"})
    void knownDangerousFiltersAreRefusedWithWhy(String graph, String named) {
        String message = refusal(graph);
        assertTrue(message.contains(named), message);
        assertTrue(message.contains("file") || message.contains("socket") || message.contains("plugin")
                || message.contains("input"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rotate=PI/6", "tblend", "overlay", "split", "concat", "geq=lum=1", "showinfo",
            "metadata=mode=print", "select=eq(n\\,0)", "colorlevels", "Scale=640:360", "buffer", "nullsrc",
            "anullsrc", "afir", "amix", "deshake"})
    void anyFilterOutsideTheAllowlistIsRefusedAndTheAllowedOnesAreListed(String graph) {
        String message = refusal(graph);
        assertTrue(message.contains("may not use"), message);
        assertTrue(message.contains("allowed filters: aformat, anull, aresample"), message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "drawtext=fontfile=/usr/share/fonts/x.ttf:text=hi | fontfile",
            "drawtext=textfile=notes.txt | textfile",
            "drawtext=text=hi:fontfile=x.ttf | fontfile",
            "drawtext='text=a:fontfile=/etc/passwd' | fontfile",
            "scale=640:360:filename=x | filename",
            "volume=2:file=x | file"})
    void optionsThatNameFilesAreRefusedWithWhy(String graph, String option) {
        assertRefusedMentioning(graph, "sets " + option + "=", "names a file");
    }

    @ParameterizedTest
    @ValueSource(strings = {"scale=w=640:sws_dither=ed", "scale=640:360:enable=1", "drawtext=text=a:reload=1",
            "hflip=x=1", "eq=contrast=1:x=2", "volume=replaygain=drop"})
    void optionsOutsideAFiltersAllowlistAreRefused(String graph) {
        assertRefusedMentioning(graph, "an option it may not take");
    }

    @Test
    void theRefusalOfAnOptionListsTheOptionsTheFilterTakes() {
        assertRefusedMentioning("hflip=x=1", "hflip filter", "it takes no options");
        assertRefusedMentioning("fps=speed=2", "fps filter", "it may take eof_action, fps, round, start_time");
    }

    @Test
    void positionalValuesMustMapToAnAllowedOption() {
        // drawtext's first positional option is fontfile
        assertRefusedMentioning("drawtext=font.ttf:text=hi", "drawtext filter", "without a name", "name=value");
        assertRefusedMentioning("hflip=1", "hflip filter", "more values without a name");
        assertRefusedMentioning("scale=640:360:bicubic:0:extra", "option 5");
        // ffmpeg itself refuses a positional value after a named one
        assertRefusedMentioning("scale=w=640:480", "after a name=value option (option 2)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "scale=99999:99999 | outside 16..7680",
            "scale=7681:-2 | outside 16..7680",
            "scale=15:480 | outside 16..7680",
            "scale=0:0 | outside 16..7680",
            "scale=-3:480 | outside 16..7680",
            "scale=640:99999.5 | outside 16..7680",
            "crop=w=8000 | outside 16..7680",
            "pad=width=1920:height=99999 | outside 16..7680",
            "scale_vaapi=w=10000:h=720 | outside 16..7680",
            "scale=iw*99999:ih | number above 7680",
            "scale=iw*7681:ih | number above 7680",
            "fps=0 | frame rate",
            "fps=0/1 | frame rate",
            "fps=1/0 | frame rate",
            "fps=0/0 | frame rate",
            "fps=241 | frame rate",
            "fps=240.5 | frame rate",
            "fps=fps=-5 | frame rate",
            "fps=nan | frame rate",
            "fps=inf | frame rate",
            "fps=fast | frame rate",
            "aresample=0 | sample rate",
            "aresample=7999 | sample rate",
            "aresample=192001 | sample rate",
            "aresample=osr=1 | sample rate",
            "loudnorm=I=nan | a number",
            "hqdn3d=-nan | a number",
            "scale=-iw:480 | starts with '-'",
            "eq=contrast=- | starts with '-'",
            "pad=x=-w | starts with '-'",
            "drawbox=color=red x | a colour"})
    void absurdOrMalformedValuesAreRefused(String graph, String fragment) {
        assertRefusedMentioning(graph, fragment);
    }

    @Test
    void boundaryValuesAreAccepted() {
        for (String graph : List.of("scale=16:16", "scale=7680:4320", "scale=-1:-2", "scale=7680.0:16",
                "fps=240", "fps=0.001", "fps=240/1", "aresample=8000", "aresample=192000", "scale=iw*7680/7680:ih",
                "fps=pal", "fps=film", "fps=ntsc-film")) {
            assertEquals(Optional.empty(), FilterGraphCheck.problem(graph), graph);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scale=w=/etc/x", "scale=w=../x", "scale=w=data/../../x", "scale=file\\\\:x:480",
            "eq=contrast=~/x", "drawtext=text=/etc/passwd", "drawtext=text=http\\\\://evil/", "setpts=./x",
            "drawtext=text=file\\\\:x", "scale=w=iw..2", "drawtext=text=." })
    void valuesThatCouldNameAFileOrProtocolAreRefused(String graph) {
        assertRefusedMentioning(graph, "looks like a file path or URL");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'' | empty filter",
            "scale=640:360,,fps=25 | empty filter",
            "[in | never closed",
            "drawtext=text='abc | never closed",
            "scale=640:360[out] x | unexpected 'x' at character 20",
            "sws_flags=bicubic | without the ';'",
            "sws_flags=/etc/x;scale=640:360 | not scaler flags",
            "sws_flags=bicubic:dither=ed;scale=640:360 | not scaler flags"})
    void malformedGraphsAreRefusedWithWhere(String graph, String fragment) {
        assertRefusedMentioning(graph, fragment);
    }

    @Test
    void messagesNameFiltersAndOptionsButNeverRepeatAValue() {
        String secret = "abcd-efgh-ijkl-mnop";
        for (String graph : List.of("drawtext=text=rtmp\\://host/live/" + secret, "scale=w=" + secret + "..x",
                "fps=" + secret, "format=" + secret + "|nv12;", "eq=contrast=/" + secret,
                "pan=" + secret + "/x", "volume=" + secret + "@")) {
            String message = refusal(graph);
            assertFalse(message.contains("abcd"), message);
            assertFalse(message.contains(secret.substring(5)), message);
        }
    }

    @Test
    void anUnknownFilterOrOptionNameIsShownMaskedNotRepeated() {
        String unknownFilter = refusal("sk0123456789abcd");
        assertTrue(unknownFilter.contains("(****abcd, 16 characters)"), unknownFilter);
        assertFalse(unknownFilter.contains("sk0123"), unknownFilter);
        String unknownOption = refusal("scale=sk0123456789wxyz=1");
        assertTrue(unknownOption.contains("(****wxyz)"), unknownOption);
        assertFalse(unknownOption.contains("sk0123"), unknownOption);
    }

    @Test
    void optionsAreSplitAndUnquotedAsFfmpegDoes() {
        assertEquals(List.of(new FilterGraphCheck.Option("text", "a:b"), new FilterGraphCheck.Option("x", "1")),
                FilterGraphCheck.options("text=a\\:b:x=1"));
        assertEquals(List.of(new FilterGraphCheck.Option(null, "640"), new FilterGraphCheck.Option(null, "360")),
                FilterGraphCheck.options(" 640 :360"));
        assertEquals(List.of(new FilterGraphCheck.Option("text", "a b "), new FilterGraphCheck.Option("y", "2")),
                FilterGraphCheck.options("text='a b ':y=2"));
        assertEquals(List.of(new FilterGraphCheck.Option(null, "x")), FilterGraphCheck.options("x\\"));
        assertEquals(List.of(new FilterGraphCheck.Option(null, "a=b")), FilterGraphCheck.options("\\a=b"));
    }

    @Test
    void theGraphIsSplitIntoFiltersAsFfmpegDoes() {
        assertEquals(List.of(new FilterGraphCheck.Filter("scale", "640:360"), new FilterGraphCheck.Filter("fps", "25"),
                        new FilterGraphCheck.Filter("hflip", null)),
                FilterGraphCheck.parse("[in] scale=640:360 [a]; [a] fps=25 , hflip [out]"));
        assertEquals(List.of(new FilterGraphCheck.Filter("drawtext", "text=a:fontfile=/x")),
                FilterGraphCheck.parse("drawtext='text=a:fontfile=/x'"));
        assertEquals(List.of(new FilterGraphCheck.Filter("drawtext", "text=a,b")),
                FilterGraphCheck.parse("drawtext=text=a\\,b"));
        assertEquals(List.of(new FilterGraphCheck.Filter("sws_flags", "bicubic"),
                        new FilterGraphCheck.Filter("scale", "1:2")),
                FilterGraphCheck.parse("  sws_flags=bicubic;scale=1:2"));
        assertEquals(List.of(new FilterGraphCheck.Filter("scale", "")), FilterGraphCheck.parse("scale="));
        // blanks before the directive, as ffmpeg skips them; its value runs to the ';' whatever it holds
        assertEquals(List.of(new FilterGraphCheck.Filter("sws_flags", "a,b"), new FilterGraphCheck.Filter("fps", "1")),
                FilterGraphCheck.parse(" \t sws_flags=a,b;fps=1"));
        // "@name" alone leaves an empty filter name, which ffmpeg does not know either
        assertEquals(List.of(new FilterGraphCheck.Filter("", "1")), FilterGraphCheck.parse("@inst=1"));
        assertEquals(List.of(new FilterGraphCheck.Filter("hflip", null)), FilterGraphCheck.parse("[a] [b]hflip[c] [d]"));
    }
}
