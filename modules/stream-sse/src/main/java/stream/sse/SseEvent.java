package stream.sse;

import java.util.Objects;

/**
 * One event dispatched by an event stream, as the WHATWG HTML "dispatch the event" steps define it.
 *
 * @param type the event type buffer, or {@code "message"} when the event had no (or an empty) {@code event} field
 * @param data the data buffer exactly as dispatched: {@code data} lines joined by LF, the one trailing LF removed
 * @param lastEventId the stream's last event ID at dispatch ({@code ""} when no {@code id} has been seen); it persists
 *     across events, so an event without an {@code id} field carries the previous one
 */
public record SseEvent(String type, String data, String lastEventId) {

    /** The type of an event without an {@code event} field (§9.2.6 dispatch step 5). */
    public static final String DEFAULT_TYPE = "message";

    public SseEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(lastEventId, "lastEventId");
    }
}
