/** Wiring and the launcher: builds the object graph from the options, starts it, stops it cleanly on SIGTERM. */
module stream.app {
    requires stream.core;
    requires stream.store;
    requires stream.sse;
    requires stream.http;
    requires jdk.unsupported;
    requires minimal.json;
}
