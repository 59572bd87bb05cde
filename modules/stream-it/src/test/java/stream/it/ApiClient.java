package stream.it;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import stream.it.harness.Waits;

/** The appliance's REST API as a script would call it, with Basic auth. */
final class ApiClient {
    private final ApplianceProcess app;

    ApiClient(ApplianceProcess app) {
        this.app = app;
    }

    HttpResponse<String> call(String method, String path, String body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(app.uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        return app.send(b, true);
    }

    JsonObject json(String method, String path, String body, int expectedStatus) throws IOException {
        HttpResponse<String> r = call(method, path, body);
        if (r.statusCode() != expectedStatus) {
            throw new AssertionError(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return Json.parse(r.body()).asObject();
    }

    JsonObject status() throws IOException {
        return json("GET", "/api/stream/status", null, 200);
    }

    String state() throws IOException {
        return status().getString("state", "?");
    }

    void setUrls(String rtsp, String rtmp, boolean restart) throws IOException {
        json("PUT", "/api/config/urls", Json.object().add("rtsp_url", rtsp).add("rtmp_url", rtmp)
                .add("restart_stream", restart).toString(), 200);
    }

    void preset(String name) throws IOException {
        json("PUT", "/api/config", Json.object().add("preset", name).toString(), 200);
    }

    void start() throws IOException {
        json("POST", "/api/stream/start", "{}", 200);
    }

    void stop() throws IOException {
        json("POST", "/api/stream/stop", "{}", 200);
    }

    JsonObject waitForState(String state, Duration timeout) {
        return Waits.waitFor(() -> {
            try {
                JsonObject s = status();
                return state.equals(s.getString("state", "")) ? s : null;
            } catch (IOException e) {
                return null;
            }
        }, timeout, "stream state " + state);
    }

    /** The log messages, newest first. */
    List<String> logMessages(int limit) throws IOException {
        JsonObject page = json("GET", "/api/logs?limit=" + limit, null, 200);
        return StreamSupport.stream(page.get("logs").asArray().spliterator(), false)
                .map(JsonValue::asObject).map(o -> o.getString("event_type", "") + ": " + o.getString("message", ""))
                .toList();
    }

    String waitForLog(String fragment, Duration timeout) {
        return Waits.waitFor(() -> {
            try {
                return logMessages(200).stream().filter(m -> m.contains(fragment)).findFirst().orElse(null);
            } catch (IOException e) {
                return null;
            }
        }, timeout, "a log entry containing '" + fragment + "'");
    }

    /** The {@code sse} object of the status: state, url, last_event_id, last_event_at. */
    JsonObject sseStatus() throws IOException {
        return status().get("sse").asObject();
    }

    JsonObject waitForSseState(String sseState, Duration timeout) {
        return Waits.waitFor(() -> {
            try {
                JsonObject s = sseStatus();
                return sseState.equals(s.getString("state", "")) ? s : null;
            } catch (IOException e) {
                return null;
            }
        }, timeout, "SSE client state " + sseState);
    }

    /** GET /api/sse/events?limit: stored control events, newest first. */
    List<JsonObject> sseEvents(int limit) throws IOException {
        return objects(json("GET", "/api/sse/events?limit=" + limit, null, 200), "events");
    }

    /** GET /api/history?limit: url_history rows (masked), newest first. */
    List<JsonObject> history(int limit) throws IOException {
        return objects(json("GET", "/api/history?limit=" + limit, null, 200), "history");
    }

    /** GET /api/config?reveal=true: the stream_config row with its URLs in clear. */
    JsonObject revealedConfig() throws IOException {
        return json("GET", "/api/config?reveal=true", null, 200);
    }

    /** PUT /api/settings with this body; the SSE client is reconfigured at once. */
    void settings(JsonObject body) throws IOException {
        json("PUT", "/api/settings", body.toString(), 200);
    }

    /** GET /api/logs rows as objects (id, event_type, message, status), newest first. */
    List<JsonObject> logs(int limit) throws IOException {
        return objects(json("GET", "/api/logs?limit=" + limit, null, 200), "logs");
    }

    private static List<JsonObject> objects(JsonObject page, String member) {
        return StreamSupport.stream(page.get(member).asArray().spliterator(), false).map(JsonValue::asObject).toList();
    }
}
