package stream.http;

import java.io.IOException;

/** Answers one route. */
@FunctionalInterface
public interface Handler {
    void handle(HttpCall call) throws IOException;
}
