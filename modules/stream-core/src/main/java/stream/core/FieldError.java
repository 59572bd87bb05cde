package stream.core;

/** One rejected input field and why, as the API's {@code errors[]} shows it. */
public record FieldError(String field, String message) {
}
