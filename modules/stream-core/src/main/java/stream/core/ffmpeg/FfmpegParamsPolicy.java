package stream.core.ffmpeg;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import stream.core.SecretMasker;
import stream.core.ValidationException;

/**
 * The rule for user and preset ffmpeg_params: they may only shape how the one RTMP output is encoded, never add
 * inputs, outputs, streams, files or protocols, so options come from an allowlist with the kind of value each takes,
 * and sizes, rates and bitrates stay within what a live stream can use.
 *
 * <p>Refusals name the option and what it expects but never repeat a value or a word that is not an option name:
 * people paste URLs and stream keys into the wrong field, and the message ends up in answers and logs.
 */
public final class FfmpegParamsPolicy {
    /** Video encoders that produce H.264, the video codec YouTube takes over RTMP/FLV; copy passes the camera's through. */
    public static final Set<String> VIDEO_CODECS = Set.of("copy", "libx264", "h264_v4l2m2m", "h264_nvenc",
            "h264_vaapi", "h264_qsv", "h264_omx");
    /** Audio encoders that produce AAC, the audio YouTube requires; copy is only kept for a camera sending AAC. */
    public static final Set<String> AUDIO_CODECS = Set.of("copy", "aac", "libfdk_aac");

    private static final String FIELD = ArgsTokenizer.FIELD;

    /** The kinds of value an allowed option takes, each with a pattern and how to describe it to a user. */
    private enum ValueKind {
        VIDEO_CODEC(null, "an H.264 encoder (" + String.join(", ", sorted(VIDEO_CODECS)) + ")"),
        AUDIO_CODEC(null, "an AAC encoder or copy (" + String.join(", ", sorted(AUDIO_CODECS)) + ")"),
        BITRATE("\\d{1,9}(\\.\\d{1,6})?[kKmM]?", "a bitrate above 0 and at most 100M such as 4500k"),
        INTEGER("-?\\d{1,7}", "a whole number"),
        NUMBER("-?\\d{1,7}(\\.\\d{1,6})?", "a number"),
        WORD("[A-Za-z0-9_.+-]{1,32}", "a single word such as veryfast"),
        RATE("\\d{1,6}(\\.\\d{1,6})?(/\\d{1,6}(\\.\\d{1,6})?)?|[a-z][a-z-]{1,15}",
                "a frame rate above 0 and at most " + FilterGraphCheck.MAX_FPS + " such as 25 or 30000/1001"),
        SIZE("\\d{1,5}x\\d{1,5}|[a-z0-9]{2,8}", "a size such as 1280x720 (each side " + FilterGraphCheck.MIN_SIDE
                + ".." + FilterGraphCheck.MAX_SIDE + ") or a name such as hd720"),
        SAMPLE_RATE("\\d{4,6}", "a sample rate between 8000 and 192000 such as 44100"),
        CHANNELS("[1-8]", "a channel count from 1 to 8"),
        ASPECT("[1-9]\\d{0,4}(\\.\\d{1,6})?([:/][1-9]\\d{0,4}(\\.\\d{1,6})?)?",
                "an aspect ratio such as 16:9"),
        FILTER_GRAPH(null, "a filter graph"),
        ENCODER_PARAMS("[A-Za-z0-9_-]{1,32}(=([A-Za-z0-9_.,+-]{0,32}|\\d{1,6}/\\d{1,6}))?"
                + "(:[A-Za-z0-9_-]{1,32}(=([A-Za-z0-9_.,+-]{0,32}|\\d{1,6}/\\d{1,6}))?){0,63}",
                "key=value pairs separated by ':' such as keyint=50:scenecut=0"),
        KEYFRAMES("[A-Za-z0-9_.,:()*+/-]+", "times or expr:... such as expr:gte(t,n_forced*2)"),
        DURATION("\\d+(\\.\\d+)?(s|ms|us)?|(\\d+:)?\\d{1,2}:\\d{2}(\\.\\d+)?", "a duration such as 18:00:00"),
        FLV_FORMAT("flv", "flv"),
        FLAGS("[+-]?[a-z_]+([+-][a-z_]+)*", "flags such as +no_duration_filesize"),
        VAAPI_DEVICE("/dev/dri/renderD\\d+", "a VAAPI render node such as /dev/dri/renderD128");

