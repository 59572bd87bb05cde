package stream.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The dashboard's signed-in browsers (contract §9). A session is a random id held in an HttpOnly, SameSite=Strict
 * cookie; the appliance keeps only its SHA-256, so a memory dump does not hand out live sessions. A session ends when
 * it is idle longer than the idle limit, when it signs out, or when the admin password changes (each session remembers
 * the password hash it was opened under). Memory is bounded: the least recently used session goes first.
 */
public final class DashboardSessions {
    public static final String COOKIE = "streamrelay_session";
    static final Duration DEFAULT_IDLE = Duration.ofMinutes(30);
    static final int MAX_SESSIONS = 64;

    private record Session(String passwordHash, long lastSeenNanos) {
    }

    private final Supplier<String> adminPasswordHash;
    private final long idleNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Session> sessions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Session> eldest) {
            return size() > MAX_SESSIONS;
        }
    };

    public DashboardSessions(Supplier<String> adminPasswordHash) {
        this(adminPasswordHash, DEFAULT_IDLE, System::nanoTime);
    }

    DashboardSessions(Supplier<String> adminPasswordHash, Duration idle, LongSupplier nanoClock) {
        this.adminPasswordHash = adminPasswordHash;
        this.idleNanos = idle.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Opens a session for a browser that has just given the right password; returns the cookie's value. */
    public String open() {
        String id = SecretHash.randomToken(32);
        String hash = adminPasswordHash.get();
        synchronized (sessions) {
            purgeIdle();
            sessions.put(sha256(id), new Session(hash, nanoClock.getAsLong()));
        }
        return id;
    }

    /** Whether this cookie value is a live session; a live one is kept alive by the call. */
    public boolean touch(String id) {
        if (id == null || id.isEmpty() || id.length() > 100) {
            return false;
        }
        String key = sha256(id);
        String currentHash = adminPasswordHash.get();
        synchronized (sessions) {
            Session s = sessions.get(key);
            long now = nanoClock.getAsLong();
            if (s == null) {
                return false;
            }
            if (now - s.lastSeenNanos > idleNanos || currentHash == null || !currentHash.equals(s.passwordHash)) {
                sessions.remove(key);
                return false;
            }
            sessions.put(key, new Session(s.passwordHash, now));
            return true;
        }
    }

    public void close(String id) {
        if (id == null) {
            return;
        }
        synchronized (sessions) {
            sessions.remove(sha256(id));
        }
    }

    /** Ends every session but {@code keep} (after a password change the browser that made it stays signed in). */
    public void closeAllBut(String keep) {
        String keepKey = keep == null ? null : sha256(keep);
        String hash = adminPasswordHash.get();
        synchronized (sessions) {
            sessions.keySet().removeIf(k -> !k.equals(keepKey));
            if (keepKey != null && sessions.containsKey(keepKey)) {
                sessions.put(keepKey, new Session(hash, nanoClock.getAsLong()));
            }
        }
    }

    int size() {
        synchronized (sessions) {
            return sessions.size();
        }
    }

    long idleSeconds() {
        return Duration.ofNanos(idleNanos).toSeconds();
    }

    private void purgeIdle() {
        long now = nanoClock.getAsLong();
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            if (now - it.next().lastSeenNanos > idleNanos) {
                it.remove();
            }
        }
    }

    /** The session id in a Cookie header, or null. */
    public static String fromCookieHeader(String header) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            String p = part.strip();
            if (p.startsWith(COOKIE + "=")) {
                return p.substring(COOKIE.length() + 1);
            }
        }
        return null;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
