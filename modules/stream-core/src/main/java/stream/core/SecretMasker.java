package stream.core;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides credentials and stream keys: in URLs (a password or a secret query value as {@code ***}, an RTMP stream key
 * as {@code ****} and its last 4 characters) and, for text such as ffmpeg's output, every URL in it, every
 * {@code name=value} whose name says it is a secret, bearer tokens, plus the known secret values wherever they appear.
 */
public final class SecretMasker {
    /** A URL in free text; punctuation that ends a sentence ("URL: message", "(URL)") is not part of it. */
    private static final Pattern URL_IN_TEXT = Pattern.compile(
            "(?i)\\b(?:rtsps?|rtmp[est]{0,2}|https?|wss?|srt)://[^\\s'\"<>]*[^\\s'\"<>:,.;)\\]]");
    /**
     * The parts of a URL. The password runs to the last '@' before the path, or, when it holds an unencoded '/'
     * ("user:pa/ss@host"), to the last '@' before the query; a port ("host:554/cam@2") is no password.
     */
    private static final Pattern URL_PARTS = Pattern.compile("(?s)(?<scheme>[A-Za-z][A-Za-z0-9+.-]*)://"
            + "(?:(?<user>[^:/?#]*)(?::(?<password>[^/?#]*|(?!\\d+/)[^?#]*))?@)?"
            + "(?<host>[^/?#;]*)(?<path>[^?#;]*)(?:;(?<pathparams>[^?#]*))?"
            + "(?:\\?(?<query>[^#]*))?(?:#(?<fragment>.*))?");
    /**
     * An RTMP stream key in the path: after the application ({@code /app/KEY}, {@code /app/inst/KEY}) or, with a
     * single segment ({@code /KEY}), that segment; slashes at the end are not part of it.
     */
    private static final Pattern RTMP_KEY = Pattern.compile("/(?:[^/]+/)?(?<key>[^/].*?)/*");
    /** One parameter: a name with or without a value, up to the next separator. */
    private static final Pattern PARAM = Pattern.compile("(?<name>[^&;=]*)(?:=(?<value>[^&;]*))?");
    /**
     * Query, fragment or path parameters and free-text {@code name=value} pairs whose value is a secret: the name is
     * one of these or ends with one of them after a separator or a prefix ({@code access_token}, {@code streamkey},
     * {@code api-key}). {@code s_sc} is the stream key parameter of Periscope/Twitch style ingest URLs.
     */
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(?:password|passwd|passphrase|pass|pwd|token|key|s_sc|secret|auth|sig|signature|streamid"
                    + "|credentials?)");
    private static final Pattern PAIR_IN_TEXT = Pattern.compile("(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]*)=([^\\s&;'\"<>,]+)");
    private static final Pattern AUTH_HEADER_VALUE = Pattern.compile("(?i)\\b(bearer|basic)(\\s+)[A-Za-z0-9._~+/=-]+");
    /** Secrets shorter than this are not searched for in free text: "1234" would mask half of ffmpeg's numbers. */
    private static final int MIN_LITERAL_SECRET = 4;
    private static final String HIDDEN = "***";
    private static final String KEY_HIDDEN = "****";

    private final List<String> secrets;

