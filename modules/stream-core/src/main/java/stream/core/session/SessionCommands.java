package stream.core.session;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import stream.core.FieldError;
import stream.core.UrlValidator;
import stream.core.ValidationException;
import stream.core.ffmpeg.FfmpegCommand;

/**
 * The ffmpeg argument lists of a kept session. Every URL is checked by {@link UrlValidator} first (nothing that ffmpeg
 * could read as an option or another protocol); everything else is numbers or paths this appliance made itself.
 *
 * <p>All audio on a session's output has one format, {@link #AUDIO_RATE} Hz stereo AAC-LC, whatever the camera sends
 * or lacks: the publisher copies it, and FLV carries one AAC configuration for the whole session.
 */
public record SessionCommands(String ffmpeg) {
    public static final int AUDIO_RATE = 44_100;
    public static final int AUDIO_CHANNELS = 2;
    /** The socket timeout of the RTSP input, in microseconds (ffmpeg 5.x meaning of -timeout). */
    static final String RTSP_TIMEOUT_US = "5000000";
    /** How long the ingest probes a camera, in microseconds (see {@link #ingest(String)}). */
    static final String INGEST_ANALYZE_US = "300000";
    private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9._/-]+");

    public SessionCommands {
        if (ffmpeg == null || ffmpeg.isBlank() || ffmpeg.startsWith("-")) {
            throw new IllegalArgumentException("ffmpeg path must name a program");
        }
    }

    /**
     * What an ingest does with the packets ffmpeg reads while it probes the camera (the first
     * {@value #INGEST_ANALYZE_US} microseconds).
     */
    public enum Probed {
        /**
         * Dropped ({@code -fflags nobuffer}): the output starts live, at the first keyframe after probing. For a camera
         * cut in behind pictures already on air, where a backlog written out in a burst would only delay the cut (the
         * splicer waits for pictures that arrive live, see {@link Splicer#newInput}).
         */
        DROPPED,
        /**
         * Written out once probing ends, from the first keyframe read: for the session's first camera, with nothing
         * on air to spoil, which a plain ffmpeg relay puts on air the same way. Dropped, a keyframe that came during
         * the probe was lost and the output waited for the next one, a keyframe interval later: over 12 starts
         * against the test camera (a keyframe a second, no audio) the ingest's first 50 kB came after 3.0 s on
         * average (2.6 to 3.6 s) with them dropped, 2.7 s (2.3 to 3.0 s) with them kept (measured).
         */
        KEPT
    }

    /**
     * Camera to MPEG-TS on stdout: the first video stream copied, the first audio stream (if any) as AAC in the
     * session's format; no audio stream when the camera has none (the splicer fills in silence, as it does for the
     * slate). {@code -flush_packets 1}: every packet leaves at once, so the splicer sees a stall when it happens, not
     * when a 32 KB buffer fills. What ffmpeg reads while probing is dropped ({@link Probed#DROPPED}).
     * {@code -analyzeduration 300000}: the camera's SDP and first packets tell the codecs; ffmpeg's default 5 s probe
     * kept a new camera off air 2.4 to 3.2 s where this takes 0.8 to 1.5 s (measured here against the test cameras,
     * with and without audio; the output's streams were the same). {@code -progress pipe:2} once a second: the
     * watchdog of the ingest's keeper, which ends an ingest whose output stopped (a frozen camera keeps its
     * connection open) and starts it again. {@code -loglevel error}: the failures its keeper classifies are errors;
     * at warning level, a camera that sends its parameter sets apart from the keyframe (the test cameras, many
     * others) made the ingest report a repaired timestamp at every keyframe, three writes each, a wake-up of the
     * JVM's reader for a line it throws away.
     */
    public List<String> ingest(String rtspUrl) {
        return ingest(rtspUrl, Optional.empty());
    }

    /**
     * The same with the camera's video encoded to the session's one format when {@code encoding} is given (a
     * preset other than copy): the camera's picture fitted into the session's size and rate, then encoded with the
     * stream's checked arguments (see {@link VideoEncoding#outputOptions}). The URL is checked as for a copy.
     */
    public List<String> ingest(String rtspUrl, Optional<VideoEncoding> encoding) {
        return ingest(rtspUrl, encoding, Probed.DROPPED);
    }

    /** The same, with what ffmpeg reads while probing the camera kept or dropped as {@code probed} says. */
    public List<String> ingest(String rtspUrl, Optional<VideoEncoding> encoding, Probed probed) {
        UrlValidator.rtspProblem(rtspUrl).ifPresent(p -> {
            throw new ValidationException(List.of(new FieldError("rtsp_url", p)));
        });
        List<String> cmd = new ArrayList<>(List.of(ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
                "-nostats", "-progress", "pipe:2", "-stats_period", "1"));
        encoding.ifPresent(e -> cmd.addAll(e.inputOptions()));
        cmd.addAll(List.of("-rtsp_transport", "tcp", "-timeout", RTSP_TIMEOUT_US,
                "-fflags", probed == Probed.DROPPED ? "+genpts+nobuffer" : "+genpts",
                "-analyzeduration", INGEST_ANALYZE_US,
                "-i", rtspUrl,
                "-map", "0:v:0", "-map", "0:a:0?"));
        if (encoding.isPresent()) {
            cmd.addAll(encoding.get().outputOptions());
        } else {
            cmd.addAll(List.of("-c:v", "copy"));
        }
        cmd.addAll(List.of(
                "-c:a", "aac", "-ar", Integer.toString(AUDIO_RATE), "-ac", Integer.toString(AUDIO_CHANNELS),
                "-b:a", "128k",
                "-f", "mpegts", "-flush_packets", "1", "pipe:1"));
        return List.copyOf(cmd);
    }

    /**
     * The snapshot process of a session: it reads the transport stream the publisher gets (on its stdin) and keeps
     * a JPEG of it every 10 s, as the plain relay's does, so the dashboard shows what viewers see, slate included.
     */
    public List<String> snapshot(Path file) {
        return FfmpegCommand.snapshotReader(ffmpeg, "mpegts", file);
    }

    /**
     * MPEG-TS on stdin to FLV over RTMP, everything copied. {@code extract_extradata}: at a cut to pictures of
     * another size or profile (another camera, the slate), ffmpeg 5.1's FLV muxer sends a fresh AVC sequence header
     * only when the packet carries the new SPS/PPS as side data, which this filter attaches; without it the new
     * parameter sets travel in-band only and the destination keeps the first sequence header (measured).
     * {@code -analyzeduration 500000}: the input is the splicer's own stream (H.264 and AAC from its first packets,
     * both always present), which half a second of probing identifies; ffmpeg's default of 5 s held every new RTMP
     * session back by about 4.5 s after its media was ready (127 pictures read before the output opened, measured).
     * {@code -progress pipe:2} once a second: its keeper's watchdog, and the sign that media reaches the destination
     * (the output time advances only once the RTMP session is open and written to).
     */
    public List<String> publisher(String rtmpUrl) {
        UrlValidator.rtmpProblem(rtmpUrl).ifPresent(p -> {
            throw new ValidationException(List.of(new FieldError("rtmp_url", p)));
        });
        return List.of(ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "warning",
                "-nostats", "-progress", "pipe:2", "-stats_period", "1",
                "-analyzeduration", "500000", "-f", "mpegts", "-i", "pipe:0",
                "-map", "0:v:0", "-map", "0:a:0", "-c", "copy", "-bsf:v", "extract_extradata",
                "-f", "flv", "-flvflags", "no_duration_filesize", "-flush_packets", "1", rtmpUrl);
    }

    /**
     * One second of a still picture as H.264 in MPEG-TS on stdout: an IDR picture followed by P pictures that repeat
     * it (a few bytes each), made to be looped. {@code textFile} holds the words (drawtext reads it, so no text
     * passes through filter-graph escaping); {@code fontFile} may be null to let fontconfig choose.
     */
    public List<String> slate(int width, int height, int fps, Path textFile, Path fontFile) {
        if (width < 16 || height < 16 || width > 4096 || height > 4096 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("slate size must be even and 16..4096: " + width + "x" + height);
        }
        if (fps < 1 || fps > 120) {
            throw new IllegalArgumentException("slate frame rate must be 1..120: " + fps);
        }
        String text = safePath(textFile);
        int fontSize = Math.max(12, height / 14);
        StringBuilder draw = new StringBuilder("drawtext=textfile=").append(text)
                .append(":fontcolor=white:fontsize=").append(fontSize)
                .append(":line_spacing=").append(fontSize / 2)
                .append(":x=(w-text_w)/2:y=(h-text_h)/2");
        if (fontFile != null) {
            draw.append(":fontfile=").append(safePath(fontFile));
        }
        List<String> cmd = new ArrayList<>(List.of(ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
                "-f", "lavfi", "-i", "color=c=0x1d2733:s=" + width + "x" + height + ":r=" + fps,
                "-vf", draw.toString(),
                "-frames:v", Integer.toString(fps),
                "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-pix_fmt", "yuv420p",
                "-profile:v", "main", "-bf", "0", "-g", Integer.toString(fps), "-keyint_min", Integer.toString(fps),
                "-sc_threshold", "0", "-x264-params", "repeat-headers=1",
                "-f", "mpegts", "pipe:1"));
        return List.copyOf(cmd);
    }

    /** A short run of silence as ADTS AAC in the session's audio format on stdout. */
    public List<String> silence() {
        return List.of(ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
                "-f", "lavfi", "-i", "anullsrc=r=" + AUDIO_RATE + ":cl=stereo",
                "-t", "0.5", "-c:a", "aac", "-b:a", "128k", "-f", "adts", "pipe:1");
    }

    /** Only absolute paths of plain characters reach a filter graph, where ':' '\'' ',' ';' '[' would mean syntax. */
    private static String safePath(Path p) {
        String s = p.toAbsolutePath().toString();
        if (!SAFE_PATH.matcher(s).matches()) {
            throw new IllegalArgumentException("path unusable in a filter graph: " + s);
        }
        return s;
    }

    /** DejaVu Sans where Debian puts it (fonts-dejavu-core), else null for fontconfig's default. */
    public static Path defaultFont() {
        Path dejavu = Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf");
        return Files.isReadable(dejavu) ? dejavu : null;
    }
}
