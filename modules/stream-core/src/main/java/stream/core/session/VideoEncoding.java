package stream.core.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import stream.core.ffmpeg.EncodingArgs;
import stream.core.ffmpeg.FfmpegParamsPolicy;

/**
 * How the ingests of a kept session encode when the stream's encoding is not {@code copy} (issue 17 point 4): every
 * camera's video is encoded as the preset (or the hand-written ffmpeg_params) says, then fitted to one picture size
 * and frame rate fixed for the whole session, so the destination sees one format whatever camera is on air, and the
 * slate is made in that format too. A stream on {@code copy} has none: its ingests copy each camera's video.
 *
 * @param args   the checked encoding arguments, as for the plain relay ({@link EncodingArgs} cannot hold a token the
 *               policy refuses)
 * @param width  the session's picture width, even
 * @param height the session's picture height, even
 * @param fps    the session's frame rate
 */
public record VideoEncoding(EncodingArgs args, int width, int height, int fps) {
    /** Used when neither the arguments nor the camera tell (a camera that is down when the session opens). */
    static final int FALLBACK_WIDTH = 1280;
    static final int FALLBACK_HEIGHT = 720;
    static final int FALLBACK_FPS = 25;
    /** What the plain relay uses when the arguments name no video encoder. */
    static final String DEFAULT_VIDEO_ENCODER = "libx264";
    /**
     * A keyframe every 2 s unless the arguments force their own: a cut to a camera waits for its next keyframe, and
     * an encoder left to itself (x264: every 250 pictures) would keep a switch waiting up to 10 s.
     */
    static final String KEYFRAMES = "expr:gte(t,n_forced*2)";

