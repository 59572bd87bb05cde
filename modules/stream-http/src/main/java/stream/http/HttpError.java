package stream.http;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.util.List;
import stream.core.FieldError;

/** An error answer in the contract's shape: status, message, field errors. */
public final class HttpError extends RuntimeException {
    private final int status;
    private final List<FieldError> errors;

    public HttpError(int status, String message, List<FieldError> errors) {
        super(message);
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    public HttpError(int status, String message) {
        this(status, message, List.of());
    }

    public int status() {
        return status;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** The contract's error object: {@code {"success": false, "message": ..., "errors": [{field, message}]}}. */
    static JsonObject body(String message, List<FieldError> errors) {
        JsonArray list = new JsonArray();
        for (FieldError fe : errors) {
            list.add(Json.object().add("field", fe.field()).add("message", fe.message()));
        }
        return Json.object().add("success", false).add("message", message).add("errors", list);
    }
}
