/**
 * A server-sent events client: a parser that follows the WHATWG HTML "server-sent events" section to the letter and
 * an EventSource-style client on java.net.http that reconnects with backoff, sends Last-Event-ID and bounds its
 * memory. It knows nothing of what the events mean: the listener decides.
 *
 * <pre>{@code
 * SseClient client = new SseClient(SseClientConfig.of("https://control.example/events", token), lastEventId,
 *         event -> System.out.println(event.type() + ": " + event.data()), SseLog.NONE);
 * client.start();                          // reads on its own thread, reconnects by itself
 * client.reconfigure(SseClientConfig.disabled());
 * SseStatus status = client.status();      // state, masked URL, last event ID
 * client.close();
 * }</pre>
 */
module stream.sse {
    // for Backoff and SecretMasker only; the events' meaning lives in stream.core.control
    requires stream.core;
    requires transitive java.net.http;

    exports stream.sse;
}
