package stream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import stream.core.FieldError;
import stream.core.ValidationException;

class HttpErrorTest {
    @Test
    void fewErrorsAreListedInFull() {
        JsonObject body = HttpError.body("Invalid input", List.of(new FieldError("a", "is wrong"), new FieldError("b", "too")));
        assertEquals("[{\"field\":\"a\",\"message\":\"is wrong\"},{\"field\":\"b\",\"message\":\"too\"}]",
                body.get("errors").toString());
    }

    @Test
    void thousandsOfUnknownKeysGiveASmallAnswerSayingHowManyMore() throws Exception {
        // a route that refuses every key of its body, as PUT /api/settings does with unknown ones
        Routes routes = new Routes().put("/api/any", call -> {
            List<FieldError> errors = new ArrayList<>();
            for (JsonObject.Member m : call.jsonBody()) {
                errors.add(new FieldError(m.getName(), "is not a setting"));
            }
            throw new ValidationException(errors);
        });
        HttpApi api = new HttpApi(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), routes,
                List.of(new ErrorFilter()), null);
        api.start();
        try {
            JsonObject sent = new JsonObject();
            // short keys: 7,000 of them fit in the 64 KiB a body may have
            for (int i = 0; i < 7000; i++) {
                sent.add("k" + Integer.toString(i, 36), 0);
            }
            sent.add("z".repeat(500), 1);
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + api.port() + "/api/any"))
                    .PUT(HttpRequest.BodyPublishers.ofString(sent.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(sent.toString().length() < HttpCall.MAX_BODY);
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().length() < 4096, r.body().length() + " characters");
            JsonArray errors = Json.parse(r.body()).asObject().get("errors").asArray();
            assertEquals(HttpError.MAX_LISTED_ERRORS + 1, errors.size());
            assertEquals("k0", errors.get(0).asObject().getString("field", ""));
            JsonObject more = errors.get(HttpError.MAX_LISTED_ERRORS).asObject();
            assertEquals("(more)", more.getString("field", ""));
            assertEquals("6981 more field errors not listed", more.getString("message", ""));
        } finally {
            api.close();
        }
    }

    @Test
    void longFieldNamesAndMessagesAreClipped() {
        JsonObject body = HttpError.body("m".repeat(10_000), List.of(new FieldError("f".repeat(10_000), "x".repeat(10_000))));
        JsonObject e = body.get("errors").asArray().get(0).asObject();
        assertEquals(HttpError.MAX_FIELD_CHARS, e.getString("field", "").length());
        assertEquals(HttpError.MAX_MESSAGE_CHARS, e.getString("message", "").length());
        assertTrue(e.getString("message", "").endsWith("..."));
        assertEquals(HttpError.MAX_MESSAGE_CHARS, body.getString("message", "").length());
    }
}
