package stream.core.ffmpeg;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import stream.core.ValidationException;

/**
 * Encoding arguments for the RTMP output that passed {@link FfmpegParamsPolicy}: an instance cannot hold tokens the
 * policy refuses, so whoever builds a command from one needs no second check.
 *
 * @param tokens the arguments, in order, as ffmpeg receives them
 */
public record EncodingArgs(List<String> tokens) {

    /** @throws ValidationException on field ffmpeg_params when the policy refuses a token */
    public EncodingArgs {
        tokens = List.copyOf(tokens);
        FfmpegParamsPolicy.check(tokens);
    }

    /** Tokenizes and checks an ffmpeg_params string (null or blank gives no arguments). */
    public static EncodingArgs parse(String ffmpegParams) {
        return new EncodingArgs(ArgsTokenizer.tokenize(ffmpegParams));
    }

    /** The settings by canonical name, as {@link FfmpegParamsPolicy#check} reports them. */
    public Map<String, String> settings() {
        return FfmpegParamsPolicy.check(tokens);
    }

    /** The value of one setting by canonical name ("c:v", "b:a", "vf", ...). */
    public Optional<String> setting(String canonical) {
        return Optional.ofNullable(settings().get(canonical));
    }

    /** Whether the camera's video is passed through unchanged ({@code -c:v copy}). */
    public boolean videoCopy() {
        return setting("c:v").filter("copy"::equals).isPresent();
    }
}
