package stream.core.ffmpeg;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import stream.core.RtmpUrl;
import stream.core.RtspUrl;
import stream.core.SecretMasker;
import stream.core.ValidationException;

/**
 * The ffmpeg command that relays one camera to one RTMP destination, as an argument list for {@link ProcessBuilder}
 * (never a shell), optionally also feeding a separate snapshot process that keeps a small preview JPEG.
 *
 * <p>Why the preview is made by a second process: ffmpeg 5.1 reads next from the input that feeds its output stream
 * with the oldest muxed timestamp. A JPEG output that takes a frame every 10 s is that stream for 10 s at a time, so
 * only the camera is read; the silent track added for a camera without audio (a second input) is not, and the FLV
 * muxer holds the video back until its 10 s interleaving limit (measured: 11.6 s to air instead of 1.6 s). A stream
 * copy of the camera's video, muxed as NUT to the relay's stdout at every camera packet, never lags; the supervisor
 * passes it on to the snapshot process's stdin ({@link SnapshotPipe}). Progress then goes to stderr.
 *
 * <p>Progress is written to stderr ({@code -progress pipe:2}) in every case, so stdout is free for that copy: with
 * {@code -loglevel level+...} every log line starts with {@code [}, a progress line never does.
 *
 * @param ffmpeg the ffmpeg executable (a path, or a name looked up on PATH)
 * @param rtspUrl the camera, checked when the value was made
 * @param rtmpUrl the destination, checked when the value was made
 * @param encoding the preset's or user's encoding arguments, already checked
 * @param cameraAudio what audio the camera sends
 * @param snapshot where the snapshot process keeps the preview JPEG (an absolute path), or empty for none
 */
