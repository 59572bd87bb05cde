package stream.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server over real sockets on 127.0.0.1, against the clients an appliance on a LAN meets. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GuardedHttpServerTest {
    static final ServerLimits LIMITS = new ServerLimits(4096, 50, 1024, Duration.ofSeconds(3), Duration.ofSeconds(2),
            Duration.ofSeconds(2), Duration.ofSeconds(3), 64, 32, 2, 16, 8192);

    GuardedHttpServer server;
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch blocking = new CountDownLatch(1);
    final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = GuardedHttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64, LIMITS);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        release.countDown();
        for (Socket s : sockets) {
            s.close();
        }
        server.stop(0);
    }

    private void answer(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (path.equals("/block")) {
            blocking.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (path.equals("/stream")) {
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write("hello\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return; // the stream stays open without this thread
        }
        byte[] body = ex.getRequestBody().readAllBytes();
        byte[] answer = (ex.getRequestMethod() + " " + path + " " + body.length + ":"
                + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, answer.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(answer);
        }
    }

    Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getAddress().getPort());
        s.setSoTimeout(20_000);
        sockets.add(s);
        return s;
    }

    static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** Reads one answer with a Content-Length body; returns head and body as text. */
    static String readAnswer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + head);
            }
            head.write(b);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** Whether the server closed the connection (EOF) within the socket's timeout. */
    static boolean closedByServer(Socket s) throws IOException {
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    String get(String path) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getAddress().getPort())) {
            s.setSoTimeout(20_000);
            send(s, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            return readAnswer(s);
        }
    }

    @Test
    void oneKeepAliveConnectionServesRequestAfterRequest() throws IOException {
        Socket s = connect();
        for (int i = 0; i < 50; i++) {
            send(s, "POST /n" + i + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab");
            String a = readAnswer(s);
            assertTrue(a.startsWith("HTTP/1.1 200 OK\r\n"), a);
            assertTrue(a.endsWith("POST /n" + i + " 2:ab"), a);
            assertTrue(!a.toLowerCase().contains("connection: close"), a);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        Socket s = connect();
        send(s, "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nPOST /3 HTTP/1.1\r\nContent-Length: 1\r\n\r\nz");
        assertTrue(readAnswer(s).endsWith("GET /1 0:"));
        assertTrue(readAnswer(s).endsWith("GET /2 0:"));
        assertTrue(readAnswer(s).endsWith("POST /3 1:z"));
    }

    @Test
    void requestsSentWhileAHandlerRunsAreAnsweredAfterItInOrder() throws Exception {
        Socket s = connect();
        send(s, "GET /block HTTP/1.1\r\n\r\n");
        assertTrue(blocking.await(20, TimeUnit.SECONDS), "the first request's handler runs");
        // the selector sees these bytes while the handler holds the connection: it must pause, not read them now
        send(s, "GET /2 HTTP/1.1\r\n\r\nPOST /3 HTTP/1.1\r\nContent-Length: 1\r\n\r\nz");
        release.countDown();
        assertTrue(readAnswer(s).endsWith("GET /block 0:"));
        assertTrue(readAnswer(s).endsWith("GET /2 0:"));
        assertTrue(readAnswer(s).endsWith("POST /3 1:z"));
        send(s, "GET /4 HTTP/1.1\r\n\r\n");
        assertTrue(readAnswer(s).endsWith("GET /4 0:"), "the connection reads again after the paused input");
    }

    @Test
    void aClientExpectingContinueGetsItThenItsAnswer() throws IOException {
        Socket s = connect();
        send(s, "PUT /c HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
        byte[] cont = s.getInputStream().readNBytes(25);
        assertEquals("HTTP/1.1 100 Continue\r\n\r\n", new String(cont, StandardCharsets.ISO_8859_1));
        send(s, "abcd");
        assertTrue(readAnswer(s).endsWith("PUT /c 4:abcd"));
    }

    @Test
    void aChunkedBodyIsDecodedBeforeTheHandlerRuns() throws IOException {
        Socket s = connect();
        send(s, "POST /k HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n");
        send(s, "3\r\n!!!\r\n0\r\n\r\n");
        assertTrue(readAnswer(s).endsWith("POST /k 5:hi!!!"));
    }

    @Test
    void refusalsAreJsonInTheContractsShapeAndCloseTheConnection() throws IOException {
        for (String[] c : new String[][] {
                {"GET /a%00 HTTP/1.1\r\n\r\n", "400"},
                {"GET /a%ZZ HTTP/1.1\r\n\r\n", "400"},
                {"GET / HTTP/3\r\n\r\n", "505"},
                {"POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n", "413"},
                {"GET / HTTP/1.1\r\nX: " + "y".repeat(5000) + "\r\n\r\n", "431"},
        }) {
            Socket s = connect();
            send(s, c[0]);
            String a = readAnswer(s);
            assertTrue(a.startsWith("HTTP/1.1 " + c[1] + " "), a);
            assertTrue(a.contains("Content-Type: application/json"), a);
            assertTrue(a.contains("\r\n\r\n{\"success\":false,\"message\":\""), a);
            assertTrue(a.endsWith("\"errors\":[]}"), a);
            assertTrue(closedByServer(s), "closed after " + c[1]);
        }
    }

    @Test
    void aClientStillSendingARefusedBodyReadsTheRefusalNotAReset() throws IOException {
        for (int round = 0; round < 20; round++) {
            Socket s = connect();
            send(s, "POST /big HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n" + "x".repeat(64 * 1024));
            byte[] part = new byte[16 * 1024];
            try {
                for (int i = 0; i < 100; i++) {
                    s.getOutputStream().write(part); // the server has answered by now and reads no more of it
                }
            } catch (IOException e) {
                // the server may close after its linger; what counts is that the answer arrived first
            }
            String a = readAnswer(s);
            assertTrue(a.startsWith("HTTP/1.1 413 "), a);
        }
    }

    @Test
    void stalledClientsHoldNoWorkerAndTimeOutWhileOthersAreServed() throws Exception {
        // more stalled clients than workers, queue slots and the per-address bound together, each in another phase
        List<Socket> stalled = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Socket s = connect();
            switch (i % 4) {
                case 0 -> send(s, "G");                                                    // one byte of a head
                case 1 -> send(s, "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nab");     // part of a body
                case 2 -> send(s, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"); // stalled chunk
                default -> { }                                                            // nothing at all
            }
            stalled.add(s);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            assertTrue(get("/ok").endsWith("GET /ok 0:"));
        }
        long perRequestMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) / 20;
        assertTrue(perRequestMs < 1000, "answers while 40 clients stall took " + perRequestMs + " ms each");
        assertTrue(server.openConnections() <= LIMITS.maxConnectionsPerAddress() + 1,
                "connections from one address are bounded: " + server.openConnections());
        // what was not evicted times out: the head and body deadlines are 2 s, the idle one 3 s
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.openConnections() > 0) {
            assertTrue(System.nanoTime() < deadline, "stalled connections still open: " + server.openConnections());
            Thread.sleep(50);
        }
        int timedOut408 = 0;
        for (Socket s : stalled) {
            s.setSoTimeout(2000);
            byte[] got = s.getInputStream().readAllBytes();
            if (new String(got, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 408 ")) {
                timedOut408++;
            }
        }
        assertTrue(timedOut408 > 0, "a request that never finished arriving is answered 408");
    }

    @Test
    void busyWorkersAndOpenStreamsDoNotBlockNewRequests() throws Exception {
        for (int i = 0; i < 8; i++) {
            Socket s = connect();
            send(s, "GET /stream HTTP/1.1\r\n\r\n");
            String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
            assertEquals("HTTP/1.1 200", head);
        }
        Socket busy = connect();
        send(busy, "GET /block HTTP/1.1\r\n\r\n"); // one of the two workers waits
        assertTrue(get("/ok").endsWith("GET /ok 0:"), "8 open streams and a busy worker leave room");
    }

    @Test
    void theWorkQueueOverflowsInto503NotIntoWaiting() throws Exception {
        List<Socket> waiting = new ArrayList<>();
        for (int i = 0; i < LIMITS.workers() + LIMITS.workQueue() + 4; i++) {
            Socket s = connect();
            send(s, "GET /block HTTP/1.1\r\n\r\n");
            waiting.add(s);
        }
        // the selector reads the sockets in its own order: which four are refused is not known in advance
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<Socket> answered = new ArrayList<>();
        while (answered.size() < 4) {
            assertTrue(System.nanoTime() < deadline, "only " + answered.size() + " refusals arrived");
            answered.clear();
            for (Socket s : waiting) {
                if (s.getInputStream().available() > 0) {
                    answered.add(s);
                }
            }
            Thread.sleep(20);
        }
        int refused = 0;
        List<Socket> queued = new ArrayList<>(waiting);
        for (Socket s : answered) {
            String a = readAnswer(s);
            assertTrue(a.startsWith("HTTP/1.1 503 "), a);
            assertTrue(a.contains("Retry-After: 1"), a);
            queued.remove(s);
            refused++;
        }
        assertEquals(4, refused);
        release.countDown();
        for (Socket s : queued) {
            assertTrue(readAnswer(s).startsWith("HTTP/1.1 200 "));
        }
    }

    @Test
    void aStreamWhoseClientStopsReadingIsDroppedNotBuffered() throws Exception {
        CountDownLatch streaming = new CountDownLatch(1);
        OutputStream[] out = new OutputStream[1];
        server.removeContext("/");
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, 0);
            out[0] = ex.getResponseBody();
            streaming.countDown();
        });
        Socket s = connect();
        s.setReceiveBufferSize(4096);
        send(s, "GET /events HTTP/1.1\r\n\r\n");
        assertTrue(streaming.await(20, TimeUnit.SECONDS));
        byte[] frame = "x".repeat(1000).getBytes(StandardCharsets.US_ASCII);
        IOException dropped = null;
        long t0 = System.nanoTime();
        for (int i = 0; i < 100_000 && dropped == null; i++) {
            try {
                out[0].write(frame);
                out[0].flush();
            } catch (IOException e) {
                dropped = e;
            }
        }
        assertTrue(dropped != null, "a client that never reads is dropped once its backlog passes the bound");
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 10, "writing never blocked");
    }
}
