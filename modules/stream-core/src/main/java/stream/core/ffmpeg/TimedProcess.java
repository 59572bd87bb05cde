package stream.core.ffmpeg;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short-lived helper process (ffprobe, a trial ffmpeg) from an argument list, never a shell, and kills it
 * when it outlives its time limit.
 */
final class TimedProcess {
    /** Output beyond this is dropped: six seconds of ffprobe packet lines are ~60 KB, so this only stops a runaway. */
    private static final int MAX_CAPTURE = 4 * 1024 * 1024;
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(2);

    private TimedProcess() {
    }

    /** What a finished (or killed) process left behind. */
    record Outcome(int exitCode, String stdout, String stderr, boolean timedOut, Duration elapsed) {
        boolean succeeded() {
            return !timedOut && exitCode == 0;
        }
    }

    /**
     * Runs {@code command} and waits at most {@code limit}; past it the process is killed (SIGKILL) and the outcome
     * says {@code timedOut}.
     *
     * @throws IOException when the program cannot be started (missing, not executable)
     * @throws InterruptedException when the caller is interrupted; the process is killed first
     */
    static Outcome run(List<String> command, Duration limit) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).start();
        // Nothing we run reads stdin; closing it keeps a forgotten prompt from waiting forever.
        process.getOutputStream().close();
        String name = shortName(command.get(0));
        Capture out = Capture.start(process.getInputStream(), name + "-stdout");
        Capture err = Capture.start(process.getErrorStream(), name + "-stderr");
        boolean finished;
        try {
            finished = process.waitFor(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            throw e;
        }
        if (!finished) {
            process.destroyForcibly();
            process.waitFor(DRAIN_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        int exit = process.isAlive() ? -1 : process.exitValue();
        return new Outcome(exit, out.text(), err.text(), !finished, elapsed);
    }

    private static String shortName(String program) {
        int slash = program.lastIndexOf('/');
        return slash < 0 ? program : program.substring(slash + 1);
    }

    /** Drains one pipe on its own thread so a full pipe can never stall the child. */
    private static final class Capture implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final Thread thread;

        private Capture(InputStream in, String name) {
            this.in = in;
            this.thread = new Thread(this, name);
            this.thread.setDaemon(true);
        }

        static Capture start(InputStream in, String name) {
            Capture capture = new Capture(in, name);
            capture.thread.start();
            return capture;
        }

        @Override
        public void run() {
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    synchronized (buffer) {
                        int room = MAX_CAPTURE - buffer.size();
                        if (room > 0) {
                            buffer.write(chunk, 0, Math.min(n, room));
                        }
                    }
                }
            } catch (IOException e) {
                // The pipe closes under us when the process is killed; what was read so far is kept.
            }
        }

        String text() throws InterruptedException {
            thread.join(DRAIN_LIMIT.toMillis());
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
