package stream.core;

/**
 * How a stream encodes: the ffmpeg output arguments and the preset they came from ({@code preset} null when typed by
 * hand). Built at the edge after the arguments passed the parameter policy.
 */
public record Encoding(String ffmpegParams, String preset) {
    public Encoding {
        if (ffmpegParams == null || ffmpegParams.isBlank()) {
            throw new ValidationException("ffmpeg_params", "must not be empty");
        }
    }
}
