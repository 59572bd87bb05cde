package stream.sse;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the client hides secrets in what it says: the event stream's URL in its status and log lines, and free text
 * (a redirect's target, a content type, an error's cause) that may hold the URL's or the bearer token's secrets. A
 * program with its own masking rules passes them in; {@link #BUILT_IN} is enough for most.
 */
public interface SseRedaction {
    /** The URL with its secrets hidden. */
    String url(String url);

    /** Free text with every secret hidden, including {@code bearerToken} (null when there is none). */
    String text(String text, String bearerToken);

    /**
     * Hides a URL's password (its user stays visible) or a lone user info, and the values of query parameters named like secrets ({@code token}, {@code key},
     * {@code password}, ...); in text, every http(s) URL so and the token wherever it appears.
     */
    SseRedaction BUILT_IN = new SseRedaction() {
        private static final Pattern USER_AND_PASSWORD = Pattern.compile("(?i)^([a-z][a-z0-9+.-]*://[^/?#@:]*:)[^?#@]*@");
        /** A lone user info in an HTTP URL is how tokens are passed ("https://TOKEN@host/"). */
        private static final Pattern LONE_USER = Pattern.compile("(?i)^([a-z][a-z0-9+.-]*://)[^/?#@:]+@");
        private static final Pattern SECRET_PARAM = Pattern.compile(
                "(?i)([?&;](?:[a-z0-9_.-]*(?:password|passwd|pass|pwd|token|key|secret|auth|sig|signature))=)"
                        + "[^&;#]*");
        private static final Pattern URL_IN_TEXT = Pattern.compile("(?i)\\bhttps?://[^\\s'\"<>]*[^\\s'\"<>:,.;)\\]]");
        /** Shorter tokens are not searched for in free text: "abc" would mask parts of ordinary words. */
        private static final int MIN_LITERAL_SECRET = 4;

        @Override
        public String url(String url) {
            if (url == null) {
                return null;
            }
            String out = USER_AND_PASSWORD.matcher(url).replaceFirst("$1***@");
            out = LONE_USER.matcher(out).replaceFirst("$1***@");
            return SECRET_PARAM.matcher(out).replaceAll("$1***");
        }

        @Override
        public String text(String text, String bearerToken) {
            if (text == null) {
                return null;
            }
            Matcher m = URL_IN_TEXT.matcher(text);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(sb, Matcher.quoteReplacement(url(m.group())));
            }
            m.appendTail(sb);
            String out = sb.toString();
            if (bearerToken != null && bearerToken.length() >= MIN_LITERAL_SECRET) {
                out = out.replace(bearerToken, "***");
            }
            return out.toLowerCase(Locale.ROOT).contains("bearer ")
                    ? out.replaceAll("(?i)\\b(bearer\\s+)[A-Za-z0-9._~+/=-]+", "$1***") : out;
        }
    };
}
