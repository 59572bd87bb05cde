package stream.core.ffmpeg;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import stream.core.Backoff;
import stream.core.SecretMasker;
import stream.core.ValidationException;

/**
 * Keeps one ffmpeg process alive: launches it, restarts it with backoff when it ends (back to the first delay after a
 * healthy run), lets its watchdog kill it when output stops advancing, gives up on a failure a retry cannot heal,
 * records each process in {@link ChildRecords} so that a crash of the appliance leaves nothing unknown running, and
 * ends the ones an earlier run left behind. It knows nothing of streams or configuration: what to run comes from a
 * {@link CommandSource} asked at every launch, whether to go on from a {@link RestartPolicy}.
 *
 * <p>Not thread-safe by design: every method is called on the owner's single-threaded executor, and every
 * {@link Listener} callback runs there too, so the owner sees the keeper's state without locks.
 *
 * <pre>{@code
 * ScheduledExecutorService owner = Executors.newSingleThreadScheduledExecutor();
 * FfmpegKeeper relay = new FfmpegKeeper(FfmpegKeeper.Settings.of("relay"),
 *         () -> new FfmpegKeeper.Launch(List.of("ffmpeg", "-i", "rtsp://127.0.0.1:8554/cam1", "-c", "copy",
 *                 "-progress", "pipe:2", "-f", "flv", "rtmp://127.0.0.1:1935/live/key"), SecretMasker.forUrls()),
 *         () -> true, ChildRecords.NONE, owner, new FfmpegKeeper.Listener() { });
 * owner.execute(relay::start);
 * }</pre>
 */
public final class FfmpegKeeper {
    /** How to run and keep the process; one-line notes per value. */
    public record Settings(
            /* what the process is for ("relay", "ingest", "publisher"): names threads and child records */
            String role,
            /* what its stdin and stdout carry */
            ProcessIo io,
            /* kill it when output time has not advanced for this long (a frozen camera keeps TCP open) */
            Duration staleTimeout,
            /* after q, wait this long for ffmpeg to write its trailer, then SIGTERM */
            Duration quitGrace,
            /* after SIGTERM, wait this long, then SIGKILL */
            Duration termGrace,
            /* delay before each restart: doubling, capped, jittered */
            Backoff backoff,
            /* a run with output flowing this long counts as healthy: the backoff starts over */
            Duration healthyReset) {

        /** The contract's values: 10 s watchdog, q then 3 s, SIGTERM then 5 s, backoff 1 s doubling to 30 s. */
        public static Settings of(String role) {
            return new Settings(role, ProcessIo.NONE, Duration.ofSeconds(10), Duration.ofSeconds(3),
                    Duration.ofSeconds(5), Backoff.of(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.3),
                    Duration.ofSeconds(60));
        }

        public Settings withIo(ProcessIo newIo) {
            return new Settings(role, newIo, staleTimeout, quitGrace, termGrace, backoff, healthyReset);
        }
    }

    /**
     * One launch's argument list, the masker for what it prints (it knows the launch's secrets), and what its stdin
     * and stdout carry (null: the settings' {@link Settings#io}). A relay's snapshot reader, for one, changes with
     * its launch.
     */
    public record Launch(List<String> command, SecretMasker masker, ProcessIo io) {
        public Launch(List<String> command, SecretMasker masker) {
            this(command, masker, null);
        }
    }

    /** What to run, asked at every launch so a restart uses the newest configuration. */
    @FunctionalInterface
    public interface CommandSource {
        /** A {@link ValidationException} means it cannot run as configured: the keeper gives up with its message. */
        Launch next();
    }

    /** Whether a process that ended by itself should be started again. */
    @FunctionalInterface
    public interface RestartPolicy {
        boolean restartAfterExit();
    }

    /** What the keeper reports, always on the owner's executor. */
    public interface Listener {
        /** A process was spawned (state: starting). */
        default void launched(long pid) {
        }

        /** Output time advanced for the first time since the launch (state: running). */
        default void flowing() {
        }

        default void progress(Progress progress, boolean advanced) {
        }

        /**
         * Whether {@link #progress} is wanted now: asked on the process's stderr thread at each report once the
         * output has advanced (the first advance always comes, it makes {@link #flowing}). A listener that needs no
         * more spares its owner a wake-up per report, once a second for months.
         */
        default boolean followsProgress() {
            return true;
        }

        /** A masked stderr line. */
        default void stderr(String line) {
        }

        /** The process ended by itself or was killed by the watchdog; it is started again after {@code delay}. */
        default void restarting(String reason, Duration delay) {
        }

        /** The process ended and will not be started again: a permanent failure or the policy said no. */
        default void gaveUp(String reason, boolean byPolicy) {
        }

