package stream.sse;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What the client's reading thread waits for, in one queue, so that it never blocks anywhere else: the answer to a
 * request, body bytes, the body's end, or a wake-up from {@code close()}/{@code reconfigure()}. Each HTTP exchange
 * tags its signals with its own number so that late signals of an abandoned exchange are recognised and dropped.
 */
sealed interface StreamSignal {

    /** The answer's status line and headers arrived. */
    record Answered(long exchange, HttpResponse<Void> response) implements StreamSignal {
    }

    /** The request failed before an answer: no connection, timeout, TLS failure. */
    record RequestFailed(long exchange, Throwable cause) implements StreamSignal {
    }

    /** The next bytes of the body. */
    record BodyBytes(long exchange, List<ByteBuffer> buffers) implements StreamSignal {
    }

    /** The server ended the body normally. */
    record BodyEnded(long exchange) implements StreamSignal {
    }

    /** The body broke off with an error. */
    record BodyFailed(long exchange, Throwable cause) implements StreamSignal {
    }

    /** {@code close()} or {@code reconfigure()} wants the reading thread to look at the client's state again. */
    record Wake() implements StreamSignal {
    }
}
