package stream.http;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import stream.core.JsonNesting;

/** One request and its answer: JSON in and out, query parameters, path parameters, the authenticated principal. */
public final class HttpCall {
    /** Largest request body read; the API's bodies are a few hundred bytes. */
    static final int MAX_BODY = 64 * 1024;

    private final HttpExchange exchange;
    private Map<String, String> query;
    private String principal;
    private boolean answered;
    private Map<String, String> pathParams = Map.of();

    HttpCall(HttpExchange exchange) {
        this.exchange = exchange;
    }

    public String method() {
        return exchange.getRequestMethod();
    }

    public String path() {
        return exchange.getRequestURI().getPath();
    }

    public String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    /** A query parameter; malformed percent-encoding is a 400 in the contract's shape (thrown inside the chain). */
    public String query(String name) {
        if (query == null) {
            query = parseQuery(exchange.getRequestURI().getRawQuery());
        }
        return query.get(name);
    }

    /** A parameter of the matched route's path, e.g. {@code ref} of {@code /api/streams/{ref}/status}. */
    public String pathParam(String name) {
        return pathParams.get(name);
    }

    void pathParams(Map<String, String> params) {
        this.pathParams = Map.copyOf(params);
    }

    /** The client's address (the peer of the TCP connection). */
    public java.net.InetAddress clientAddress() {
        return exchange.getRemoteAddress().getAddress();
    }

    /** Who made the call ("basic", "bearer" or "session"), set by the auth filter. */
    public String principal() {
        return principal;
    }

    void principal(String p) {
        this.principal = p;
    }

    public boolean answered() {
        return answered;
    }

    /** A value kept with the client's connection for its later calls (null where the server keeps none). */
    Object connectionValue() {
        return exchange instanceof stream.http.server.ConnectionScoped scoped ? scoped.connectionValue() : null;
    }

    void connectionValue(Object value) {
        if (exchange instanceof stream.http.server.ConnectionScoped scoped) {
            scoped.connectionValue(value);
        }
    }

    /** The body as a JSON object; a missing, oversized or malformed body is a 400 with a clear message. */
    public JsonObject jsonBody() throws IOException {
        String text = bodyText();
        if (text.isBlank()) {
            return new JsonObject();
        }
        if (JsonNesting.deeperThan(text, JsonNesting.MAX_DEPTH)) {
            throw new HttpError(400, "The request body nests deeper than " + JsonNesting.MAX_DEPTH + " levels");
        }
        JsonValue v;
        try {
            v = Json.parse(text);
        } catch (ParseException e) {
            throw new HttpError(400, "The request body is not valid JSON: " + e.getMessage());
        }
        if (!v.isObject()) {
            throw new HttpError(400, "The request body must be a JSON object");
        }
        return v.asObject();
    }

    private String bodyText() throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new HttpError(413, "The request body is larger than " + MAX_BODY + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    static final String JSON = "application/json; charset=utf-8";

    public void json(int status, JsonValue body) throws IOException {
        send(status, JSON, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    public void send(int status, String contentType, byte[] body) throws IOException {
        answered = true;
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (!exchange.getResponseHeaders().containsKey("Cache-Control")) {
            exchange.getResponseHeaders().set("Cache-Control", "no-store"); // API answers may hold live state
        }
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        // no other site may show the appliance in a frame (clickjacking of its buttons)
        exchange.getResponseHeaders().set("X-Frame-Options", "DENY");
        if (!exchange.getResponseHeaders().containsKey("Content-Security-Policy")) {
            exchange.getResponseHeaders().set("Content-Security-Policy", "frame-ancestors 'none'");
        }
        boolean head = "HEAD".equals(method());
        exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    public void setHeader(String name, String value) {
        exchange.getResponseHeaders().set(name, value);
    }

    /** The raw exchange, for streaming answers (the dashboard's event stream). */
    public HttpExchange exchange() {
        answered = true;
        return exchange;
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.putIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new HttpError(400, "The query string is not valid percent-encoding");
            }
        }
        return out;
    }
}
