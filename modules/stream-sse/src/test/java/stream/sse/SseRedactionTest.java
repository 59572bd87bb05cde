package stream.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** The built-in masking: what a program that brings no rules of its own gets in status and log lines. */
class SseRedactionTest {
    private final SseRedaction masking = SseRedaction.BUILT_IN;

    @Test
    void hidesAPasswordAndALoneUserInfoButKeepsTheUser() {
        assertEquals("https://bob:***@control.example/events",
                masking.url("https://bob:hunter22@control.example/events"));
        assertEquals("https://***@control.example/events", masking.url("https://t0kenvalue@control.example/events"));
        assertEquals("https://control.example/events", masking.url("https://control.example/events"));
    }

    @Test
    void hidesSecretNamedQueryValuesOnly() {
        assertEquals("https://h/events?access_token=***&channel=yard",
                masking.url("https://h/events?access_token=abc123&channel=yard"));
    }

    @Test
    void hidesUrlsAndTheTokenInFreeText() {
        String text = masking.text("redirected to https://u:pw1234@h/x?key=k9 with t0ken-abc, Bearer t0ken-abc",
                "t0ken-abc");
        assertFalse(text.contains("pw1234"), text);
        assertFalse(text.contains("k9"), text);
        assertFalse(text.contains("t0ken-abc"), text);
        assertEquals("nothing secret", masking.text("nothing secret", null));
    }
}
