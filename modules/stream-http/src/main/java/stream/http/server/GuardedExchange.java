package stream.http.server;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One request and its answer, with jdk.httpserver's semantics: {@code sendResponseHeaders(code, n)} announces n
 * bytes (-1: none, 0: a stream of any length, sent chunked). The request body was read before the handler ran; a
 * fixed-length answer leaves in one write of head and body, the moment its last byte is written.
 */
final class GuardedExchange extends HttpExchange implements ConnectionScoped {
    private final GuardedHttpServer server;
    private final HttpContext context;
    private final Connection conn;
    private final Request request;
    private final Headers responseHeaders = new Headers();
    private final InputStream body;
    private final Map<String, Object> attributes = new HashMap<>();
    private int status = -1;
    private OutputStream out;
    private boolean finished;

    GuardedExchange(GuardedHttpServer server, HttpContext context, Connection conn, Request request) {
        this.server = server;
        this.context = context;
        this.conn = conn;
        this.request = request;
        this.body = new ByteArrayInputStream(request.body());
    }

    @Override
    public Headers getRequestHeaders() {
        return request.head().headers();
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        return request.head().uri();
    }

    @Override
    public String getRequestMethod() {
        return request.head().method();
    }

    @Override
    public HttpContext getHttpContext() {
        return context;
    }

    @Override
    public InputStream getRequestBody() {
        return body;
    }

    @Override
    public OutputStream getResponseBody() {
        if (out == null) {
            throw new IllegalStateException("sendResponseHeaders must be called first");
        }
        return out;
    }

