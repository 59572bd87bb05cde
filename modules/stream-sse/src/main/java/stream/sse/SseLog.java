package stream.sse;

/**
 * Where the client writes what happens to the connection, as plain sentences for the user with secrets masked.
 */
public interface SseLog {
    /** Drops every sentence. */
    SseLog NONE = new SseLog() {
        @Override
        public void info(String message) {
        }

        @Override
        public void warn(String message) {
        }

        @Override
        public void error(String message) {
        }
    };

    /** Something normal worth knowing: connected, the server closed the stream, the settings changed. */
    void info(String message);

    /** Something went wrong and the client copes: an HTTP error, a dead connection, an oversized line. */
    void warn(String message);

    /** Something went wrong that needs attention: the event listener failed. */
    void error(String message);
}
