/**
 * A server-sent events client: a parser that follows the WHATWG HTML "server-sent events" section to the letter and
 * an EventSource-style client on java.net.http that reconnects with backoff, sends Last-Event-ID and bounds its
 * memory. It needs nothing but the JDK and knows nothing of what the events mean: the listener decides. Its
 * reconnect delays ({@code SseRetryPolicy}) and how it hides the URL's and the token's secrets ({@code SseRedaction})
 * are the caller's to choose.
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
    requires transitive java.net.http;

    exports stream.sse;
}
