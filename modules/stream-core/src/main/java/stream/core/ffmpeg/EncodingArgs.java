package stream.core.ffmpeg;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import stream.core.ValidationException;

/**
 * Encoding arguments for the RTMP output that passed {@link FfmpegParamsPolicy}, with the hardware device they need
 * kept apart: an instance cannot hold tokens the policy refuses, so whoever builds a command from one needs no second
 * check, and the device goes where ffmpeg wants it without being searched for among the tokens.
 *
 * @param tokens the output arguments, in order, as ffmpeg receives them (never {@code -vaapi_device})
 * @param vaapiDevice the VAAPI render node the encoder needs, placed before the inputs, or empty
 */
public record EncodingArgs(List<String> tokens, Optional<String> vaapiDevice) {
    /** The global option that opens a VAAPI device. */
    public static final String VAAPI_DEVICE_OPTION = "-vaapi_device";

    /** @throws ValidationException on field ffmpeg_params when the policy refuses a token or the device */
    public EncodingArgs {
        tokens = List.copyOf(tokens);
        Objects.requireNonNull(vaapiDevice, "vaapiDevice");
        if (tokens.contains(VAAPI_DEVICE_OPTION)) {
            throw new IllegalArgumentException("the VAAPI device is given as vaapiDevice, not among the tokens");
        }
        FfmpegParamsPolicy.check(all(tokens, vaapiDevice));
    }

    /**
     * Tokenizes and checks an ffmpeg_params string typed by a person (null or blank gives no arguments); a
     * {@code -vaapi_device} in it becomes the device.
     */
    public static EncodingArgs parse(String ffmpegParams) {
        return of(ArgsTokenizer.tokenize(ffmpegParams));
    }

    /** Checks these tokens; a {@code -vaapi_device} pair among them becomes the device. */
    public static EncodingArgs of(List<String> tokens) {
        // the policy first, so that a refused token is reported in the person's own order and words
        FfmpegParamsPolicy.check(tokens);
        List<String> output = new ArrayList<>(tokens);
        int at = output.indexOf(VAAPI_DEVICE_OPTION);
        Optional<String> device = Optional.empty();
        if (at >= 0) {
            device = Optional.of(output.get(at + 1));
            output.subList(at, at + 2).clear();
        }
        return new EncodingArgs(output, device);
    }

    /** The settings by canonical name, as {@link FfmpegParamsPolicy#check} reports them (the device included). */
    public Map<String, String> settings() {
        return FfmpegParamsPolicy.check(all(tokens, vaapiDevice));
    }

    /** The value of one setting by canonical name ("c:v", "b:a", "vf", ...). */
    public Optional<String> setting(String canonical) {
        return Optional.ofNullable(settings().get(canonical));
    }

    /** Whether the camera's video is passed through unchanged ({@code -c:v copy}). */
    public boolean videoCopy() {
        return setting("c:v").filter("copy"::equals).isPresent();
    }

    private static List<String> all(List<String> tokens, Optional<String> vaapiDevice) {
        if (vaapiDevice.isEmpty()) {
            return tokens;
        }
        List<String> all = new ArrayList<>(List.of(VAAPI_DEVICE_OPTION, vaapiDevice.get()));
        all.addAll(tokens);
        return all;
    }
}
