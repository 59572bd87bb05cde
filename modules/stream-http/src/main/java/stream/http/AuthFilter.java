package stream.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import stream.http.server.GuardedHttpServer;
import stream.http.server.NeedsWorkerThread;

/**
 * Lets a call through only with HTTP Basic {@code admin:<password>}, a Bearer API token (both checked against the
 * stored hashes) or the dashboard's session cookie; {@code /healthz}, signing in and out, and the dashboard's static
 * files are open. A change made with the cookie must carry the dashboard's own {@code Origin}: the cookie is sent by
 * the browser on its own, so only the Origin tells that the dashboard's page, not another site, asked for it.
 */
public final class AuthFilter implements Filter {
    /** Paths anyone may call: the health check, for monitors and the installer. */
    private static final Set<String> OPEN = Set.of("/healthz", "/api/session");

    private static final int MAX_REMEMBERED = 32;
    /** SHA-256 of a verified secret, and the stored hash it was verified against. */
    private final java.util.Map<java.nio.ByteBuffer, String> verifiedKeys =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Checks under way: the same secret against the same stored hash, and the one check's result to come. */
    private final java.util.Map<Check, CompletableFuture<Boolean>> checking =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final BiPredicate<String, String> secretMatches;
    private final Supplier<String> adminPasswordHash;
    private final Supplier<String> apiTokenHash;
    private final Supplier<String> adminPasswordHashAtHand;
    private final Supplier<String> apiTokenHashAtHand;
    private final SignInThrottle throttle;
    private final DashboardSessions sessions;

    /** The suppliers are read at every call, so a changed password or token applies at once. */
    public AuthFilter(Supplier<String> adminPasswordHash, Supplier<String> apiTokenHash) {
        this(adminPasswordHash, apiTokenHash, new SignInThrottle());
    }

    public AuthFilter(Supplier<String> adminPasswordHash, Supplier<String> apiTokenHash, SignInThrottle throttle) {
        this(adminPasswordHash, apiTokenHash, throttle, null);
    }

    /** With {@code sessions}, the dashboard's session cookie is accepted too (null: Basic and Bearer only). */
    public AuthFilter(Supplier<String> adminPasswordHash, Supplier<String> apiTokenHash, SignInThrottle throttle,
                      DashboardSessions sessions) {
        this(adminPasswordHash, apiTokenHash, () -> null, () -> null, throttle, sessions);
    }

    /**
     * With the stored hashes also as they are at hand: those suppliers must never wait (no database read, no lock)
     * and give null when the value is not in memory. With them, a call whose credential was verified on its
     * connection can be decided on the server's selector thread ({@link #decidesWithoutWaiting}).
     */
    public AuthFilter(Supplier<String> adminPasswordHash, Supplier<String> apiTokenHash,
                      Supplier<String> adminPasswordHashAtHand, Supplier<String> apiTokenHashAtHand,
                      SignInThrottle throttle, DashboardSessions sessions) {
        this(adminPasswordHash, apiTokenHash, adminPasswordHashAtHand, apiTokenHashAtHand, throttle, sessions,
                SecretHash::matches);
    }

    /** With {@code secretMatches} in place of {@link SecretHash#matches} (tests count the checks with it). */
    AuthFilter(Supplier<String> adminPasswordHash, Supplier<String> apiTokenHash,
               Supplier<String> adminPasswordHashAtHand, Supplier<String> apiTokenHashAtHand,
               SignInThrottle throttle, DashboardSessions sessions, BiPredicate<String, String> secretMatches) {
        this.secretMatches = secretMatches;
        this.adminPasswordHash = adminPasswordHash;
        this.apiTokenHash = apiTokenHash;
        this.adminPasswordHashAtHand = adminPasswordHashAtHand;
        this.apiTokenHashAtHand = apiTokenHashAtHand;
        this.throttle = throttle;
        this.sessions = sessions;
    }

