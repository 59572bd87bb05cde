package stream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The whole filter chain over raw sockets: what another site can make a browser send, and password guessing. */
class BrowserAndGuessingGuardsTest {
    HttpApi api;
    final AtomicInteger changes = new AtomicInteger();
    final AtomicLong clock = new AtomicLong();
    final String passwordHash = SecretHash.of("correct horse");

    @BeforeEach
    void start() throws IOException {
        Routes routes = new Routes()
                .get("/healthz", c -> c.json(200, Json.object().add("status", "ok")))
                .get("/api/q", c -> c.json(200, Json.object().add("limit", String.valueOf(c.query("limit")))))
                .post("/api/stream/stop", c -> {
                    changes.incrementAndGet();
                    c.json(200, Json.object().add("success", true));
                })
                .put("/api/config/urls", c -> {
                    c.jsonBody();
                    changes.incrementAndGet();
                    c.json(200, Json.object().add("success", true));
                });
        api = new HttpApi(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), routes,
                List.of(new ErrorFilter(), new CrossSiteFilter(),
                        new AuthFilter(() -> passwordHash, () -> null, new SignInThrottle(clock::get))), null);
        api.start();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    static final String AUTH = "Authorization: Basic "
            + Base64.getEncoder().encodeToString("admin:correct horse".getBytes(StandardCharsets.UTF_8)) + "\r\n";

