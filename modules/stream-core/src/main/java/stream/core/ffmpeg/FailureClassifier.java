package stream.core.ffmpeg;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import stream.core.SecretMasker;

/**
 * Recognises why ffmpeg 5.1 failed from its stderr lines (written with {@code -loglevel level+info}) and says it in a
 * plain sentence, telling the camera from the destination by the URL or component named in or just after a line.
 */
public final class FailureClassifier {
    // The patterns are ffmpeg 5.1's own messages, captured against closed ports, a silent server, a GStreamer RTSP
    // server with authentication and nginx-rtmp on 127.0.0.1 (test fixtures in src/test/resources/ffmpeg). What it
    // cannot see: a camera that goes away or stops sending mid-stream makes ffmpeg 5.1 exit with status 0 and at most
    // "Connection timed out", and YouTube may take a wrong key and discard the data; only a progress watchdog
    // catches those.

    /** How many following lines may name the side of a line that names none (a [tcp @ ...] line, say). */
    private static final int SIDE_LOOKAHEAD = 3;

    /** The "[component @ 0x...] [level] " or "[level] " prefix of a line logged with -loglevel level+...; */
    private static final Pattern PREFIX = Pattern.compile(
            "^(?:\\[[^\\]]*@ ?(?:0x)?[0-9a-fA-F]*\\] )?(?:\\[(?:panic|fatal|error|warning|info|verbose|debug|trace)\\] )?");

    private static final Pattern CAMERA_URL = Pattern.compile("(?i)\\brtsps?://");
    private static final Pattern DESTINATION_URL = Pattern.compile("(?i)\\brtmp[st]?s?://");
    private static final Pattern CAMERA_COMPONENT = Pattern.compile("^\\[(?:rtsp|rtp|sdp) @");
    private static final Pattern DESTINATION_COMPONENT = Pattern.compile("^\\[(?:rtmps?|rtmpts?|flv) @");

    /** One recognisable message: the kind when it concerns the camera, the destination, or is side-independent. */
    private record Rule(Pattern pattern, FailureKind camera, FailureKind destination, FailureKind any,
                        FailureKind.Side defaultSide) {

        static Rule always(FailureKind kind, String regex) {
            return new Rule(Pattern.compile(regex), null, null, kind, null);
        }

        static Rule bySide(FailureKind camera, FailureKind destination, String regex) {
            return new Rule(Pattern.compile(regex), camera, destination, null, null);
        }

        static Rule bySide(FailureKind camera, FailureKind destination, FailureKind.Side defaultSide, String regex) {
            return new Rule(Pattern.compile(regex), camera, destination, null, defaultSide);
        }
    }

