package stream.sse;

/**
 * The {@code Last-Event-ID} request header's value: the last event ID string "encoded as UTF-8" (§9.2.4), as far as
 * the JDK's HTTP client can send it.
 */
final class LastEventIdHeader {

    private LastEventIdHeader() {
    }

    /**
     * The value to hand to {@link java.net.http.HttpRequest.Builder#header}, or null when the JDK cannot send the id
     * faithfully: it refuses control characters in header values, and writes header text as US-ASCII (JDK 17 sends
     * '?' for every other character), so an id with characters outside printable ASCII cannot reach the server intact.
     * Sending no id is better than a wrong one, which could make the server skip events.
     */
    static String valueFor(String lastEventId) {
        for (int i = 0; i < lastEventId.length(); i++) {
            char c = lastEventId.charAt(i);
            if ((c < 0x20 && c != '\t') || c >= 0x7F) {
                return null;
            }
        }
        return lastEventId;
    }
}