    private SecretMasker(Collection<String> secrets) {
        this.secrets = secrets.stream().filter(s -> s != null && s.length() >= MIN_LITERAL_SECRET).distinct()
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /** A masker for text that may contain these URLs' secrets (in URLs or on their own). */
    public static SecretMasker forUrls(String... urls) {
        Set<String> found = new LinkedHashSet<>();
        for (String url : urls) {
            if (url == null) {
                continue;
            }
            for (Secret s : secretsIn(url)) {
                String raw = url.substring(s.start(), s.end());
                found.add(raw);
                // ffmpeg and people write the decoded form too ("p@ss" for "p%40ss")
                found.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return new SecretMasker(found);
    }

    /** A masker for these literal secret values (tokens, passwords) besides URLs. */
    public static SecretMasker forSecrets(Collection<String> secrets) {
        return new SecretMasker(secrets);
    }

    /** A masker that knows both sets of secrets. */
    public SecretMasker and(SecretMasker other) {
        List<String> all = new ArrayList<>(secrets);
        all.addAll(other.secrets);
        return new SecretMasker(all);
    }

    /** Masks every URL in {@code text}, every secret-named pair and bearer token, then every known secret left. */
    public String mask(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = URL_IN_TEXT.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(maskUrl(m.group())));
        }
        m.appendTail(sb);
        String out = maskPairs(sb.toString());
        out = AUTH_HEADER_VALUE.matcher(out).replaceAll("$1$2" + Matcher.quoteReplacement(HIDDEN));
        for (String secret : secrets) {
            out = out.replace(secret, HIDDEN);
        }
        return out;
    }

    private static String maskPairs(String text) {
        Matcher m = PAIR_IN_TEXT.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String replacement = SECRET_NAME.matcher(m.group(1)).matches() ? m.group(1) + "=" + HIDDEN : m.group();
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * Masks one URL as the contract shows it: {@code rtsp://admin:***@host/...} and {@code rtmp://host/app/****abcd};
     * secret query, fragment and path parameters ({@code ?token=***}) in any URL too. The user name of a URL with a
     * password stays visible, the password never does.
     */
    public static String maskUrl(String url) {
        if (url == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(url);
        List<Secret> found = secretsIn(url);
        // from the end, so earlier positions stay valid
        for (int i = found.size() - 1; i >= 0; i--) {
            Secret s = found.get(i);
            out.replace(s.start(), s.end(), s.shown(url));
        }
        return out.toString();
    }

    /**
     * A value that may be a secret, in the stream key's masked form: {@code ****} plus its last 4 characters when it
     * is long enough for those 4 to leave most of it hidden, else {@code ****} alone. For error messages that must
     * point at a user's token without repeating it.
     */
    public static String maskToken(String value) {
        if (value == null) {
            return null;
        }
        return value.length() >= 12 ? KEY_HIDDEN + value.substring(value.length() - 4) : KEY_HIDDEN;
    }

    /** One secret in a URL: characters [start, end), shown as a key ({@code ****abcd}) or hidden ({@code ***}). */
    private record Secret(int start, int end, boolean key) {
        String shown(String url) {
            if (!key) {
                return HIDDEN;
            }
            return end - start > 4 ? KEY_HIDDEN + url.substring(end - 4, end) : KEY_HIDDEN;
        }
    }

    /** The secrets of one URL, in order of position and not overlapping. */
    private static List<Secret> secretsIn(String url) {
        List<Secret> found = new ArrayList<>();
        Matcher m = URL_PARTS.matcher(url);
        if (m.matches()) {
            String scheme = m.group("scheme").toLowerCase(Locale.ROOT);
            boolean rtmp = scheme.startsWith("rtmp");
            if (m.group("password") != null) {
                found.add(new Secret(m.start("password"), m.end("password"), false));
            } else if (m.group("user") != null && scheme.startsWith("http")) {
                // a lone user info in an HTTP URL is how tokens are passed ("https://TOKEN@host/")
                found.add(new Secret(m.start("user"), m.end("user"), false));
            }
            Matcher key = RTMP_KEY.matcher(url).region(m.start("path"), m.end("path"));
            if (rtmp && key.matches()) {
                found.add(new Secret(key.start("key"), key.end("key"), true));
            }
            // an RTMP key may follow in any of these as an item without a name
            addParams(m, "pathparams", rtmp, found);
            addParams(m, "query", rtmp, found);
            addParams(m, "fragment", rtmp, found);
        }
        return found;
    }

    /**
     * The parameters of one part of a URL, separated by {@code &} or {@code ;}: the value of each secret-named one,
     * and when {@code bareIsKey} each item without a name (an RTMP key written as {@code ?KEY} or {@code #KEY}).
     */
    private static void addParams(Matcher url, String part, boolean bareIsKey, List<Secret> found) {
        if (url.group(part) == null) {
            return;
        }
        Matcher p = PARAM.matcher(url.group(0)).region(url.start(part), url.end(part));
        while (p.find()) {
            String value = p.group("value");
            if (value == null) {
                if (bareIsKey && !p.group("name").isEmpty()) {
                    found.add(new Secret(p.start("name"), p.end("name"), true));
                }
            } else if (!value.isEmpty() && SECRET_NAME.matcher(p.group("name")).matches()) {
                found.add(new Secret(p.start("value"), p.end("value"), false));
            }
        }
    }
}
