package stream.http;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import stream.core.FieldError;
import stream.core.ValidationException;

/**
 * Signing in and out of the dashboard (contract §9), changing the admin password, and revoking the API token:
 * {@code POST /api/session}, {@code DELETE /api/session}, {@code PUT /api/settings/password},
 * {@code DELETE /api/settings/token}.
 */
public final class AccountRoutes {
    static final int MIN_PASSWORD = 8;
    static final int MAX_PASSWORD = 1024;

    private final DashboardSessions sessions;
    private final SignInThrottle throttle;
    private final Supplier<String> adminPasswordHash;
    private final Consumer<String> storeAdminPasswordHash;
    private final ApiTokens tokens;

    /**
     * @param throttle the same one the auth filter uses, so guessing through the form and through Basic auth add up
     * @param storeAdminPasswordHash stores a new admin password's hash (never the password)
     */
    public AccountRoutes(DashboardSessions sessions, SignInThrottle throttle, Supplier<String> adminPasswordHash,
                         Consumer<String> storeAdminPasswordHash, ApiTokens tokens) {
        this.sessions = sessions;
        this.throttle = throttle;
        this.adminPasswordHash = adminPasswordHash;
        this.storeAdminPasswordHash = storeAdminPasswordHash;
        this.tokens = tokens;
    }

    /** Adds these routes to {@code routes} and returns it. */
    public Routes addTo(Routes routes) {
        return routes
                .post("/api/session", this::signIn)
                .add("DELETE", "/api/session", this::signOut)
                .put("/api/settings/password", this::changePassword)
                .add("DELETE", "/api/settings/token", this::revokeToken);
    }

    private void signIn(HttpCall call) throws IOException {
        long wait = throttle.waitSeconds(call.clientAddress());
        if (wait > 0) {
            call.setHeader("Retry-After", Long.toString(wait));
            throw new HttpError(429, "Too many wrong passwords from this address; try again in " + wait + " s");
        }
        JsonValue password = call.jsonBody().get("password");
        if (password == null || !password.isString() || password.asString().isEmpty()) {
            throw new ValidationException("password", "is required");
        }
        if (!SecretHash.matches(password.asString(), adminPasswordHash.get())) {
            throttle.failed(call.clientAddress());
            throw new HttpError(401, "Wrong password", List.of(new FieldError("password", "is not the admin password")));
        }
        throttle.succeeded(call.clientAddress());
        String id = sessions.open();
        call.setHeader("Set-Cookie", cookie(id, -1));
        call.json(200, Json.object().add("success", true).add("message", "Signed in")
                .add("idle_timeout_s", sessions.idleSeconds()));
    }

    private void signOut(HttpCall call) throws IOException {
        sessions.close(DashboardSessions.fromCookieHeader(call.header("Cookie")));
        call.setHeader("Set-Cookie", cookie("", 0));
        call.json(200, Json.object().add("success", true).add("message", "Signed out"));
    }

    private void changePassword(HttpCall call) throws IOException {
        JsonObject body = call.jsonBody();
        JsonValue current = body.get("current_password");
        JsonValue next = body.get("new_password");
        if (current == null || !current.isString() || !SecretHash.matches(current.asString(), adminPasswordHash.get())) {
            // a signed-in browser left open must not be enough to lock its owner out
            throttle.failed(call.clientAddress());
            throw new ValidationException("current_password", "is not the current admin password");
        }
        if (next == null || !next.isString() || next.asString().length() < MIN_PASSWORD
                || next.asString().length() > MAX_PASSWORD) {
            throw new ValidationException("new_password", "must be " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
        }
        if (next.asString().chars().anyMatch(Character::isISOControl)) {
            throw new ValidationException("new_password", "must not contain control characters");
        }
        storeAdminPasswordHash.accept(SecretHash.of(next.asString()));
        // other browsers signed in under the old password are signed out; this one stays
        sessions.closeAllBut("session".equals(call.principal())
                ? DashboardSessions.fromCookieHeader(call.header("Cookie")) : null);
        call.json(200, Json.object().add("success", true).add("errors", new JsonArray())
                .add("message", "Password changed; other signed-in browsers are signed out"));
    }

    private void revokeToken(HttpCall call) throws IOException {
        boolean was = tokens.isSet();
        tokens.revoke();
        call.json(200, Json.object().add("success", true)
                .add("message", was ? "API token revoked; it no longer works" : "There was no API token"));
    }

    private static String cookie(String value, int maxAge) {
        return DashboardSessions.COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict"
                + (maxAge >= 0 ? "; Max-Age=" + maxAge : "");
    }
}