    @Override
    public void sendResponseHeaders(int code, long length) throws IOException {
        if (status != -1) {
            throw new IOException("the answer's headers were already sent");
        }
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("status " + code);
        }
        status = code;
        boolean bodiless = code == 204 || code == 304 || "HEAD".equals(getRequestMethod());
        if (length == -1 || bodiless) {
            if (!bodiless || code != 204) {
                responseHeaders.set("Content-Length", length > 0 && "HEAD".equals(getRequestMethod())
                        ? Long.toString(length) : "0");
            }
            out = new FixedBody(0);
            finish(head(), null);
        } else if (length > 0) {
            if (length > Integer.MAX_VALUE - 1024) {
                throw new IOException("answer too large");
            }
            responseHeaders.set("Content-Length", Long.toString(length));
            out = new FixedBody((int) length);
        } else {
            responseHeaders.set("Transfer-Encoding", "chunked");
            conn.phase = Connection.Phase.STREAM;
            out = new ChunkedBody();
            conn.send(new ByteBuffer[] {head()}, false, false, server.limits().maxStreamBacklog());
            server.streaming(conn);
        }
    }

    private boolean keepAlive() {
        String c = responseHeaders.getFirst("Connection");
        return request.head().keepAlive() && server.running() && (c == null || !c.equalsIgnoreCase("close"));
    }

    private ByteBuffer head() {
        boolean keep = keepAlive() && !responseHeaders.containsKey("Transfer-Encoding");
        if (!keep) {
            responseHeaders.set("Connection", "close");
        } else if (request.head().version().equals("HTTP/1.0")) {
            responseHeaders.set("Connection", "keep-alive");
        }
        StringBuilder sb = new StringBuilder(256);
        sb.append("HTTP/1.1 ").append(status).append(' ').append(Reason.of(status)).append("\r\n");
        sb.append("Date: ").append(server.date()).append("\r\n");
        for (Map.Entry<String, List<String>> e : responseHeaders.entrySet()) {
            String name = canonical(e.getKey());
            for (String v : e.getValue()) {
                sb.append(name).append(": ").append(safe(v)).append("\r\n");
            }
        }
        sb.append("\r\n");
        return ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Names already spelled out: the handlers set the same few headers on every answer. */
    private static final Map<String, String> CANONICAL = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_CANONICAL = 64;

    /** Headers stores "Content-type"; people reading an answer expect "Content-Type". */
    private static String canonical(String name) {
        String known = CANONICAL.get(name);
        if (known != null) {
            return known;
        }
        String spelled = spell(name);
        if (CANONICAL.size() < MAX_CANONICAL) {
            CANONICAL.put(name, spelled);
        }
        return spelled;
    }

    private static String spell(String name) {
        char[] c = name.toCharArray();
        boolean upper = true;
        for (int i = 0; i < c.length; i++) {
            c[i] = upper ? Character.toUpperCase(c[i]) : c[i];
            upper = c[i] == '-';
        }
        return new String(c);
    }

    /** A header value never splits the answer: CR and LF cannot reach the wire. */
    private static String safe(String v) {
        return v.indexOf('\r') < 0 && v.indexOf('\n') < 0 ? v : v.replace('\r', ' ').replace('\n', ' ');
    }

    private void finish(ByteBuffer head, ByteBuffer payload) throws IOException {
        finished = true;
        boolean keep = !"close".equals(responseHeaders.getFirst("Connection"));
        ByteBuffer[] parts = payload == null ? new ByteBuffer[] {head} : new ByteBuffer[] {head, payload};
        Connection.Sent sent = conn.send(parts, true, keep, Long.MAX_VALUE);
        server.answered(conn, sent);
    }

    @Override
    public void close() {
        try {
            if (status == -1) {
                conn.closeQuietly();
                server.forget(conn);
            } else if (out != null) {
                out.close();
            }
        } catch (IOException e) {
            conn.closeQuietly();
            server.forget(conn);
        }
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return conn.remote;
    }

    @Override
    public int getResponseCode() {
        return status;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return conn.local;
    }

    @Override
    public String getProtocol() {
        return request.head().version();
    }

    @Override
    public Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public Object connectionValue() {
        return conn.scopedValue;
    }

    @Override
    public void connectionValue(Object value) {
        conn.scopedValue = value;
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        throw new UnsupportedOperationException("stream filters are not supported");
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return null;
    }

    /** Collects exactly the announced bytes and sends head and body together when the last one arrives. */
    private final class FixedBody extends OutputStream {
        private final byte[] bytes;
        private int count;

        FixedBody(int length) {
            this.bytes = new byte[length];
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (finished && len > 0) {
                throw new IOException("more bytes than the announced Content-Length");
            }
            if (len > bytes.length - count) {
                throw new IOException("more bytes than the announced Content-Length");
            }
            System.arraycopy(b, off, bytes, count, len);
            count += len;
            if (count == bytes.length && !finished) {
                finish(head(), ByteBuffer.wrap(bytes));
            }
        }

        @Override
        public void close() throws IOException {
            if (!finished) {
                // fewer bytes than announced: the client cannot tell where the answer ends, so the connection goes
                finished = true;
                conn.closeQuietly();
                server.forget(conn);
            }
        }
    }

    /** A streamed answer: every flush is one chunk; the backlog a client may leave unread is bounded. */
    private final class ChunkedBody extends OutputStream {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);

        @Override
        public void write(int b) {
            buffer.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            buffer.write(b, off, len);
        }

        @Override
        public synchronized void flush() throws IOException {
            if (finished) {
                throw new IOException("the stream is closed");
            }
            if (buffer.size() == 0) {
                return;
            }
            byte[] data = buffer.toByteArray();
            buffer.reset();
            ByteBuffer chunk = ByteBuffer.allocate(data.length + 16);
            chunk.put(Integer.toHexString(data.length).getBytes(StandardCharsets.ISO_8859_1)).put((byte) '\r')
                    .put((byte) '\n').put(data).put((byte) '\r').put((byte) '\n').flip();
            try {
                if (conn.send(new ByteBuffer[] {chunk}, false, false, server.limits().maxStreamBacklog())
                        == Connection.Sent.PENDING) {
                    server.wantWrite(conn);
                }
            } catch (IOException e) {
                server.forget(conn);
                throw e;
            }
        }

        @Override
        public synchronized void close() throws IOException {
            if (finished) {
                return;
            }
            try {
                flush();
            } finally {
                finished = true;
            }
            ByteBuffer end = ByteBuffer.wrap("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            Connection.Sent sent;
            try {
                sent = conn.send(new ByteBuffer[] {end}, true, false, server.limits().maxStreamBacklog());
            } catch (IOException e) {
                server.forget(conn);
                throw e;
            }
            server.answered(conn, sent);
        }
    }
}
