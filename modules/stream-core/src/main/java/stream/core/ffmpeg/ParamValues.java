package stream.core.ffmpeg;

import java.util.Locale;
import java.util.Set;

/** Tests on single ffmpeg_params values shared by the option and filter graph checks. */
final class ParamValues {
    /**
     * ffmpeg 5.1's protocols (from {@code ffmpeg -protocols}) plus those of other builds and versions: a value
     * "name:anything" with one of these names is opened as that protocol wherever ffmpeg opens a URL.
     */
    private static final Set<String> PROTOCOLS = Set.of("async", "bluray", "cache", "concat", "concatf", "crypto",
            "data", "fd", "ffrtmpcrypt", "ffrtmphttp", "file", "ftp", "gopher", "gophers", "hls", "http", "httpproxy",
            "https", "icecast", "ipfs", "ipns", "md5", "mmsh", "mmst", "pipe", "prompeg", "rtmp", "rtmpe", "rtmps",
            "rtmpt", "rtmpte", "rtmpts", "rtp", "rtsp", "rtsps", "sctp", "srtp", "subfile", "tcp", "tee", "tls",
            "udp", "udplite", "unix", "amqp", "rist", "srt", "sftp", "smb", "libsmbclient", "zmq", "android_content",
            "librtmp", "gnutls", "openssl", "dav", "webdav");

    private ParamValues() {
    }

    /**
     * Whether ffmpeg could take {@code value} as a file or URL: it contains "://" or "..", starts with '/', './' or
     * '~', or starts with a protocol name and ':' (file:, concat:, pipe:, subfile:, data:, tcp:, ...). ".." anywhere,
     * not only at the start: "data/../../etc/x" climbs out of any folder a check of the start would allow.
     */
    static boolean looksLikePathOrUrl(String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        if (value.contains("://") || value.contains("..") || value.startsWith("/") || value.startsWith("./")
                || value.startsWith("~") || value.equals(".")) {
            return true;
        }
        int colon = value.indexOf(':');
        if (colon > 0) {
            String prefix = value.substring(0, colon).toLowerCase(Locale.ROOT);
            return PROTOCOLS.contains(prefix);
        }
        return false;
    }

    /** Whether {@code value} has a character a process argument or a log line should not carry. */
    static boolean hasControlCharacter(String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch < 0x20 || ch == 0x7f) {
                return true;
            }
        }
        return false;
    }
}
