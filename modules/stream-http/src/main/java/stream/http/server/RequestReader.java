package stream.http.server;

import com.sun.net.httpserver.Headers;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads HTTP/1.x requests from the bytes of one connection as they arrive, without blocking and without trusting
 * anything: it keeps a request's head (bounded) and its body (bounded, from Content-Length or chunked framing) and
 * says when a request is complete, when more bytes are needed, or why the request is refused. Strict where lenience
 * has let requests be read two ways (bare LF, folded headers, two lengths).
 */
final class RequestReader {
    /** What {@link #advance} found. */
    enum Progress { NEED_MORE, HEAD_DONE, COMPLETE, REFUSED }

    private enum Phase { HEAD, BODY, CHUNKED }

    private enum Chunk { SIZE, DATA, DATA_CR, DATA_LF, TRAILER }

    private static final int READ_SIZE = 8 * 1024;
    private static final int MAX_TARGET = 8 * 1024;

    private final ServerLimits limits;
    private byte[] buf = new byte[2048];
    private int start;
    private int end;
    private int scan;

    private Phase phase = Phase.HEAD;
    private Request.Head head;
    private byte[] body;
    private int bodyLen;
    private Chunk chunk;
    private long chunkLeft;
    private int sizeDigits;
    private int extBytes;
    private boolean inExt;
    private int trailerLine;
    private int trailerBytes;

    private int refusalStatus;
    private String refusalMessage;
    private Request complete;

    RequestReader(ServerLimits limits) {
        this.limits = limits;
    }

