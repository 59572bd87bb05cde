package stream.core.ffmpeg;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds what in a -vf/-af filter graph could reach outside the one stream: filters that read or write files, load
 * plugins, listen on sockets or run commands, and option values that name files or URLs.
 *
 * <p>It parses the graph the way ffmpeg 5.1 does, in two levels: the graph level (filters separated by {@code ,} and
 * {@code ;}, arguments unquoted by {@code av_get_token}) and then each filter's options ({@code key=value} pairs or
 * positional values separated by {@code :}, unquoted once more). A one-level reading would miss
 * {@code drawtext='text=a:fontfile=/etc/passwd'}, which ffmpeg splits into two options after removing the quotes.
 */
final class FilterGraphCheck {
    /** Filters refused outright, with why. */
    private static final Map<String, String> DENIED_FILTERS = Map.ofEntries(
            Map.entry("movie", "reads another file or URL"),
            Map.entry("amovie", "reads another file or URL"),
            Map.entry("subtitles", "reads a subtitle file"),
            Map.entry("ass", "reads a subtitle file"),
            Map.entry("sendcmd", "reads commands from a file"),
            Map.entry("asendcmd", "reads commands from a file"),
            Map.entry("zmq", "listens on a network socket"),
            Map.entry("azmq", "listens on a network socket"),
            Map.entry("lut1d", "reads a LUT file"),
            Map.entry("lut3d", "reads a LUT file"),
            Map.entry("haldclut", "needs a second input (a LUT image)"),
            Map.entry("frei0r", "loads a plugin library"),
            Map.entry("frei0r_src", "loads a plugin library"),
            Map.entry("ladspa", "loads a plugin library"),
            Map.entry("lv2", "loads a plugin library"),
            Map.entry("ocr", "reads OCR data files"),
            Map.entry("signature", "writes signature files"),
            Map.entry("vidstabdetect", "writes a transforms file"),
            Map.entry("vidstabtransform", "reads a transforms file"),
            Map.entry("psnr", "writes a statistics file"),
            Map.entry("ssim", "writes a statistics file"),
            Map.entry("vmafmotion", "writes a statistics file"),
            Map.entry("libvmaf", "reads models and writes a log file"),
            Map.entry("removelogo", "reads a mask image file"),
            Map.entry("cover_rect", "reads an image file"),
            Map.entry("find_rect", "reads an image file"),
            Map.entry("dnn_processing", "reads a model file"),
            Map.entry("dnn_detect", "reads a model file"),
            Map.entry("dnn_classify", "reads a model file"),
            Map.entry("derain", "reads a model file"),
            Map.entry("sr", "reads a model file"),
            Map.entry("arnndn", "reads a model file"),
            Map.entry("sofalizer", "reads a SOFA file"),
            Map.entry("program_opencl", "reads an OpenCL program file"),
            Map.entry("openclsrc", "reads an OpenCL program file"),
            Map.entry("libplacebo", "reads shader files"),
            Map.entry("flite", "reads a text file and voice libraries"),
            Map.entry("asr", "reads speech model files"),
            Map.entry("lensfun", "reads a lens database"),
            Map.entry("coreimage", "runs arbitrary Core Image filters"),
            Map.entry("coreimagesrc", "runs arbitrary Core Image filters"));

    /** Option names that take a file in some allowed filter (drawtext, deshake, metadata, showcqt...). */
    private static final Set<String> FILE_OPTIONS = Set.of("file", "filename", "textfile", "fontfile",
            "fontsdir", "axisfile", "stats_file", "log_path", "model", "model_path", "custom_shader_path", "shader");

    /** Allowed filters whose positional options would reach a file option: only key=value is accepted for them. */
    private static final Set<String> NAMED_OPTIONS_ONLY = Set.of("drawtext", "showcqt", "metadata", "ametadata",
            "deshake");

    private static final Pattern FILTER_NAME = Pattern.compile("[A-Za-z0-9_]+");
    /** ffmpeg's get_key(): a key is these characters followed by '='. */
    private static final Pattern OPTION_KEY = Pattern.compile("^([A-Za-z0-9_/.-]+)=");

    private FilterGraphCheck() {
    }

