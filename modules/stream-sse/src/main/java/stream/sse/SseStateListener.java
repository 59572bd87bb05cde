package stream.sse;

/**
 * Told whenever the connection state changes, e.g. so the dashboard can show it at once.
 */
@FunctionalInterface
public interface SseStateListener {

    /** A listener that ignores every change. */
    SseStateListener NONE = status -> { };

    /**
     * Called on the client's thread (or the one calling {@code reconfigure}/{@code close}) after the state changed;
     * must return quickly.
     */
    void onStateChange(SseStatus status);
}
