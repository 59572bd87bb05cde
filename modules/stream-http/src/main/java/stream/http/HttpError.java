package stream.http;

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
}
