package stream.sse;

import java.util.Locale;

/**
 * The state of the control channel's connection, as {@code GET /api/stream/status} reports it under {@code sse.state}.
 */
public enum SseConnectionState {
    /** A {@code 200 text/event-stream} answer arrived and its body is being read. */
    CONNECTED,
    /** A request is on its way; no usable answer yet. */
    CONNECTING,
    /** Not connected: waiting before the next try, not started yet, or closed. */
    DISCONNECTED,
    /** Not trying at all: disabled in the settings, or the server answered 204 No Content. */
    DISABLED;

    /** The contract's word for this state: {@code connected}, {@code connecting}, {@code disconnected}, {@code disabled}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