    /**
     * Options of the RTMP output that do not concern an ingest's video: the session's audio has one format of its
     * own ({@link SessionCommands#AUDIO_RATE}), the ingest writes MPEG-TS to the splicer, an ingest must not end
     * after {@code -t} (that would be an outage), and the filter graph and the frame rate are rebuilt here.
     */
    private static final Set<String> NOT_FOR_THE_INGEST = Set.of("c:a", "b:a", "ar", "ac", "af", "aac_coder",
            "profile:a", "f", "flvflags", "t", "vf", "r");
    /** A scale filter with two sizes: {@code scale=W:H} or {@code scale=w=W:h=H}, more options may follow. */
    private static final Pattern SCALE = Pattern.compile("scale=(?:w=)?(-?\\d+):(?:h=)?(-?\\d+)(?::.*)?");
    private static final Pattern WIDTH_X_HEIGHT = Pattern.compile("(\\d+)x(\\d+)");
    private static final Pattern PLAIN_RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)(?:/(\\d+(?:\\.\\d+)?))?");
    /** ffmpeg's names of the sizes people use for live streams (libavutil/parseutils.c). */
    private static final Map<String, int[]> SIZE_NAMES = Map.ofEntries(
            Map.entry("ntsc", new int[] {720, 480}), Map.entry("pal", new int[] {720, 576}),
            Map.entry("qvga", new int[] {320, 240}), Map.entry("vga", new int[] {640, 480}),
            Map.entry("svga", new int[] {800, 600}), Map.entry("xga", new int[] {1024, 768}),
            Map.entry("hd480", new int[] {852, 480}), Map.entry("hd720", new int[] {1280, 720}),
            Map.entry("hd1080", new int[] {1920, 1080}), Map.entry("nhd", new int[] {640, 360}),
            Map.entry("qhd", new int[] {960, 540}), Map.entry("wvga", new int[] {852, 480}),
            Map.entry("uhd2160", new int[] {3840, 2160}));

    public VideoEncoding {
        Objects.requireNonNull(args, "args");
        if (args.videoCopy()) {
            throw new IllegalArgumentException("a copy of the camera's video is no encoding");
        }
        if (width < 16 || height < 16 || width > 4096 || height > 4096 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("picture size must be even and 16..4096: " + width + "x" + height);
        }
        if (fps < 1 || fps > 60) {
            throw new IllegalArgumentException("frame rate must be 1..60: " + fps);
        }
    }

    /**
     * The session's format for these arguments: the size they fix ({@code -s}, or a {@code scale} with two sizes),
     * else the one their scale gives the camera's picture ({@code scale=-2:480} on a 16:9 camera: 854x480), else the
     * camera's; the rate of {@code -r}, else the camera's. The camera's figures may be null (not probed, or it did
     * not answer): then 16:9, 1280x720 and 25 fps stand in (25 fps too for a camera claiming more than 60).
     *
     * @return empty for a copy of the camera's video
     */
    public static Optional<VideoEncoding> forSession(EncodingArgs args, Integer cameraWidth, Integer cameraHeight,
                                                      Double cameraFps) {
        if (args.videoCopy()) {
            return Optional.empty();
        }
        boolean cameraKnown = cameraWidth != null && cameraHeight != null && cameraWidth > 0 && cameraHeight > 0;
        int camW = cameraKnown ? cameraWidth : FALLBACK_WIDTH;
        int camH = cameraKnown ? cameraHeight : FALLBACK_HEIGHT;
        int[] size = fixedSize(args).orElseGet(() -> scaledSize(args, camW, camH).orElse(new int[] {camW, camH}));
        // a camera that claims more than 60 fps is taken as not saying (a bogus time base): encoding 60 would
        // cost a Pi dearly
        boolean rateKnown = cameraFps != null && cameraFps >= 1 && cameraFps <= 60;
        int fps = rate(args).orElse(rateKnown ? (int) Math.round(cameraFps) : FALLBACK_FPS);
        return Optional.of(new VideoEncoding(args, even(size[0]), even(size[1]), Math.max(1, Math.min(60, fps))));
    }

    /** Whether the format depends on the camera, so that it must be asked first (one probe when the session opens). */
    public static boolean needsCamera(EncodingArgs args) {
        return !args.videoCopy() && (fixedSize(args).isEmpty() || rate(args).isEmpty());
    }

    private static Optional<int[]> fixedSize(EncodingArgs args) {
        Optional<String> s = args.setting("s");
        if (s.isPresent()) {
            Matcher m = WIDTH_X_HEIGHT.matcher(s.get());
            if (m.matches()) {
                return Optional.of(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
            }
            return Optional.ofNullable(SIZE_NAMES.get(s.get())).map(int[]::clone);
        }
        return lastScale(args).filter(wh -> wh[0] > 0 && wh[1] > 0);
    }

    /** A scale that fixes one side and keeps the aspect with the other (-1, or -n for a multiple of n). */
    private static Optional<int[]> scaledSize(EncodingArgs args, int camW, int camH) {
        return lastScale(args).flatMap(wh -> {
            if (wh[0] < 0 && wh[1] > 0) {
                int n = -wh[0];
                return Optional.of(new int[] {(int) Math.round((double) wh[1] * camW / camH / n) * n, wh[1]});
            }
            if (wh[1] < 0 && wh[0] > 0) {
                int n = -wh[1];
                return Optional.of(new int[] {wh[0], (int) Math.round((double) wh[0] * camH / camW / n) * n});
            }
            return Optional.empty();
        });
    }

    /** The last scale filter of the graph with two whole-number sizes (the one that sets the output's size). */
    private static Optional<int[]> lastScale(EncodingArgs args) {
        Optional<String> vf = args.setting("vf");
        if (vf.isEmpty()) {
            return Optional.empty();
        }
        int[] found = null;
        for (String filter : vf.get().split(",")) {
            Matcher m = SCALE.matcher(filter.trim());
            if (m.matches()) {
                found = new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
            }
        }
        return Optional.ofNullable(found);
    }

    private static Optional<Integer> rate(EncodingArgs args) {
        return args.setting("r").flatMap(r -> {
            Matcher m = PLAIN_RATE.matcher(r);
            if (!m.matches()) {
                return Optional.empty(); // a named rate (ntsc, film...): the camera's then
            }
            double value = Double.parseDouble(m.group(1)) / (m.group(2) == null ? 1 : Double.parseDouble(m.group(2)));
            return value > 0 ? Optional.of((int) Math.round(value)) : Optional.empty();
        });
    }

    private static int even(int side) {
        return Math.max(16, Math.min(4096, side - side % 2));
    }

    /** Whether the arguments' filter graph hands frames to the GPU (VAAPI): nothing may be filtered after it then. */
    private boolean uploadsToGpu() {
        return args.setting("vf").filter(vf -> vf.contains("hwupload")).isPresent();
    }

    /**
     * The filter graph of an ingest: the arguments' own, then the picture fitted into the session's size (scaled
     * keeping its aspect, the rest padded black), square pixels, the session's rate and 4:2:0 (a camera sending
     * full-range yuvj420p must not change the output's format). A graph that uploads to the GPU comes last instead:
     * the fitting must happen on frames still in memory. Built from numbers and the checked graph only.
     */
    String filterGraph() {
        String fit = "scale=" + width + ":" + height + ":force_original_aspect_ratio=decrease:force_divisible_by=2,"
                + "pad=" + width + ":" + height + ":(ow-iw)/2:(oh-ih)/2,setsar=1,fps=" + fps;
        Optional<String> own = args.setting("vf");
        if (own.isEmpty()) {
            return fit + ",format=yuv420p";
        }
        return uploadsToGpu() ? fit + "," + own.get() : own.get() + "," + fit + ",format=yuv420p";
    }

    /**
     * The output options of an ingest's video: the arguments' video options in their order (each allowed option
     * takes one value, so the checked tokens are pairs), the filter graph, and what the session needs that they do
     * not say: an H.264 encoder, keyframes every 2 s, and no B-frames, so that every source's pictures leave in
     * presentation order like the slate's and a cut never shows a picture out of order.
     */
    List<String> outputOptions() {
        List<String> out = new ArrayList<>();
        List<String> tokens = args.tokens();
        Map<String, String> settings = args.settings();
        for (int i = 0; i + 1 < tokens.size(); i += 2) {
            String canonical = FfmpegParamsPolicy.canonical(tokens.get(i)).orElse("");
            if (NOT_FOR_THE_INGEST.contains(canonical)) {
                continue;
            }
            out.add(tokens.get(i));
            out.add(tokens.get(i + 1));
        }
        out.addAll(List.of("-vf", filterGraph()));
        if (!settings.containsKey("c:v")) {
            out.addAll(List.of("-c:v", DEFAULT_VIDEO_ENCODER));
        }
        if (!settings.containsKey("force_key_frames")) {
            out.addAll(List.of("-force_key_frames", KEYFRAMES));
        }
        if (!settings.containsKey("bf")) {
            out.addAll(List.of("-bf", "0"));
        }
        return out;
    }

    /** The options before the camera's input: the VAAPI device, when the encoder needs one. */
    List<String> inputOptions() {
        return args.vaapiDevice().map(d -> List.of(EncodingArgs.VAAPI_DEVICE_OPTION, d)).orElse(List.of());
    }
}
