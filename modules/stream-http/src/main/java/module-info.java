/**
 * The HTTP surface on jdk.httpserver: a routing table ({@code Routes}, one small handler per route; {@code ApiRoutes}
 * holds the contract's) behind one filter chain (errors in the contract's shape, authentication, cross-site checks),
 * the dashboard's event stream and its static files.
 *
 * <pre>{@code
 * String adminHash = SecretHash.of(adminPassword);   // PBKDF2: once, not per request
 * Routes routes = new Routes()
 *         .get("/healthz", call -> call.json(200, Json.object().add("status", "ok")))
 *         .get("/api/whoami", call -> call.json(200, Json.object().add("who", call.principal())));
 * HttpApi api = new HttpApi(new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080), routes,
 *         List.of(new ErrorFilter(), new AuthFilter(() -> adminHash, () -> null)),
 *         new StaticFiles(webDir));
 * api.start();   // GET /api/whoami answers 401 without credentials, {"who":"basic"} with admin's
 * api.close();
 * }</pre>
 */
module stream.http {
    requires transitive stream.core;
    requires transitive stream.sse;
    requires transitive jdk.httpserver;
    requires minimal.json;

    exports stream.http;
}
