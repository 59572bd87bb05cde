package stream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import stream.core.ValidationException;

/** The filter chain on a real jdk.httpserver on 127.0.0.1: every route passes error mapping and authentication. */
class HttpApiTest {
    @TempDir
    Path web;
    HttpApi api;
    final HttpClient client = HttpClient.newHttpClient();
    volatile String passwordHash = SecretHash.of("correct horse");
    volatile String tokenHash = SecretHash.of("srt_token");

    @BeforeEach
    void start() throws IOException {
        Files.writeString(web.resolve("index.html"), "<h1>dashboard</h1>");
        Routes routes = new Routes()
                .get("/healthz", c -> c.json(200, Json.object().add("status", "ok")))
                .get("/api/echo", c -> c.json(200, Json.object().add("who", c.principal())))
                .post("/api/body", c -> c.json(200, c.jsonBody()))
                .get("/api/invalid", c -> {
                    throw new ValidationException("rtsp_url", "must start with rtsp://");
                })
                .get("/api/boom", c -> {
                    throw new IllegalStateException("rtmp://127.0.0.1/live/secret-key exploded");
                });
        api = new HttpApi(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), routes,
                List.of(new ErrorFilter(), new AuthFilter(() -> passwordHash, () -> tokenHash)), new StaticFiles(web));
        api.start();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    HttpResponse<String> send(String method, String path, String auth, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void healthAndDashboardFilesAreOpenEverythingUnderApiIsNot() throws Exception {
        assertEquals(200, send("GET", "/healthz", null, null).statusCode());
        assertEquals("<h1>dashboard</h1>", send("GET", "/", null, null).body());
        HttpResponse<String> denied = send("GET", "/api/echo", null, null);
        assertEquals(401, denied.statusCode());
        assertTrue(denied.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
        assertEquals(401, send("GET", "/api/echo", basic("admin", "wrong"), null).statusCode());
        assertEquals(401, send("GET", "/api/echo", basic("root", "correct horse"), null).statusCode());
        assertEquals(401, send("GET", "/api/echo", "Bearer nope", null).statusCode());
        assertEquals(401, send("GET", "/api/nosuch", null, null).statusCode(), "unknown API paths reveal nothing either");
        assertEquals(401, send("GET", "/metrics", null, null).statusCode());
    }

    @Test
    void basicAndBearerAreAcceptedAndNamed() throws Exception {
        assertEquals("{\"who\":\"basic\"}", send("GET", "/api/echo", basic("admin", "correct horse"), null).body());
        assertEquals("{\"who\":\"basic\"}", send("GET", "/api/echo", basic("admin", "correct horse"), null).body(),
                "a remembered credential still works");
        assertEquals("{\"who\":\"bearer\"}", send("GET", "/api/echo", "Bearer srt_token", null).body());
    }

    /** Requests one after another on one keep-alive connection; each answer's status and body. */
    static final class OneConnection implements AutoCloseable {
        final java.net.Socket socket;
        final java.io.DataInputStream in;

        OneConnection(int port) throws IOException {
            socket = new java.net.Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(30_000);
            in = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
        }

        String get(String path, String auth) throws IOException {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + (auth == null ? "" : "Authorization: " + auth + "\r\n") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed after " + head);
                }
                head.append((char) b);
            }
            var m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
            byte[] body = new byte[m.find() ? Integer.parseInt(m.group(1)) : 0];
            in.readFully(body);
            return head.substring(9, 12) + " " + new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void aCredentialRememberedOnAConnectionStopsWorkingTheMomentTheStoredHashChanges() throws Exception {
        try (OneConnection c = new OneConnection(api.port())) {
            assertEquals("200 {\"who\":\"bearer\"}", c.get("/api/echo", "Bearer srt_token"));
            assertEquals("200 {\"who\":\"bearer\"}", c.get("/api/echo", "Bearer srt_token"), "remembered");
            assertEquals(401, Integer.parseInt(c.get("/api/echo", "Bearer srt_tokeN").substring(0, 3)),
                    "another header on the same connection is verified, not taken for the remembered one");
            assertEquals(401, Integer.parseInt(c.get("/api/echo", "Bearer srt_toke").substring(0, 3)), "nor a prefix of it");
            assertEquals("200 {\"who\":\"bearer\"}", c.get("/api/echo", "Bearer srt_token"));
            tokenHash = ""; // revoked
            assertEquals(401, Integer.parseInt(c.get("/api/echo", "Bearer srt_token").substring(0, 3)),
                    "a revoked token fails at the next call on the connection that used it");
            tokenHash = SecretHash.of("srt_new");
            assertEquals(401, Integer.parseInt(c.get("/api/echo", "Bearer srt_token").substring(0, 3)));
            assertEquals("200 {\"who\":\"bearer\"}", c.get("/api/echo", "Bearer srt_new"));

            assertEquals("200 {\"who\":\"basic\"}", c.get("/api/echo", basic("admin", "correct horse")));
            assertEquals("200 {\"who\":\"basic\"}", c.get("/api/echo", basic("admin", "correct horse")));
            passwordHash = SecretHash.of("new password");
            assertEquals(401, Integer.parseInt(c.get("/api/echo", basic("admin", "correct horse")).substring(0, 3)),
                    "a changed password applies at the next call on the same connection");
            assertEquals("200 {\"who\":\"basic\"}", c.get("/api/echo", basic("admin", "new password")));
        }
    }

    @Test
    void connectionsThatBringTheSameNewCredentialAtOnceWaitForOneCheckOfIt() throws Exception {
        api.close();
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AuthFilter auth = new AuthFilter(() -> passwordHash, () -> tokenHash, () -> passwordHash, () -> tokenHash,
                new SignInThrottle(), null, (secret, stored) -> {
                    checks.incrementAndGet();
                    try {
                        release.await(); // a PBKDF2 that takes as long as the test wants
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return SecretHash.matches(secret, stored);
                });
        api = new HttpApi(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new Routes().get("/api/echo", c -> c.json(200, Json.object().add("who", c.principal()))),
                List.of(new ErrorFilter(), auth), null);
        api.start();
        int connections = 6; // fewer than the server's 8 workers
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(connections);
        try {
            List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < connections; i++) {
                answers.add(clients.submit(() -> {
                    try (OneConnection c = new OneConnection(api.port())) {
                        return c.get("/api/echo", "Bearer srt_token") + " " + c.get("/api/echo", "Bearer srt_token");
                    }
                }));
            }
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (workersWaitingForAnotherCheck() < connections - 1) {
                assertTrue(System.nanoTime() < deadline, "the other connections wait for the one check; checks run: "
                        + checks.get() + ", waiting: " + workersWaitingForAnotherCheck());
                Thread.onSpinWait();
            }
            assertEquals(1, checks.get(), "one check while it lasts");
            release.countDown();
            for (var answer : answers) {
                assertEquals("200 {\"who\":\"bearer\"} 200 {\"who\":\"bearer\"}",
                        answer.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertEquals(1, checks.get(), "once verified, remembered for every connection");

            assertEquals(401, send("GET", "/api/echo", "Bearer srt_wrong", null).statusCode());
            assertEquals(401, send("GET", "/api/echo", "Bearer srt_wrong", null).statusCode());
            assertEquals(3, checks.get(), "a failed check is not remembered: each wrong try costs a check");
        } finally {
            release.countDown();
            clients.shutdownNow();
        }
    }

    /** Server workers blocked in AuthFilter waiting for a check another worker runs. */
    private static long workersWaitingForAnotherCheck() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith("http-"))
                .filter(e -> java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getMethodName().equals("join")
                        && f.getClassName().equals("java.util.concurrent.CompletableFuture")))
                .filter(e -> java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().equals(
                        AuthFilter.class.getName())))
                .count();
    }

