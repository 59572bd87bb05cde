package stream.http;

import java.io.IOException;

/** Cross-cutting work around every route (errors, authentication); calls {@code next} to go on. */
@FunctionalInterface
public interface Filter {
    void filter(HttpCall call, Handler next) throws IOException;
}