    @Override
    public void filter(HttpCall call, Handler next) throws IOException {
        String path = call.path();
        if (OPEN.contains(path) || !(path.startsWith("/api/") || path.equals("/metrics"))) {
            next.handle(call);
            return;
        }
        if (GuardedHttpServer.onSelectorThread() && !decidesWithoutWaiting(call)) {
            throw new NeedsWorkerThread();
        }
        String authorization = call.header("Authorization");
        String sessionId = sessions == null ? null : DashboardSessions.fromCookieHeader(call.header("Cookie"));
        if (authorization == null && sessionId != null && sessions.touch(sessionId)) {
            if (changes(call.method()) && !CrossSiteFilter.sameOrigin(String.valueOf(call.header("Origin")),
                    call.header("Host"))) {
                throw new HttpError(403, "A change made with the dashboard's session must come from the dashboard's own page");
            }
            call.principal("session");
            next.handle(call);
            return;
        }
        if (authorization != null) {
            long wait = throttle.waitSeconds(call.clientAddress());
            if (wait > 0) {
                call.setHeader("Retry-After", Long.toString(wait));
                throw new HttpError(429, "Too many wrong sign-ins from this address; try again in " + wait + " s");
            }
        }
        String principal = authenticate(call, authorization);
        if (principal == null) {
            if (authorization != null) {
                throttle.failed(call.clientAddress());
            }
            String fetchMode = call.header("Sec-Fetch-Mode");
            if (sessionId == null && (fetchMode == null || fetchMode.equals("navigate"))) {
                // only for scripts and a typed-in address: on the dashboard's own requests a Basic challenge would
                // pop up the browser's password box instead of its sign-in page
                call.setHeader("WWW-Authenticate", "Basic realm=\"streamrelay\", charset=\"UTF-8\"");
            }
            throw new HttpError(401, "Authentication required: HTTP Basic admin:<password> or a Bearer API token");
        }
        throttle.succeeded(call.clientAddress());
        call.principal(principal);
        next.handle(call);
    }

    /**
     * Open paths, and a call whose credential was verified on its connection against the stored hash still current:
     * neither needs a password hashed. Everything else (a credential seen for the first time, a session, no
     * credential) goes to a worker.
     */
    @Override
    public boolean decidesWithoutWaiting(HttpCall call) {
        String path = call.path();
        if (OPEN.contains(path) || !(path.startsWith("/api/") || path.equals("/metrics"))) {
            return true;
        }
        String authorization = call.header("Authorization");
        if (authorization == null || !(call.connectionValue() instanceof VerifiedOnConnection known)) {
            return false;
        }
        String atHand = hashAtHand(known.principal());
        return atHand != null && known.matches(authorization, atHand);
    }

    private String hashAtHand(String principal) {
        return principal.equals("basic") ? adminPasswordHashAtHand.get() : apiTokenHashAtHand.get();
    }

    /** The stored hash now; on the selector thread only as it is at hand, else the call goes to a worker. */
    private String currentHash(String principal) {
        if (GuardedHttpServer.onSelectorThread()) {
            String atHand = hashAtHand(principal);
            if (atHand == null) {
                throw new NeedsWorkerThread();
            }
            return atHand;
        }
        return principal.equals("basic") ? adminPasswordHash.get() : apiTokenHash.get();
    }

    private static boolean changes(String method) {
        return !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
    }

    /**
     * A credential verified on this connection, with the stored hash it matched: the next call on the same keep-alive
     * connection that sends the very same header is let through without hashing anything (a SHA-256 a call was a
     * tenth of the server's time under load), as long as the stored hash is still that one: a new password, a rotated
     * or revoked token takes effect at the next call. The header lives as long as the connection, which sends it
     * with every call anyway.
     */
    private record VerifiedOnConnection(String header, String storedHash, String principal) {
        boolean matches(String header, String currentHash) {
            return storedHash.equals(currentHash) && sameInConstantTime(this.header, header);
        }