    /** Why {@code graph} may not be used, or empty when it only transforms the stream. */
    static Optional<String> problem(String graph) {
        List<Filter> filters;
        try {
            filters = parse(graph);
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
        if (filters.isEmpty()) {
            return Optional.of("is an empty filter graph");
        }
        for (Filter filter : filters) {
            Optional<String> problem = problem(filter);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> problem(Filter filter) {
        String name = filter.name();
        if (name.isEmpty()) {
            return Optional.of("has an empty filter (two separators in a row?)");
        }
        if (!FILTER_NAME.matcher(name).matches()) {
            return Optional.of("has '" + name + "', which is not a filter name");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        String denied = DENIED_FILTERS.get(lower);
        if (denied != null) {
            return Optional.of("uses the " + lower + " filter, which " + denied);
        }
        if (filter.args() == null) {
            return Optional.empty();
        }
        for (Option option : options(filter.args())) {
            if (option.key() == null && NAMED_OPTIONS_ONLY.contains(lower)) {
                return Optional.of("gives the " + lower + " filter a positional value '" + option.value()
                        + "': write its options as key=value (its positional options include a file)");
            }
            if (option.key() != null && FILE_OPTIONS.contains(option.key().toLowerCase(Locale.ROOT))) {
                return Optional.of("sets " + option.key() + "= on the " + lower
                        + " filter, which names a file");
            }
            if (ParamValues.looksLikePathOrUrl(option.value())) {
                return Optional.of("gives the " + lower + " filter '" + option.value()
                        + "', which looks like a file path or URL");
            }
        }
        return Optional.empty();
    }

    /** One filter of the graph: its name (instance suffix after '@' removed) and its raw argument string or null. */
    record Filter(String name, String args) {
    }

    /** One filter option: key null for a positional value. */
    record Option(String key, String value) {
    }

    static List<Filter> parse(String graph) {
        List<Filter> filters = new ArrayList<>();
        Cursor c = new Cursor(graph);
        c.skipBlanks();
        if (graph.startsWith("sws_flags=", c.pos)) {
            // ffmpeg 5.1 accepts a leading "sws_flags=...;" directive for the scalers of the graph.
            int end = graph.indexOf(';', c.pos);
            if (end < 0) {
                throw new IllegalArgumentException("has sws_flags= without the ';' that ends it");
            }
            filters.add(new Filter("sws_flags", graph.substring(c.pos + "sws_flags=".length(), end)));
            c.pos = end + 1;
        }
        while (true) {
            c.skipBlanks();
            c.skipLabels();
            int start = c.pos;
            while (!c.atEnd() && "=,;[".indexOf(c.peek()) < 0) {
                c.pos++;
            }
            String name = graph.substring(start, c.pos).trim();
            int at = name.indexOf('@');
            if (at >= 0) {
                name = name.substring(0, at);
            }
            String args = null;
            if (!c.atEnd() && c.peek() == '=') {
                c.pos++;
                args = c.token("[],;");
            }
            filters.add(new Filter(name, args));
            c.skipBlanks();
            c.skipLabels();
            c.skipBlanks();
            if (c.atEnd()) {
                return filters;
            }
            char sep = c.peek();
            if (sep != ',' && sep != ';') {
                throw new IllegalArgumentException("has an unexpected '" + sep + "' at character " + (c.pos + 1));
            }
            c.pos++;
        }
    }

    /** The options of one filter's (graph-level unquoted) argument string, split and unquoted as ffmpeg does. */
    static List<Option> options(String args) {
        List<Option> options = new ArrayList<>();
        Cursor c = new Cursor(args);
        while (!c.atEnd()) {
            var key = OPTION_KEY.matcher(args).region(c.pos, args.length());
            String name = null;
            if (key.lookingAt()) {
                name = key.group(1);
                c.pos = key.end();
            }
            options.add(new Option(name, c.token(":")));
            if (!c.atEnd()) {
                c.pos++; // the ':' separator
            }
        }
        return options;
    }

    /** A position in a string, with ffmpeg's av_get_token() unquoting. */
    private static final class Cursor {
        private final String s;
        private int pos;

        Cursor(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        char peek() {
            return s.charAt(pos);
        }

        void skipBlanks() {
            while (!atEnd() && Character.isWhitespace(peek())) {
                pos++;
            }
        }

        void skipLabels() {
            while (!atEnd() && peek() == '[') {
                int end = s.indexOf(']', pos);
                if (end < 0) {
                    throw new IllegalArgumentException("has a '[' link label that is never closed");
                }
                pos = end + 1;
                skipBlanks();
            }
        }

        /**
         * Reads up to an unquoted, unescaped character of {@code terminators} like libavutil's av_get_token():
         * leading blanks skipped, backslash escapes one character, single quotes keep their content, trailing
         * unquoted blanks dropped.
         */
        String token(String terminators) {
            skipBlanks();
            StringBuilder out = new StringBuilder();
            int keep = 0; // length of out that must survive trailing-blank trimming
            while (!atEnd() && terminators.indexOf(peek()) < 0) {
                char ch = s.charAt(pos++);
                if (ch == '\\') {
                    if (atEnd()) {
                        break;
                    }
                    out.append(s.charAt(pos++));
                    keep = out.length();
                } else if (ch == '\'') {
                    int end = s.indexOf('\'', pos);
                    if (end < 0) {
                        throw new IllegalArgumentException("has a single quote (') that is never closed");
                    }
                    out.append(s, pos, end);
                    pos = end + 1;
                    keep = out.length();
                } else {
                    out.append(ch);
                    if (!Character.isWhitespace(ch)) {
                        keep = out.length();
                    }
                }
            }
            out.setLength(keep);
            return out.toString();
        }
    }
}
