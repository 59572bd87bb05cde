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

    /** Field errors listed in one answer; a body of thousands of unknown keys would otherwise echo them all. */
    static final int MAX_LISTED_ERRORS = 20;
    /** Longest field name shown (unknown keys are echoed) and longest message. */
    static final int MAX_FIELD_CHARS = 64;
    static final int MAX_MESSAGE_CHARS = 300;

    /**
     * The contract's error object: {@code {"success": false, "message": ..., "errors": [{field, message}]}}, its size
     * bounded: at most {@link #MAX_LISTED_ERRORS} field errors, then one entry (field {@code "(more)"}) saying how
     * many were left out.
     */
    static JsonObject body(String message, List<FieldError> errors) {
        JsonArray list = new JsonArray();
        for (FieldError fe : errors.subList(0, Math.min(errors.size(), MAX_LISTED_ERRORS))) {
            list.add(Json.object().add("field", clip(fe.field(), MAX_FIELD_CHARS))
                    .add("message", clip(fe.message(), MAX_MESSAGE_CHARS)));
        }
        if (errors.size() > MAX_LISTED_ERRORS) {
            int more = errors.size() - MAX_LISTED_ERRORS;
            list.add(Json.object().add("field", "(more)")
                    .add("message", more + " more field error" + (more == 1 ? "" : "s") + " not listed"));
        }
        return Json.object().add("success", false).add("message", clip(message, MAX_MESSAGE_CHARS)).add("errors", list);
    }

    private static String clip(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, max - 3) + "...";
    }
}
