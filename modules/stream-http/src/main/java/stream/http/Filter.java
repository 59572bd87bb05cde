package stream.http;

import java.io.IOException;

/** Cross-cutting work around every route (errors, authentication); calls {@code next} to go on. */
@FunctionalInterface
public interface Filter {
    void filter(HttpCall call, Handler next) throws IOException;

    /**
     * Whether this filter decides on {@code call} without waiting for anything (a database, a password hash, a lock
     * held by slow work), so that the call may run on the server's selector thread. False unless a filter knows.
     */
    default boolean decidesWithoutWaiting(HttpCall call) {
        return false;
    }
}
