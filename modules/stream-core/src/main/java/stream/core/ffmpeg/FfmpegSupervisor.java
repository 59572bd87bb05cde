package stream.core.ffmpeg;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import stream.core.SecretMasker;

/**
 * Runs and watches one ffmpeg process: reads its progress and (masked) log lines from stderr, passes its stdout on to
 * the process that reads it (the snapshot ffmpeg, see {@link SnapshotPipe}), kills it when
 * its output time stops advancing, stops it gracefully ({@code q}, then SIGTERM, then SIGKILL), and reports its end
 * exactly once. One instance per process launch; {@link FfmpegKeeper} decides about restarts. What stdin and stdout
 * carry is the config's {@link ProcessIo}.
 */
public final class FfmpegSupervisor {
    /** Longest stderr line passed on; ffmpeg's are short, a hostile input could make them long. */
    static final int MAX_LINE = 4096;

    /** Why the process ended. */
    public enum Ending {
        /** it exited by itself (an error, the input ended, a crash, a signal from outside) */
        EXITED,
        /** {@link #stop()} ended it */
        STOPPED,
        /** the watchdog killed it: output time had not advanced for the stale timeout */
        STALLED,
        /** it could not be started at all (ffmpeg missing, not executable) */
        FAILED_TO_START
    }

    /** What the supervisor reports; called from its own threads, so implementations hand work to their owner. */
    public interface Listener {
        void started(long pid, long startTicks);

        /** A progress block; {@code advanced} when output time moved forward. */
        void progress(Progress progress, boolean advanced);

        void stderr(String maskedLine);

        /** Called once, after the last stderr line. */
        void exited(Exit exit);
    }

    /**
     * How a run ended.
     *
     * @param exitCode the process's exit status (-1 when it never started)
     * @param ranFor time from spawn to exit
     * @param message for FAILED_TO_START, why (masked)
     */
    public record Exit(long pid, Ending ending, int exitCode, Duration ranFor, String message) {
    }

    private final SupervisorConfig config;
    private final SecretMasker masker;
    private final Listener listener;
    private final AtomicBoolean launched = new AtomicBoolean();
    private volatile Process process;
    private volatile Ending requestedEnding;
    private volatile long launchedAtNanos;
    private volatile long lastAdvanceNanos;
    private volatile long maxOutTimeUs = Long.MIN_VALUE;
    private ScheduledExecutorService watchdog;

    public FfmpegSupervisor(SupervisorConfig config, SecretMasker masker, Listener listener) {
        this.config = config;
        this.masker = masker;
        this.listener = listener;
    }

