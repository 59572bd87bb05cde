package stream.core.ffmpeg;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import stream.core.SecretMasker;

/** Turns a failed ffprobe run against a camera into one plain sentence a user can act on. */
final class ProbeFailureReason {
    private static final Pattern METHOD_FAILED = Pattern.compile("method (\\w+) failed: (\\d{3})\\s*([^\\r\\n]*)");
    private static final Pattern RESOLVE = Pattern.compile("Failed to resolve hostname ([^:\\s]+)");
    private static final int MAX_DETAIL = 200;

    private ProbeFailureReason() {
    }

    /**
     * The sentence for this run. It names the camera by host and port only, and is masked besides, since ffprobe's
     * own last line (which quotes the URL, password and all) may end up in it.
     *
     * @param stderr ffprobe's error output
     * @param killed whether we killed ffprobe at our overall limit
     * @param elapsed how long the run took
     * @param limit our overall limit
     * @param socketTimeout the {@code -timeout} given to ffprobe
     */
    static String explain(String rtspUrl, String stderr, boolean killed, Duration elapsed, Duration limit,
                          Duration socketTimeout) {
        return SecretMasker.forUrls(rtspUrl).mask(sentence(rtspUrl, stderr, killed, elapsed, limit, socketTimeout));
    }

    private static String sentence(String rtspUrl, String stderr, boolean killed, Duration elapsed, Duration limit,
                                   Duration socketTimeout) {
        CameraAddress address = CameraAddress.of(rtspUrl);
        String where = address.hostAndPort();
        if (killed) {
            return "No answer from the camera at " + where + " within " + seconds(limit)
                    + ": it may be stuck, or this is not its RTSP port.";
        }
        Matcher failed = METHOD_FAILED.matcher(stderr);
        if (failed.find()) {
            return methodFailed(failed.group(2), failed.group(3).strip(), address);
        }
        String lower = stderr.toLowerCase(Locale.ROOT);
        if (lower.contains("401 unauthorized")) {
            return methodFailed("401", "Unauthorized", address);
        }
        if (lower.contains("404 not found")) {
            return methodFailed("404", "Not Found", address);
        }
        if (lower.contains("connection refused")) {
            return "Nothing accepts connections at " + where + " (connection refused): check the camera's address and "
                    + "RTSP port, and that it is switched on.";
        }
        Matcher resolve = RESOLVE.matcher(stderr);
        boolean named = resolve.find();
        if (named || lower.contains("name or service not known")
                || lower.contains("temporary failure in name resolution")) {
            String host = named ? resolve.group(1) : address.host();
            return "The camera's host name \"" + host + "\" cannot be resolved: check its spelling, or use the "
                    + "camera's IP address.";
        }
        if (lower.contains("connection timed out")) {
            return "No answer from the camera at " + where + " within " + seconds(socketTimeout)
                    + " (connection timed out): check the address, and that the camera is on and reachable from here.";
        }
        if (lower.contains("no route to host") || lower.contains("network is unreachable")
                || lower.contains("host is unreachable")) {
            return "The camera at " + where + " cannot be reached from here (no route to host): check the address "
                    + "and the network.";
        }
        if (lower.contains("connection reset") || lower.contains("end of file")) {
            return "The camera at " + where + " closed the connection without sending a stream: it may allow too "
                    + "few viewers at once, or this is not its RTSP port.";
        }
        if (lower.contains("invalid data found when processing input")) {
            // ffprobe 5.1 reports a server that accepts TCP and then stays silent this way, once -timeout expires.
            if (elapsed.compareTo(socketTimeout.minusMillis(500)) >= 0) {
                return "No answer from the camera at " + where + " within " + seconds(socketTimeout)
                        + ": it accepted the connection but sent no RTSP reply (is this its RTSP port?).";
            }
            return "The camera at " + where + " answered with something that is not an RTSP stream: check that this "
                    + "is its RTSP port.";
        }
        return "ffprobe could not read the camera's stream: " + lastLine(stderr);
    }

    private static String methodFailed(String status, String text, CameraAddress address) {
        String code = status + (text.isEmpty() ? "" : " " + text);
        switch (status) {
            case "401":
                return address.hasUserInfo()
                        ? "The camera refused the user name or password (" + code + "): check the credentials in "
                                + "the RTSP URL."
                        : "The camera needs a user name and password (" + code + "): write them into the RTSP URL as "
                                + "rtsp://user:password@host/...";
            case "403":
                return "The camera refused access to this stream (" + code + "): check that this user may view it.";
            case "404":
                return "The camera has no stream at this path (" + code + "): check the path after "
                        + address.hostAndPort() + " in the RTSP URL (the camera's manual lists it).";
            case "461":
                return "The camera does not offer RTSP over TCP (" + code + "), which the relay needs.";
            default:
                return "The camera answered with an error (" + code + ").";
        }
    }

    private static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.isEmpty()) {
            return "it gave no reason.";
        }
        String line = lines.get(lines.size() - 1).replaceAll("\\[([^\\]@]+) @ 0x[0-9a-f]+\\]\\s*", "");
        return line.length() <= MAX_DETAIL ? line : line.substring(0, MAX_DETAIL) + "…";
    }

    /** The host and port of an RTSP URL, read without java.net.URI so that odd passwords cannot break it. */
    record CameraAddress(String host, int port, boolean hasUserInfo) {
        static CameraAddress of(String url) {
            int schemeEnd = url.indexOf("://");
            String scheme = schemeEnd < 0 ? "rtsp" : url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
            int defaultPort = scheme.equals("rtsps") ? 322 : 554;
            int start = schemeEnd < 0 ? 0 : schemeEnd + 3;
            int end = start;
            while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
                end++;
            }
            String authority = url.substring(start, end);
            int at = authority.lastIndexOf('@');
            String hostPort = authority.substring(at + 1);
            int colon = hostPort.lastIndexOf(':');
            if (colon > hostPort.lastIndexOf(']')) {
                try {
                    return new CameraAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)),
                            at >= 0);
                } catch (NumberFormatException e) {
                    return new CameraAddress(hostPort, defaultPort, at >= 0);
                }
            }
            return new CameraAddress(hostPort, defaultPort, at >= 0);
        }

        String hostAndPort() {
            return host + ":" + port;
        }
    }
}
