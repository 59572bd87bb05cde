package stream.http;

import stream.store.SettingsRepository;

/** The API token for Bearer authentication: only its hash is stored; a new one replaces the old at once. */
public final class ApiTokens {
    public static final String HASH_KEY = "api_token_hash";
    private final SettingsRepository settings;

    public ApiTokens(SettingsRepository settings) {
        this.settings = settings;
    }

    /** Makes a new token, stores its hash and returns it; the old token stops working. */
    public String rotate() {
        String token = "srt_" + SecretHash.randomToken(24);
        settings.put(HASH_KEY, SecretHash.of(token));
        return token;
    }

    /** The token stops working; until a new one is made, Bearer authentication accepts nothing. */
    public void revoke() {
        settings.put(HASH_KEY, "");
    }

    public boolean isSet() {
        return settings.get(HASH_KEY).filter(h -> !h.isEmpty()).isPresent();
    }
}