    /** Spawns the process; returns at once. Its end is always reported through {@link Listener#exited}. */
    public void start() {
        if (!launched.compareAndSet(false, true)) {
            throw new IllegalStateException("a supervisor runs one process; make a new one to run again");
        }
        String name = "ffmpeg-" + config.role();
        launchedAtNanos = System.nanoTime();
        lastAdvanceNanos = launchedAtNanos;
        Process p;
        ProcessIo io = config.io();
        try {
            ProcessBuilder pb = new ProcessBuilder(config.command());
            pb.redirectInput(ProcessBuilder.Redirect.PIPE);
            pb.redirectOutput(io.readsStdout() ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.DISCARD);
            p = pb.start();
        } catch (IOException | RuntimeException e) {
            String why = masker.mask("cannot start " + config.command().get(0) + ": " + e.getMessage());
            Thread t = new Thread(() -> listener.exited(new Exit(-1, Ending.FAILED_TO_START, -1, Duration.ZERO, why)),
                    name + "-exit");
            t.setDaemon(true);
            t.start();
            return;
        }
        process = p;
        long pid = p.pid();
        listener.started(pid, ProcessIdentity.startTicks(pid).orElse(-1));

        SnapshotPipe snapshot = io.stdoutReader().isEmpty() ? null
                : SnapshotPipe.start(io.stdoutReader(), p.getInputStream(), name);
        Thread out = io.stdoutSink() == null ? null
                : daemon(name + "-stdout", () -> io.stdoutSink().accept(p.getInputStream()));
        Thread err = daemon(name + "-stderr", () -> readStderr(p));
        if (io.stdinSource() != null) {
            daemon(name + "-stdin", () -> io.stdinSource().accept(p.getOutputStream()));
        }
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-watchdog");
            t.setDaemon(true);
            return t;
        });
        // one look when the stall timeout would run out, then again at the new deadline: no wake-up twice a second
        watchdog.schedule(this::checkStall, config.staleTimeout().toNanos(), TimeUnit.NANOSECONDS);
        daemon(name + "-exit", () -> {
            int code = waitForever(p);
            join(err);
            if (out != null) {
                join(out);
            }
            if (snapshot != null) {
                // the reader of the relay's copy ends with its input; it must not outlive this launch
                snapshot.awaitEnd(Duration.ofSeconds(2));
            }
            watchdog.shutdownNow();
            Ending ending = requestedEnding == null ? Ending.EXITED : requestedEnding;
            listener.exited(new Exit(pid, ending, code, Duration.ofNanos(System.nanoTime() - launchedAtNanos), null));
        });
    }

    /** The running process's pid, or -1. */
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /**
     * Stops the process and waits until it is gone: {@code q} on stdin (ffmpeg then writes the FLV trailer and
     * closes the RTMP session), SIGTERM after the quit grace, SIGKILL after the term grace.
     */
    public void stop() {
        stop(false);
    }

    /**
     * Stops the process and waits until it is gone. With {@code promptly} (a URL switch, where every millisecond is
     * time off the air) SIGTERM comes first: ffmpeg 5.1 treats it like {@code q} (it finishes the output and writes
     * the trailer) but acts on it at once, while it reads {@code q} from stdin only every 100 ms.
     */
    public void stop(boolean promptly) {
        Process p = process;
        if (p == null) {
            return;
        }
        if (requestedEnding == null) {
            requestedEnding = Ending.STOPPED;
        }
        if (promptly || !config.io().quitsOnQ()) {
            p.destroy();
            if (waitFor(p, config.termGrace())) {
                return;
            }
            p.destroyForcibly();
            waitFor(p, Duration.ofSeconds(10));
            return;
        }
        try {
            OutputStream in = p.getOutputStream();
            in.write('q');
            in.flush();
            in.close();
        } catch (IOException ignored) {
            // stdin already closed: the process is ending or gone; the signals below still apply
        }
        if (waitFor(p, config.quitGrace())) {
            return;
        }
        p.destroy();
        if (waitFor(p, config.termGrace())) {
            return;
        }
        p.destroyForcibly();
        waitFor(p, Duration.ofSeconds(10));
    }

    private void checkStall() {
        Process p = process;
        if (p == null || !p.isAlive() || requestedEnding != null) {
            return;
        }
        long stalledFor = System.nanoTime() - lastAdvanceNanos;
        long timeout = config.staleTimeout().toNanos();
        if (stalledFor > timeout) {
            requestedEnding = Ending.STALLED;
            // a stalled ffmpeg is usually blocked in a read: SIGTERM is honoured only when the read returns
            p.destroy();
            if (!waitFor(p, Duration.ofSeconds(2))) {
                p.destroyForcibly();
            }
            return;
        }
        try {
            watchdog.schedule(this::checkStall, timeout - stalledFor + TimeUnit.MILLISECONDS.toNanos(1),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the process has ended and its exit reporter shut the watchdog down
        }
    }

    private void readStderr(Process p) {
        ProgressParser parser = new ProgressParser();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                if (isTimestampRepair(line)) {
                    continue;
                }
                String bounded = truncate(line);
                if (ProgressParser.isProgressLine(bounded)) {
                    parser.accept(bounded).ifPresent(this::onProgress);
                } else {
                    listener.stderr(masker.mask(bounded));
                }
            }
        } catch (IOException ignored) {
            // the pipe closes when the process ends
        }
    }

    private void onProgress(Progress progress) {
        boolean advanced = progress.hasOutTime() && progress.outTimeUs() > maxOutTimeUs;
        if (advanced) {
            maxOutTimeUs = progress.outTimeUs();
            lastAdvanceNanos = System.nanoTime();
        }
        listener.progress(progress, advanced);
    }

    /**
     * ffmpeg's muxer telling that it raised a packet's DTS by one: a camera that sends a picture's parameter sets or
     * slices as packets of one timestamp makes it print this at every keyframe, once a second for as long as it
     * streams (the relay's snapshot copy, a session's ingest). It is no failure and nothing acts on it; as a log line
     * it took a masking pass, a wake-up of the keeper and the classifier every second, and it pushed the lines that
     * tell why a process ended out of the stderr tail and out of its last line.
     */
    static boolean isTimestampRepair(String line) {
        return line.contains("Non-monotonous DTS in output stream") && line.contains("changing to");
    }

    private static String truncate(String line) {
        return line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "…" : line;
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static boolean waitFor(Process p, Duration d) {
        try {
            return p.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    private static int waitForever(Process p) {
        while (true) {
            try {
                return p.waitFor();
            } catch (InterruptedException e) {
                // the exit reporter must report the exit; interruption cannot cancel that
            }
        }
    }

    private static void join(Thread t) {
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
