package stream.it.harness;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test-side EventSource reader over a plain socket (so close() reliably ends the reading
 * thread): sends the request, then parses the stream per the SSE spec on a daemon thread into a
 * queue of {@link SseEvent}s. Keeps every raw line too, for asserting the wire format.
 * Does not reconnect by itself: tests reconnect explicitly with {@link #lastEventId()}.
 */
public final class SseClient implements AutoCloseable {

    private static final SseEvent END = new SseEvent(null, null, null);

    private final Socket socket;
    private final int status;
    private final Map<String, String> headers;
    private final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private volatile String lastEventId;
    private volatile boolean ended;
    private volatile Throwable failure;

    private SseClient(Socket socket, int status, Map<String, String> headers, InputStream body, String lastEventId) {
        this.socket = socket;
        this.status = status;
        this.headers = headers;
        this.lastEventId = lastEventId;
        Thread reader = new Thread(() -> read(body), "sse-client " + socket.getPort());
        reader.setDaemon(true);
        reader.start();
    }

    public static SseClient connect(String url) {
        return connect(url, null);
    }

    /**
     * Connects and returns once the response headers arrived (for nchan: once the subscriber is
     * registered). {@code lastEventId} non-null sends a Last-Event-ID header to resume after it.
     */
    public static SseClient connect(String url, String lastEventId) {
        URI uri = URI.create(url);
        if (!"127.0.0.1".equals(uri.getHost()) || !"http".equals(uri.getScheme())) {
            throw new IllegalArgumentException("the harness only talks http to 127.0.0.1: " + url);
        }
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(TestPorts.LOOPBACK, uri.getPort()), 10_000);
            socket.setSoTimeout(0); // an idle event stream is normal; close() ends the read
            StringBuilder request = new StringBuilder()
                    .append("GET ").append(uri.getRawPath()).append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                    .append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(uri.getPort()).append("\r\n")
                    .append("Accept: text/event-stream\r\n")
                    .append("Cache-Control: no-cache\r\n");
            if (lastEventId != null) {
                request.append("Last-Event-ID: ").append(lastEventId).append("\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            socket.setSoTimeout(20_000); // but the headers must come
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String statusLine = readLine(in);
            if (statusLine == null || !statusLine.startsWith("HTTP/")) {
                throw new IOException("not an HTTP response: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
            socket.setSoTimeout(0);
            InputStream body = "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? new Chunked(in) : in;
            return new SseClient(socket, status, headers, body, lastEventId);
        } catch (IOException | RuntimeException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw new IllegalStateException("cannot open event stream " + url + ": " + e, e);
        }
    }

    private void read(InputStream body) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            StringBuilder data = null;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
                if (line.isEmpty()) {
                    // Blank line dispatches; without data there is no event, but an id still counts.
                    if (id != null) {
                        lastEventId = id;
                    }
                    if (data != null) {
                        events.add(new SseEvent(id, event == null ? "message" : event, data.toString()));
                    }
                    id = null;
                    event = null;
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    continue; // comment, e.g. nchan's ": hi"
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> event = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    default -> { /* retry and unknown fields: not needed by the tests */ }
                }
            }
        } catch (IOException e) {
            if (!socket.isClosed()) {
                failure = e;
            }
        } finally {
            ended = true;
            events.add(END);
        }
    }

    /** The next event; fails if none arrives within {@code timeout} or the stream ended. */
    public SseEvent next(Duration timeout) {
        try {
            SseEvent event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError("no SSE event within " + timeout.toMillis() + " ms; lines so far: " + lines());
            }
            if (event == END) {
                events.add(END); // keep reporting the end to later calls
                throw new AssertionError("SSE stream ended (status " + status + ", failure " + failure + "); lines: " + lines());
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The next {@code count} events, all within {@code timeout}. */
    public List<SseEvent> next(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<SseEvent> result = new ArrayList<>();
        while (result.size() < count) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            result.add(next(Duration.ofMillis(left)));
        }
        return result;
    }

    /** Events received but not yet taken, without waiting. */
    public List<SseEvent> drain() {
        List<SseEvent> result = new ArrayList<>();
        events.drainTo(result);
        if (result.remove(END)) {
            events.add(END);
        }
        return result;
    }

    public int status() {
        return status;
    }

    /** Response headers, names lower-cased. */
    public Map<String, String> headers() {
        return headers;
    }

    /** Every line received so far, comments and blank lines included. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The id of the last dispatched event (or the one given to connect), for a resuming reconnect. */
    public String lastEventId() {
        return lastEventId;
    }

    /** True once the server closed the stream (or it failed). */
    public boolean hasEnded() {
        return ended;
    }

    public void awaitEnd(Duration timeout) {
        Waits.waitUntil(this::hasEnded, timeout, "SSE stream from port " + socket.getPort() + " to end");
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return b < 0 && line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    /** HTTP/1.1 chunked transfer decoding (for SSE servers other than nchan, e.g. the appliance). */
    private static final class Chunked extends FilterInputStream {
        private long left;
        private boolean done;

        Chunked(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = readLine(in);
                if (size != null && size.isEmpty()) {
                    size = readLine(in); // CRLF ending the previous chunk
                }
                if (size == null) {
                    done = true;
                    return -1;
                }
                int semicolon = size.indexOf(';');
                left = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                if (left == 0) {
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                done = true;
                return -1;
            }
            left -= n;
            return n;
        }
    }
}
