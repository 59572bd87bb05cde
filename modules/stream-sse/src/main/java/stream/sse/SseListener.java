package stream.sse;

/**
 * Receives what an event stream dispatches: its events and the reconnection times it asks for.
 */
public interface SseListener {

    /**
     * Called for each dispatched event, on the thread that feeds the stream. The stream is not read further until this
     * returns; an exception thrown here stops the stream (the client drops the connection and reconnects, resending
     * the last event ID from before this event).
     */
    void onEvent(SseEvent event);

    /** Called when a {@code retry} field sets the stream's reconnection time, in milliseconds. */
    default void onRetry(long reconnectionTimeMillis) {
    }
}
