package stream.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The contract's URL rules, shared by the API and SSE events: an RTSP source and an RTMP destination, nothing that
 * ffmpeg could take as an option or another protocol (file:, concat:, pipe:, a leading '-').
 */
public final class UrlValidator {
    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://");
    /** Longest URL accepted. */
    public static final int MAX_LENGTH = 2048;

    private UrlValidator() {
    }

    /** Why {@code url} is not a usable camera URL, or empty when it is. */
    public static Optional<String> rtspProblem(String url) {
        return problem(url, List.of("rtsp", "rtsps"), false);
    }

    /** Why {@code url} is not a usable RTMP destination, or empty when it is. */
    public static Optional<String> rtmpProblem(String url) {
        return problem(url, List.of("rtmp", "rtmps"), true);
    }

    /**
     * Validates either or both URLs (null means "not given") and throws one {@link ValidationException} naming every
     * bad field.
     */
    public static void requireValid(String rtspUrl, String rtmpUrl) {
        List<FieldError> errors = new ArrayList<>();
        if (rtspUrl != null) {
            rtspProblem(rtspUrl).ifPresent(p -> errors.add(new FieldError("rtsp_url", p)));
        }
        if (rtmpUrl != null) {
            rtmpProblem(rtmpUrl).ifPresent(p -> errors.add(new FieldError("rtmp_url", p)));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }

    private static Optional<String> problem(String url, List<String> schemes, boolean needsPath) {
        String expected = String.join("://, ", schemes) + "://";
        if (url == null || url.isEmpty()) {
            return Optional.of("is required");
        }
        if (url.length() > MAX_LENGTH) {
            return Optional.of("is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < url.length(); i++) {
            char ch = url.charAt(i);
            if (ch <= 0x20 || ch >= 0x7f) {
                return Optional.of("must not contain spaces, control or non-ASCII characters (percent-encode them)");
            }
        }
        if (url.startsWith("-")) {
            return Optional.of("must not start with '-'");
        }
        Matcher schemePart = SCHEME.matcher(url);
        String scheme = schemePart.lookingAt() ? schemePart.group(1).toLowerCase(Locale.ROOT) : "";
        if (!schemes.contains(scheme)) {
            return Optional.of("must start with " + expected);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("is not a valid URL (" + e.getReason() + "; write '@' in a password as %40)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return Optional.of("must name a host (" + scheme + "://host[:port]/...)");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            return Optional.of("has an invalid port");
        }
        if (needsPath) {
            String path = uri.getRawPath();
            if (path == null || path.replace("/", "").isEmpty()) {
                return Optional.of("must have an application path (" + scheme + "://host/app/streamkey)");
            }
        }
        return Optional.empty();
    }
}
