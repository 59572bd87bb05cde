package stream.core;

import java.util.Objects;

/**
 * A camera URL that passed the contract's rules (§4: {@code rtsp://} or {@code rtsps://} with a host, nothing ffmpeg
 * could read as an option or another protocol). The constructor is the one check: whoever holds one needs no other.
 *
 * @param value the URL as given
 */
public record RtspUrl(String value) {
    /** @throws ValidationException on field rtsp_url saying what is wrong */
    public RtspUrl {
        Objects.requireNonNull(value, "value");
        UrlValidator.rtspProblem(value).ifPresent(problem -> {
            throw new ValidationException("rtsp_url", problem);
        });
    }

    /** The URL with its password hidden, so that logging the value leaks nothing. */
    @Override
    public String toString() {
        return SecretMasker.maskUrl(value);
    }
}
