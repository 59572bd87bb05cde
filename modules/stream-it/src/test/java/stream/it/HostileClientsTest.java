package stream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running image against what another device on the LAN, or another web site through the admin's browser, can
 * send: stalled and slow connections, cross-site requests, bodies not declared JSON, framing, malformed requests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileClientsTest {
    static final String BASIC = "Basic " + Base64.getEncoder().encodeToString(
            ("admin:" + ApplianceProcess.PASSWORD).getBytes(StandardCharsets.UTF_8));

    @TempDir
    static Path tmp;
    ApplianceProcess app;
    int port;

    @BeforeAll
    void start() throws Exception {
        port = ImageTest.freePort();
        app = new ApplianceProcess(tmp.resolve("data"), port).start(null);
    }

    @AfterAll
    void stop() throws Exception {
        app.close();
    }

    Socket open() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        s.setSoTimeout(30_000);
        return s;
    }

    /** One request on its own connection; the whole answer as text. */
    String call(String method, String path, String headers, String body) throws IOException {
        try (Socket s = open()) {
            String req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n"
                    + headers + (body == null ? "" : "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                    + "\r\n") + "\r\n" + (body == null ? "" : body);
            s.getOutputStream().write(req.getBytes(StandardCharsets.UTF_8));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static int status(String answer) {
        return Integer.parseInt(answer.substring(9, 12));
    }

    static String body(String answer) {
        return answer.substring(answer.indexOf("\r\n\r\n") + 4);
    }

    JsonObject config() throws IOException {
        return Json.parse(body(call("GET", "/api/config?reveal=true", "Authorization: " + BASIC + "\r\n", null))).asObject();
    }

    long timedMs(String path, String headers) throws IOException {
        long t0 = System.nanoTime();
        String a = call("GET", path, headers, null);
        assertEquals(200, status(a), a);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    @Test
    void fiveHundredStalledConnectionsNeitherSilenceItNorStayOpen() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        String[] shapes = {
            "G",                                                                             // one byte, then nothing
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ",                                 // slowloris head
            "PUT /api/config/urls HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"a",
            "POST /api/stream/stop HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nab", // stalled chunk, no auth
            "PUT /api/config HTTP/1.1\r\nAuthorization: " + BASIC + "\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n",                // stalled chunk, with auth
            "",                                                                             // connected, silent
        };
        try {
            for (int i = 0; i < 500; i++) {
                Socket s = open();
                String shape = shapes[i % shapes.length];
                if (!shape.isEmpty()) {
                    s.getOutputStream().write(shape.getBytes(StandardCharsets.UTF_8));
                }
                stalled.add(s);
            }
            // dashboards' event streams never hold a request thread either
            List<Socket> streams = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Socket s = open();
                s.getOutputStream().write(("GET /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: " + BASIC + "\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
                assertEquals("HTTP/1.1 200", new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII));
                streams.add(s);
            }
            stalled.addAll(streams);
            long worstHealth = 0;
            long worstStatus = 0;
            for (int i = 0; i < 10; i++) {
                worstHealth = Math.max(worstHealth, timedMs("/healthz", ""));
                worstStatus = Math.max(worstStatus, timedMs("/api/stream/status", "Authorization: " + BASIC + "\r\n"));
            }
            // the goal (100 ms) is measured by bench/api.sh; here: answered at once, not after the stalls time out
            assertTrue(worstHealth < 3000 && worstStatus < 3000, "health " + worstHealth + " ms, status " + worstStatus + " ms");

            // the server closes what it cannot keep: beyond the per-address bound at once, the rest at their deadlines
            int closed = 0;
            for (Socket s : stalled.subList(0, 500)) {
                s.setSoTimeout(60_000);
                try {
                    InputStream in = s.getInputStream();
                    byte[] rest = in.readAllBytes();
                    String text = new String(rest, StandardCharsets.ISO_8859_1);
                    assertTrue(text.isEmpty() || text.startsWith("HTTP/1.1 408 ") || text.startsWith("HTTP/1.1 401 "), text);
                    closed++;
                } catch (SocketTimeoutException e) {
                    // still open after a minute: counted as not closed
                } catch (IOException e) {
                    closed++; // reset
                }
            }
            assertEquals(500, closed, "every stalled connection is closed by the server within its deadlines");
            assertEquals(200, status(call("GET", "/healthz", "", null)));
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void anotherSitesRequestsChangeNothing() throws Exception {
        JsonObject before = config();
        String auth = "Authorization: " + BASIC + "\r\n";
        String json = "Content-Type: application/json\r\n";
        String hijack = "{\"rtsp_url\":\"rtsp://127.0.0.1:1/evil\",\"rtmp_url\":\"rtmp://127.0.0.1:1/live/evil\"}";
        for (String origin : List.of("http://evil.example", "null", "http://127.0.0.1", "http://127.0.0.1:" + (port + 1),
                "https://127.0.0.1:" + port + ".evil.example")) {
            String o = "Origin: " + origin + "\r\n";
            assertEquals(403, status(call("PUT", "/api/config/urls", auth + json + o, hijack)), origin);
            assertEquals(403, status(call("POST", "/api/stream/start", auth + json + o, hijack)), origin);
            assertEquals(403, status(call("POST", "/api/stream/control", auth + json + o, "{\"action\":\"start\"}")), origin);
            assertEquals(403, status(call("PUT", "/api/settings", auth + json + o, "{\"sse_enabled\":false}")), origin);
            assertEquals(403, status(call("POST", "/api/settings/token", auth + o, null)), origin);
            assertEquals(403, status(call("GET", "/api/config?reveal=true", auth + o, null)), origin);
        }
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=b")) {
            String t = "Content-Type: " + type + "\r\n";
            assertEquals(415, status(call("PUT", "/api/config/urls", auth + t, hijack)), type);
            assertEquals(415, status(call("POST", "/api/stream/start", auth + t, hijack)), type);
            assertEquals(415, status(call("PUT", "/api/config", auth + t, "{\"auto_restart\":false}")), type);
        }
        assertEquals(415, status(call("PUT", "/api/config/urls", auth, hijack)), "a body without a declared type");
        assertEquals(before.toString(), config().toString(), "nothing changed");
        assertEquals("stopped", Json.parse(body(call("GET", "/api/stream/status", auth, null))).asObject()
                .getString("state", ""));

        // the appliance's own page and a script are served
        String own = "Origin: http://127.0.0.1:" + port + "\r\n";
        assertEquals(200, status(call("PUT", "/api/config", auth + json + own, "{\"auto_restart\":true}")));
        assertEquals(200, status(call("POST", "/api/stream/stop", auth, null)), "curl -X POST .../stop");
    }

    @Test
    void noAnswerCanBeFramedByAnotherSite() throws Exception {
        for (String a : List.of(call("GET", "/healthz", "", null), call("GET", "/api/stream/status", "", null),
                call("GET", "/api/stream/status", "Authorization: " + BASIC + "\r\n", null),
                call("GET", "/", "", null), call("GET", "/nothing-here", "", null), call("GET", "/%00", "", null))) {
            assertTrue(a.contains("\r\nX-Frame-Options: DENY\r\n"), a);
            assertTrue(a.contains("frame-ancestors 'none'"), a);
            assertTrue(a.contains("\r\nX-Content-Type-Options: nosniff\r\n"), a);
        }
    }

    @Test
    void malformedRequestsGetTheContractsJsonError() throws Exception {
        String auth = "Authorization: " + BASIC + "\r\n";
        for (String path : List.of("/api/logs?limit=%zz", "/api/logs?limit=%E0%A4%A", "/api/%00", "/%00/../etc/passwd",
                "/api/stream/status%00", "/api/logs?%=1")) {
            String a = call("GET", path, auth, null);
            assertEquals(400, status(a), path + ": " + a);
            assertTrue(body(a).startsWith("{\"success\":false,\"message\":\""), a);
        }
        String smuggle = call("POST", "/api/stream/stop", auth + "Transfer-Encoding: chunked\r\n", "0\r\n\r\n");
        assertEquals(400, status(smuggle), "Content-Length and Transfer-Encoding together: " + smuggle);
        assertTrue(app.log().lines().noneMatch(l -> l.contains("SEVERE") || l.contains("Exception")), app.log());
    }

    @Test
    void wrongPasswordsAreSlowedWithRetryAfter() throws Exception {
        try (ApplianceProcess other = new ApplianceProcess(tmp.resolve("throttled"), ImageTest.freePort()).start(null)) {
            int otherPort = other.uri("/").getPort();
            String wrong = "Authorization: Basic " + Base64.getEncoder().encodeToString("admin:guess".getBytes(StandardCharsets.UTF_8));
            String wrongUser = "Authorization: Basic " + Base64.getEncoder().encodeToString("root:guess".getBytes(StandardCharsets.UTF_8));
            String bearer = "Authorization: Bearer srt_guess";
            List<Integer> codes = new ArrayList<>();
            String refusal = "";
            for (int i = 0; i < 20; i++) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), otherPort)) {
                    s.setSoTimeout(30_000);
                    String h = i % 3 == 0 ? wrong : i % 3 == 1 ? wrongUser : bearer;
                    s.getOutputStream().write(("GET /api/stream/status HTTP/1.1\r\nConnection: close\r\n" + h + "\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
                    String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    codes.add(status(answer));
                    if (status(answer) == 429) {
                        refusal = answer;
                    }
                }
            }
            assertEquals(List.of(401, 401, 401, 401, 401), codes.subList(0, 5));
            // a slow machine may let a wait run out between two attempts: then one more is checked, and fails
            assertTrue(codes.subList(5, 20).stream().allMatch(c -> c == 429 || c == 401), codes.toString());
            assertTrue(codes.subList(5, 20).stream().filter(c -> c == 429).count() >= 10, codes.toString());
            assertTrue(refusal.contains("\r\nRetry-After: "), refusal);
            assertEquals(200, other.get("/healthz", false).statusCode());
        }
    }
}