    /** The rules, most specific first: the first rule that matches any line decides. */
    private static final List<Rule> RULES = List.of(
            // Hardware encoders first: a missing VAAPI device also ends in "Error parsing global options".
            Rule.always(FailureKind.HARDWARE_ENCODER_FAILED,
                    "^\\[(?:h264|hevc)_(?:v4l2m2m|nvenc|vaapi|qsv|omx|amf) @[^\\]]*\\] \\[(?:error|fatal)\\]"),
            Rule.always(FailureKind.HARDWARE_ENCODER_FAILED,
                    "^\\[(?:h264|hevc)_omx @[^\\]]*\\] \\[warning\\] lib\\S*\\.so not found"),
            Rule.always(FailureKind.HARDWARE_ENCODER_FAILED, "Cannot load libcuda|Cannot load libnvidia-encode"
                    + "|No NVENC capable devices found|No capable devices found|OpenEncodeSessionEx failed"
                    + "|No VA display found|Failed to initialise VAAPI connection|Device creation failed"
                    + "|Error initializing an internal MFX session|Error creating a MFX session"
                    + "|Could not find a valid device"),
            Rule.always(FailureKind.ENCODER_NOT_FOUND,
                    "Unknown encoder '|Encoder \\(codec [^)]*\\) not found|Encoder not found"),
            Rule.always(FailureKind.CODEC_NOT_SUPPORTED_BY_FLV,
                    "(?i)codec \\S+ not compatible with flv|FLV does not support sample rate"
                            + "|codec not currently supported in container"),
            Rule.always(FailureKind.SNAPSHOT_WRITE_FAILED, "^\\[image2 @[^\\]]*\\] \\[(?:error|fatal)\\]"),
            Rule.always(FailureKind.INVALID_PARAMETERS, "Unrecognized option '|Error splitting the argument list"
                    + "|Option \\S+ not found|Filtering and streamcopy cannot be used together|No such filter: "
                    + "|Error initializing filter|Error reinitializing filters|Error parsing (?:global )?options"
                    + "|Invalid argument for option|Failed to set value '.*' for option"),
            // The camera is input #0: the command maps 0:v:0 and, when it expects camera audio, 0:a:0.
            Rule.always(FailureKind.CAMERA_STREAM_MISSING, "Stream map '0:[av][^']*' matches no streams"),
            Rule.bySide(FailureKind.CAMERA_UNAUTHORIZED, null,
                    "401 Unauthorized|403 Forbidden|authorization failed|access denied"),
            Rule.bySide(FailureKind.CAMERA_STREAM_NOT_FOUND, null, "404 Not Found"),
            // nginx-rtmp: "Server error: Already publishing"; onStatus errors such as NetStream.Publish.BadName.
            Rule.bySide(null, FailureKind.DESTINATION_REJECTED,
                    "Server error: |NetStream\\.Publish\\.BadName|NetConnection\\.Connect\\.Rejected"
                            + "|rtmp[st]?s?://\\S*: Operation not permitted"),
            Rule.bySide(FailureKind.CAMERA_HOST_UNKNOWN, FailureKind.DESTINATION_HOST_UNKNOWN,
                    "Failed to resolve hostname|Name or service not known|Temporary failure in name resolution"),
            Rule.bySide(FailureKind.CAMERA_TIMEOUT, FailureKind.DESTINATION_TIMEOUT, "Connection timed out"),
            Rule.bySide(FailureKind.CAMERA_UNREACHABLE, FailureKind.DESTINATION_UNREACHABLE,
                    "Connection refused|No route to host|Network is unreachable|Host is unreachable"),
            // A write error can only come from an output; of the outputs only the RTMP one is on the network.
            Rule.bySide(FailureKind.CAMERA_CONNECTION_LOST, FailureKind.DESTINATION_CONNECTION_LOST,
                    FailureKind.Side.DESTINATION, "Broken pipe|Connection reset by peer"),
            Rule.bySide(FailureKind.CAMERA_BAD_ANSWER, null,
                    "Invalid data found when processing input|method \\S+ failed: |Server returned \\d"),
            // nginx-rtmp refusing a key in on_publish, or an unknown application, just closes the connection:
            // ffmpeg 5.1 then only says "rtmp://...: Input/output error" while opening the output.
            Rule.bySide(null, FailureKind.DESTINATION_REJECTED, "rtmp[st]?s?://\\S*: Input/output error"),
            Rule.always(FailureKind.ENCODER_FAILED, "Error while opening encoder for output stream"));

    private FailureClassifier() {
    }

    /** The failure recognised in ffmpeg's last stderr lines (oldest first), if any. Give it masked lines. */
    public static Optional<Failure> classify(List<String> lines) {
        for (Rule rule : RULES) {
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line == null || !rule.pattern().matcher(line).find()) {
                    continue;
                }
                FailureKind kind = kindFor(rule, lines, i);
                if (kind != null) {
                    return Optional.of(new Failure(kind, message(kind, line), line));
                }
            }
        }
        return Optional.empty();
    }

    /** The failure recognised in one line, judging the side from that line alone. */
    public static Optional<Failure> classify(String line) {
        return classify(line == null ? List.of() : List.of(line));
    }

    private static FailureKind kindFor(Rule rule, List<String> lines, int index) {
        if (rule.any() != null) {
            return rule.any();
        }
        FailureKind.Side side = null;
        for (int i = index; i < lines.size() && i <= index + SIDE_LOOKAHEAD && side == null; i++) {
            side = sideOf(lines.get(i));
        }
        if (side == null) {
            side = rule.defaultSide();
        }
        if (side == FailureKind.Side.CAMERA) {
            return rule.camera();
        }
        if (side == FailureKind.Side.DESTINATION) {
            return rule.destination();
        }
        return null;
    }

    /** The side a line names by its URL or the component that logged it, or null. */
    static FailureKind.Side sideOf(String line) {
        if (line == null) {
            return null;
        }
        if (CAMERA_COMPONENT.matcher(line).find()) {
            return FailureKind.Side.CAMERA;
        }
        if (DESTINATION_COMPONENT.matcher(line).find()) {
            return FailureKind.Side.DESTINATION;
        }
        boolean camera = CAMERA_URL.matcher(line).find();
        boolean destination = DESTINATION_URL.matcher(line).find();
        if (camera != destination) {
            return camera ? FailureKind.Side.CAMERA : FailureKind.Side.DESTINATION;
        }
        return null;
    }

    private static String message(FailureKind kind, String line) {
        String detail = PREFIX.matcher(line).replaceFirst("").strip();
        // "rtsp://host/path: Connection refused" -> "Connection refused"; the URL is in the configuration already.
        Matcher url = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://\\S*: ").matcher(detail);
        if (url.find()) {
            detail = detail.substring(url.end());
        }
        detail = SecretMasker.forUrls().mask(detail);
        return detail.isEmpty() ? kind.sentence() : kind.sentence() + " (ffmpeg: " + detail + ")";
    }
}
