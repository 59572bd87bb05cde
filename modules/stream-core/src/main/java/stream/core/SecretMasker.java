package stream.core;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides credentials and stream keys: in URLs (RTSP password as {@code ***}, RTMP key as {@code ****} and its last 4
 * characters) and, for text such as ffmpeg's output, every URL in it plus the known secret values wherever they appear.
 */
public final class SecretMasker {
    private static final Pattern URL_IN_TEXT = Pattern.compile("(?i)\\b(?:rtsps?|rtmps?|rtmpt|https?|srt)://[^\\s'\"<>]+");
    /** Secrets shorter than this are not searched for in free text: "1234" would mask half of ffmpeg's numbers. */
    private static final int MIN_LITERAL_SECRET = 4;

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
            String password = password(url);
            if (password != null) {
                found.add(password);
                found.add(URLDecoder.decode(password.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
            String key = streamKey(url);
            if (key != null) {
                found.add(key);
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

    /** Masks every URL in {@code text}, then every known secret left. */
    public String mask(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = URL_IN_TEXT.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            // ffmpeg writes "URL: message"; punctuation that ends the sentence is not part of the URL
            String url = m.group();
            int end = url.length();
            while (end > 0 && ":,.;)]'".indexOf(url.charAt(end - 1)) >= 0) {
                end--;
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(maskUrl(url.substring(0, end)) + url.substring(end)));
        }
        m.appendTail(sb);
        String out = sb.toString();
        for (String secret : secrets) {
            out = out.replace(secret, "***");
        }
        return out;
    }

    /**
     * Masks one URL as the contract shows it: {@code rtsp://admin:***@host/...} and {@code rtmp://host/app/****abcd}.
     * The user name stays visible, the password never does.
     */
    public static String maskUrl(String url) {
        if (url == null) {
            return null;
        }
        String out = maskUserInfo(url);
        String lower = out.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("rtmp")) {
            String key = streamKey(out);
            if (key != null) {
                int at = out.lastIndexOf(key);
                String tail = key.length() > 4 ? key.substring(key.length() - 4) : "";
                out = out.substring(0, at) + "****" + tail + out.substring(at + key.length());
            }
        }
        return out;
    }

    private static String maskUserInfo(String url) {
        int schemeEnd = url.indexOf("://");
        if (schemeEnd < 0) {
            return url;
        }
        int authorityStart = schemeEnd + 3;
        int authorityEnd = indexOfAny(url, authorityStart, "/?#");
        String authority = url.substring(authorityStart, authorityEnd);
        int at = authority.lastIndexOf('@');
        if (at < 0) {
            return url;
        }
        String userInfo = authority.substring(0, at);
        int colon = userInfo.indexOf(':');
        String masked = colon < 0 ? userInfo : userInfo.substring(0, colon) + ":***";
        return url.substring(0, authorityStart) + masked + authority.substring(at) + url.substring(authorityEnd);
    }

    /** The password part of a URL's user info, as written (percent-encoded), or null. */
    static String password(String url) {
        int schemeEnd = url.indexOf("://");
        if (schemeEnd < 0) {
            return null;
        }
        int authorityStart = schemeEnd + 3;
        String authority = url.substring(authorityStart, indexOfAny(url, authorityStart, "/?#"));
        int at = authority.lastIndexOf('@');
        if (at < 0) {
            return null;
        }
        int colon = authority.indexOf(':');
        return colon < 0 || colon > at ? null : authority.substring(colon + 1, at);
    }

    /** An RTMP URL's stream key: the path after the application segment, or null when there is none. */
    static String streamKey(String url) {
        String lower = url.toLowerCase(java.util.Locale.ROOT);
        if (!lower.startsWith("rtmp")) {
            return null;
        }
        int schemeEnd = url.indexOf("://");
        if (schemeEnd < 0) {
            return null;
        }
        int pathStart = indexOfAny(url, schemeEnd + 3, "/?#");
        if (pathStart >= url.length() || url.charAt(pathStart) != '/') {
            return null;
        }
        int pathEnd = indexOfAny(url, pathStart, "?#");
        String path = url.substring(pathStart + 1, pathEnd);
        int slash = path.indexOf('/');
        if (slash < 0 || slash == path.length() - 1) {
            return null;
        }
        return path.substring(slash + 1);
    }

    private static int indexOfAny(String s, int from, String chars) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }
}