public record FfmpegCommand(String ffmpeg, RtspUrl rtspUrl, RtmpUrl rtmpUrl, EncodingArgs encoding,
                            CameraAudio cameraAudio, Optional<Path> snapshot) {

    /** The silent source added when the camera has no audio: YouTube refuses a stream without an audio track. */
    static final String SILENCE = "anullsrc=r=44100:cl=stereo";
    /** RTSP socket timeout in microseconds (ffmpeg 5.x's -timeout; -stimeout is gone since 5.0). */
    static final String RTSP_TIMEOUT_US = "5000000";
    /**
     * RTMP read/write timeout in microseconds. Without it a server that accepts the TCP connection but never answers
     * the handshake keeps ffmpeg 5.1 waiting for ever; with it ffmpeg ends with "Connection timed out".
     */
    static final String RTMP_RW_TIMEOUT_US = "10000000";
    /**
     * The preview: the first frame, then one frame at least 10 s after the last one taken, 640 pixels wide.
     * select (not fps=1/10) so the first snapshot appears at once rather than after 5 s.
     */
    static final String SNAPSHOT_FILTER = "select='isnan(prev_selected_t)+gte(t-prev_selected_t,10)',scale=640:-2";
    /** Used when the arguments do not say, since FLV's defaults (Sorenson video, MP3 audio) are not what YouTube takes. */
    static final String DEFAULT_VIDEO_CODEC = "libx264";
    static final String DEFAULT_AUDIO_BITRATE = "128k";
    static final String DEFAULT_AUDIO_RATE = "44100";

    public FfmpegCommand {
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(cameraAudio, "cameraAudio");
        Objects.requireNonNull(snapshot, "snapshot");
        if (ffmpeg == null || ffmpeg.isBlank() || ParamValues.hasControlCharacter(ffmpeg)) {
            throw new IllegalArgumentException("ffmpeg must name an executable");
        }
        Objects.requireNonNull(rtspUrl, "rtspUrl");
        Objects.requireNonNull(rtmpUrl, "rtmpUrl");
        // A relative path could start with '-' and be read as an option; an absolute one starts with '/'.
        snapshot.ifPresent(path -> {
            if (!path.isAbsolute()) {
                throw new ValidationException("snapshot", "must be an absolute path");
            }
        });
    }

    /** A command without a snapshot. */
    public FfmpegCommand(String ffmpeg, RtspUrl rtspUrl, RtmpUrl rtmpUrl, EncodingArgs encoding,
                         CameraAudio cameraAudio) {
        this(ffmpeg, rtspUrl, rtmpUrl, encoding, cameraAudio, Optional.empty());
    }

    /** The relay's full argument list, the executable first. */
    public List<String> arguments() {
        List<String> cameraOptions = List.of(
                "-rtsp_transport", "tcp",
                "-timeout", RTSP_TIMEOUT_US,
                // Cameras often send broken timestamps; Restreamer sets +genpts on every RTSP input.
                "-fflags", "+genpts",
                // With a second (silent) input ffmpeg reads each input in its own thread; the default queue of 8
                // packets makes 5.1 warn "Thread message queue blocking" while the encoder starts.
                "-thread_queue_size", "512");
        return build(cameraOptions, rtspUrl.value(), rtmpUrl.value());
    }

    /**
     * Test seam: the same command with a local media file in place of the camera, read at its native rate like a
     * live source, and a local file in place of the RTMP destination.
     */
    List<String> argumentsForLocalFiles(Path input, Path output) {
        return build(List.of("-re", "-fflags", "+genpts", "-thread_queue_size", "512"),
                input.toAbsolutePath().toString(), output.toAbsolutePath().toString());
    }

    /**
     * The snapshot process's argument list, the executable first, when there is a snapshot: it reads the relay's
     * copy of the camera's video (NUT, which carries any codec a camera sends, MJPEG too) on its stdin and keeps the
     * JPEG. It ends when its stdin does: when the relay ends, or the JVM that passes the copy on is gone. Nothing in
     * it is secret.
     */
    public Optional<List<String>> snapshotArguments() {
        return snapshot.map(file -> snapshotReader(ffmpeg, "nut", file));
    }

    /**
     * The argument list of a snapshot process reading a stream of {@code inputFormat} on its stdin ({@code nut} for
     * the relay's copy, {@code mpegts} for a kept session's output) and keeping the JPEG at {@code file}, an absolute
     * path. Nothing in it is secret.
     */
    public static List<String> snapshotReader(String ffmpeg, String inputFormat, Path file) {
        if (!file.isAbsolute()) {
            throw new ValidationException("snapshot", "must be an absolute path");
        }
        if (!inputFormat.equals("nut") && !inputFormat.equals("mpegts")) {
            throw new IllegalArgumentException("snapshot input must be nut or mpegts: " + inputFormat);
        }
        List<String> args = new ArrayList<>(List.of(ffmpeg,
                "-hide_banner", "-loglevel", "level+error", "-nostats", "-nostdin",
                // -y: the snapshot file exists after the first run, and without -y ffmpeg would ask to overwrite.
                "-y",
                // Only keyframes are decoded: the preview needs one frame in 10 s, and decoding the others would
                // cost about 5 times the CPU (measured on 5.1). A 1 s analysis bound: with keyframes only, stream
                // probing would otherwise run to its 5 s limit before the first snapshot. (A camera that sends
                // B-frames gets its first snapshot two keyframes later: the decoder holds a picture for reordering.)
                "-skip_frame:v", "nokey", "-analyzeduration", "1000000",
                "-f", inputFormat, "-i", "pipe:0",
                "-map", "0:v:0", "-vf", SNAPSHOT_FILTER,
                // image2 is constant frame rate by default in 5.1: without vfr the one selected frame is
                // duplicated to the camera's rate and the file rewritten 25 times a second.
                "-fps_mode", "vfr", "-q:v", "5",
                // The JPEG encoder's frame threads hold each picture until the next one arrives: with a frame
                // every 10 s the first snapshot would appear after 10 s (measured on 5.1); one thread writes at
                // once.
                "-threads", "1",
                "-update", "1", "-atomic_writing", "1", "-f", "image2", file.toString()));
        return List.copyOf(args);
    }

    /** Whether the camera's video is passed through unchanged. */
    public boolean videoCopy() {
        return encoding.videoCopy();
    }

    /** Whether silence is added in place of the camera's audio. */
    public boolean silentAudio() {
        return cameraAudio == CameraAudio.NONE || cameraAudio == CameraAudio.UNKNOWN;
    }

    /** The command line for logs, with URL secrets masked. */
    public String maskedCommandLine() {
        return SecretMasker.forUrls(rtspUrl.value(), rtmpUrl.value()).mask(String.join(" ", arguments()));
    }

    /** Masks the URLs so that logging the record does not leak a password or stream key. */
    @Override
    public String toString() {
        return "FfmpegCommand[" + rtspUrl + " -> " + rtmpUrl
                + ", encoding=" + encoding.tokens() + ", cameraAudio=" + cameraAudio + ", snapshot="
                + snapshot.map(Path::toString).orElse("none") + "]";
    }

    private List<String> build(List<String> inputOptions, String input, String output) {
        Map<String, String> settings = encoding.settings();
        boolean silent = silentAudio();
        boolean copyAudio = !silent && cameraAudio == CameraAudio.AAC
                && "copy".equals(settings.getOrDefault("c:a", "copy"));

        // Shape: global options, the camera (input 0), silence (input 1) when the camera has no usable audio, the RTMP
        // output with the checked encoding arguments, then the copy for the snapshot process. No -nostdin: the
        // supervisor stops ffmpeg by writing 'q' to its standard input, which lets it finish the FLV stream cleanly.
        List<String> args = new ArrayList<>();
        args.add(ffmpeg);
        // level+ prefixes each line with [error], [warning]...; the FailureClassifier reads them.
        args.addAll(List.of("-hide_banner", "-loglevel", "level+info", "-nostats", "-progress", "pipe:2"));
        // One progress block a second, not two: each becomes a status event for every dashboard, and the watchdog
        // and the contract's "at least every 2 s" need no more.
        args.addAll(List.of("-stats_period", "1"));
        // -y: ffmpeg must never ask on stdin (the supervisor's 'q' channel) whether to overwrite an output file.
        args.add("-y");
        encoding.vaapiDevice().ifPresent(device ->
                // A global option (ffmpeg 5.1 would take it anywhere); placed first, where presets mean it to be.
                args.addAll(List.of(EncodingArgs.VAAPI_DEVICE_OPTION, device)));

        args.addAll(inputOptions);
        args.addAll(List.of("-i", input));
        if (silent) {
            args.addAll(List.of("-f", "lavfi", "-i", SILENCE));
        }

        args.addAll(List.of("-map", "0:v:0", "-map", silent ? "1:a:0" : "0:a:0"));
        args.addAll(encodingTokens(copyAudio));
        if (!settings.containsKey("c:v")) {
            args.addAll(List.of("-c:v", DEFAULT_VIDEO_CODEC));
        }
        if (!settings.containsKey("c:a")) {
            args.addAll(List.of("-c:a", copyAudio ? "copy" : "aac"));
        }
        if (!copyAudio) {
            if (!settings.containsKey("b:a")) {
                args.addAll(List.of("-b:a", DEFAULT_AUDIO_BITRATE));
            }
            if (!settings.containsKey("ar")) {
                args.addAll(List.of("-ar", DEFAULT_AUDIO_RATE));
            }
        }
        if (silent) {
            // anullsrc never ends: without -shortest ffmpeg 5.1 keeps sending silence after the camera's stream
            // ends and never exits (measured). -shortest ends the output with the video.
            args.add("-shortest");
        }
        if (!settings.containsKey("flvflags")) {
            // RTMP cannot seek back to write duration and size; this spares the two warnings at every stop.
            args.addAll(List.of("-flvflags", "no_duration_filesize"));
        }
        args.addAll(List.of("-rw_timeout", RTMP_RW_TIMEOUT_US));
        if (!settings.containsKey("f")) {
            args.addAll(List.of("-f", "flv"));
        }
        args.add(output);

        snapshot.ifPresent(file -> {
            // A stream copy: the relay decodes nothing for the preview, and this output is muxed at every camera
            // packet, so it never is the stream ffmpeg waits on.
            args.addAll(List.of("-map", "0:v:0", "-c:v", "copy"));
            String limit = settings.get("t");
            if (limit != null) {
                // -t applies per output: without it here the copy would outlive the RTMP output.
                args.addAll(List.of("-t", limit));
            }
            // Written in 32 kB blocks rather than flushed at every packet (5.1's default for a pipe): a handful of
            // reads a second for the JVM that passes it on instead of one per frame (measured with strace: 52 writes
            // for 2 s of 25 fps, 1 with this). The preview does not mind the delay.
            args.addAll(List.of("-flush_packets", "0", "-f", "nut", "pipe:1"));
        });
        return List.copyOf(args);
    }

    /**
     * The encoding tokens for the RTMP output, with an audio copy turned into AAC when the camera's audio is not AAC.
     */
    private List<String> encodingTokens(boolean copyAudio) {
        List<String> tokens = encoding.tokens();
        List<String> out = new ArrayList<>();
        // Every allowed option takes exactly one value, so the checked tokens are option/value pairs.
        for (int i = 0; i + 1 < tokens.size(); i += 2) {
            String option = tokens.get(i);
            String value = tokens.get(i + 1);
            String canonical = FfmpegParamsPolicy.canonical(option).orElseThrow();
            if (canonical.equals("c:a") && value.equals("copy") && !copyAudio) {
                value = "aac";
            }
            out.add(option);
            out.add(value);
        }
        return out;
    }
}
