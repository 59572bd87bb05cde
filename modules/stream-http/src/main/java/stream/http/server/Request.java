package stream.http.server;

import com.sun.net.httpserver.Headers;
import java.net.URI;

/** A request read whole: its head and its body. */
record Request(Head head, byte[] body) {

    /**
     * @param contentLength the declared body length (0 when chunked)
     * @param expectContinue the client waits for {@code 100 Continue} before it sends the body
     */
    record Head(String method, URI uri, String version, Headers headers, boolean keepAlive, long contentLength,
                boolean chunked, boolean expectContinue) {
        boolean hasBody() {
            return chunked || contentLength > 0;
        }
    }
}