        /** The command could not be built (the configuration cannot run); nothing was spawned or will be. */
        default void cannotLaunch(String reason) {
        }

        /** A process left by an earlier run of the appliance was found and ended. */
        default void leftoverEnded(long pid) {
        }
    }

    private final Settings settings;
    private final CommandSource commands;
    private final RestartPolicy policy;
    private final ChildRecords records;
    private final ScheduledExecutorService owner;
    private final Listener listener;

    private FfmpegSupervisor current;
    private CompletableFuture<Void> currentExitReported = CompletableFuture.completedFuture(null);
    private Backoff backoff;
    private ScheduledFuture<?> pendingLaunch;
    private Instant flowingSince;
    private String runFailure;
    private boolean runFailurePermanent;
    private String lastLine;
    private long restarts;
    private volatile boolean closing;

    public FfmpegKeeper(Settings settings, CommandSource commands, RestartPolicy policy, ChildRecords records,
                        ScheduledExecutorService owner, Listener listener) {
        this.settings = settings;
        this.commands = commands;
        this.policy = policy;
        this.records = records;
        this.owner = owner;
        this.listener = listener;
        this.backoff = settings.backoff();
    }

    /** Launches now (a pending delayed launch is dropped) with a fresh backoff. Returns false when it gave up. */
    public boolean start() {
        backoff = backoff.reset();
        return launch();
    }

    /**
     * Replaces the running process at once: SIGTERM first (a switch is time off the air), then a launch with the
     * newest command. Counts as a restart.
     */
    public boolean restartNow() {
        cancelPendingLaunch();
        restarts++;
        stopCurrent(true);
        return launch();
    }

    /**
     * Stops the process gracefully and waits until it is gone; nothing is started again until {@link #start}. One
     * whose output never advanced gets SIGTERM at once: it has no session to finish yet, and while it is still
     * opening its input (a camera that does not answer) ffmpeg does not read {@code q} at all.
     */
    public void stop() {
        cancelPendingLaunch();
        stopCurrent(flowingSince == null);
    }

    /** Whether a process runs now or a restart is pending. */
    public boolean isActive() {
        return current != null || pendingLaunch != null;
    }

    /** Whether a restart waits out its backoff. */
    public boolean isWaiting() {
        return pendingLaunch != null;
    }

    /** The running process's pid, or null. */
    public Long pid() {
        return current == null || current.pid() < 0 ? null : current.pid();
    }

    /** When output started flowing in the current run, or null. */
    public Instant flowingSince() {
        return flowingSince;
    }

    /** Restarts since {@link #resetCount}: after exits and by {@link #restartNow}. */
    public long restarts() {
        return restarts;
    }

    public void resetCount() {
        restarts = 0;
    }

    /**
     * Ends the processes of this role that an earlier run recorded and left running (checked by pid, start time and
     * executable, so a reused pid is never hit), and forgets their records.
     */
    public void endLeftovers() {
        for (ChildRecord child : records.all()) {
            if (!child.role().equals(settings.role())) {
                continue;
            }
            if (endIfOurs(child)) {
                listener.leftoverEnded(child.pid());
            }
            records.remove(child);
        }
    }

