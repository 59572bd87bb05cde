package stream.core.ffmpeg;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import stream.core.ValidationException;

/**
 * The rule for user and preset ffmpeg_params: they may only shape how the one RTMP output is encoded, never add
 * inputs, outputs, streams, files or protocols, so options come from an allowlist with the kind of value each takes.
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
        BITRATE("\\d+(\\.\\d+)?[kKmM]?", "a bitrate such as 4500k"),
        INTEGER("-?\\d+", "a whole number"),
        NUMBER("-?\\d+(\\.\\d+)?", "a number"),
        WORD("[A-Za-z0-9_.+-]+", "a single word such as veryfast"),
        RATE("\\d+(\\.\\d+)?(/\\d+(\\.\\d+)?)?|[a-z][a-z0-9_-]*", "a frame rate such as 25 or 30000/1001"),
        SIZE("\\d+x\\d+|[a-z][a-z0-9]*", "a size such as 1280x720"),
        ASPECT("\\d+(\\.\\d+)?([:/]\\d+(\\.\\d+)?)?", "an aspect ratio such as 16:9"),
        FILTER_GRAPH(null, "a filter graph"),
        ENCODER_PARAMS("[A-Za-z0-9_-]+(=[A-Za-z0-9_.,/+-]*)?(:[A-Za-z0-9_-]+(=[A-Za-z0-9_.,/+-]*)?)*",
                "key=value pairs separated by ':'"),
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
        allow("ar", ValueKind.INTEGER, "-ar", "-ar:a");
        allow("ac", ValueKind.INTEGER, "-ac", "-ac:a");
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
            Map.entry("-metadata", "is not an encoding setting"));

    private FfmpegParamsPolicy() {
    }

    /** The canonical name of an allowed option spelling ("-vcodec" gives "c:v"), or empty when not allowed. */
    static Optional<String> canonical(String option) {
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
                throw reject("'" + printable(token) + "' contains a control character");
            }
            if (!token.startsWith("-") || token.equals("-") || token.equals("--")) {
                throw reject("'" + token + "' is not an option: ffmpeg_params may not name inputs or outputs"
                        + " (the appliance adds the camera and the RTMP destination itself)");
            }
            Rule rule = ALLOWED.get(token);
            if (rule == null) {
                throw reject(refusal(token));
            }
            if (i + 1 >= tokens.size()) {
                throw reject("'" + token + "' needs a value (" + rule.kind().description + ")");
            }
            String value = tokens.get(++i);
            if (ParamValues.hasControlCharacter(value)) {
                throw reject("'" + token + "' has a value with a control character");
            }
            if (value.startsWith("-") && !ValueKind.NUMBER.pattern.matcher(value).matches()) {
                throw reject("'" + token + "' needs a value (" + rule.kind().description + "), not the option '"
                        + value + "'");
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
        String shown = "'" + option + " " + value + "'";
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
            throw reject(shown + ": a value may not be a file path or URL");
        }
        switch (kind) {
            case VIDEO_CODEC -> {
                if (!VIDEO_CODECS.contains(value)) {
                    throw reject(shown + ": expects " + kind.description
                            + "; YouTube takes H.264 over RTMP, and ffmpeg 5.1 cannot put HEVC in FLV");
                }
            }
            case AUDIO_CODEC -> {
                if (!AUDIO_CODECS.contains(value)) {
                    throw reject(shown + ": expects " + kind.description + "; YouTube requires AAC audio");
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
                    throw reject(shown + ": expects " + kind.description);
                }
                for (String pair : value.split(":")) {
                    int eq = pair.indexOf('=');
                    String key = eq < 0 ? pair : pair.substring(0, eq);
                    String v = eq < 0 ? "" : pair.substring(eq + 1);
                    if (X264_FILE_KEYS.contains(key)) {
                        throw reject(shown + ": '" + key + "' makes x264 read or write a file");
                    }
                    if (ParamValues.looksLikePathOrUrl(v)) {
                        throw reject(shown + ": '" + v + "' looks like a file path or URL");
                    }
                }
            }
            default -> {
                if (!kind.pattern.matcher(value).matches()) {
                    throw reject(shown + ": expects " + kind.description);
                }
            }
        }
    }

    /** x264 parameters that name files (x264_param_parse in x264 164). */
    private static final Set<String> X264_FILE_KEYS = Set.of("stats", "qpfile", "cqmfile", "dump-yuv",
            "opencl-clbin", "tcfile-in", "tcfile-out", "input-csp-file");

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

    private static String refusal(String option) {
        int colon = option.indexOf(':');
        String base = colon > 0 ? option.substring(0, colon) : option;
        String reason = REFUSED.get(base);
        if (reason != null) {
            return "'" + option + "' is not allowed: it " + reason;
        }
        return "'" + option + "' is not an encoding option ffmpeg_params may set";
    }

    private static ValidationException reject(String message) {
        return new ValidationException(FIELD, message);
    }

    private static String printable(String token) {
        StringBuilder sb = new StringBuilder();
        for (char ch : token.toCharArray()) {
            sb.append(ch < 0x20 || ch == 0x7f ? String.format("\\x%02x", (int) ch) : String.valueOf(ch));
        }
        return sb.toString();
    }

    private static List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }
}
