package stream.http.server;

/**
 * What an exchange of {@link GuardedHttpServer} offers beyond jdk.httpserver's: one value that lives as long as the
 * client's connection, for the requests that follow on it (the authentication filter remembers there the credential
 * it verified, so that the next call on a keep-alive connection is not hashed again). Only one request of a
 * connection is handled at a time, so the value needs no more care than a field of the request.
 */
public interface ConnectionScoped {
    /** The value stored by an earlier request on this connection, or null. */
    Object connectionValue();

    /** Replaces it; it is dropped with the connection. */
    void connectionValue(Object value);
}
