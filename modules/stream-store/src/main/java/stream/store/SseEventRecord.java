package stream.store;

import java.time.Instant;

/**
 * One row of sse_events: an event as dispatched by the SSE parser, and what became of it.
 * {@code lastEventId} is the stream's last event ID when it was dispatched; {@code outcome} is null until processed;
 * {@code configId} is the stream a url_update was for, once known (null for other events and unknown streams).
 */
public record SseEventRecord(long id, String eventType, String eventData, String lastEventId, boolean processed,
                             Outcome outcome, String outcomeReason, Instant receivedAt, Long configId) {

    /** sse_events.outcome. */
    public enum Outcome {
        APPLIED, REJECTED, SKIPPED, IGNORED;

        public String sql() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Outcome ofSql(String s) {
            return s == null ? null : valueOf(s.toUpperCase(java.util.Locale.ROOT));
        }
    }
}