        private final Pattern pattern;
        private final String description;

        ValueKind(String regex, String description) {
            this.pattern = regex == null ? null : Pattern.compile(regex);
            this.description = description;
        }
    }

    /** An allowed option: the canonical name it is reported under and the kind of value it takes. */
    private record Rule(String canonical, ValueKind kind) {
    }

    /** Allowed spellings, stream specifiers included, mapped to their rule. */
    private static final Map<String, Rule> ALLOWED = new HashMap<>();

    static {
        // codecs
        allow("c:v", ValueKind.VIDEO_CODEC, "-c:v", "-codec:v", "-vcodec", "-c:v:0", "-codec:v:0");
        allow("c:a", ValueKind.AUDIO_CODEC, "-c:a", "-codec:a", "-acodec", "-c:a:0", "-codec:a:0");
        // rate control
        allow("b:v", ValueKind.BITRATE, "-b:v", "-b", "-vb", "-b:v:0");
        allow("b:a", ValueKind.BITRATE, "-b:a", "-ab", "-b:a:0");
        allow("maxrate", ValueKind.BITRATE, "-maxrate", "-maxrate:v");
        allow("minrate", ValueKind.BITRATE, "-minrate", "-minrate:v");
        allow("bufsize", ValueKind.BITRATE, "-bufsize", "-bufsize:v");
        allow("crf", ValueKind.NUMBER, "-crf", "-crf:v");
        allow("qp", ValueKind.INTEGER, "-qp", "-qp:v");
        allow("cq", ValueKind.NUMBER, "-cq", "-cq:v");
        allow("q:v", ValueKind.NUMBER, "-q:v", "-qscale:v");
        allow("qmin", ValueKind.INTEGER, "-qmin", "-qmin:v");
        allow("qmax", ValueKind.INTEGER, "-qmax", "-qmax:v");
        allow("rc", ValueKind.WORD, "-rc", "-rc:v");
        allow("rc_mode", ValueKind.WORD, "-rc_mode", "-rc_mode:v");
        allow("rc-lookahead", ValueKind.INTEGER, "-rc-lookahead", "-rc-lookahead:v");
        // encoder settings
        allow("preset", ValueKind.WORD, "-preset", "-preset:v");
        allow("tune", ValueKind.WORD, "-tune", "-tune:v");
        allow("profile:v", ValueKind.WORD, "-profile:v");
        allow("profile:a", ValueKind.WORD, "-profile:a");
        allow("level", ValueKind.WORD, "-level", "-level:v");
        allow("g", ValueKind.INTEGER, "-g", "-g:v");
        allow("keyint_min", ValueKind.INTEGER, "-keyint_min", "-keyint_min:v");
        allow("sc_threshold", ValueKind.INTEGER, "-sc_threshold", "-sc_threshold:v");
        allow("bf", ValueKind.INTEGER, "-bf", "-bf:v");
        allow("refs", ValueKind.INTEGER, "-refs", "-refs:v");
        allow("force_key_frames", ValueKind.KEYFRAMES, "-force_key_frames", "-force_key_frames:v");
        allow("x264-params", ValueKind.ENCODER_PARAMS, "-x264-params", "-x264-params:v");
        allow("x264opts", ValueKind.ENCODER_PARAMS, "-x264opts", "-x264opts:v");
        allow("threads", ValueKind.WORD, "-threads", "-threads:v");
        allow("strict", ValueKind.WORD, "-strict", "-strict:a");
        // picture
        allow("r", ValueKind.RATE, "-r", "-r:v");
        allow("s", ValueKind.SIZE, "-s", "-s:v");
        allow("aspect", ValueKind.ASPECT, "-aspect", "-aspect:v");
        allow("pix_fmt", ValueKind.WORD, "-pix_fmt", "-pix_fmt:v");
        allow("vf", ValueKind.FILTER_GRAPH, "-vf", "-filter:v");
        // -vsync is deprecated in 5.1 in favour of -fps_mode; both set the same thing
        allow("fps_mode", ValueKind.WORD, "-fps_mode", "-fps_mode:v", "-vsync");
        // audio
        allow("ar", ValueKind.SAMPLE_RATE, "-ar", "-ar:a");
        allow("ac", ValueKind.CHANNELS, "-ac", "-ac:a");
        allow("af", ValueKind.FILTER_GRAPH, "-af", "-filter:a");
        allow("aac_coder", ValueKind.WORD, "-aac_coder");
        // hardware encoders the presets use: h264_v4l2m2m (Pi 3/4), h264_nvenc, h264_vaapi, h264_qsv
        allow("num_capture_buffers", ValueKind.INTEGER, "-num_capture_buffers");
        allow("num_output_buffers", ValueKind.INTEGER, "-num_output_buffers");
        allow("zerolatency", ValueKind.WORD, "-zerolatency");
        allow("b_ref_mode", ValueKind.WORD, "-b_ref_mode");
        allow("spatial-aq", ValueKind.WORD, "-spatial-aq", "-spatial_aq");
        allow("temporal-aq", ValueKind.WORD, "-temporal-aq", "-temporal_aq");
        allow("no-scenecut", ValueKind.WORD, "-no-scenecut");
        allow("forced-idr", ValueKind.WORD, "-forced-idr");
        allow("strict_gop", ValueKind.WORD, "-strict_gop");
        allow("multipass", ValueKind.WORD, "-multipass");
        allow("low_power", ValueKind.WORD, "-low_power");
        allow("idr_interval", ValueKind.INTEGER, "-idr_interval");
        allow("quality", ValueKind.INTEGER, "-quality");
        allow("async_depth", ValueKind.INTEGER, "-async_depth");
        allow("look_ahead", ValueKind.WORD, "-look_ahead");
        allow("coder", ValueKind.WORD, "-coder");
        // a global option in ffmpeg 5.1 that ffmpeg accepts anywhere on the command line
        allow("vaapi_device", ValueKind.VAAPI_DEVICE, "-vaapi_device");
        // output
        allow("f", ValueKind.FLV_FORMAT, "-f");
        allow("flvflags", ValueKind.FLAGS, "-flvflags");
        allow("max_muxing_queue_size", ValueKind.INTEGER, "-max_muxing_queue_size");
        // a forced restart after a while, as some people do against YouTube ending long connections
        allow("t", ValueKind.DURATION, "-t");
    }

