package stream.core.session;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import stream.core.SecretMasker;
import stream.core.ffmpeg.StderrTail;

/** A {@link MediaProcess} on a plain {@link Process}, its stderr drained into a masked tail by a daemon thread. */
public final class PlainMediaProcess implements MediaProcess {
    private static final Duration GRACE = Duration.ofSeconds(5);
    /** A publisher whose input has ended finishes its FLV by itself, usually at once. */
    private static final Duration END_OF_INPUT = Duration.ofMillis(500);

    private final Process process;
    private final StderrTail stderr;

    private PlainMediaProcess(Process process, StderrTail stderr) {
        this.process = process;
        this.stderr = stderr;
    }

    /** Starts plain processes. */
    public static MediaProcess.Starter starter() {
        return PlainMediaProcess::start;
    }

    public static PlainMediaProcess start(String role, List<String> command, SecretMasker masker) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            // the command's URL may carry a password: name only the program
            throw new UncheckedIOException("cannot start " + role + " (" + command.get(0) + ")", e);
        }
        StderrTail tail = new StderrTail(50, 1024, masker);
        Thread drain = new Thread(() -> drain(p.getErrorStream(), tail), role + "-stderr-" + p.pid());
        drain.setDaemon(true);
        drain.start();
        return new PlainMediaProcess(p, tail);
    }

    private static void drain(InputStream err, StderrTail tail) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                tail.add(line);
            }
        } catch (IOException e) {
            // the process went away: its stderr ends with it
        }
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    @Override
    public List<String> stderrTail() {
        return stderr.lines();
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close(); // a publisher ends its output at the end of its input
        } catch (IOException e) {
            // already closed
        }
        try {
            if (process.waitFor(END_OF_INPUT.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            process.destroy(); // SIGTERM: ffmpeg still ends its output properly
            if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
