package stream.it.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal RTSP client that sends one DESCRIBE (answering a 401 with Basic or Digest
 * credentials taken from the URL, percent-decoded). Cheaper than ffprobe, and a 200 proves the
 * camera's pipeline prerolled: GstRtspServer builds the SDP from the running payloaders.
 */
public final class RtspProbe {

    /** One RTSP response; header names are lower-cased, the last value of a repeated header wins except in {@link #authenticate}. */
    public record RtspResponse(int status, String reason, Map<String, String> headers, List<String> authenticate, String body) {
        /** The SDP's media lines, e.g. "m=video 0 RTP/AVP 96". */
        public List<String> mediaLines() {
            return body.lines().filter(l -> l.startsWith("m=")).toList();
        }

        public List<String> rtpmaps() {
            return body.lines().filter(l -> l.startsWith("a=rtpmap:")).toList();
        }
    }

    private RtspProbe() {}

    public static RtspResponse describe(String url) {
        return describe(url, Duration.ofSeconds(20));
    }

    /** DESCRIBE {@code url}; throws IllegalStateException on I/O errors (e.g. connection refused). */
    public static RtspResponse describe(String url, Duration timeout) {
        URI uri = URI.create(url);
        if (!"rtsp".equals(uri.getScheme())) {
            throw new IllegalArgumentException("not an rtsp URL: " + url);
        }
        String host = uri.getHost();
        if (!"127.0.0.1".equals(host)) {
            throw new IllegalArgumentException("the harness only talks to 127.0.0.1: " + url);
        }
        int port = uri.getPort() < 0 ? 554 : uri.getPort();
        // The request line carries the URL without credentials, like ffmpeg sends it.
        String requestUrl = "rtsp://" + host + ":" + port + (uri.getRawPath() == null ? "" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            user = percentDecode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? "" : percentDecode(info.substring(colon + 1));
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(TestPorts.LOOPBACK, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            RtspResponse response = send(socket, requestUrl, 1, null);
            if (response.status() == 401 && user != null) {
                String authorization = authorization(response.authenticate(), user, password, requestUrl);
                if (authorization != null) {
                    response = send(socket, requestUrl, 2, authorization);
                }
            }
            return response;
        } catch (IOException e) {
            throw new IllegalStateException("DESCRIBE " + requestUrl + " failed: " + e, e);
        }
    }

    private static RtspResponse send(Socket socket, String url, int cseq, String authorization) throws IOException {
        StringBuilder request = new StringBuilder()
                .append("DESCRIBE ").append(url).append(" RTSP/1.0\r\n")
                .append("CSeq: ").append(cseq).append("\r\n")
                .append("Accept: application/sdp\r\n")
                .append("User-Agent: stream-it-harness\r\n");
        if (authorization != null) {
            request.append("Authorization: ").append(authorization).append("\r\n");
        }
        request.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();

        InputStream in = socket.getInputStream();
        String statusLine = readLine(in);
        if (statusLine == null || !statusLine.startsWith("RTSP/1.0 ")) {
            throw new IOException("not an RTSP response: " + statusLine);
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        String reason = parts.length > 2 ? parts[2] : "";
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> authenticate = new ArrayList<>();
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                headers.put(name, value);
                if (name.equals("www-authenticate")) {
                    authenticate.add(value);
                }
            }
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new RtspResponse(status, reason, headers, authenticate, new String(body, StandardCharsets.UTF_8));
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b < 0 && line.size() == 0) {
            return null;
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static final Pattern PARAM = Pattern.compile("(\\w+)=(?:\"([^\"]*)\"|([^,\\s]*))");

    /** Authorization header for the strongest challenge offered: Digest (RFC 2617) over Basic. */
    static String authorization(List<String> challenges, String user, String password, String url) {
        for (String challenge : challenges) {
            if (challenge.regionMatches(true, 0, "Digest", 0, 6)) {
                Map<String, String> p = new LinkedHashMap<>();
                Matcher m = PARAM.matcher(challenge.substring(6));
                while (m.find()) {
                    p.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2) != null ? m.group(2) : m.group(3));
                }
                String realm = p.getOrDefault("realm", "");
                String nonce = p.getOrDefault("nonce", "");
                String ha1 = md5(user + ":" + realm + ":" + password);
                String ha2 = md5("DESCRIBE:" + url);
                String qop = p.get("qop");
                StringBuilder header = new StringBuilder("Digest username=\"").append(user)
                        .append("\", realm=\"").append(realm)
                        .append("\", nonce=\"").append(nonce)
                        .append("\", uri=\"").append(url).append('"');
                if (qop != null && List.of(qop.split(",")).stream().map(String::trim).anyMatch("auth"::equals)) {
                    String cnonce = "0a4f113b";
                    String nc = "00000001";
                    header.append(", qop=auth, nc=").append(nc).append(", cnonce=\"").append(cnonce).append('"')
                            .append(", response=\"").append(md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2)).append('"');
                } else {
                    header.append(", response=\"").append(md5(ha1 + ":" + nonce + ":" + ha2)).append('"');
                }
                if (p.containsKey("opaque")) {
                    header.append(", opaque=\"").append(p.get("opaque")).append('"');
                }
                return header.toString();
            }
        }
        for (String challenge : challenges) {
            if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
                return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            }
        }
        return null;
    }

    private static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RFC 3986 percent-decoding ('+' stays '+', unlike URLDecoder). */
    static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** RFC 3986 percent-encoding of everything but unreserved characters, for URL userinfo. */
    static String percentEncode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }
}