    /** Options refused with a reason more useful than "not allowed". Keys are spelled without stream specifier. */
    private static final Map<String, String> REFUSED = Map.ofEntries(
            Map.entry("-i", "adds an input; the appliance sets the camera input itself"),
            Map.entry("-map", "chooses streams; the appliance maps the camera's video and audio itself"),
            Map.entry("-filter_complex", "builds a filter graph that can take other inputs; use -vf or -af"),
            Map.entry("-lavfi", "builds a filter graph that can take other inputs; use -vf or -af"),
            Map.entry("-filter_complex_script", "reads a filter graph from a file"),
            Map.entry("-filter_script", "reads a filter graph from a file"),
            Map.entry("-attach", "attaches a file to the output"),
            Map.entry("-dump_attachment", "writes attachments to files"),
            Map.entry("-y", "lets ffmpeg overwrite files"),
            Map.entry("-n", "changes how ffmpeg treats existing files"),
            Map.entry("-progress", "redirects the progress the appliance reads"),
            Map.entry("-stats_period", "changes the progress the appliance reads"),
            Map.entry("-report", "writes a report file"),
            Map.entry("-passlogfile", "writes statistics files"),
            Map.entry("-pass", "two-pass encoding writes statistics files and cannot work live"),
            Map.entry("-vstats", "writes a statistics file"),
            Map.entry("-vstats_file", "writes a statistics file"),
            Map.entry("-sdp_file", "writes an SDP file"),
            Map.entry("-loglevel", "changes the log the appliance reads errors from"),
            Map.entry("-v", "changes the log the appliance reads errors from"),
            Map.entry("-nostdin", "stops the appliance from ending ffmpeg cleanly (it sends 'q' on standard input)"),
            Map.entry("-an", "drops the audio track YouTube requires"),
            Map.entry("-vn", "drops the video"),
            Map.entry("-c", "applies to every stream; write -c:v and -c:a"),
            Map.entry("-codec", "applies to every stream; write -c:v and -c:a"),
            Map.entry("-shortest", "is set by the appliance when it adds silent audio"),
            Map.entry("-hwaccel", "is an input option; the appliance sets the input options"),
            Map.entry("-init_hw_device", "opens devices; use -vaapi_device /dev/dri/renderD128 for VAAPI"),
            Map.entry("-protocol_whitelist", "changes which protocols ffmpeg may open"),
            Map.entry("-metadata", "is not an encoding setting"),
            Map.entry("-stats_file", "writes a statistics file"),
            Map.entry("-x265-params", "sets HEVC encoder parameters; YouTube takes H.264 over RTMP"));

