package stream.it.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Signals by pid (through the {@code kill} command) and a look at /proc, so tests can freeze a
 * camera or assert "no ffmpeg remains that was started with this URL".
 *
 * <p>Zombies count as gone: on this machine pid 1 does not always reap orphans, so a dead
 * process may linger as state Z with an empty command line.
 */
public final class Processes {

    /** One process as seen in /proc: its state letter (R, S, T, Z...) and its argv. */
    public record ProcessInfo(long pid, long parentPid, char state, List<String> argv) {
        public String commandLine() {
            return String.join(" ", argv);
        }

        /** The executable's file name, e.g. "ffmpeg" for /usr/bin/ffmpeg. */
        public String executableName() {
            if (argv.isEmpty()) {
                return "";
            }
            String first = argv.get(0);
            return first.substring(first.lastIndexOf('/') + 1);
        }

        public boolean isStopped() {
            return state == 'T' || state == 't';
        }
    }

    private Processes() {}

    public static void sigstop(long pid) {
        signal(pid, "STOP");
    }

    public static void sigcont(long pid) {
        signal(pid, "CONT");
    }

    public static void sigkill(long pid) {
        signal(pid, "KILL");
    }

    public static void sigterm(long pid) {
        signal(pid, "TERM");
    }

    /** Runs {@code kill -s NAME pid}; fails if kill reports an error (e.g. no such process). */
    public static void signal(long pid, String signalName) {
        if (pid <= 1) {
            throw new IllegalArgumentException("refusing to signal pid " + pid);
        }
        try {
            Process kill = new ProcessBuilder("kill", "-s", signalName, Long.toString(pid))
                    .redirectErrorStream(true)
                    .start();
            kill.getOutputStream().close();
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -s " + signalName + " " + pid + " hung");
            }
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (kill.exitValue() != 0) {
                throw new IllegalStateException("kill -s " + signalName + " " + pid + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** True when the pid exists and is not a zombie. */
    public static boolean isAlive(long pid) {
        return info(pid).map(p -> p.state() != 'Z' && p.state() != 'X').orElse(false);
    }

    public static void awaitGone(long pid, Duration timeout) {
        Waits.waitUntil(() -> !isAlive(pid), timeout, "process " + pid + " to be gone");
    }

    public static void awaitStopped(long pid, Duration timeout) {
        Waits.waitUntil(() -> info(pid).map(ProcessInfo::isStopped).orElse(false), timeout,
                "process " + pid + " to be stopped (state T)");
    }

    public static void awaitRunning(long pid, Duration timeout) {
        Waits.waitUntil(() -> info(pid).map(p -> !p.isStopped()).orElse(false), timeout,
                "process " + pid + " to be continued (not state T)");
    }

    /** The process's /proc entry, or empty when it does not exist (any more). */
    public static Optional<ProcessInfo> info(long pid) {
        Path dir = Path.of("/proc", Long.toString(pid));
        try {
            String stat = Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8);
            // "pid (comm) S ppid ...": comm may contain spaces and parentheses, so split after the last ')'.
            int close = stat.lastIndexOf(')');
            String[] rest = stat.substring(close + 2).split(" ");
            char state = rest[0].charAt(0);
            long ppid = Long.parseLong(rest[1]);
            byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
            List<String> argv = new ArrayList<>();
            if (raw.length > 0) {
                String all = new String(raw, StandardCharsets.UTF_8);
                if (all.endsWith("\0")) {
                    all = all.substring(0, all.length() - 1);
                }
                argv.addAll(Arrays.asList(all.split("\0", -1)));
            }
            return Optional.of(new ProcessInfo(pid, ppid, state, List.copyOf(argv)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            // The process vanished between reads, or /proc is not readable (another user's process).
            return Optional.empty();
        }
    }

    /** All live (non-zombie) processes visible in /proc. */
    public static List<ProcessInfo> list() {
        List<ProcessInfo> result = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                info(Long.parseLong(name)).filter(p -> p.state() != 'Z' && p.state() != 'X').ifPresent(result::add);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return result;
    }

    public static List<ProcessInfo> find(Predicate<ProcessInfo> filter) {
        return list().stream().filter(filter).toList();
    }

    /**
     * Live processes whose executable is named {@code executableName} (e.g. "ffmpeg") and one of
     * whose arguments contains {@code argumentPart} (e.g. the camera URL). Other sessions on a
     * shared machine run ffmpeg too, so always pass something unique such as a URL with our port.
     */
    public static List<ProcessInfo> findByArgument(String executableName, String argumentPart) {
        return find(p -> p.executableName().equals(executableName)
                && p.argv().stream().skip(1).anyMatch(a -> a.contains(argumentPart)));
    }

    public static void awaitNoneMatching(String executableName, String argumentPart, Duration timeout) {
        String what = "no " + executableName + " process with an argument containing " + argumentPart;
        try {
            Waits.waitUntil(() -> findByArgument(executableName, argumentPart).isEmpty(), timeout, what);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; still running: " + findByArgument(executableName, argumentPart), e);
        }
    }
}
