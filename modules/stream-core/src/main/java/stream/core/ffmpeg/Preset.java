package stream.core.ffmpeg;

import java.util.List;
import java.util.Objects;

/**
 * One named set of ffmpeg output arguments from {@code ffmpeg-presets/<name>.json}, with what it needs to run.
 *
 * @param name the file's base name, {@code [a-z0-9-]+}
 * @param description for a person choosing: when to pick it
 * @param hardware what it needs, e.g. "Raspberry Pi 3/4 (h264_v4l2m2m); not Pi 5"
 * @param encoder the video encoder ffmpeg must have, or {@code copy}
 * @param args ffmpeg output arguments, one token each (no shell quoting anywhere)
 * @param inputArgs arguments that must come before the camera's {@code -i} (VAAPI's device), often empty
 * @param transcodes whether the video is re-encoded (false only for {@code copy})
 */
public record Preset(String name, String description, String hardware, String encoder, List<String> args,
                     List<String> inputArgs, boolean transcodes) {
    /** The encoder value of a preset that passes the camera's video through. */
    public static final String COPY = "copy";

    public Preset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(encoder, "encoder");
        description = description == null ? "" : description;
        hardware = hardware == null ? "" : hardware;
        args = List.copyOf(args);
        inputArgs = inputArgs == null ? List.of() : List.copyOf(inputArgs);
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
     * What {@code ffmpeg_params} holds when this preset is chosen: the input arguments (VAAPI's device) first, then
     * the output arguments. The command builder moves a device option before the inputs, where ffmpeg needs it.
     */
    public String ffmpegParams() {
        List<String> all = new java.util.ArrayList<>(inputArgs);
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
