package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The filter allowlist held against Debian's ffmpeg 5.1: every allowed option exists, positional values go to the
 * options ffmpeg gives them to (a wrong order would let a positional value reach an option the check did not look
 * at), and graphs made of the allowed filters run.
 */
class FfmpegFilterHelpTest {
    /** An option line of "ffmpeg -h filter=NAME": name (swresample's with a leading '-'), type, flags, help. */
    private static final Pattern OPTION_LINE = Pattern.compile("(?m)^ {2,3}-?([A-Za-z_]\\w*)\\s+<(\\w+)>\\s+\\S+\\s*(.*)$");

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "ffmpeg did not end: " + command);
        assertEquals(0, p.exitValue(), command + " -> " + out);
        return out;
    }

    @Test
    void everyAllowedOptionIsOneFfmpegKnowsAndPositionalValuesGoWhereFfmpegPutsThem() throws Exception {
        Map<String, FilterGraphCheck.FilterRule> rules = FilterGraphCheck.allowedFilterRules();
        assertTrue(rules.keySet().containsAll(List.of("scale", "fps", "volume", "drawtext")), rules.keySet().toString());
        for (var entry : rules.entrySet()) {
            String help = run(List.of("ffmpeg", "-hide_banner", "-h", "filter=" + entry.getKey()));
            Set<String> names = new LinkedHashSet<>();
            // ffmpeg skips aliases (same field, listed next with the same help) when it assigns positional values
            List<String> fields = new ArrayList<>();
            String previous = null;
            Matcher m = OPTION_LINE.matcher(help);
            while (m.find()) {
                names.add(m.group(1));
                String typeAndHelp = m.group(2) + " " + m.group(3);
                if (!typeAndHelp.equals(previous)) {
                    fields.add(m.group(1));
                }
                previous = typeAndHelp;
            }
            FilterGraphCheck.FilterRule rule = entry.getValue();
            assertTrue(names.containsAll(rule.options().keySet()),
                    entry.getKey() + ": " + rule.options().keySet() + " not all in " + names);
            assertEquals(rule.positional(), fields.subList(0, rule.positional().size()), entry.getKey());
        }
    }

    @Test
    void graphsOfTheAllowedFiltersRun() throws Exception {
        String video = "scale=640:360:flags=lanczos,fps=25,format=yuv420p,setsar=1,setdar=16/9,crop=600:340:10:10,"
                + "pad=640:360:(ow-iw)/2:(oh-ih)/2:black,transpose=1,hflip,vflip,yadif=0:-1:0,bwdif,w3fdif,"
                + "eq=brightness=0.06:saturation=1.2,unsharp=5:5:1.0,hqdn3d=4:3:6:4.5,"
                + "drawbox=x=10:y=10:w=100:h=50:color=red@0.5:t=fill,"
                + "drawtext=text='Cam 1':x=10:y=10:fontsize=24:fontcolor=white,setpts=PTS-STARTPTS,null";
        String audio = "volume=6dB,aresample=44100,aformat=sample_fmts=fltp:channel_layouts=stereo,"
                + "pan=stereo|c0=FL|c1=FR,highpass=f=200,lowpass=f=8000,loudnorm=I=-16:TP=-1.5:LRA=11,"
                + "asetpts=PTS-STARTPTS,anull";
        assertEquals(Optional.empty(), FilterGraphCheck.problem(video));
        assertEquals(Optional.empty(), FilterGraphCheck.problem(audio));
        run(List.of("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                "testsrc=d=0.2:s=320x240:r=25", "-f", "lavfi", "-i", "sine=d=0.2", "-vf", video, "-af", audio,
                "-f", "null", "-"));
    }
}
