package stream.core.ffmpeg;

/**
 * A process a keeper started: its role, pid and start time in clock ticks since boot (which tells it apart from a
 * later process that got the same pid).
 */
public record ChildRecord(String role, long pid, long startTicks) {
}
