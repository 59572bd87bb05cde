package stream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DashboardSessionsTest {
    final AtomicLong clock = new AtomicLong(1_000);
    final AtomicReference<String> passwordHash = new AtomicReference<>("hash-1");
    final DashboardSessions sessions = new DashboardSessions(passwordHash::get, Duration.ofMinutes(30), clock::get);

    @Test
    void aSessionLivesWhileUsedAndEndsWhenIdleLongerThanTheLimit() {
        String id = sessions.open();
        clock.addAndGet(Duration.ofMinutes(29).toNanos());
        assertTrue(sessions.touch(id), "used within the idle limit");
        clock.addAndGet(Duration.ofMinutes(29).toNanos());
        assertTrue(sessions.touch(id), "each use restarts the idle time");
        clock.addAndGet(Duration.ofMinutes(31).toNanos());
        assertFalse(sessions.touch(id), "idle for 31 minutes");
        assertEquals(0, sessions.size());
    }

    @Test
    void aPasswordChangeEndsSessionsOpenedUnderTheOldOne() {
        String id = sessions.open();
        passwordHash.set("hash-2");
        assertFalse(sessions.touch(id));
    }

    @Test
    void closeAllButKeepsTheBrowserThatChangedThePassword() {
        String mine = sessions.open();
        String other = sessions.open();
        passwordHash.set("hash-2");
        sessions.closeAllBut(mine);
        assertTrue(sessions.touch(mine));
        assertFalse(sessions.touch(other));
    }

    @Test
    void signOutAndUnknownOrMalformedIds() {
        String id = sessions.open();
        sessions.close(id);
        assertFalse(sessions.touch(id));
        assertFalse(sessions.touch("made-up"));
        assertFalse(sessions.touch(""));
        assertFalse(sessions.touch(null));
        assertFalse(sessions.touch("x".repeat(500)));
    }

    @Test
    void theNumberOfSessionsIsBounded() {
        String first = sessions.open();
        for (int i = 0; i < DashboardSessions.MAX_SESSIONS; i++) {
            sessions.open();
        }
        assertEquals(DashboardSessions.MAX_SESSIONS, sessions.size());
        assertFalse(sessions.touch(first), "the least recently used one went first");
    }

    @Test
    void theCookieIsFoundAmongOthers() {
        assertEquals("abc", DashboardSessions.fromCookieHeader("a=1; streamrelay_session=abc; b=2"));
        assertNull(DashboardSessions.fromCookieHeader("a=1"));
        assertNull(DashboardSessions.fromCookieHeader(null));
    }
}
