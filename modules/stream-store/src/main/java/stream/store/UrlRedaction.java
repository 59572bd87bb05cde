package stream.store;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the store's records show a URL in {@code toString()}: its scheme and host only. The user info, the path (an
 * RTMP stream key) and the query (tokens) are or may be secrets, and the masker of stream.core is not reachable from
 * here (stream.core depends on this module); a record printed by mistake in a log or an exception must not leak them.
 */
final class UrlRedaction {
    /** The scheme and what follows up to the path, query or parameters: the host, unless user info precedes it. */
    private static final Pattern SCHEME_AND_HOST = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)([^/?#;]*)");

    private UrlRedaction() {
    }

    static String shown(String url) {
        if (url == null) {
            return "null";
        }
        Matcher m = SCHEME_AND_HOST.matcher(url);
        if (!m.lookingAt()) {
            return "(hidden)";
        }
        // an '@' anywhere may end a password ("user:pa/ss@host"): then nothing before the path is shown
        String host = url.indexOf('@') == -1 ? m.group(2) : "(hidden)";
        return m.group(1) + host + (m.end() == url.length() ? "" : "/(hidden)");
    }
}
