package stream.sse;

import java.time.Instant;

/**
 * A snapshot of the control channel for the status API, the dashboard and {@code /metrics}.
 *
 * @param state the connection state
 * @param url the configured URL with its user info masked ({@code user:***@}), or null when none is set
 * @param lastEventId the last event ID that would be sent as {@code Last-Event-ID} ({@code ""} for none)
 * @param lastEventAt when the latest event was delivered, or null before the first
 * @param eventsReceived events delivered to the listener since the client was made
 * @param reconnects connection attempts after the first one
 * @param lastError why the latest connection failed, in words for a user (masked), or null once connected
 */
public record SseStatus(SseConnectionState state, String url, String lastEventId, Instant lastEventAt,
        long eventsReceived, long reconnects, String lastError) {
}
