package stream.http.server;

import java.time.Duration;

/**
 * What one HTTP client may cost the appliance. Every request is read whole by the selector thread before a worker
 * sees it, so these bound what a slow, stalled or hostile client can hold: memory per connection, time per phase,
 * connections per address and in all.
 *
 * @param maxHeadBytes request line and headers together (431 above it)
 * @param maxHeaders number of header lines (431 above it)
 * @param maxBodyBytes request body, declared or chunked (413 above it)
 * @param idleTimeout a connection with no request under way is closed after this
 * @param headTimeout from a request's first byte to the end of its headers (408 after it)
 * @param bodyTimeout from the end of the headers to the end of the body (408 after it)
 * @param writeTimeout a finished answer the client does not read is dropped after this
 * @param maxConnections open connections in all; the oldest idle or unfinished one makes room for a new one
 * @param maxConnectionsPerAddress the same, per client address
 * @param workers threads that run handlers
 * @param workQueue complete requests waiting for a worker (503 above it)
 * @param maxStreamBacklog bytes a streaming answer (server-sent events) may be behind before the client is dropped
 */
public record ServerLimits(int maxHeadBytes, int maxHeaders, int maxBodyBytes, Duration idleTimeout,
                           Duration headTimeout, Duration bodyTimeout, Duration writeTimeout, int maxConnections,
                           int maxConnectionsPerAddress, int workers, int workQueue, int maxStreamBacklog) {

    /**
     * For a small board on a LAN: a browser opens about 6 connections per page, a script one; a reverse proxy or a
     * monitoring host brings many from one address. An idle connection costs a 2 KB buffer and a socket.
     */
    public static ServerLimits appliance() {
        return new ServerLimits(16 * 1024, 100, 64 * 1024, Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(30), 1024, 128, 8, 256, 256 * 1024);
    }

    public ServerLimits {
        if (maxHeadBytes < 256 || maxHeaders < 1 || maxBodyBytes < 0 || workers < 1 || workQueue < 1
                || maxConnections < 1 || maxConnectionsPerAddress < 1 || maxStreamBacklog < 1024) {
            throw new IllegalArgumentException("server limits out of range");
        }
    }
}
