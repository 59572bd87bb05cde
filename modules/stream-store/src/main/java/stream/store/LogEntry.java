package stream.store;

import java.time.Instant;

/** One row of stream_logs. */
public record LogEntry(long id, Long configId, String eventType, String message, LogStatus status, Instant timestamp) {
}