    String call(String method, String path, String headers, String body) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), api.port())) {
            s.setSoTimeout(20_000);
            String req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + api.port() + "\r\nConnection: close\r\n"
                    + headers + (body == null ? "" : "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                    + "\r\n") + "\r\n" + (body == null ? "" : body);
            OutputStream out = s.getOutputStream();
            out.write(req.getBytes(StandardCharsets.UTF_8));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static int status(String answer) {
        return Integer.parseInt(answer.substring(9, 12));
    }

    @ParameterizedTest(name = "Origin {0}")
    @CsvSource({
        "http://evil.example", "https://evil.example", "null", "http://127.0.0.1", "http://127.0.0.1:1",
        "http://127.0.0.1.evil.example", "file://", "http://user@127.0.0.1", "not a url", "http://localhost",
    })
    void aForeignOriginChangesNothingWhateverItsCredentials(String origin) throws IOException {
        for (String[] r : new String[][] {{"POST", "/api/stream/stop", null}, {"PUT", "/api/config/urls", "{}"},
                {"GET", "/api/q", null}}) {
            String headers = AUTH + "Origin: " + origin + "\r\n" + (r[2] == null ? "" : "Content-Type: application/json\r\n");
            String a = call(r[0], r[1], headers, r[2]);
            assertEquals(403, status(a), a);
            assertTrue(a.contains("\"success\":false"), a);
        }
        assertEquals(0, changes.get());
    }

    @Test
    void theAppliancesOwnOriginAndScriptsWithoutOneAreServed() throws IOException {
        assertEquals(200, status(call("POST", "/api/stream/stop", AUTH + "Origin: http://127.0.0.1:" + api.port() + "\r\n", null)));
        assertEquals(200, status(call("POST", "/api/stream/stop", AUTH, null)), "curl -X POST sends no Origin and no body");
        assertEquals(200, status(call("PUT", "/api/config/urls", AUTH + "Content-Type: application/json; charset=utf-8\r\n", "{}")));
        assertTrue(CrossSiteFilter.sameOrigin("https://relay.example", "relay.example"), "behind a TLS proxy");
        assertTrue(CrossSiteFilter.sameOrigin("http://Pi.Local:8080", "pi.local:8080"));
        assertTrue(CrossSiteFilter.sameOrigin("http://[::1]:8080", "[::1]:8080"));
        assertFalse(CrossSiteFilter.sameOrigin("http://pi.local:8081", "pi.local:8080"));
        assertFalse(CrossSiteFilter.sameOrigin("http://pi.local:8080", "pi.local"));
        assertFalse(CrossSiteFilter.sameOrigin("http://pi.local", null));
        assertEquals(3, changes.get());
    }

    @ParameterizedTest(name = "Content-Type {0}")
    @CsvSource(delimiter = '|', value = {
        "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp",
        "text/json", "application/json-patch+json", "''",
    })
    void aBodyNotDeclaredJsonIsRefusedEvenWithCredentials(String type) throws IOException {
        String header = type.isEmpty() ? "" : "Content-Type: " + type + "\r\n";
        String a = call("PUT", "/api/config/urls", AUTH + header, "{\"rtmp_url\":\"rtmp://127.0.0.1/live/x\"}");
        assertEquals(415, status(a), a);
        String stop = call("POST", "/api/stream/stop", AUTH + header, "x");
        assertEquals(415, status(stop), stop);
        assertEquals(0, changes.get());
    }

    @Test
    void everyAnswerForbidsFraming() throws IOException {
        for (String a : List.of(call("GET", "/healthz", "", null), call("GET", "/api/q", "", null),
                call("GET", "/api/q", AUTH, null), call("GET", "/nope", "", null), call("GET", "/a%00", "", null))) {
            assertTrue(a.contains("X-Frame-Options: DENY") || a.contains("X-frame-options: DENY"), a);
            assertTrue(a.toLowerCase().contains("content-security-policy: frame-ancestors 'none'"), a);
        }
    }

    @Test
    void aMalformedQueryIsTheContractsJsonError() throws IOException {
        String a = call("GET", "/api/q?limit=%E0%A4%A", AUTH, null);
        assertEquals(400, status(a), a);
        assertTrue(a.contains("{\"success\":false,\"message\":"), a);
        String nul = call("GET", "/api/q%00", AUTH, null);
        assertEquals(400, status(nul), nul);
        assertTrue(nul.contains("{\"success\":false,\"message\":"), nul);
    }

    @Test
    void wrongPasswordsAreSlowedPerAddressWithRetryAfter() throws IOException {
        String wrong = "Authorization: Basic " + Base64.getEncoder().encodeToString("admin:guess".getBytes(StandardCharsets.UTF_8)) + "\r\n";
        String wrongUser = "Authorization: Basic " + Base64.getEncoder().encodeToString("root:guess".getBytes(StandardCharsets.UTF_8)) + "\r\n";
        for (int i = 0; i < SignInThrottle.FREE_FAILURES; i++) {
            assertEquals(401, status(call("GET", "/api/q", i % 2 == 0 ? wrong : wrongUser, null)));
        }
        String blocked = call("GET", "/api/q", wrong, null);
        assertEquals(429, status(blocked), blocked);
        assertTrue(blocked.contains("Retry-After: 1\r\n"), blocked);
        assertEquals(429, status(call("GET", "/api/q", AUTH, null)), "while it waits even the right password is not checked");
        assertEquals(200, status(call("GET", "/healthz", "", null)), "the health check needs no credentials");
        assertEquals(401, status(call("GET", "/api/q", "", null)), "no credentials is not a guess");
        clock.addAndGet(1_100_000_000L);
        assertEquals(401, status(call("GET", "/api/q", wrong, null)));
        String longer = call("GET", "/api/q", wrong, null);
        assertTrue(longer.contains("Retry-After: 2\r\n"), "the wait doubles: " + longer);
        clock.addAndGet(2_100_000_000L);
        assertEquals(200, status(call("GET", "/api/q", AUTH, null)));
        assertEquals(401, status(call("GET", "/api/q", wrong, null)), "a correct sign-in starts the count again");
    }

    @Test
    void theWaitGrowsToAMinuteAndIsForgottenAfterAQuarterOfAnHour() {
        SignInThrottle t = new SignInThrottle(clock::get);
        InetAddress a = InetAddress.getLoopbackAddress();
        for (int i = 0; i < 30; i++) {
            t.failed(a);
        }
        assertEquals(60, t.waitSeconds(a));
        clock.addAndGet(59_500_000_000L);
        assertEquals(1, t.waitSeconds(a));
        clock.addAndGet(16L * 60 * 1_000_000_000L);
        assertEquals(0, t.waitSeconds(a));
        t.failed(a);
        assertEquals(0, t.waitSeconds(a), "forgotten: the count starts again");
        assertEquals(1, SignInThrottle.waitAfter(5));
        assertEquals(32, SignInThrottle.waitAfter(10));
        assertEquals(60, SignInThrottle.waitAfter(11));
    }
}
