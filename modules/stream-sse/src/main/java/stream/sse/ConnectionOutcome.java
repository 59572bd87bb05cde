package stream.sse;

import java.time.Duration;

/**
 * How one connection to the event stream ended, for the client to decide on the next try and to log.
 *
 * @param kind what happened
 * @param reason a sentence fragment for the log, secrets masked ("the control server at ... answered HTTP 500")
 * @param eventsDelivered events the listener took during this connection
 * @param connectedFor how long the stream was read (zero when it never got that far)
 */
record ConnectionOutcome(Kind kind, String reason, long eventsDelivered, Duration connectedFor) {

    /** What happened to a connection. */
    enum Kind {
        /** The server ended the stream: reconnect after the reconnection time. */
        ENDED,
        /** Unreachable, an HTTP error, a wrong content type, a dead or oversized stream: reconnect with backoff. */
        FAILED,
        /** The listener threw on an event: reconnect with backoff, resending the ID from before that event. */
        LISTENER_FAILED,
        /** HTTP 204: the server says stop (§9.2.3). */
        NO_CONTENT,
        /** Closed or reconfigured from outside: decide afresh at once. */
        ABANDONED
    }

    static ConnectionOutcome failed(String reason) {
        return new ConnectionOutcome(Kind.FAILED, reason, 0, Duration.ZERO);
    }

    static ConnectionOutcome abandoned() {
        return new ConnectionOutcome(Kind.ABANDONED, "", 0, Duration.ZERO);
    }
}