        @Override
        public String toString() {
            return "verified " + principal + " credential"; // never the header
        }
    }

    private String authenticate(HttpCall call, String header) {
        if (header == null) {
            return null;
        }
        if (call.connectionValue() instanceof VerifiedOnConnection known
                && known.matches(header, currentHash(known.principal()))) {
            return known.principal();
        }
        VerifiedOnConnection verified = authenticate(header);
        if (verified == null) {
            return null;
        }
        call.connectionValue(verified);
        return verified.principal();
    }

    /** Equal length and characters, in a time that depends on the length only. */
    static boolean sameInConstantTime(String a, String b) {
        if (a.length() != b.length()) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < a.length(); i++) {
            diff |= a.charAt(i) ^ b.charAt(i);
        }
        return diff == 0;
    }

    /** The credential with the stored hash it was verified against, or null. */
    private VerifiedOnConnection authenticate(String header) {
        if (GuardedHttpServer.onSelectorThread()) {
            // the stored hash changed since decidesWithoutWaiting looked: this may take PBKDF2's time
            throw new NeedsWorkerThread();
        }
        if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return null;
            }
            // the password is checked whatever the user name, and the name compared in constant time: a wrong name
            // must cost what a wrong password costs, or the time of the answer tells which one was wrong
            boolean userOk = MessageDigest.isEqual(decoded.substring(0, colon).getBytes(StandardCharsets.UTF_8),
                    "admin".getBytes(StandardCharsets.UTF_8));
            String password = decoded.substring(colon + 1);
            if (!userOk) {
                secretMatches.test(password, adminPasswordHash.get()); // spent for its time only
                return null;
            }
            String storedHash = adminPasswordHash.get();
            return verified(password, storedHash) ? new VerifiedOnConnection(header, storedHash, "basic") : null;
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String storedHash = apiTokenHash.get();
            return verified(header.substring(7).trim(), storedHash)
                    ? new VerifiedOnConnection(header, storedHash, "bearer") : null;
        }
        return null;
    }

    /**
     * PBKDF2 costs tens of milliseconds by design (hundreds on a Pi 3), and Basic auth sends the password with every
     * call: a credential already verified against the current stored hash is remembered (as a SHA-256, never in
     * clear), so a script or the dashboard pays the cost once. A new password or token changes the stored hash and
     * thereby every key; failures are never remembered.
     */
    private boolean verified(String secret, String storedHash) {
        if (storedHash == null) {
            return false;
        }
        // the digest's bytes are the key, the stored hash the value: no hex text and no concatenation per call
        java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(sha256(secret));
        if (storedHash.equals(verifiedKeys.get(key))) {
            return true;
        }
        // A script, a monitoring host or wrk opens several connections at once, each sending the same
        // credential before any check of it has ended: each would run PBKDF2 (16 connections, 16 checks, 8 workers
        // hashing on both cores of a board, every other connection waiting for a core). The first runs the check,
        // the others wait for its result.
        Check check = new Check(key, storedHash);
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> earlier = checking.putIfAbsent(check, mine);
        if (earlier != null) {
            try {
                return earlier.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        try {
            boolean matches = secretMatches.test(secret, storedHash);
            if (matches) {
                if (verifiedKeys.size() >= MAX_REMEMBERED) {
                    verifiedKeys.clear();
                }
                verifiedKeys.put(key, storedHash); // before the check ends: who comes after finds it remembered
            }
            mine.complete(matches);
            return matches;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e); // never leaves the waiting ones waiting
            throw e;
        } finally {
            checking.remove(check, mine);
        }
    }

    /** A secret (as its SHA-256) being checked against a stored hash. */
    private record Check(java.nio.ByteBuffer digest, String storedHash) {
    }

    /** One digest per worker thread: looking the algorithm up costs more than hashing a password. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    });

    private static byte[] sha256(String s) {
        return SHA256.get().digest(s.getBytes(StandardCharsets.UTF_8));
    }
}
