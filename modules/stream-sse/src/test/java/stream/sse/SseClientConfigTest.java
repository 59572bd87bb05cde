package stream.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The client's settings: defaults, validation, and secrets kept out of messages. */
class SseClientConfigTest {

    @Test
    void defaultsMatchWhatTheApplianceNeeds() {
        SseClientConfig config = SseClientConfig.of("https://control.example/events", "t0ken-abc");
        assertTrue(config.enabled());
        assertEquals(1 << 20, config.maxEventBytes());
        assertEquals(Duration.ofMinutes(2), config.idleTimeout());
        assertEquals(Duration.ofSeconds(1), config.retry().initial());
        assertEquals(Duration.ofSeconds(60), config.retry().max());
        assertTrue(config.retry().jitter() > 0);
    }

    @Test
    void toStringShowsNeitherTheTokenNorTheUrlPassword() {
        String text = SseClientConfig.of("https://bob:hunter22@control.example/events", "t0ken-abc").toString();
        assertFalse(text.contains("t0ken-abc"), text);
        assertFalse(text.contains("hunter22"), text);
        assertTrue(text.contains("bob:***@control.example"), text);
    }

    @Test
    void aTokenThatCannotBeAHeaderIsRefusedWithoutRepeatingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SseClientConfig.of("https://control.example/events", "secret\r\nX-Injected: 1"));
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void onlyHttpAndHttpsUrlsAreAcceptedAndRefusalsAreMasked() {
        assertThrows(IllegalArgumentException.class, () -> SseClientConfig.of("file:///etc/passwd", null));
        assertThrows(IllegalArgumentException.class, () -> SseClientConfig.of("ftp://host/x", null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SseClientConfig.of("gopher://u:hunter22@host/", null));
        assertFalse(e.getMessage().contains("hunter22"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> SseClientConfig.of("http://u:hunter22@host/ bad path", null));
        assertFalse(bad.getMessage().contains("hunter22"), bad.getMessage());
    }

    @Test
    void anEmptyTokenMeansNone() {
        assertNull(SseClientConfig.of("http://127.0.0.1/events", "").bearerToken());
    }

    @Test
    void onlyUrlTokenAndOnOffNeedANewConnection() {
        SseClientConfig config = SseClientConfig.of("http://127.0.0.1/events", "a");
        assertFalse(config.changesConnection(config.withIdleTimeout(Duration.ofSeconds(5))));
        assertFalse(config.changesConnection(config.withMaxEventBytes(4096)));
        assertTrue(config.changesConnection(config.withBearerToken("b")));
        assertTrue(config.changesConnection(config.withEnabled(false)));
        assertTrue(config.changesConnection(config.withUrl("http://127.0.0.1/other")));
    }

    @Test
    void statesHaveTheContractsWords() {
        assertEquals("connected", SseConnectionState.CONNECTED.wire());
        assertEquals("connecting", SseConnectionState.CONNECTING.wire());
        assertEquals("disconnected", SseConnectionState.DISCONNECTED.wire());
        assertEquals("disabled", SseConnectionState.DISABLED.wire());
    }
}
