package stream.core;

/**
 * A request that is valid on its own but conflicts with the appliance's streams as they are: a name in use, a ninth
 * stream, deleting the default stream. Nothing was changed (the API answers 409).
 */
public final class StreamConflictException extends RuntimeException {
    public StreamConflictException(String message) {
        super(message);
    }
}
