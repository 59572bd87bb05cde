package stream.core.ffmpeg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Reads a Linux process's start time (clock ticks since boot, field 22 of /proc/PID/stat) and command line, so a
 * recorded pid is recognised as our ffmpeg and never confused with an unrelated process that reused the number.
 */
public final class ProcessIdentity {
    private ProcessIdentity() {
    }

    /** The start time in clock ticks since boot, or empty when the process does not exist. */
    public static OptionalLong startTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            // the command name (field 2) may contain spaces and ')': fields after it start after the last ')'
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // rest[0] is field 3 (state); field 22 is rest[19]
            return OptionalLong.of(Long.parseLong(rest[19]));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The command line's words, or an empty array when unreadable. */
    public static String[] commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            String s = new String(raw, StandardCharsets.UTF_8);
            return s.isEmpty() ? new String[0] : s.split("\0");
        } catch (IOException e) {
            return new String[0];
        }
    }

    /** Whether {@code pid} is alive with exactly this start time (not a zombie). */
    public static boolean isSameProcess(long pid, long startTicks) {
        OptionalLong t = startTicks(pid);
        if (t.isEmpty() || t.getAsLong() != startTicks) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
