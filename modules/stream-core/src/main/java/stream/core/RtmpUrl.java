package stream.core;

import java.util.Objects;

/**
 * A destination URL that passed the contract's rules (§4: {@code rtmp://} or {@code rtmps://} with a host and an
 * application path, nothing ffmpeg could read as an option or another protocol). The constructor is the one check:
 * whoever holds one needs no other.
 *
 * @param value the URL as given
 */
public record RtmpUrl(String value) {
    /** @throws ValidationException on field rtmp_url saying what is wrong */
    public RtmpUrl {
        Objects.requireNonNull(value, "value");
        UrlValidator.rtmpProblem(value).ifPresent(problem -> {
            throw new ValidationException("rtmp_url", problem);
        });
    }

    /** The URL with its stream key hidden, so that logging the value leaks nothing. */
    @Override
    public String toString() {
        return SecretMasker.maskUrl(value);
    }
}
