package stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import stream.sse.SseClientConfig;

/** The SSE client's status and log lines keep the appliance's masking now that the client brings its own default. */
class SseSecretMaskingTest {

    @Test
    void theStatusUrlIsMaskedAsEveryOtherUrlOfTheAppliance() {
        SseClientConfig config = SseClientConfig.of("https://bob:hunter22@control.example/events?token=abcdef123456",
                "t0ken-abcdef", new SseSecretMasking());
        assertEquals("https://bob:***@control.example/events?token=***", config.maskedUrl());
    }

    @Test
    void freeTextLosesTheTokenUrlsSecretsAndSecretNamedPairs() {
        String text = new SseSecretMasking().text(
                "went to rtmp://h/live/streamkey123 with t0ken-abcdef and api_key=zz99zz", "t0ken-abcdef");
        assertFalse(text.contains("t0ken-abcdef"), text);
        assertFalse(text.contains("streamkey123"), text);
        assertFalse(text.contains("zz99zz"), text);
    }

    @Test
    void equalSettingsStayEqualConfigurations() {
        assertEquals(SseClientConfig.of("https://h/e", "t0ken-abcdef", new SseSecretMasking()),
                SseClientConfig.of("https://h/e", "t0ken-abcdef", new SseSecretMasking()));
    }
}
