package stream.it;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import stream.it.harness.TestPorts;

/**
 * A badly behaved control server on 127.0.0.1 over raw sockets, so it can send what no HTTP library would: each path
 * answers in its own wrong way (see the static behaviours). Records every request (path and headers) and how many
 * bytes each path managed to write. Every connection gets its own thread; close() ends them all.
 */
final class HostileSseServer implements AutoCloseable {

    /** What the server does with one connection once the request head was read. */
    @FunctionalInterface
    interface Behaviour {
        void serve(Request request, OutputStream out, InputStream in) throws IOException;
    }

    /** A request head: path (without query) and headers with lower-case names. */
    record Request(String path, Map<String, String> headers) {}

    private final ServerSocket server;
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> written = new ConcurrentHashMap<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    HostileSseServer() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(TestPorts.LOOPBACK, 0));
        Thread acceptor = new Thread(this::acceptLoop, "hostile-sse-accept");
        acceptor.setDaemon(true);
        threads.add(acceptor);
        acceptor.start();
    }

    HostileSseServer on(String path, Behaviour behaviour) {
        behaviours.put(path, behaviour);
        return this;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    List<Request> requests(String path) {
        synchronized (requests) {
            return requests.stream().filter(r -> r.path().equals(path)).toList();
        }
    }

    int connections(String path) {
        return requests(path).size();
    }

    /** Body and head bytes the server got out on this path, over all its connections. */
    long bytesWritten(String path) {
        AtomicLong n = written.get(path);
        return n == null ? 0 : n.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                open.add(s);
                Thread t = new Thread(() -> handle(s), "hostile-sse-conn");
                t.setDaemon(true);
                threads.add(t);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void handle(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            Request request = readHead(in);
            if (request == null) {
                return;
            }
            requests.add(request);
            AtomicLong counter = written.computeIfAbsent(request.path(), p -> new AtomicLong());
            OutputStream out = new FilterOutputStream(s.getOutputStream()) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    counter.addAndGet(len);
                }

                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    counter.incrementAndGet();
                }
            };
            Behaviour b = behaviours.getOrDefault(request.path(), status(404, "Not Found", ""));
            b.serve(request, out, in);
            out.flush();
        } catch (IOException e) {
            // the client went away or the server closed: both are part of the game
        } finally {
            open.remove(s);
        }
    }

    private static Request readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int c = in.read();
            if (c < 0 || head.size() > 65536) {
                return null;
            }
            head.write(c);
            matched = c == end[matched] ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        String target = requestLine.length > 1 ? requestLine[1] : "/";
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line : Arrays.asList(lines).subList(1, lines.length)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return new Request(path, headers);
    }

    // ---- behaviours ----

    static byte[] head(int status, String reason, String headers) {
        return ("HTTP/1.1 " + status + " " + reason + "\r\n" + headers + "Connection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A plain error answer with a short body, then close. */
    static Behaviour status(int status, String reason, String extraHeaders) {
        return (request, out, in) -> {
            byte[] body = (status + " " + reason + "\n").getBytes(StandardCharsets.UTF_8);
            out.write(head(status, reason, extraHeaders + "Content-Type: text/plain\r\nContent-Length: " + body.length
                    + "\r\n"));
            out.write(body);
        };
    }

    /** 200 with this content type and body; then either close or hold the connection open until the client leaves. */
    static Behaviour body(String contentType, byte[] body, boolean holdOpen) {
        return (request, out, in) -> {
            out.write(head(200, "OK", "Content-Type: " + contentType + "\r\nCache-Control: no-cache\r\n"));
            out.write(body);
            out.flush();
            if (holdOpen) {
                holdUntilClientLeaves(in);
            }
        };
    }

    /** 200 text/event-stream, then {@code data: xxxx...} without ever a line end, up to {@code maxBytes}. */
    static Behaviour endlessLine(long maxBytes) {
        return (request, out, in) -> {
            out.write(head(200, "OK", "Content-Type: text/event-stream\r\nCache-Control: no-cache\r\n"));
            out.write("data: ".getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'x');
            for (long sent = 0; sent < maxBytes; sent += chunk.length) {
                out.write(chunk);
            }
            out.flush();
            holdUntilClientLeaves(in);
        };
    }

    private static void holdUntilClientLeaves(InputStream in) throws IOException {
        byte[] sink = new byte[1024];
        while (in.read(sink) >= 0) {
            // the client sends nothing more; read() returns -1 (or throws) when it closes
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        List<Thread> all;
        synchronized (threads) {
            all = new ArrayList<>(threads);
        }
        for (Thread t : all) {
            t.join(5000);
        }
    }
}