    private FfmpegParamsPolicy() {
    }

    /** The canonical name of an allowed option spelling ("-vcodec" gives "c:v"), or empty when not allowed. */
    public static Optional<String> canonical(String option) {
        Rule rule = ALLOWED.get(option);
        return rule == null ? Optional.empty() : Optional.of(rule.canonical());
    }

    private static void allow(String canonical, ValueKind kind, String... spellings) {
        for (String spelling : spellings) {
            if (ALLOWED.put(spelling, new Rule(canonical, kind)) != null) {
                throw new IllegalStateException("option listed twice: " + spelling);
            }
        }
    }

    /**
     * Checks every token and returns the settings, in order, under their canonical names (without the dash:
     * "c:v", "c:a", "b:v", "b:a", "vf", "af", "ar", "ac", "f", "preset", ...; -vcodec is reported as "c:v",
     * -filter:v as "vf", -vsync as "fps_mode").
     *
     * @throws ValidationException on field ffmpeg_params naming the first offending token and why
     */
    public static Map<String, String> check(List<String> tokens) {
        Map<String, String> settings = new LinkedHashMap<>();
        Map<String, String> spelledAs = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (ParamValues.hasControlCharacter(token)) {
                throw reject(word(i, token) + " contains a control character");
            }
            if (!token.startsWith("-") || token.equals("-") || token.equals("--")) {
                throw reject(word(i, token) + " is not an option: ffmpeg_params may not name inputs or outputs"
                        + " (the appliance adds the camera and the RTMP destination itself)");
            }
            Rule rule = ALLOWED.get(token);
            if (rule == null) {
                throw reject(refusal(i, token));
            }
            if (i + 1 >= tokens.size()) {
                throw reject("'" + token + "' needs a value (" + rule.kind().description + ")");
            }
            String value = tokens.get(++i);
            if (ParamValues.hasControlCharacter(value)) {
                throw reject("'" + token + "' has a value with a control character");
            }
            if (value.startsWith("-") && !ValueKind.NUMBER.pattern.matcher(value).matches()) {
                throw reject("'" + token + "' needs a value (" + rule.kind().description + "), not "
                        + (OPTION_NAME.matcher(value).matches() ? "the option " : "") + word(i, value));
            }
            checkValue(token, rule, value);
            String earlier = spelledAs.putIfAbsent(rule.canonical(), token);
            if (earlier != null) {
                throw reject("'" + token + "' is given twice" + (earlier.equals(token) ? "" : " (also as '"
                        + earlier + "')") + "; keep one");
            }
            settings.put(rule.canonical(), value);
        }
        checkCombinations(settings, spelledAs);
        return Collections.unmodifiableMap(settings);
    }

    private static void checkValue(String option, Rule rule, String value) {
        ValueKind kind = rule.kind();
        String shown = "'" + option + "'";
        if (kind == ValueKind.VAAPI_DEVICE) {
            if (!kind.pattern.matcher(value).matches()) {
                throw reject(shown + ": expects " + kind.description);
            }
            return;
        }
        if (kind == ValueKind.FILTER_GRAPH) {
            // Checked filter by filter first, for a message that names the filter or option at fault.
            Optional<String> problem = FilterGraphCheck.problem(value);
            if (problem.isPresent()) {
                throw reject(shown + ": the filter graph " + problem.get());
            }
        }
        if (ParamValues.looksLikePathOrUrl(value)) {
            throw reject(shown + ": its value looks like a file path or URL, which ffmpeg_params may not name");
        }
        switch (kind) {
            case VIDEO_CODEC -> {
                if (!VIDEO_CODECS.contains(value)) {
                    throw reject(shown + " expects " + kind.description
                            + "; YouTube takes H.264 over RTMP, and ffmpeg 5.1 cannot put HEVC in FLV");
                }
            }
            case AUDIO_CODEC -> {
                if (!AUDIO_CODECS.contains(value)) {
                    throw reject(shown + " expects " + kind.description + "; YouTube requires AAC audio");
                }
            }
            case FLV_FORMAT -> {
                if (!value.equals("flv")) {
                    throw reject(shown + ": only '-f flv' is allowed (the appliance sends FLV over RTMP)");
                }
            }
            case FILTER_GRAPH -> {
                // checked above
            }
            case ENCODER_PARAMS -> {
                if (!kind.pattern.matcher(value).matches()) {
                    throw reject(shown + " expects " + kind.description);
                }
                Matcher pair = ENCODER_PARAM.matcher(value);
                while (pair.find()) {
                    String key = pair.group(1);
                    String v = pair.group(2);
                    if (X264_FILE_KEYS.contains(key)) {
                        throw reject(shown + ": '" + key + "' makes x264 read or write a file");
                    }
                    if (!X264_KEYS.contains(key)) {
                        throw reject(shown + ": " + SecretMasker.maskToken(key) + " is not an x264 parameter"
                                + " ffmpeg_params may set; allowed: " + String.join(", ", sorted(X264_KEYS)));
                    }
                    if (ParamValues.looksLikePathOrUrl(v)) {
                        throw reject(shown + ": the value of '" + key + "' looks like a file path or URL");
                    }
                }
            }
            default -> {
                if (!kind.pattern.matcher(value).matches() || !withinBounds(kind, value)) {
                    throw reject(shown + " expects " + kind.description);
                }
            }
        }
    }

    /** The largest bitrate accepted, 100 Mbit/s: above anything YouTube ingests (51 Mbit/s for 4K at 60 fps). */
    static final double MAX_BITRATE = 100e6;

    private static final Pattern WIDTH_X_HEIGHT = Pattern.compile("(\\d+)x(\\d+)");
    /** One key=value (or bare key) of -x264-params: key and value, or key and null. */
    private static final Pattern ENCODER_PARAM = Pattern.compile("([^:=]+)(?:=([^:]*))?");

    /** ffmpeg's frame size names (libavutil/parseutils.c) up to 8K UHD: all within the side bounds. */
    private static final Set<String> SIZE_NAMES = Set.of("ntsc", "pal", "qntsc", "qpal", "sntsc", "spal", "film",
            "sqcif", "qcif", "cif", "4cif", "16cif", "qqvga", "qvga", "vga", "svga", "xga", "uxga", "qxga", "sxga",
            "qsxga", "hsxga", "wvga", "wxga", "wsxga", "wuxga", "woxga", "wqsxga", "wquxga", "whsxga", "whuxga",
            "cga", "ega", "hd480", "hd720", "hd1080", "2k", "2kflat", "2kscope", "4k", "4kflat", "4kscope", "nhd",
            "hqvga", "wqvga", "fwqvga", "hvga", "qhd", "2kdci", "4kdci", "uhd2160", "uhd4320");

    /** Whether a value that has its kind's form is within that kind's bounds. */
    private static boolean withinBounds(ValueKind kind, String value) {
        switch (kind) {
            case BITRATE -> {
                char unit = value.charAt(value.length() - 1);
                double scale = switch (unit) {
                    case 'k', 'K' -> 1e3;
                    case 'm', 'M' -> 1e6;
                    default -> 1;
                };
                double bits = Double.parseDouble(Character.isDigit(unit) ? value
                        : value.substring(0, value.length() - 1)) * scale;
                return bits > 0 && bits <= MAX_BITRATE;
            }
            case RATE -> {
                return FilterGraphCheck.rateProblem(value).isEmpty();
            }
            case SIZE -> {
                Matcher size = WIDTH_X_HEIGHT.matcher(value);
                if (!size.matches()) {
                    return SIZE_NAMES.contains(value);
                }
                return inSide(Integer.parseInt(size.group(1))) && inSide(Integer.parseInt(size.group(2)));
            }
            case SAMPLE_RATE -> {
                int rate = Integer.parseInt(value);
                return rate >= 8000 && rate <= 192000;
            }
            default -> {
                return true;
            }
        }
    }

    private static boolean inSide(int side) {
        return side >= FilterGraphCheck.MIN_SIDE && side <= FilterGraphCheck.MAX_SIDE;
    }

    /** x264 parameters that name files (x264_param_parse in x264 164): refused with that reason. */
    private static final Set<String> X264_FILE_KEYS = Set.of("stats", "qpfile", "cqmfile", "dump-yuv",
            "opencl-clbin", "tcfile-in", "tcfile-out", "input-csp-file");

    /** x264 parameters (x264_param_parse in x264 164) that shape rate control, GOP and quality, and name no file. */
    private static final Set<String> X264_KEYS = Set.of("keyint", "min-keyint", "scenecut", "no-scenecut",
            "bframes", "b-adapt", "b-bias", "b-pyramid", "open-gop", "ref", "no-deblock", "deblock", "cabac",
            "no-cabac", "nal-hrd", "filler", "force-cfr", "vbv-maxrate", "vbv-bufsize", "vbv-init", "bitrate", "crf",
            "crf-max", "qp", "qpmin", "qpmax", "qpstep", "ratetol", "ipratio", "pbratio", "qcomp", "chroma-qp-offset",
            "aq-mode", "aq-strength", "mbtree", "no-mbtree", "rc-lookahead", "lookahead-threads", "sync-lookahead",
            "sliced-threads", "threads", "slices", "slice-max-size", "slice-max-mbs", "intra-refresh", "weightb",
            "no-weightb", "weightp", "me", "merange", "subme", "psy", "no-psy", "psy-rd", "mixed-refs",
            "no-mixed-refs", "8x8dct", "no-8x8dct", "trellis", "fast-pskip", "no-fast-pskip", "dct-decimate",
            "no-dct-decimate", "nr", "deadzone-inter", "deadzone-intra", "partitions", "direct", "cqm", "level",
            "profile", "preset", "tune", "repeat-headers", "aud", "annexb", "bluray-compat", "colorprim", "transfer",
            "colormatrix", "range", "videoformat", "overscan", "sar", "fps", "pic-struct", "interlaced", "tff", "bff",
            "fake-interlaced", "constrained-intra", "stitchable", "avcintra-class", "keyint-min");

    private static void checkCombinations(Map<String, String> settings, Map<String, String> spelledAs) {
        // ffmpeg 5.1 refuses these at start ("Filtering and streamcopy cannot be used together"): say it now.
        if ("copy".equals(settings.get("c:v")) && settings.containsKey("vf")) {
            throw reject("'" + spelledAs.get("vf") + "' cannot be used with '" + spelledAs.get("c:v")
                    + " copy': a copied stream is not decoded, so it cannot be filtered");
        }
        if ("copy".equals(settings.get("c:a")) && settings.containsKey("af")) {
            throw reject("'" + spelledAs.get("af") + "' cannot be used with '" + spelledAs.get("c:a")
                    + " copy': a copied stream is not decoded, so it cannot be filtered");
        }
    }

    private static String refusal(int index, String option) {
        // REFUSED is keyed without stream specifier: -filter_script:v is refused as -filter_script
        String reason = REFUSED.get(option.split(":", 2)[0]);
        if (reason != null) {
            return "'" + option + "' is not allowed: it " + reason;
        }
        return word(index, option) + " is not an encoding option ffmpeg_params may set";
    }

    /** Option names look like this; other words may be a pasted URL, key or password. */
    private static final Pattern OPTION_NAME = Pattern.compile("-[A-Za-z][A-Za-z0-9_:.-]{0,39}");

    /**
     * How a message shows the word at {@code index}: an option name as it is, anything else by position and in the
     * stream key's masked form, so that a pasted URL, key or password is not repeated.
     */
    private static String word(int index, String token) {
        if (OPTION_NAME.matcher(token).matches()) {
            return "'" + token + "'";
        }
        return "word " + (index + 1) + " (" + SecretMasker.maskToken(token) + ")";
    }

    private static ValidationException reject(String message) {
        return new ValidationException(FIELD, message);
    }

    private static List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }
}
