package stream.http.server;

/**
 * Thrown by a filter or handler running on {@link GuardedHttpServer}'s selector thread when it finds it would have to
 * wait (a password to hash, a database to read): nothing has been answered yet, and the server hands the request to a
 * worker, where it runs again from the start. Whatever catches exceptions between the server and the thrower must let
 * this one through.
 */
public final class NeedsWorkerThread extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NeedsWorkerThread() {
        super("needs a worker thread", null, false, false); // no stack trace: it is control flow, not a failure
    }
}
