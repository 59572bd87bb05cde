package stream.sse;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How the SSE client connects: where, with which token, and its limits and timings.
 *
 * @param url the event stream's {@code http://} or {@code https://} URL; may be null only when disabled
 * @param bearerToken sent as {@code Authorization: Bearer <token>}, or null for none (never shown by {@link #toString()})
 * @param enabled whether to connect at all
 * @param maxEventBytes the most bytes one line, and one event's data, may hold before the connection is dropped
 * @param idleTimeout how long a connection may stay without a single byte before it counts as dead
 * @param retry the reconnect delays: first delay, cap and jitter (a server's {@code retry} replaces the first delay)
 * @param connectTimeout how long opening the TCP (and TLS) connection may take
 * @param redaction how the URL and the token are hidden in the status, log lines and error messages
 */
public record SseClientConfig(URI url, String bearerToken, boolean enabled, int maxEventBytes, Duration idleTimeout,
        SseRetryPolicy retry, Duration connectTimeout, SseRedaction redaction) {

    /** 1 MiB: far above any URL update, far below what hurts a 1 GB board. */
    public static final int DEFAULT_MAX_EVENT_BYTES = SseParser.DEFAULT_MAX_BYTES;
    /** Two minutes without a byte: a server that sends keep-alive comments sends them far more often. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(2);
    /** Time to open the TCP (and TLS) connection. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    public SseClientConfig {
        Objects.requireNonNull(redaction, "redaction");
        if (url != null) {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null || url.isOpaque()) {
                throw new IllegalArgumentException("the SSE URL must be http:// or https:// with a host, not "
                        + redaction.url(url.toString()));
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
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (idleTimeout.isNegative() || idleTimeout.isZero() || connectTimeout.isNegative()
                || connectTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout and connectTimeout must be positive");
        }
    }

    /**
     * An enabled client for this URL with the default limits and timings.
     *
     * @throws IllegalArgumentException when the URL is not a valid http(s) URL (the message masks its user info)
     */
    public static SseClientConfig of(String url, String bearerToken) {
        return of(url, bearerToken, SseRedaction.BUILT_IN);
    }

    /**
     * An enabled client for this URL with the default limits and timings, hiding secrets by the caller's rules.
     *
     * @throws IllegalArgumentException when the URL is not a valid http(s) URL (the message masks it by
     *     {@code redaction})
     */
    public static SseClientConfig of(String url, String bearerToken, SseRedaction redaction) {
        return new SseClientConfig(parse(url, redaction), bearerToken, true, DEFAULT_MAX_EVENT_BYTES,
                DEFAULT_IDLE_TIMEOUT, SseRetryPolicy.DEFAULT, DEFAULT_CONNECT_TIMEOUT, redaction);
    }

    /** A client that does not connect, e.g. while no SSE URL is configured. */
    public static SseClientConfig disabled() {
        return new SseClientConfig(null, null, false, DEFAULT_MAX_EVENT_BYTES, DEFAULT_IDLE_TIMEOUT,
                SseRetryPolicy.DEFAULT, DEFAULT_CONNECT_TIMEOUT, SseRedaction.BUILT_IN);
    }

    /** This configuration with another URL (masked in error messages). */
    public SseClientConfig withUrl(String newUrl) {
        return new SseClientConfig(newUrl == null || newUrl.isBlank() ? null : parse(newUrl, redaction), bearerToken,
                enabled, maxEventBytes, idleTimeout, retry, connectTimeout, redaction);
    }

    /** This configuration with another bearer token (null for none). */
    public SseClientConfig withBearerToken(String token) {
        return new SseClientConfig(url, token, enabled, maxEventBytes, idleTimeout, retry, connectTimeout, redaction);
    }

    /** This configuration switched on or off. */
    public SseClientConfig withEnabled(boolean on) {
        return new SseClientConfig(url, bearerToken, on, maxEventBytes, idleTimeout, retry, connectTimeout, redaction);
    }

    /** This configuration with another limit on a line's and an event's bytes. */
    public SseClientConfig withMaxEventBytes(int bytes) {
        return new SseClientConfig(url, bearerToken, enabled, bytes, idleTimeout, retry, connectTimeout, redaction);
    }

    /** This configuration with another idle timeout. */
    public SseClientConfig withIdleTimeout(Duration timeout) {
        return new SseClientConfig(url, bearerToken, enabled, maxEventBytes, timeout, retry, connectTimeout, redaction);
    }

    /** This configuration with another reconnect policy. */
    public SseClientConfig withRetry(SseRetryPolicy newRetry) {
        return new SseClientConfig(url, bearerToken, enabled, maxEventBytes, idleTimeout, newRetry, connectTimeout,
                redaction);
    }

    /** This configuration hiding secrets by other rules. */
    public SseClientConfig withRedaction(SseRedaction newRedaction) {
        return new SseClientConfig(url, bearerToken, enabled, maxEventBytes, idleTimeout, retry, connectTimeout,
                newRedaction);
    }

    /** This configuration with another connect timeout. */
    public SseClientConfig withConnectTimeout(Duration timeout) {
        return new SseClientConfig(url, bearerToken, enabled, maxEventBytes, idleTimeout, retry, timeout, redaction);
    }

    /** The URL with its user info masked, or null. */
    public String maskedUrl() {
        return url == null ? null : redaction.url(url.toString());
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
                + ", retry=" + retry + ", connectTimeout=" + connectTimeout + "]";
    }

    private static URI parse(String url, SseRedaction redaction) {
        try {
            return new URI(Objects.requireNonNull(url, "url").trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the SSE URL is not a valid URL: " + redaction.url(url));
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
