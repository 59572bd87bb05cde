package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every shipped preset only uses options that Debian's ffmpeg 5.1 knows, for its own encoder. */
class PresetArgsTest {
    static final String FFMPEG = "/usr/bin/ffmpeg";
    private static final Pattern OPTION_LINE = Pattern.compile("^\\s*-([A-Za-z0-9_-]+)[\\s\\[]");

    @Test
    void argsComeInOptionValuePairs() {
        for (Preset preset : PresetCatalog.load(PresetCatalogTest.SHIPPED).all()) {
            for (List<String> args : List.of(preset.args(), preset.inputArgs())) {
                assertEquals(0, args.size() % 2, preset.name());
                for (int i = 0; i < args.size(); i += 2) {
                    assertTrue(args.get(i).startsWith("-"), preset.name() + ": " + args.get(i));
                    assertTrue(!args.get(i + 1).startsWith("-"), preset.name() + ": " + args.get(i + 1));
                }
            }
        }
    }

    @Test
    void everyOptionIsKnownToThisFfmpegForThePresetsEncoder() throws Exception {
        Set<String> general = generalOptions();
        Set<String> listed = EncoderAvailability.parseEncoders(run(FFMPEG, "-hide_banner", "-encoders"));
        for (Preset preset : PresetCatalog.load(PresetCatalogTest.SHIPPED).all()) {
            Set<String> known = new HashSet<>(general);
            if (!preset.copiesVideo()) {
                assertTrue(listed.contains(preset.encoder()), preset.encoder() + " is not listed by ffmpeg -encoders");
                known.addAll(options(run(FFMPEG, "-hide_banner", "-h", "encoder=" + preset.encoder())));
            }
            known.addAll(options(run(FFMPEG, "-hide_banner", "-h", "encoder=aac")));
            for (List<String> args : List.of(preset.args(), preset.inputArgs())) {
                for (int i = 0; i < args.size(); i += 2) {
                    String option = args.get(i).substring(1).replaceFirst(":.*", "");
                    assertTrue(known.contains(option), preset.name() + ": ffmpeg 5.1 has no option -" + option
                            + " for " + preset.encoder());
                }
            }
        }
    }

    /** ffmpeg's own options and the codec options every encoder takes: {@code -h full} up to the first encoder. */
    private static Set<String> generalOptions() throws Exception {
        String full = run(FFMPEG, "-hide_banner", "-h", "full");
        int end = full.indexOf("\n", full.indexOf("AVCodecContext AVOptions:"));
        int firstPrivate = full.indexOf(" AVOptions:", end);
        return options(full.substring(0, full.lastIndexOf('\n', firstPrivate)));
    }

    private static Set<String> options(String help) {
        Set<String> names = new HashSet<>();
        for (String line : help.split("\n")) {
            Matcher m = OPTION_LINE.matcher(line);
            if (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static String run(String... command) throws Exception {
        TimedProcess.Outcome outcome = TimedProcess.run(List.of(command), Duration.ofSeconds(10));
        assertTrue(outcome.succeeded(), String.join(" ", command) + ": " + outcome.stderr());
        return outcome.stdout();
    }
}
