package stream.it.harness;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A process this harness started, with stdout+stderr appended to a log file. Stopping it also
 * stops its descendants (nginx workers), which would otherwise be orphaned, keep the listening
 * sockets open and survive the test.
 */
public final class ChildProcess {

    private final String name;
    private final Process process;
    private final Path logFile;
    private final long logOffset;

    private ChildProcess(String name, Process process, Path logFile, long logOffset) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.logOffset = logOffset;
    }

    /**
     * Starts {@code command}; output is appended to {@code logFile} (restarts keep earlier output).
     * {@code env} entries are added to the inherited environment; a null value removes the variable.
     */
    public static ChildProcess start(String name, List<String> command, Path logFile, Map<String, String> env) {
        try {
            long offset = Files.exists(logFile) ? Files.size(logFile) : 0;
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(logFile.toFile()))
                    .redirectInput(Redirect.from(new File("/dev/null")));
            env.forEach((key, value) -> {
                if (value == null) {
                    builder.environment().remove(key);
                } else {
                    builder.environment().put(key, value);
                }
            });
            return new ChildProcess(name, builder.start(), logFile, offset);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    public static ChildProcess start(String name, List<String> command, Path logFile) {
        return start(name, command, logFile, Map.of());
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** Alive and not a zombie; a SIGSTOPped process is alive. */
    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /** What this run (not earlier runs sharing the log file) has written so far. */
    public String output() {
        return readLog(logFile, logOffset);
    }

    /** Waits for the process to exit by itself and returns its exit code. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + name
                        + " (pid " + pid() + ") to exit; output:\n" + tail(output(), 40));
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** SIGTERM, and SIGKILL after {@code grace}; then makes sure no descendant survives. */
    public void terminate(Duration grace) {
        List<ProcessHandle> descendants = process.descendants().toList();
        if (process.isAlive()) {
            process.destroy();
            // A SIGSTOPped process would hold the SIGTERM pending until the grace period ends.
            if (Processes.info(pid()).map(Processes.ProcessInfo::isStopped).orElse(false)) {
                Processes.sigcont(pid());
            }
            if (!waitQuietly(grace)) {
                process.destroyForcibly();
                waitQuietly(Duration.ofSeconds(30));
            }
        }
        killSurvivors(descendants);
    }

    /** SIGKILL to the process and its descendants: the program vanishes without cleaning up. */
    public void kill() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        waitQuietly(Duration.ofSeconds(30));
        killSurvivors(descendants);
    }

    private void killSurvivors(List<ProcessHandle> descendants) {
        for (ProcessHandle child : descendants) {
            if (Processes.isAlive(child.pid())) {
                child.destroyForcibly();
            }
        }
        for (ProcessHandle child : descendants) {
            Processes.awaitGone(child.pid(), Duration.ofSeconds(30));
        }
        if (process.isAlive()) {
            throw new IllegalStateException(name + " (pid " + pid() + ") survived SIGKILL");
        }
    }

    private boolean waitQuietly(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + pid() + (isAlive() ? "" : ", exited") + "]";
    }

    static String readLog(Path file, long offset) {
        if (!Files.exists(file)) {
            return "";
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            if (offset >= length) {
                return "";
            }
            byte[] bytes = new byte[(int) Math.min(length - offset, 16 * 1024 * 1024)];
            raf.seek(offset);
            raf.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The last {@code lines} lines of {@code text}, for failure messages. */
    public static String tail(String text, int lines) {
        String[] all = text.split("\n", -1);
        int from = Math.max(0, all.length - lines);
        return String.join("\n", List.of(all).subList(from, all.length));
    }
}
