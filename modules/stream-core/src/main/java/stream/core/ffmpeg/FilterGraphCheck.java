package stream.core.ffmpeg;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a -vf/-af filter graph against an allowlist: the filters a camera relay needs (scaling, frame rate, pixel
 * format, aspect, cropping, padding, rotation, deinterlacing, colour and sharpness, denoising, a box or a text, volume,
 * resampling, channel layout, loudness), each with the options it may take and what their values may be. Every other
 * filter or option is refused: ffmpeg has filters that read or write files (curves=plot=, firequalizer=dumpfile=,
 * movie=, subtitles=...), load plugins, listen on sockets or run commands, and new ones come with new versions.
 *
 * <p>It parses the graph the way ffmpeg 5.1 does, in two levels: the graph level (filters separated by {@code ,} and
 * {@code ;}, arguments unquoted by {@code av_get_token}) and then each filter's options ({@code key=value} pairs or
 * positional values separated by {@code :}, unquoted once more). A one-level reading would miss
 * {@code drawtext='text=a:fontfile=/etc/passwd'}, which ffmpeg splits into two options after removing the quotes.
 *
 * <p>Messages never repeat a value: it could be a pasted secret. They name the filter and option, and show an unknown
 * name only in the stream key's masked form.
 */
final class FilterGraphCheck {
    /** Filters refused with why, for a message more useful than "not allowed" (they are not allowed anyway). */
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
            Map.entry("curves", "reads a preset file and writes a plot file"),
            Map.entry("firequalizer", "writes a dump file"),
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
            Map.entry("nnedi", "reads a weights file"),
            Map.entry("sofalizer", "reads a SOFA file"),
            Map.entry("program_opencl", "reads an OpenCL program file"),
            Map.entry("openclsrc", "reads an OpenCL program file"),
            Map.entry("libplacebo", "reads shader files"),
            Map.entry("flite", "reads a text file and voice libraries"),
            Map.entry("asr", "reads speech model files"),
            Map.entry("lensfun", "reads a lens database"),
            Map.entry("coreimage", "runs arbitrary Core Image filters"),
            Map.entry("coreimagesrc", "runs arbitrary Core Image filters"));

    /** Option names that take a file in some filter: refused with that reason (they are not allowed anyway). */
    private static final Set<String> FILE_OPTIONS = Set.of("file", "filename", "textfile", "fontfile",
            "fontsdir", "axisfile", "stats_file", "log_path", "model", "model_path", "custom_shader_path", "shader",
            "plot", "dumpfile", "psfile", "result", "weights", "f");

    /** Largest picture side accepted, 8K UHD's width. */
    static final int MAX_SIDE = 7680;
    /** Smallest picture side accepted. */
    static final int MIN_SIDE = 16;
    /** Highest frame rate accepted. */
    static final int MAX_FPS = 240;

    /** What an allowed option's value may be. */
    enum Value {
        /** An ffmpeg expression: numbers, names, arithmetic and function calls ("iw/2", "(w-tw)/2", "gte(t,2)"). */
        EXPR("[A-Za-z0-9_.+*/()^, -]{1,200}", "an expression such as iw/2"),
        /** A picture side: an expression whose numbers are at most {@link #MAX_SIDE}, or -1/-2 (keep aspect). */
        SIDE("[A-Za-z0-9_.+*/()^, -]{1,200}", "a size between " + MIN_SIDE + " and " + MAX_SIDE
                + ", -1 or -2, or an expression such as iw/2"),
        /** A frame rate above 0 and at most {@link #MAX_FPS}: a number, a fraction or a name such as ntsc. */
        RATE("\\d{1,6}(\\.\\d{1,6})?(/\\d{1,6}(\\.\\d{1,6})?)?|[a-z][a-z-]{1,15}",
                "a frame rate above 0 and at most " + MAX_FPS + " such as 25 or 30000/1001"),
        /** An audio sample rate. */
        SAMPLE_RATE("\\d{4,6}", "a sample rate between 8000 and 192000"),
        NUMBER("-?\\d{1,7}(\\.\\d{1,6})?|-?\\.\\d{1,6}", "a number"),
        /** A name or names joined by '|' or '+' (pixel formats, scaler flags, modes). */
        WORDS("(\\+|-(?=\\d))?[A-Za-z0-9_]{1,32}([|+-][A-Za-z0-9_]{1,32}){0,15}",
                "a name or number such as lanczos, yuv420p or -1"),
        COLOR("[A-Za-z0-9_#]{1,32}(@\\d?\\.?\\d{1,4})?", "a colour such as white or black@0.5"),
        /** drawtext's text: anything printable, shown on the picture, never opened. */
        TEXT("[^\\p{Cntrl}]{0,256}", "a text of at most 256 characters"),
        /** pan's channel layout and gains ("stereo|c0=FL|c1=FR"). */
        PAN("[A-Za-z0-9_|=+*.<> ]{1,200}", "a layout such as stereo|c0=FL|c1=FR");

        private final Pattern pattern;
        private final String description;

        Value(String regex, String description) {
            this.pattern = Pattern.compile(regex);
            this.description = description;
        }
    }

    /**
     * An allowed filter: the options ffmpeg 5.1 assigns positional values to, in that order (aliases sharing a field
     * are skipped by ffmpeg), and every option name it may take.
     */
    record FilterRule(List<String> positional, Map<String, Value> options) {
    }

    private static final Map<String, FilterRule> ALLOWED_FILTERS = new HashMap<>();

    static {
        // video: size, rate, format and aspect
        allow("scale", "w:SIDE h:SIDE flags:WORDS interl:WORDS",
                "width:SIDE height:SIDE force_original_aspect_ratio:WORDS force_divisible_by:NUMBER eval:WORDS"
                        + " in_range:WORDS out_range:WORDS in_color_matrix:WORDS out_color_matrix:WORDS");
        allow("fps", "fps:RATE start_time:NUMBER round:WORDS eof_action:WORDS", "");
        allow("format", "pix_fmts:WORDS", "");
        allow("setsar", "sar:EXPR max:NUMBER", "r:EXPR ratio:EXPR");
        allow("setdar", "dar:EXPR max:NUMBER", "r:EXPR ratio:EXPR");
        allow("setpts", "expr:EXPR", "");
        // video: geometry
        allow("crop", "out_w:SIDE out_h:SIDE x:EXPR y:EXPR keep_aspect:WORDS exact:WORDS", "w:SIDE h:SIDE");
        allow("pad", "width:SIDE height:SIDE x:EXPR y:EXPR color:COLOR eval:WORDS aspect:EXPR", "w:SIDE h:SIDE");
        allow("transpose", "dir:WORDS passthrough:WORDS", "");
        allow("hflip", "", "");
        allow("vflip", "", "");
        // video: deinterlacing
        allow("yadif", "mode:WORDS parity:WORDS deint:WORDS", "");
        allow("bwdif", "mode:WORDS parity:WORDS deint:WORDS", "");
        allow("w3fdif", "filter:WORDS mode:WORDS parity:WORDS deint:WORDS", "");
        allow("deinterlace_vaapi", "mode:WORDS rate:WORDS auto:WORDS", "");
        // video: picture
        allow("eq", "contrast:EXPR brightness:EXPR saturation:EXPR gamma:EXPR gamma_r:EXPR gamma_g:EXPR"
                + " gamma_b:EXPR gamma_weight:EXPR eval:WORDS", "");
        allow("unsharp", "luma_msize_x:NUMBER luma_msize_y:NUMBER luma_amount:NUMBER chroma_msize_x:NUMBER"
                + " chroma_msize_y:NUMBER chroma_amount:NUMBER",
                "lx:NUMBER ly:NUMBER la:NUMBER cx:NUMBER cy:NUMBER ca:NUMBER");
        allow("hqdn3d", "luma_spatial:NUMBER chroma_spatial:NUMBER luma_tmp:NUMBER chroma_tmp:NUMBER", "");
        allow("drawbox", "x:EXPR y:EXPR width:EXPR height:EXPR color:COLOR thickness:EXPR replace:WORDS",
                "w:EXPR h:EXPR c:COLOR t:EXPR");
        // drawtext's first positional option is fontfile: only named options
        allow("drawtext", "", "text:TEXT x:EXPR y:EXPR fontsize:EXPR fontcolor:COLOR font:WORDS box:WORDS"
                + " boxcolor:COLOR boxborderw:NUMBER borderw:NUMBER bordercolor:COLOR shadowx:NUMBER shadowy:NUMBER"
                + " shadowcolor:COLOR alpha:EXPR line_spacing:NUMBER expansion:WORDS fix_bounds:WORDS");
        // hardware upload for VAAPI/CUDA encoders
        allow("hwupload", "derive_device:WORDS", "");
        allow("hwdownload", "", "");
        allow("scale_vaapi", "w:SIDE h:SIDE format:WORDS", "");
        allow("null", "", "");
        // audio
        allow("volume", "volume:EXPR precision:WORDS", "eval:WORDS");
        allow("aresample", "sample_rate:SAMPLE_RATE", "async:NUMBER first_pts:NUMBER min_comp:NUMBER"
                + " min_hard_comp:NUMBER resampler:WORDS osr:SAMPLE_RATE out_sample_rate:SAMPLE_RATE");
        allow("aformat", "sample_fmts:WORDS sample_rates:WORDS channel_layouts:WORDS", "f:WORDS r:WORDS cl:WORDS");
        allow("pan", "args:PAN", "");
        allow("loudnorm", "I:NUMBER LRA:NUMBER TP:NUMBER measured_I:NUMBER measured_LRA:NUMBER"
                + " measured_TP:NUMBER measured_thresh:NUMBER offset:NUMBER linear:WORDS dual_mono:WORDS"
                + " print_format:WORDS", "i:NUMBER lra:NUMBER tp:NUMBER");
        allow("highpass", "frequency:NUMBER width_type:WORDS width:NUMBER poles:NUMBER mix:NUMBER",
                "f:NUMBER t:WORDS w:NUMBER p:NUMBER m:NUMBER");
        allow("lowpass", "frequency:NUMBER width_type:WORDS width:NUMBER poles:NUMBER mix:NUMBER",
                "f:NUMBER t:WORDS w:NUMBER p:NUMBER m:NUMBER");
        allow("asetpts", "expr:EXPR", "");
        allow("anull", "", "");
    }

    /** ffmpeg's get_key(): a key is these characters followed by '='. */
    private static final Pattern OPTION_KEY = Pattern.compile("^([A-Za-z0-9_/.-]+)=");
    /** A value starting with '-' that is no negative number or parenthesised expression: an option, not a value. */
    private static final Pattern DASH_NOT_NUMBER = Pattern.compile("-([^0-9(.].*)?");
    /** A number or a fraction, as the RATE kind's pattern admits after its names. */
    private static final Pattern FRACTION = Pattern.compile("([0-9.]+)(?:/([0-9.]+))?");
    private static final Pattern SWS_FLAGS = Pattern.compile("\\s*sws_flags=([^;]*)(;?)");
    /** Blanks and link labels before or after a filter. */
    private static final Pattern LABELS = Pattern.compile("\\s*(?:\\[[^\\]]*\\]\\s*)*");
    /** A filter's name (with its instance name) ends where its arguments, the next filter or a label begin. */
    private static final Pattern FILTER_NAME = Pattern.compile("[^=,;\\[]*");
    private static final Pattern PLAIN_NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");
    private static final Pattern NUMBER_IN_EXPR = Pattern.compile("\\d+(\\.\\d+)?");
    /** av_parse_video_rate()'s names (libavutil/parseutils.c), all between 7.5 and 30 frames per second. */
    private static final Set<String> RATE_NAMES = Set.of("ntsc", "pal", "qntsc", "qpal", "sntsc", "spal", "film",
            "ntsc-film");

    private FilterGraphCheck() {
    }

    private static void allow(String filter, String positional, String namedOnly) {
        List<String> order = new ArrayList<>();
        Map<String, Value> options = new HashMap<>();
        for (String spec : (positional + " " + namedOnly).trim().split(" +")) {
            if (spec.isEmpty()) {
                continue;
            }
            int colon = spec.indexOf(':');
            options.put(spec.substring(0, colon), Value.valueOf(spec.substring(colon + 1)));
        }
        for (String spec : positional.trim().split(" +")) {
            if (!spec.isEmpty()) {
                order.add(spec.substring(0, spec.indexOf(':')));
            }
        }
        ALLOWED_FILTERS.put(filter, new FilterRule(List.copyOf(order), Map.copyOf(options)));
    }

    /** Every allowed filter's rule, for the test that holds them against ffmpeg's own description. */
    static Map<String, FilterRule> allowedFilterRules() {
        return Map.copyOf(ALLOWED_FILTERS);
    }

    /** The filters a graph may use, sorted, for messages. */
    static List<String> allowedFilters() {
        return ALLOWED_FILTERS.keySet().stream().sorted().toList();
    }

    /** Why {@code graph} may not be used, or empty when it only transforms the stream. */
    static Optional<String> problem(String graph) {
        List<Filter> filters;
        try {
            filters = parse(graph);
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
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
        if (name.equals("sws_flags")) {
            return Value.WORDS.pattern.matcher(filter.args()).matches() ? Optional.empty()
                    : Optional.of("has sws_flags= that are not scaler flags such as bicubic or lanczos+accurate_rnd");
        }
        String denied = DENIED_FILTERS.get(name.toLowerCase(Locale.ROOT));
        if (denied != null) {
            return Optional.of("uses the " + name.toLowerCase(Locale.ROOT) + " filter, which " + denied);
        }
        FilterRule rule = ALLOWED_FILTERS.get(name);
        if (rule == null) {
            return Optional.of("uses a filter that ffmpeg_params may not use ("
                    + stream.core.SecretMasker.maskToken(name) + ", " + name.length()
                    + " characters); allowed filters: " + String.join(", ", allowedFilters()));
        }
        if (filter.args() == null) {
            return Optional.empty();
        }
        List<Option> options = options(filter.args());
        boolean named = false;
        for (int i = 0; i < options.size(); i++) {
            Option option = options.get(i);
            String key = option.key();
            if (key == null) {
                if (named) {
                    return Optional.of("gives the " + name + " filter a value without a name after a name=value"
                            + " option (option " + (i + 1) + "): ffmpeg cannot tell which option it is");
                }
                if (i >= rule.positional().size()) {
                    return Optional.of("gives the " + name + " filter more values without a name than it takes"
                            + " (option " + (i + 1) + "): write it as name=value with one of "
                            + String.join(", ", sorted(rule.options().keySet())));
                }
                key = rule.positional().get(i);
            } else {
                named = true;
                if (FILE_OPTIONS.contains(key.toLowerCase(Locale.ROOT)) && !rule.options().containsKey(key)) {
                    return Optional.of("sets " + key + "= on the " + name + " filter, which names a file");
                }
                if (!rule.options().containsKey(key)) {
                    String allowed = rule.options().isEmpty() ? "it takes no options"
                            : "it may take " + String.join(", ", sorted(rule.options().keySet()));
                    return Optional.of("gives the " + name + " filter an option it may not take ("
                            + stream.core.SecretMasker.maskToken(key) + "); " + allowed);
                }
            }
            Optional<String> problem = valueProblem(rule.options().get(key), option.value());
            if (problem.isPresent()) {
                return Optional.of("gives the " + name + " filter's " + key + " option " + problem.get());
            }
        }
        return Optional.empty();
    }

    /** Why {@code value} is not a value of this kind (said after "gives the F filter's O option"), or empty. */
    static Optional<String> valueProblem(Value kind, String value) {
        if (ParamValues.looksLikePathOrUrl(value)) {
            return Optional.of("a value that looks like a file path or URL");
        }
        if (!kind.pattern.matcher(value).matches()) {
            return Optional.of("a value that is not " + kind.description);
        }
        if ((kind == Value.EXPR || kind == Value.SIDE) && DASH_NOT_NUMBER.matcher(value).matches()) {
            return Optional.of("a value that starts with '-' and is not a negative number or expression");
        }
        return switch (kind) {
            case SIDE -> sideProblem(value);
            case RATE -> rateProblem(value);
            case SAMPLE_RATE -> {
                int rate = Integer.parseInt(value);
                yield rate >= 8000 && rate <= 192000 ? Optional.empty()
                        : Optional.of("a value that is not " + kind.description);
            }
            default -> Optional.empty();
        };
    }

    private static Optional<String> sideProblem(String value) {
        if (PLAIN_NUMBER.matcher(value).matches()) {
            double side = Double.parseDouble(value);
            return side == -1 || side == -2 || side >= MIN_SIDE && side <= MAX_SIDE ? Optional.empty()
                    : Optional.of("a size outside " + MIN_SIDE + ".." + MAX_SIDE + " (or -1, -2 to keep the aspect)");
        }
        Matcher number = NUMBER_IN_EXPR.matcher(value);
        while (number.find()) {
            if (Double.parseDouble(number.group()) > MAX_SIDE) {
                return Optional.of("an expression with a number above " + MAX_SIDE);
            }
        }
        return Optional.empty();
    }

    /** Why {@code value} is not a frame rate above 0 and at most {@link #MAX_FPS}, or empty. */
    static Optional<String> rateProblem(String value) {
        String problem = "a frame rate that is not above 0 and at most " + MAX_FPS + " (such as 25 or 30000/1001)";
        if (Character.isLetter(value.charAt(0))) {
            return RATE_NAMES.contains(value) ? Optional.empty() : Optional.of(problem);
        }
        Matcher fraction = FRACTION.matcher(value);
        fraction.matches();
        double rate = Double.parseDouble(fraction.group(1))
                / (fraction.group(2) == null ? 1 : Double.parseDouble(fraction.group(2)));
        return rate > 0 && rate <= MAX_FPS ? Optional.empty() : Optional.of(problem);
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
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
        Matcher sws = SWS_FLAGS.matcher(graph);
        if (sws.lookingAt()) {
            // ffmpeg 5.1 accepts a leading "sws_flags=...;" directive for the scalers of the graph.
            if (sws.group(2).isEmpty()) {
                throw new IllegalArgumentException("has sws_flags= without the ';' that ends it");
            }
            filters.add(new Filter("sws_flags", sws.group(1)));
            c.pos = sws.end();
        }
        while (true) {
            c.skipLabels();
            // "scale@first": the instance name after '@' is not part of the filter's name
            String name = c.match(FILTER_NAME).trim().split("@", 2)[0];
            String args = c.skip('=') ? c.token("[],;") : null;
            filters.add(new Filter(name, args));
            c.skipLabels();
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

        /** Skips blanks and link labels ("[in]"), and refuses a label that is never closed. */
        void skipLabels() {
            match(LABELS);
            if (!atEnd() && peek() == '[') {
                throw new IllegalArgumentException("has a '[' link label that is never closed");
            }
        }

        /** The text that {@code pattern} matches from here, which it then skips. */
        String match(Pattern pattern) {
            Matcher m = pattern.matcher(s).region(pos, s.length());
            m.lookingAt();
            pos = m.end();
            return m.group();
        }

        /** Skips {@code ch} when it comes next, and says whether it did. */
        boolean skip(char ch) {
            if (!atEnd() && peek() == ch) {
                pos++;
                return true;
            }
            return false;
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
                    if (end == -1) {
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