    /** Ends {@code child} if it is still the ffmpeg that was recorded; returns whether it was. */
    public static boolean endIfOurs(ChildRecord child) {
        String[] cmd = ProcessIdentity.commandLine(child.pid());
        boolean ours = ProcessIdentity.isSameProcess(child.pid(), child.startTicks()) && cmd.length > 0
                && Path.of(cmd[0]).getFileName().toString().contains("ffmpeg");
        if (!ours) {
            return false;
        }
        ProcessHandle.of(child.pid()).ifPresent(h -> {
            h.destroy();
            try {
                h.onExit().get(3, TimeUnit.SECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                h.destroyForcibly();
            }
        });
        return true;
    }

    /**
     * Stops the process for good and waits until its end was reported (its record removed), so the owner may close
     * what the records are kept in. Reports arriving after the owner's executor shut down are dropped.
     */
    public void close() {
        closing = true;
        stop();
    }

    // ---- on the owner's executor ----

    private boolean launch() {
        cancelPendingLaunch();
        Launch launch;
        try {
            launch = commands.next();
        } catch (ValidationException e) {
            current = null;
            listener.cannotLaunch(e.getMessage());
            return false;
        }
        runFailure = null;
        runFailurePermanent = false;
        lastLine = null;
        flowingSince = null;
        SupervisorConfig sc = new SupervisorConfig(settings.role(), launch.command(), settings.staleTimeout(),
                settings.quitGrace(), settings.termGrace(), launch.io() != null ? launch.io() : settings.io());
        FfmpegSupervisor[] holder = new FfmpegSupervisor[1];
        CompletableFuture<Void> reported = new CompletableFuture<>();
        holder[0] = new FfmpegSupervisor(sc, launch.masker(), new FfmpegSupervisor.Listener() {
            @Override
            public void started(long pid, long ticks) {
                // recorded before anything else can happen, so a crash right after leaves no unknown ffmpeg
                records.add(new ChildRecord(settings.role(), pid, ticks));
                post(() -> {
                    if (holder[0] == current) {
                        listener.launched(pid);
                    }
                });
            }

            /** This launch's output has advanced in a report already posted; on its stderr thread only. */
            private boolean advancedBefore;

            @Override
            public void progress(Progress progress, boolean advanced) {
                if (advancedBefore && !listener.followsProgress()) {
                    return;
                }
                advancedBefore |= advanced;
                post(() -> onProgress(holder[0], progress, advanced));
            }

            @Override
            public void stderr(String line) {
                post(() -> onStderr(holder[0], line));
            }

            @Override
            public void exited(FfmpegSupervisor.Exit exit) {
                try {
                    if (exit.pid() > 0) {
                        records.remove(new ChildRecord(settings.role(), exit.pid(), 0));
                    }
                    post(() -> onExit(holder[0], exit));
                } finally {
                    reported.complete(null);
                }
            }
        });
        current = holder[0];
        currentExitReported = reported;
        current.start();
        return true;
    }

    private void onProgress(FfmpegSupervisor sup, Progress p, boolean advanced) {
        if (sup != current) {
            return;
        }
        boolean first = advanced && flowingSince == null;
        if (first) {
            flowingSince = Instant.now();
        }
        listener.progress(p, advanced);
        if (first) {
            listener.flowing();
        }
    }

    private void onStderr(FfmpegSupervisor sup, String line) {
        if (sup != current) {
            return;
        }
        lastLine = line;
        if (runFailure == null) {
            FailureClassifier.classify(line).ifPresent(f -> {
                runFailure = f.message();
                // a wrong camera password or path is fixed by a URL change, which restarts at once; until then
                // retry with backoff. Only the appliance's own setup cannot heal by itself.
                runFailurePermanent = f.permanent() && f.side() == FailureKind.Side.APPLIANCE;
            });
        }
        listener.stderr(line);
    }

    private void onExit(FfmpegSupervisor sup, FfmpegSupervisor.Exit exit) {
        if (sup != current) {
            return; // a process we already replaced or stopped; its end was expected
        }
        current = null;
        boolean wasHealthy = flowingSince != null
                && Duration.between(flowingSince, Instant.now()).compareTo(settings.healthyReset()) >= 0;
        flowingSince = null;
        if (exit.ending() == FfmpegSupervisor.Ending.STOPPED) {
            return;
        }
        String reason = switch (exit.ending()) {
            case STALLED -> "No media for " + settings.staleTimeout().toSeconds()
                    + " s (camera frozen or network stalled); ffmpeg was restarted";
            case FAILED_TO_START -> exit.message();
            default -> runFailure != null ? runFailure
                    : "ffmpeg exited with status " + exit.exitCode()
                    + (lastLine == null ? "" : " (last message: " + lastLine + ")");
        };
        if (exit.ending() == FfmpegSupervisor.Ending.FAILED_TO_START || runFailurePermanent) {
            listener.gaveUp(reason, false);
            return;
        }
        if (!policy.restartAfterExit()) {
            listener.gaveUp(reason, true);
            return;
        }
        if (wasHealthy) {
            backoff = backoff.reset();
        }
        Duration delay = backoff.delay();
        backoff = backoff.next();
        restarts++;
        pendingLaunch = owner.schedule(() -> {
            pendingLaunch = null;
            launch();
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
        listener.restarting(reason, delay);
    }

    private void stopCurrent(boolean promptly) {
        FfmpegSupervisor old = current;
        CompletableFuture<Void> reported = currentExitReported;
        current = null;
        flowingSince = null;
        if (old == null) {
            return;
        }
        old.stop(promptly);
        try {
            reported.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the report is late; the record stays and the next start ends the process if it lives on
        }
    }

    private void cancelPendingLaunch() {
        if (pendingLaunch != null) {
            pendingLaunch.cancel(false);
            pendingLaunch = null;
        }
    }

    /** Hands a report to the owner; after the owner closed, there is nothing left to change, so it is dropped. */
    private void post(Runnable work) {
        try {
            owner.execute(work);
        } catch (RejectedExecutionException e) {
            if (!closing) {
                throw e;
            }
        }
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        parts.add("role=" + settings.role());
        parts.add("pid=" + pid());
        parts.add("restarts=" + restarts);
        return "FfmpegKeeper" + parts;
    }
}
