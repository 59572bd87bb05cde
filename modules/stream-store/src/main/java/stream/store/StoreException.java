package stream.store;

/** A database operation failed; the message names what was attempted. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
