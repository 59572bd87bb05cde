package stream.sse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 server on 127.0.0.1 written on raw sockets, so a test can script exactly what each connection gets,
 * hostile behaviour included (endless lines, silence, garbage). Each accepted connection takes the next queued script,
 * or the fallback when none is queued; the socket is closed when the script returns.
 */
final class TestSseServer implements AutoCloseable {

    /** One request as received: method, target, headers (names lower-cased, values as Latin-1 bytes). */
    record Request(String method, String target, Map<String, String> headers, long receivedAtNanos) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** What the server does with one connection. */
    @FunctionalInterface
    interface Script {
        void serve(Request request, Exchange exchange) throws Exception;
    }

    /** The server's side of one connection. */
    static final class Exchange {
        private final Socket socket;
        private final OutputStream out;
        private boolean chunked;

        Exchange(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        /** Sends a complete answer without a body. */
        void respond(int status, String... headerLines) throws IOException {
            StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " Test\r\n");
            for (String line : headerLines) {
                head.append(line).append("\r\n");
            }
            head.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Starts a chunked 200 answer with this content type. */
        void startStream(String contentType) throws IOException {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + contentType
                    + "\r\nTransfer-Encoding: chunked\r\nCache-Control: no-store\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            chunked = true;
        }

        /** Starts a chunked {@code 200 text/event-stream} answer. */
        void startStream() throws IOException {
            startStream("text/event-stream; charset=utf-8");
        }

        /** Sends text (UTF-8) as one chunk of the body. */
        void send(String text) throws IOException {
            send(text.getBytes(StandardCharsets.UTF_8));
        }

        /** Sends bytes as one chunk of the body. */
        void send(byte[] bytes) throws IOException {
            if (!chunked) {
                throw new IllegalStateException("startStream first");
            }
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.write('\r');
            out.write('\n');
            out.flush();
        }

        /** Ends the chunked body properly. */
        void end() throws IOException {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Waits until the client closes the connection (true) or the timeout passes (false). */
        boolean awaitClientClose(Duration timeout) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[1024];
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) Math.max(1, left));
                try {
                    if (in.read(buf) < 0) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    return false;
                } catch (IOException e) {
                    return true; // reset by the client
                }
            }
        }
    }

    private final ServerSocket server;
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<Script> scripts = new ConcurrentLinkedQueue<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
    private volatile Script fallback;
    private final Thread acceptor;

    /** A server that gives each connection the queued scripts in turn, then {@code fallback}. */
    TestSseServer(Script fallback) throws IOException {
        this.fallback = fallback;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "test-sse-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A server that answers every connection with 500 unless scripts are queued. */
    TestSseServer() throws IOException {
        this((request, exchange) -> exchange.respond(500));
    }

    /** Queues scripts for the next connections. */
    TestSseServer then(Script... next) {
        scripts.addAll(List.of(next));
        return this;
    }

    /** Replaces the script for connections when the queue is empty. */
    void otherwise(Script script) {
        fallback = script;
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/events");
    }

    int port() {
        return server.getLocalPort();
    }

    /** The next request received, waiting at most {@code timeout}; null if none came. */
    Request nextRequest(Duration timeout) throws InterruptedException {
        return requests.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A script failure other than the client going away, if any. */
    Throwable failure() {
        return failures.peek();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread t = new Thread(() -> handle(socket), "test-sse-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket socket) {
        try (socket) {
            Request request = readRequest(socket.getInputStream());
            if (request == null) {
                return;
            }
            requests.add(request);
            Script script = scripts.poll();
            (script == null ? fallback : script).serve(request, new Exchange(socket));
        } catch (IOException e) {
            // The client went away: normal for the hostile scripts.
        } catch (Throwable e) {
            failures.add(e);
        } finally {
            sockets.remove(socket);
        }
    }

    private static Request readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        long at = System.nanoTime();
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        return new Request(requestLine[0], requestLine[1], headers, at);
    }
}
