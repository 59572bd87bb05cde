package stream.app;

import java.util.List;
import stream.core.SecretMasker;
import stream.sse.SseRedaction;

/**
 * The SSE client's status and log lines masked by the appliance's own rules, the same as every other URL and log
 * line it shows (contract §4: a password as {@code ***}, secret query values, bearer tokens).
 */
final class SseSecretMasking implements SseRedaction {
    @Override
    public String url(String url) {
        return SecretMasker.maskUrl(url);
    }

    @Override
    public String text(String text, String bearerToken) {
        return SecretMasker.forSecrets(bearerToken == null ? List.of() : List.of(bearerToken)).mask(text);
    }

    // One instance per config, so that equal settings stay equal configurations.
    @Override
    public boolean equals(Object other) {
        return other instanceof SseSecretMasking;
    }

    @Override
    public int hashCode() {
        return SseSecretMasking.class.hashCode();
    }
}
