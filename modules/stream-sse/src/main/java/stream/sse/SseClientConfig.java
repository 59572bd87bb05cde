package stream.sse;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import stream.core.Backoff;
import stream.core.SecretMasker;

/**
 * How the SSE client connects: where, with which token, and its limits and timings.
 *
 * @param url the event stream's {@code http://} or {@code https://} URL; may be null only when disabled
 * @param bearerToken sent as {@code Authorization: Bearer <token>}, or null for none (never shown by {@link #toString()})
 * @param enabled whether to connect at all
 * @param maxEventBytes the most bytes one line, and one event's data, may hold before the connection is dropped
 * @param idleTimeout how long a connection may stay without a single byte before it counts as dead
 * @param backoff the reconnect delays: first delay, cap and jitter (a server's {@code retry} replaces the first delay)
 * @param connectTimeout how long opening the TCP (and TLS) connection may take
 */
public record SseClientConfig(URI url, String bearerToken, boolean enabled, int maxEventBytes, Duration idleTimeout,
        Backoff backoff, Duration connectTimeout) {

    /** 1 MiB: far above any URL update, far below what hurts a 1 GB board. */
    public static final int DEFAULT_MAX_EVENT_BYTES = SseParser.DEFAULT_MAX_BYTES;
    /** Two minutes without a byte: a server that sends keep-alive comments sends them far more often. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(2);
    /** 1 s doubling to 60 s, each delay between half and all of its nominal value. */
    public static final Backoff DEFAULT_BACKOFF = Backoff.of(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.5);
    /** Time to open the TCP (and TLS) connection. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    public SseClientConfig {
        if (url != null) {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null || url.isOpaque()) {
                throw new IllegalArgumentException("the SSE URL must be http:// or https:// with a host, not "
                        + SecretMasker.maskUrl(url.toString()));
            }
        }
        if (enabled && url == null) {
            throw new IllegalArgumentException("an enabled SSE client needs a URL");
        }
        if (bearerToken != null && bearerToken.isEmpty()) {
            bearerToken = null;
        }
        if (bearerToken != null && !headerSafe(bearerToken)) {
            // The JDK would reject it later with the value in the message; say it here without the value.
            throw new IllegalArgumentException("the SSE bearer token contains characters that cannot be sent in an "
                    + "HTTP header (control characters, spaces at either end, or non-Latin-1 characters)");
        }
        if (maxEventBytes < 64) {
            throw new IllegalArgumentException("maxEventBytes must be at least 64");
        }
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (idleTimeout.isNegative() || idleTimeout.isZero() || connectTimeout.isNegative()
                || connectTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout and connectTimeout must be positive");
        }
        backoff = backoff.reset();
    }

    /**
     * An enabled client for this URL with the default limits and timings.
     *
     * @throws IllegalArgumentException when the URL is not a valid http(s) URL (the message masks its user info)
     */
    public static SseClientConfig of(String url, String bearerToken) {
        return new SseClientConfig(parse(url), bearerToken, true, DEFAULT_MAX_EVENT_BYTES, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_BACKOFF, DEFAULT_CONNECT_TIMEOUT);
    }

    /** A client that does not connect, e.g. while no SSE URL is configured. */
    public static SseClientConfig disabled() {
        return new SseClientConfig(null, null, false, DEFAULT_MAX_EVENT_BYTES, DEFAULT_IDLE_TIMEOUT, DEFAULT_BACKOFF,
                DEFAULT_CONNECT_TIMEOUT);
    }

    /** This configuration with another URL (masked in error messages). */
    public SseClientConfig withUrl(String newUrl) {
        return new SseClientConfig(newUrl == null || newUrl.isBlank() ? null : parse(newUrl), bearerToken, enabled,
                maxEventBytes, idleTimeout, backoff, connectTimeout);
    }

    /** This configuration with another bearer token (null for none). */
    public SseClientConfig withBearerToken(String token) {
        return new SseClientConfig(url, token, enabled, maxEventBytes, idleTimeout, backoff, connectTimeout);
    }

    /** This configuration switched on or off. */
    public SseClientConfig withEnabled(boolean on) {
        return new SseClientConfig(url, bearerToken, on, maxEventBytes, idleTimeout, backoff, connectTimeout);
    }

    /** This configuration with another limit on a line's and an event's bytes. */
    public SseClientConfig withMaxEventBytes(int bytes) {
        return new SseClientConfig(url, bearerToken, enabled, bytes, idleTimeout, backoff, connectTimeout);
    }

    /** This configuration with another idle timeout. */
    public SseClientConfig withIdleTimeout(Duration timeout) {
        return new SseClientConfig(url, bearerToken, enabled, maxEventBytes, timeout, backoff, connectTimeout);
    }

    /** This configuration with another reconnect backoff. */
    public SseClientConfig withBackoff(Backoff newBackoff) {
        return new SseClientConfig(url, bearerToken, enabled, maxEventBytes, idleTimeout, newBackoff, connectTimeout);
    }

    /** This configuration with another connect timeout. */
    public SseClientConfig withConnectTimeout(Duration timeout) {
        return new SseClientConfig(url, bearerToken, enabled, maxEventBytes, idleTimeout, backoff, timeout);
    }

    /** The URL with its user info masked, or null. */
    public String maskedUrl() {
        return url == null ? null : SecretMasker.maskUrl(url.toString());
    }

    /** Whether a switch to {@code other} needs a new connection: another URL, token or on/off. */
    boolean changesConnection(SseClientConfig other) {
        return !Objects.equals(url, other.url) || !Objects.equals(bearerToken, other.bearerToken)
                || enabled != other.enabled;
    }

    @Override
    public String toString() {
        return "SseClientConfig[url=" + maskedUrl() + ", bearerToken=" + (bearerToken == null ? "none" : "***")
                + ", enabled=" + enabled + ", maxEventBytes=" + maxEventBytes + ", idleTimeout=" + idleTimeout
                + ", backoff=" + backoff + ", connectTimeout=" + connectTimeout + "]";
    }

    private static URI parse(String url) {
        try {
            return new URI(Objects.requireNonNull(url, "url").trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the SSE URL is not a valid URL: " + SecretMasker.maskUrl(url));
        }
    }

    private static boolean headerSafe(String value) {
        if (value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ') {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7F || c > 0xFF) {
                return false;
            }
        }
        return true;
    }
}
