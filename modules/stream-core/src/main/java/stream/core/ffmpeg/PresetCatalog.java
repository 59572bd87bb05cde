package stream.core.ffmpeg;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The presets of one directory ({@code ffmpeg-presets/} beside the image's {@code bin/}), in the order their files
 * give: adding a preset is adding one file.
 *
 * <p>A broken file is skipped and reported in {@link #problems()} (and logged): one bad preset must not keep the
 * appliance from streaming with the good ones.
 */
public final class PresetCatalog {
    private static final System.Logger LOG = System.getLogger(PresetCatalog.class.getName());
    /** Each file's {@code order} says where it goes; a file without one comes last, and a tie goes by name. */
    private static final Comparator<Preset> DISPLAY_ORDER = Comparator.comparingInt(Preset::order)
            .thenComparing(Preset::name);

    private final List<Preset> presets;
    private final List<String> problems;

    private PresetCatalog(List<Preset> presets, List<String> problems) {
        this.presets = presets.stream().sorted(DISPLAY_ORDER).toList();
        this.problems = List.copyOf(problems);
    }

    /** Reads every {@code *.json} file of {@code directory}; a missing directory gives an empty catalog. */
    public static PresetCatalog load(Path directory) {
        List<Preset> presets = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(directory)) {
            files = listing.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            String problem = "preset directory " + directory + " cannot be read (" + e + ")";
            LOG.log(Level.WARNING, problem);
            return new PresetCatalog(List.of(), List.of(problem));
        }
        for (Path file : files) {
            try {
                presets.add(PresetReader.read(file));
            } catch (InvalidPresetException e) {
                LOG.log(Level.WARNING, "skipping preset " + e.getMessage());
                problems.add(e.getMessage());
            }
        }
        return new PresetCatalog(presets, problems);
    }

    /** A catalog of these presets, for tests and for callers that build presets in code. */
    public static PresetCatalog of(List<Preset> presets) {
        return new PresetCatalog(presets, List.of());
    }

    /** Every usable preset, in display order. */
    public List<Preset> all() {
        return presets;
    }

    /** The preset with this name. */
    public Optional<Preset> find(String name) {
        return presets.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** One line per preset file that was skipped, naming the file and what is wrong with it. */
    public List<String> problems() {
        return problems;
    }
}