    @Test
    void aNonBlockingRouteRunsOnTheSelectorThreadOnlyWithACredentialAlreadyVerifiedOnItsConnection() throws Exception {
        api.close();
        java.util.concurrent.atomic.AtomicBoolean hashAtHand = new java.util.concurrent.atomic.AtomicBoolean(true);
        Routes routes = new Routes()
                .getNonBlocking("/api/where", c -> c.json(200, Json.object().add("who", c.principal())
                        .add("thread", Thread.currentThread().getName())))
                .getNonBlocking("/api/later", c -> {
                    if (stream.http.server.GuardedHttpServer.onSelectorThread()) {
                        throw new stream.http.server.NeedsWorkerThread(); // as a handler that finds it would wait
                    }
                    c.json(200, Json.object().add("thread", Thread.currentThread().getName()));
                })
                .get("/api/blocking", c -> c.json(200, Json.object().add("thread", Thread.currentThread().getName())));
        api = new HttpApi(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), routes,
                List.of(new ErrorFilter(), new CrossSiteFilter(), new AuthFilter(() -> passwordHash, () -> tokenHash,
                        () -> hashAtHand.get() ? passwordHash : null, () -> hashAtHand.get() ? tokenHash : null,
                        new SignInThrottle(), null)), new StaticFiles(web));
        api.start();
        try (OneConnection c = new OneConnection(api.port())) {
            assertTrue(c.get("/api/where", "Bearer srt_token").matches("200 \\{\"who\":\"bearer\",\"thread\":\"http-\\d+\"}"),
                    "verified for the first time: on a worker");
            assertEquals("200 {\"who\":\"bearer\",\"thread\":\"http-selector\"}", c.get("/api/where", "Bearer srt_token"));
            assertTrue(c.get("/api/blocking", "Bearer srt_token").contains("\"thread\":\"http-"),
                    "a route not declared non-blocking: on a worker");
            assertFalse(c.get("/api/blocking", "Bearer srt_token").contains("http-selector"));
            assertTrue(c.get("/api/later", "Bearer srt_token").matches("200 \\{\"thread\":\"http-\\d+\"}"),
                    "what finds on the selector that it would wait runs again on a worker, and answers once");
            assertEquals(401, Integer.parseInt(c.get("/api/where", null).substring(0, 3)));
            assertEquals(401, Integer.parseInt(c.get("/api/where", "Bearer srt_wrong").substring(0, 3)));
            assertEquals("200 {\"who\":\"bearer\",\"thread\":\"http-selector\"}", c.get("/api/where", "Bearer srt_token"));
            hashAtHand.set(false);
            assertTrue(c.get("/api/where", "Bearer srt_token").matches("200 \\{\"who\":\"bearer\",\"thread\":\"http-\\d+\"}"),
                    "a stored hash not at hand is read on a worker");
            hashAtHand.set(true);
            tokenHash = SecretHash.of("srt_rotated");
            assertEquals(401, Integer.parseInt(c.get("/api/where", "Bearer srt_token").substring(0, 3)),
                    "a rotated token fails at once, hashed on a worker");
            assertTrue(c.get("/api/where", "Bearer srt_rotated").contains("http-"));
            assertFalse(c.get("/api/where", "Bearer srt_rotated").contains("http-1\""), "remembered again");
            assertEquals("200 {\"who\":\"bearer\",\"thread\":\"http-selector\"}", c.get("/api/where", "Bearer srt_rotated"));
        }
        try (OneConnection other = new OneConnection(api.port())) {
            assertFalse(other.get("/api/where", "Bearer srt_rotated").contains("http-selector"),
                    "what one connection verified is not taken for verified on another");
        }
    }

    @Test
    void errorsHaveTheContractsShapeAndNoSecrets() throws Exception {
        String auth = basic("admin", "correct horse");
        var invalid = Json.parse(send("GET", "/api/invalid", auth, null).body()).asObject();
        assertFalse(invalid.getBoolean("success", true));
        assertEquals("rtsp_url", invalid.get("errors").asArray().get(0).asObject().getString("field", ""));
        HttpResponse<String> boom = send("GET", "/api/boom", auth, null);
        assertEquals(500, boom.statusCode());
        assertFalse(boom.body().contains("secret-key"), boom.body());
        assertEquals(404, send("GET", "/api/nosuch", auth, null).statusCode());
        HttpResponse<String> wrongMethod = send("DELETE", "/api/echo", auth, null);
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("GET", wrongMethod.headers().firstValue("Allow").orElse(""));
        assertEquals(400, send("POST", "/api/body", auth, "{not json").statusCode());
        assertEquals(400, send("POST", "/api/body", auth, "[1]").statusCode());
        assertEquals(400, send("POST", "/api/body", auth, "[".repeat(60_000)).statusCode(), "no stack overflow");
        assertEquals(413, send("POST", "/api/body", auth, "{\"a\":\"" + "x".repeat(70_000) + "\"}").statusCode());
        assertEquals("{\"a\":1}", send("POST", "/api/body", auth, "{\"a\":1}").body());
        assertEquals(404, send("GET", "/../../etc/passwd", null, null).statusCode());
    }
}
