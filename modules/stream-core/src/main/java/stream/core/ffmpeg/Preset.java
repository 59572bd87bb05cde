package stream.core.ffmpeg;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One named set of ffmpeg output arguments from {@code ffmpeg-presets/<name>.json}, with what it needs to run.
 *
 * @param name the file's base name, {@code [a-z0-9-]+}
 * @param description for a person choosing: when to pick it
 * @param hardware what it needs, e.g. "Raspberry Pi 3/4 (h264_v4l2m2m); not Pi 5"
 * @param encoder the video encoder ffmpeg must have, or {@code copy}
 * @param args ffmpeg output arguments, one token each (no shell quoting anywhere)
 * @param vaapiDevice the VAAPI render node the encoder needs (e.g. {@code /dev/dri/renderD128}), or empty
 * @param transcodes whether the video is re-encoded (false only for {@code copy})
 * @param order where it is listed: lower first; presets with the same order (or none) by name
 */
public record Preset(String name, String description, String hardware, String encoder, List<String> args,
                     Optional<String> vaapiDevice, boolean transcodes, int order) {
    /** The encoder value of a preset that passes the camera's video through. */
    public static final String COPY = "copy";
    /** The order of a preset file that gives none: after every preset that does. */
    public static final int UNORDERED = Integer.MAX_VALUE;

    public Preset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(encoder, "encoder");
        description = description == null ? "" : description;
        hardware = hardware == null ? "" : hardware;
        args = List.copyOf(args);
        vaapiDevice = vaapiDevice == null ? Optional.empty() : vaapiDevice;
    }

    /** A preset without hardware device and without a place in the order. */
    public Preset(String name, String description, String hardware, String encoder, List<String> args,
                  boolean transcodes) {
        this(name, description, hardware, encoder, args, Optional.empty(), transcodes, UNORDERED);
    }

    /** The arguments a launch on this preset gets: its output arguments and its device, as its file gives them. */
    public EncodingArgs encodingArgs() {
        return new EncodingArgs(args, vaapiDevice);
    }

    /** The arguments that come before the camera's {@code -i}: the VAAPI device option, or none. */
    public List<String> inputArgs() {
        return vaapiDevice.map(device -> List.of(EncodingArgs.VAAPI_DEVICE_OPTION, device)).orElse(List.of());
    }

    /** Whether the video is passed through rather than encoded. */
    public boolean copiesVideo() {
        return COPY.equals(encoder);
    }

    /**
     * The arguments as one line for people to read (the dashboard, ffmpeg_params): tokens joined by spaces, a token
     * with spaces or quotes in double quotes with {@code \} and {@code "} escaped. None of the shipped presets needs
     * quoting: {@code expr:gte(t,n_forced*2)} is one token as it stands.
     */
    public String argsLine() {
        return line(args);
    }

    /**
     * What {@code ffmpeg_params} holds when this preset is chosen, for people to read: the VAAPI device option first,
     * then the output arguments. A launch on the preset takes {@link #encodingArgs()}, not this text.
     */
    public String ffmpegParams() {
        List<String> all = new ArrayList<>(inputArgs());
        all.addAll(args);
        return line(all);
    }

    private static String line(List<String> args) {
        StringBuilder line = new StringBuilder();
        for (String arg : args) {
            if (line.length() > 0) {
                line.append(' ');
            }
            boolean quote = arg.chars().anyMatch(ch -> Character.isWhitespace(ch) || ch == '"' || ch == '\\' || ch == '\'');
            line.append(quote ? '"' + arg.replace("\\", "\\\\").replace("\"", "\\\"") + '"' : arg);
        }
        return line.toString();
    }
}