    /** Room to read into: the array and the offset and length free in it; the head limit bounds its growth. */
    byte[] buffer() {
        if (end == buf.length) {
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                scan = Math.max(0, scan - start);
                start = 0;
            }
            if (end == buf.length) {
                int cap = Math.min(limits.maxHeadBytes() + READ_SIZE, buf.length * 2);
                if (cap > buf.length) {
                    byte[] bigger = new byte[cap];
                    System.arraycopy(buf, 0, bigger, 0, end);
                    buf = bigger;
                }
            }
        }
        return buf;
    }

    int free() {
        return buf.length - end;
    }

    int writeOffset() {
        return end;
    }

    void wrote(int n) {
        end += n;
    }

    /** Whether bytes of a request not yet complete are held (a request under way, as opposed to an idle connection). */
    boolean midRequest() {
        return phase != Phase.HEAD || end > start;
    }

    boolean readingBody() {
        return phase != Phase.HEAD;
    }

    Request.Head head() {
        return head;
    }

    int refusalStatus() {
        return refusalStatus;
    }

    String refusalMessage() {
        return refusalMessage;
    }

    /** The request just completed; the reader is then ready for the next one on the same connection. */
    Request take() {
        Request r = complete;
        complete = null;
        return r;
    }

    /**
     * Parses what has arrived. HEAD_DONE is returned once per request that has a body, so that the caller can send
     * {@code 100 Continue}; call again to go on.
     */
    Progress advance() {
        switch (phase) {
            case HEAD -> {
                // stray CRLFs before a request are allowed (RFC 9112 2.2); a head never starts with one
                while (start < end && (buf[start] == '\r' || buf[start] == '\n')) {
                    start++;
                }
                int from = Math.max(start, scan - 3);
                int found = -1;
                for (int i = from; i + 3 < end; i++) {
                    if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                        found = i;
                        break;
                    }
                }
                if (found < 0) {
                    scan = end;
                    if (end - start > limits.maxHeadBytes()) {
                        return refuse(431, "The request's headers are larger than " + limits.maxHeadBytes() + " bytes");
                    }
                    return Progress.NEED_MORE;
                }
                if (found + 4 - start > limits.maxHeadBytes()) {
                    return refuse(431, "The request's headers are larger than " + limits.maxHeadBytes() + " bytes");
                }
                String text = new String(buf, start, found - start, StandardCharsets.ISO_8859_1);
                start = found + 4;
                scan = start;
                if (!parseHead(text)) {
                    return Progress.REFUSED;
                }
                long length = head.contentLength();
                if (head.chunked()) {
                    phase = Phase.CHUNKED;
                    chunk = Chunk.SIZE;
                    body = new byte[Math.min(4096, limits.maxBodyBytes())];
                    bodyLen = 0;
                    chunkLeft = 0;
                    sizeDigits = 0;
                    inExt = false;
                    extBytes = 0;
                    return Progress.HEAD_DONE;
                }
                if (length > 0) {
                    phase = Phase.BODY;
                    body = new byte[(int) length];
                    bodyLen = 0;
                    return Progress.HEAD_DONE;
                }
                return finish(new byte[0]);
            }
            case BODY -> {
                int n = Math.min(body.length - bodyLen, end - start);
                System.arraycopy(buf, start, body, bodyLen, n);
                bodyLen += n;
                start += n;
                return bodyLen == body.length ? finish(body) : Progress.NEED_MORE;
            }
            default -> {
                return chunked();
            }
        }
    }

    private Progress finish(byte[] content) {
        complete = new Request(head, content);
        head = null;
        body = null;
        phase = Phase.HEAD;
        scan = start;
        return Progress.COMPLETE;
    }

    private Progress chunked() {
        while (start < end) {
            byte b = buf[start];
            switch (chunk) {
                case SIZE -> {
                    start++;
                    int v = Character.digit(b, 16);
                    if (v >= 0 && !inExt) {
                        if (++sizeDigits > 7) {
                            return refuse(413, "The request body is larger than " + limits.maxBodyBytes() + " bytes");
                        }
                        chunkLeft = chunkLeft * 16 + v;
                    } else if (b == ';' && sizeDigits > 0) {
                        inExt = true;
                    } else if (b == '\r') {
                        // the LF that must follow ends the line
                    } else if (b == '\n') {
                        if (sizeDigits == 0) {
                            return refuse(400, "A chunk size is missing in the request body");
                        }
                        if (chunkLeft == 0) {
                            chunk = Chunk.TRAILER;
                            trailerLine = 0;
                            trailerBytes = 0;
                        } else if (bodyLen + chunkLeft > limits.maxBodyBytes()) {
                            return refuse(413, "The request body is larger than " + limits.maxBodyBytes() + " bytes");
                        } else {
                            chunk = Chunk.DATA;
                            if (bodyLen + chunkLeft > body.length) {
                                byte[] bigger = new byte[(int) Math.min(limits.maxBodyBytes(),
                                        Math.max(body.length * 2L, bodyLen + chunkLeft))];
                                System.arraycopy(body, 0, bigger, 0, bodyLen);
                                body = bigger;
                            }
                        }
                    } else if (inExt) {
                        if (++extBytes > 256) {
                            return refuse(400, "A chunk extension in the request body is too long");
                        }
                    } else {
                        return refuse(400, "The request body's chunked framing is malformed");
                    }
                }
                case DATA -> {
                    int n = (int) Math.min(chunkLeft, end - start);
                    System.arraycopy(buf, start, body, bodyLen, n);
                    bodyLen += n;
                    start += n;
                    chunkLeft -= n;
                    if (chunkLeft == 0) {
                        chunk = Chunk.DATA_CR;
                    }
                }
                case DATA_CR, DATA_LF -> {
                    start++;
                    if (b == '\r' && chunk == Chunk.DATA_CR) {
                        chunk = Chunk.DATA_LF;
                    } else if (b == '\n') {
                        chunk = Chunk.SIZE;
                        sizeDigits = 0;
                        inExt = false;
                        extBytes = 0;
                    } else {
                        return refuse(400, "The request body's chunked framing is malformed");
                    }
                }
                case TRAILER -> {
                    start++;
                    if (b == '\n') {
                        if (trailerLine == 0) {
                            byte[] content = new byte[bodyLen];
                            System.arraycopy(body, 0, content, 0, bodyLen);
                            return finish(content);
                        }
                        trailerLine = 0;
                    } else if (b != '\r') {
                        trailerLine++;
                        if (++trailerBytes > 4096) {
                            return refuse(431, "The request's trailer is too large");
                        }
                    }
                }
            }
        }
        return Progress.NEED_MORE;
    }

    private boolean parseHead(String text) {
        java.util.List<String> lines = new java.util.ArrayList<>(16);
        for (int from = 0; ; ) {
            int eol = text.indexOf("\r\n", from);
            lines.add(eol < 0 ? text.substring(from) : text.substring(from, eol));
            if (eol < 0) {
                break;
            }
            from = eol + 2;
        }
        String line = lines.get(0);
        int sp1 = line.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0) {
            refuse(400, "The request line is malformed");
            return false;
        }
        String method = line.substring(0, sp1);
        String target = line.substring(sp1 + 1, sp2);
        String version = line.substring(sp2 + 1);
        if (method.length() > 16 || !isToken(method)) {
            refuse(400, "The request method is malformed");
            return false;
        }
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            refuse(version.startsWith("HTTP/") ? 505 : 400, "Only HTTP/1.0 and HTTP/1.1 are served");
            return false;
        }
        if (target.length() > MAX_TARGET) {
            refuse(414, "The request target is longer than " + MAX_TARGET + " characters");
            return false;
        }
        if (!target.startsWith("/") || hasControl(target)) {
            refuse(400, "The request target must be a path starting with /");
            return false;
        }
        URI uri;
        try {
            uri = new URI(target);
        } catch (URISyntaxException e) {
            refuse(400, "The request target is not a valid URI (check its percent-encoding)");
            return false;
        }
        String path = uri.getPath();
        if (path == null || hasControl(path) || path.indexOf('\\') >= 0) {
            refuse(400, "The request path holds a control character or a backslash");
            return false;
        }
        Headers headers = new Headers();
        if (lines.size() - 1 > limits.maxHeaders()) {
            refuse(431, "The request has more than " + limits.maxHeaders() + " headers");
            return false;
        }
        for (int i = 1; i < lines.size(); i++) {
            String h = lines.get(i);
            int colon = h.indexOf(':');
            if (colon <= 0 || !isToken(h.substring(0, colon))) {
                refuse(400, "A request header is malformed");
                return false;
            }
            String value = h.substring(colon + 1).strip();
            for (int k = 0; k < value.length(); k++) {
                char c = value.charAt(k);
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    refuse(400, "A request header holds a control character");
                    return false;
                }
            }
            headers.add(h.substring(0, colon), value);
        }
        boolean http11 = version.equals("HTTP/1.1");
        String connection = lower(headers.getFirst("Connection"));
        boolean keepAlive = http11 ? !hasToken(connection, "close") : hasToken(connection, "keep-alive");
        boolean chunked = false;
        long length = 0;
        if (headers.containsKey("Transfer-Encoding")) {
            if (headers.get("Transfer-Encoding").size() != 1
                    || !"chunked".equals(lower(headers.getFirst("Transfer-Encoding")))) {
                refuse(501, "Only the chunked transfer coding is understood");
                return false;
            }
            if (headers.containsKey("Content-Length")) {
                refuse(400, "A request may not have both Content-Length and Transfer-Encoding");
                return false;
            }
            chunked = true;
        } else if (headers.containsKey("Content-Length")) {
            String first = null;
            for (String v : headers.get("Content-Length")) {
                if (first != null && !first.equals(v)) {
                    refuse(400, "The request has conflicting Content-Length headers");
                    return false;
                }
                first = v;
            }
            if (first.isEmpty() || first.length() > 12 || !first.chars().allMatch(c -> c >= '0' && c <= '9')) {
                refuse(400, "The request's Content-Length is not a number");
                return false;
            }
            length = Long.parseLong(first);
            if (length > limits.maxBodyBytes()) {
                refuse(413, "The request body is larger than " + limits.maxBodyBytes() + " bytes");
                return false;
            }
        }
        String expect = headers.getFirst("Expect");
        if (expect != null && !"100-continue".equals(lower(expect))) {
            refuse(417, "Only Expect: 100-continue is understood");
            return false;
        }
        head = new Request.Head(method, uri, version, headers, keepAlive, length, chunked, expect != null && http11);
        return true;
    }

    private Progress refuse(int status, String message) {
        refusalStatus = status;
        refusalMessage = message;
        return Progress.REFUSED;
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }

    private static boolean hasToken(String list, String token) {
        for (String t : list.split(",")) {
            if (t.strip().equals(token)) {
                return true;
            }
        }
        return false;
    }
}
