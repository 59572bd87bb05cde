package stream.core;

import java.time.Instant;

/**
 * A kept destination session as the status shows it (contract §8).
 *
 * @param source what is on air: {@code camera}, {@code slate}, or {@code switching} while a camera is being connected
 * @param startedAt when the session (its RTMP connection) began
 * @param switches camera switches since then
 * @param slateSeconds seconds on the slate since then
 */
public record SessionStatus(String source, Instant startedAt, long switches, double slateSeconds) {
}
