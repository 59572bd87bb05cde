package stream.store;

/**
 * An ffmpeg a supervisor started: {@code startTicks} is the process start time from /proc/PID/stat, so a pid
 * reused by an unrelated process after a reboot is never mistaken for ours.
 */
public record ChildProcess(long configId, String role, long pid, long startTicks) {
}
