package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PresetCatalogTest {
    /** The shipped presets, relative to the module directory Maven runs tests in. */
    static final Path SHIPPED = Path.of("../../ffmpeg-presets");
    private static final List<String> DOCUMENT_STRING = List.of("-c:v", "libx264", "-preset", "veryfast", "-b:v",
            "4500k", "-maxrate", "5000k", "-bufsize", "10000k", "-vf", "scale=1920:1080", "-c:a", "aac", "-b:a",
            "128k", "-ar", "44100", "-f", "flv");
    private static final List<String> FORCED_KEYFRAMES = List.of("-force_key_frames", "expr:gte(t,n_forced*2)");

    @TempDir
    Path dir;

    @Test
    void loadsTheShippedPresetsInTheContractsOrder() {
        PresetCatalog catalog = PresetCatalog.load(SHIPPED);
        assertEquals(List.of(), catalog.problems());
        assertEquals(List.of("document-default", "copy", "pi-hw", "nvenc", "vaapi", "low-480p"),
                catalog.all().stream().map(Preset::name).toList());
    }

    @Test
    void documentDefaultHoldsTheArchitectureDocumentsStringUnbrokenPlusKeyframes() {
        Preset preset = PresetCatalog.load(SHIPPED).find("document-default").orElseThrow();
        assertEquals(0, Collections.indexOfSubList(preset.args(), DOCUMENT_STRING), preset.args().toString());
        assertTrue(Collections.indexOfSubList(preset.args(), FORCED_KEYFRAMES) > 0);
        assertEquals("libx264", preset.encoder());
        assertTrue(preset.transcodes());
    }

    @Test
    void argsReadAsOneLineAndQuoteOnlyWhatNeedsIt() {
        Preset preset = PresetCatalog.load(SHIPPED).find("document-default").orElseThrow();
        assertEquals("-c:v libx264 -preset veryfast -b:v 4500k -maxrate 5000k -bufsize 10000k -vf scale=1920:1080 "
                + "-c:a aac -b:a 128k -ar 44100 -f flv -force_key_frames expr:gte(t,n_forced*2) -sc_threshold 0",
                preset.argsLine());
        Preset odd = new Preset("odd", "", "", "copy", List.of("-c:v", "copy", "-metadata", "title=My \"cam\""),
                false);
        assertEquals("-c:v copy -metadata \"title=My \\\"cam\\\"\"", odd.argsLine());
    }

    @Test
    void everyTranscodingPresetForcesAKeyframeEveryTwoSeconds() {
        for (Preset preset : PresetCatalog.load(SHIPPED).all()) {
            boolean forces = Collections.indexOfSubList(preset.args(), FORCED_KEYFRAMES) >= 0;
            assertEquals(preset.transcodes(), forces, preset.name());
        }
    }

    @Test
    void everyPresetSendsAacAt44100ToFlv() {
        for (Preset preset : PresetCatalog.load(SHIPPED).all()) {
            List<String> args = preset.args();
            assertTrue(Collections.indexOfSubList(args, List.of("-c:a", "aac", "-b:a", "128k", "-ar", "44100")) >= 0,
                    preset.name());
            assertTrue(Collections.indexOfSubList(args, List.of("-f", "flv")) >= 0, preset.name());
            assertFalse(preset.description().isBlank(), preset.name());
            assertFalse(preset.hardware().isBlank(), preset.name());
        }
    }

    @Test
    void copyPassesVideoThroughAndVaapiNamesItsDeviceBeforeTheInput() {
        PresetCatalog catalog = PresetCatalog.load(SHIPPED);
        Preset copy = catalog.find("copy").orElseThrow();
        assertTrue(copy.copiesVideo());
        assertFalse(copy.transcodes());
        assertEquals(List.of("-vaapi_device", "/dev/dri/renderD128"), catalog.find("vaapi").orElseThrow().inputArgs());
        assertEquals(List.of(), catalog.find("pi-hw").orElseThrow().inputArgs());
        assertTrue(catalog.find("nope").isEmpty());
    }

    @Test
    void skipsBrokenFilesNamingFileAndProblemAndKeepsTheGoodOnes() throws IOException {
        write("good.json", preset("good", "\"encoder\": \"copy\", \"args\": [\"-c:v\", \"copy\", \"-f\", \"flv\"]"));
        write("broken.json", "{ \"name\": \"broken\", ");
        write("other.json", preset("elsewhere", "\"encoder\": \"copy\", \"args\": [\"-c:v\", \"copy\"]"));
        write("Upper.json", preset("Upper", "\"encoder\": \"copy\", \"args\": [\"-c:v\", \"copy\"]"));
        write("noargs.json", preset("noargs", "\"encoder\": \"copy\", \"args\": []"));
        write("stringargs.json", preset("stringargs", "\"encoder\": \"copy\", \"args\": \"-c:v copy\""));
        write("input.json", preset("input", "\"encoder\": \"copy\", \"args\": [\"-i\", \"file:/etc/passwd\", \"-c:v\", \"copy\"]"));
        write("mismatch.json", preset("mismatch", "\"encoder\": \"libx264\", \"args\": [\"-c:v\", \"libx265\"]"));
        write("array.json", "[1, 2]");
        write("notes.txt", "not a preset");

        PresetCatalog catalog = PresetCatalog.load(dir);

        assertEquals(List.of("good"), catalog.all().stream().map(Preset::name).toList());
        List<String> problems = catalog.problems();
        assertEquals(8, problems.size(), problems.toString());
        assertProblem(problems, "broken.json: is not valid JSON");
        assertProblem(problems, "other.json: name \"elsewhere\" does not match the file name (expected \"other\")");
        assertProblem(problems, "Upper.json: name \"Upper\" may only use a-z, 0-9 and '-'");
        assertProblem(problems, "noargs.json: args is empty");
        assertProblem(problems, "stringargs.json: args must be a JSON array");
        assertProblem(problems, "input.json: args must not contain -i");
        assertProblem(problems, "mismatch.json: args choose -c:v libx265 but encoder says libx264");
        assertProblem(problems, "array.json: must hold a JSON object");
    }

    @Test
    void theFilesOrderDecidesTheListAndFilesWithoutOneComeLastByName() throws IOException {
        write("b.json", preset("b", "\"encoder\": \"copy\", \"args\": [\"-c:v\", \"copy\"]"));
        write("a.json", preset("a", "\"encoder\": \"copy\", \"args\": [\"-c:v\", \"copy\"]"));
        write("late.json", preset("late", "\"order\": 90, \"encoder\": \"copy\", \"args\": [\"-c:v\", \"copy\"]"));
        write("early.json", preset("early", "\"order\": 5, \"encoder\": \"copy\", \"args\": [\"-c:v\", \"copy\"]"));
        assertEquals(List.of("early", "late", "a", "b"),
                PresetCatalog.load(dir).all().stream().map(Preset::name).toList());
    }

    @Test
    void aHardwareDeviceIsAFieldOfItsOwnAndOnlyARenderNode() throws IOException {
        String vaapi = "\"encoder\": \"h264_vaapi\", \"args\": [\"-vf\", \"format=nv12,hwupload\", "
                + "\"-c:v\", \"h264_vaapi\"]";
        write("gpu.json", preset("gpu", "\"vaapi_device\": \"/dev/dri/renderD129\", " + vaapi));
        write("passwd.json", preset("passwd", "\"vaapi_device\": \"/etc/passwd\", " + vaapi));
        write("old.json", preset("old", "\"input_args\": [\"-vaapi_device\", \"/dev/dri/renderD128\"], " + vaapi));
        write("order.json", preset("order", "\"order\": \"first\", " + vaapi));
        PresetCatalog catalog = PresetCatalog.load(dir);
        assertEquals(java.util.Optional.of("/dev/dri/renderD129"), catalog.find("gpu").orElseThrow().vaapiDevice());
        assertEquals(List.of("gpu"), catalog.all().stream().map(Preset::name).toList());
        assertProblem(catalog.problems(), "passwd.json: vaapi_device is not a VAAPI render node");
        assertProblem(catalog.problems(), "old.json: input_args is no longer read");
        assertProblem(catalog.problems(), "order.json: order must be a whole number");
    }

    @Test
    void aMissingDirectoryGivesAnEmptyCatalogAndSaysSo() {
        PresetCatalog catalog = PresetCatalog.load(dir.resolve("absent"));
        assertEquals(List.of(), catalog.all());
        assertEquals(1, catalog.problems().size());
        assertTrue(catalog.problems().get(0).contains("absent"), catalog.problems().get(0));
    }

    @Test
    void transcodesDefaultsFromTheEncoder() throws IOException {
        write("soft.json", preset("soft", "\"encoder\": \"libx264\", \"args\": [\"-c:v\", \"libx264\"]"));
        Preset soft = PresetCatalog.load(dir).find("soft").orElseThrow();
        assertTrue(soft.transcodes());
        assertEquals("any machine", soft.hardware());
    }

    private static String preset(String name, String rest) {
        return "{\"name\": \"" + name + "\", \"description\": \"test\", " + rest + "}";
    }

    private void write(String file, String text) throws IOException {
        Files.writeString(dir.resolve(file), text);
    }

    private static void assertProblem(List<String> problems, String start) {
        assertTrue(problems.stream().anyMatch(p -> p.startsWith(start)), "no \"" + start + "\" in " + problems);
    }
}
