/**
 * The HTTP surface on jdk.httpserver: the REST routes of the contract behind one filter chain (errors, auth),
 * and the dashboard's static files.
 */
module stream.http {
    requires transitive stream.core;
    requires transitive stream.sse;
    requires transitive jdk.httpserver;
    requires minimal.json;

    exports stream.http;
}
