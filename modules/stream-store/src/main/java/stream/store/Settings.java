package stream.store;

/**
 * The appliance-wide settings (the settings table). {@code sseToken} is a secret: never shown, only replaced.
 */
public record Settings(String sseUrl, boolean sseEnabled, String sseToken, int logRetentionDays) {
    public static final String SSE_URL = "sse_url";
    public static final String SSE_ENABLED = "sse_enabled";
    public static final String SSE_TOKEN = "sse_token";
    public static final String LOG_RETENTION_DAYS = "log_retention_days";
    public static final int DEFAULT_LOG_RETENTION_DAYS = 30;

    @Override
    public String toString() {
        return "Settings[sseUrl=" + UrlRedaction.shown(sseUrl) + ", sseEnabled=" + sseEnabled + ", sseToken="
                + (sseToken == null ? "none" : "***") + ", logRetentionDays=" + logRetentionDays + "]";
    }
}
