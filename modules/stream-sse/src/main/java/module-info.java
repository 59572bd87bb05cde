/**
 * The control channel: a WHATWG-exact server-sent events parser and an EventSource-style client on java.net.http.
 *
 * <pre>{@code
 * SseClient client = new SseClient(SseClientConfig.of("https://control.example/events", token),
 *         lastIdFromDatabase, inbox::store, log, dashboard::sseStateChanged);
 * client.start();                      // reads on its own thread "sse-client", reconnects by itself
 * client.reconfigure(newSettings);     // a new URL, token or on/off reconnects at once
 * SseStatus status = client.status();  // state, masked URL, last event ID, counters
 * client.close();
 * }</pre>
 */
module stream.sse {
    requires transitive stream.core;
    requires transitive java.net.http;
    requires minimal.json;

    exports stream.sse;
}
