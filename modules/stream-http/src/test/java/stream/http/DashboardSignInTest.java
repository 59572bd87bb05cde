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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import stream.store.Database;
import stream.store.SettingsRepository;

/** Contract §9 over raw sockets through the whole filter chain: the sign-in form's API, the cookie, the Origin rule. */
class DashboardSignInTest {
    static final Pattern COOKIE = Pattern.compile("Set-Cookie: streamrelay_session=([^;\\r\\n]*)([^\\r\\n]*)");

    HttpApi api;
    final AtomicLong clock = new AtomicLong();
    final AtomicReference<String> passwordHash = new AtomicReference<>(SecretHash.of("correct horse"));
    @TempDir
    Path tmp;
    Database db;
    ApiTokens tokens;
    final List<String> principals = new ArrayList<>();
    DashboardSessions sessions;

    @BeforeEach
    void start() throws IOException {
        SignInThrottle throttle = new SignInThrottle(clock::get);
        sessions = new DashboardSessions(passwordHash::get);
        Routes routes = new Routes()
                .get("/api/stream/status", c -> c.json(200, Json.object().add("who", c.principal())))
                .post("/api/stream/stop", c -> {
                    principals.add(c.principal());
                    c.json(200, Json.object().add("success", true));
                });
        db = Database.open(tmp.resolve("test.db"));
        SettingsRepository settings = new SettingsRepository(db);
        tokens = new ApiTokens(settings);
        new AccountRoutes(sessions, throttle, passwordHash::get, passwordHash::set, tokens).addTo(routes);
        api = new HttpApi(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), routes,
                List.of(new ErrorFilter(), new CrossSiteFilter(), new AuthFilter(passwordHash::get,
                        () -> settings.get(ApiTokens.HASH_KEY).orElse(null), throttle, sessions)), null);
        api.start();
    }

    @AfterEach
    void stop() {
        api.close();
        db.close();
    }

    String own() {
        return "Origin: http://127.0.0.1:" + api.port() + "\r\n";
    }

    String call(String method, String path, String headers, String body) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), api.port())) {
            s.setSoTimeout(20_000);
            String req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + api.port() + "\r\nConnection: close\r\n"
                    + headers + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n") + "\r\n" + (body == null ? "" : body);
            OutputStream out = s.getOutputStream();
            out.write(req.getBytes(StandardCharsets.UTF_8));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static int status(String answer) {
        return Integer.parseInt(answer.substring(9, 12));
    }

    String signIn(String password) throws IOException {
        return call("POST", "/api/session", own(), Json.object().add("password", password).toString());
    }

    String cookieOf(String answer) {
        Matcher m = COOKIE.matcher(answer);
        assertTrue(m.find(), answer);
        return "Cookie: streamrelay_session=" + m.group(1) + "\r\n";
    }

    @Test
    void theRightPasswordSetsAnHttpOnlySameSiteStrictCookieThatAuthenticates() throws IOException {
        String answer = signIn("correct horse");
        assertEquals(200, status(answer), answer);
        Matcher m = COOKIE.matcher(answer);
        assertTrue(m.find(), answer);
        assertTrue(m.group(1).length() >= 40, "a long random id");
        assertTrue(m.group(2).contains("HttpOnly") && m.group(2).contains("SameSite=Strict") && m.group(2).contains("Path=/"),
                m.group(2));
        String status = call("GET", "/api/stream/status", cookieOf(answer), null);
        assertEquals(200, status(status), status);
        assertTrue(status.endsWith("{\"who\":\"session\"}"), status);
    }

    @Test
    void aWrongPasswordIsAFieldErrorAndNoCookie() throws IOException {
        String answer = signIn("wrong");
        assertEquals(401, status(answer), answer);
        assertFalse(answer.contains("Set-Cookie"), answer);
        assertFalse(answer.toLowerCase().contains("www-authenticate"), "no browser password box on the sign-in form");
        assertTrue(answer.contains("\"field\":\"password\""), answer);
    }

    @Test
    void repeatedWrongPasswordsAreSlowedDownPerAddressAndCountWithBasicAuth() throws IOException {
        for (int i = 0; i < SignInThrottle.FREE_FAILURES; i++) {
            assertEquals(401, status(signIn("wrong " + i)));
        }
        String blocked = signIn("correct horse");
        assertEquals(429, status(blocked), "even the right password waits: " + blocked);
        assertTrue(blocked.contains("Retry-After: 1"), blocked);
        clock.addAndGet(2_000_000_000L);
        assertEquals(200, status(signIn("correct horse")), "after the wait the right password works");
    }

    @Test
    void aChangeWithTheCookieNeedsTheDashboardsOwnOrigin() throws IOException {
        String cookie = cookieOf(signIn("correct horse"));
        String noOrigin = call("POST", "/api/stream/stop", cookie, "{}");
        assertEquals(403, status(noOrigin), noOrigin);
        String foreign = call("POST", "/api/stream/stop", cookie + "Origin: http://evil.example\r\n", "{}");
        assertEquals(403, status(foreign), foreign);
        assertEquals(List.of(), principals, "nothing was changed");
        String own = call("POST", "/api/stream/stop", cookie + own(), "{}");
        assertEquals(200, status(own), own);
        assertEquals(List.of("session"), principals, "recorded as the dashboard's (change_source manual)");
        assertEquals(200, status(call("GET", "/api/stream/status", cookie, null)), "reading needs no Origin");
    }

    @Test
    void signOutEndsTheSessionAndClearsTheCookie() throws IOException {
        String cookie = cookieOf(signIn("correct horse"));
        String out = call("DELETE", "/api/session", cookie + own(), null);
        assertEquals(200, status(out), out);
        assertTrue(out.contains("Set-Cookie: streamrelay_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"), out);
        String after = call("GET", "/api/stream/status", cookie, null);
        assertEquals(401, status(after), after);
    }

    @Test
    void aMadeUpCookieIsNotASessionAndGetsNoBasicChallengeInsideThePage() throws IOException {
        String answer = call("GET", "/api/stream/status", "Cookie: streamrelay_session=made-up\r\nSec-Fetch-Mode: cors\r\n", null);
        assertEquals(401, status(answer), answer);
        assertFalse(answer.toLowerCase().contains("www-authenticate"), answer);
        String script = call("GET", "/api/stream/status", "", null);
        assertTrue(script.toLowerCase().contains("www-authenticate: basic"), "scripts still get the Basic challenge: " + script);
    }

    @Test
    void changingThePasswordNeedsTheCurrentOneAndSignsOutOtherBrowsers() throws IOException {
        String mine = cookieOf(signIn("correct horse"));
        String other = cookieOf(signIn("correct horse"));
        String wrong = call("PUT", "/api/settings/password", mine + own(),
                Json.object().add("current_password", "guess").add("new_password", "a new password").toString());
        assertEquals(400, status(wrong), wrong);
        assertTrue(wrong.contains("\"field\":\"current_password\""), wrong);
        String tooShort = call("PUT", "/api/settings/password", mine + own(),
                Json.object().add("current_password", "correct horse").add("new_password", "short").toString());
        assertEquals(400, status(tooShort), tooShort);
        assertTrue(SecretHash.matches("correct horse", passwordHash.get()), "nothing changed");
        String ok = call("PUT", "/api/settings/password", mine + own(),
                Json.object().add("current_password", "correct horse").add("new_password", "a new password").toString());
        assertEquals(200, status(ok), ok);
        assertTrue(SecretHash.matches("a new password", passwordHash.get()));
        assertFalse(ok.contains("a new password"), "the password is never echoed");
        assertEquals(200, status(call("GET", "/api/stream/status", mine, null)), "this browser stays signed in");
        assertEquals(401, status(call("GET", "/api/stream/status", other, null)), "the other one is signed out");
        assertEquals(401, status(signIn("correct horse")), "the old password no longer signs in");
    }

    @Test
    void revokingTheTokenStopsBearerAuthentication() throws IOException {
        String token = tokens.rotate();
        assertTrue(tokens.isSet());
        assertEquals(200, status(call("GET", "/api/stream/status", "Authorization: Bearer " + token + "\r\n", null)));
        String cookie = cookieOf(signIn("correct horse"));
        String revoked = call("DELETE", "/api/settings/token", cookie + own(), null);
        assertEquals(200, status(revoked), revoked);
        assertFalse(tokens.isSet());
        assertEquals(401, status(call("GET", "/api/stream/status", "Authorization: Bearer " + token + "\r\n", null)));
    }
}
