/**
 * The control channel: a WHATWG-exact server-sent events parser and an EventSource-style client on java.net.http.
 */
module stream.sse {
    requires transitive stream.core;
    requires transitive java.net.http;
    requires minimal.json;

    exports stream.sse;
}
