package stream.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import stream.core.ffmpeg.FailureClassifier;
import stream.core.ffmpeg.FailureKind;
import stream.core.ffmpeg.FfmpegSupervisor;
import stream.core.ffmpeg.ProcessIdentity;
import stream.core.ffmpeg.Progress;
import stream.core.ffmpeg.StderrTail;
import stream.core.ffmpeg.SupervisorConfig;
import stream.store.ChangeSource;
import stream.store.ChildProcess;
import stream.store.ChildProcessRepository;
import stream.store.LogStatus;
import stream.store.StreamConfig;
import stream.store.StreamConfigRepository;
import stream.store.StreamLogRepository;
import stream.store.UrlChange;

/**
 * One stream (one stream_config row): keeps ffmpeg running while the user wants it to, restarts it with backoff,
 * applies URL changes, and reports the truth about it. All of its state is owned by one thread ("stream-ID");
 * other threads send it work. The desired state is stored, so a reboot resumes what the user asked for.
 */
public final class StreamController implements AutoCloseable {
    static final String ROLE = "relay";

    /** Tunables with the contract's values; tests shorten them. */
    public record Timing(Backoff backoff, Duration healthyReset, Duration staleTimeout, Duration slowWarnAfter,
                         double slowSpeed, Duration minRestartInterval, Duration burstQuiet, Duration quitGrace,
                         Duration termGrace) {
        public static Timing defaults() {
            return new Timing(Backoff.of(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.3), Duration.ofSeconds(60),
                    Duration.ofSeconds(10), Duration.ofSeconds(30), 0.95, Duration.ofSeconds(2),
                    Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofSeconds(5));
        }
    }

    private final long id;
    private final StreamConfigRepository configs;
    private final StreamLogRepository logs;
    private final ChildProcessRepository children;
    private final RelayCommands commands;
    private final Timing timing;
    private final ScheduledExecutorService exec;
    private final StreamStateMachine machine = new StreamStateMachine();
    private final List<Consumer<StreamStatus>> statusListeners = new CopyOnWriteArrayList<>();
    // lines arrive masked by the supervisor; the tail masks URLs once more as a second guard
    private final StderrTail stderrTail = new StderrTail(SecretMasker.forUrls());

    // owned by the exec thread
    private FfmpegSupervisor current;
    /** Completes once the current ffmpeg's end was reported (its child_processes row is gone by then). */
    private CompletableFuture<Void> currentExitReported = CompletableFuture.completedFuture(null);
    private volatile boolean closing;
    private volatile SecretMasker masker = SecretMasker.forUrls();
    private Backoff backoff;
    private ScheduledFuture<?> pendingLaunch;
    private ScheduledFuture<?> pendingUrlRestart;
    private long lastUrlRestartNanos = Long.MIN_VALUE / 2;
    private long lastUrlChangeNanos;
    private Long pid;
    private Instant startedAt;
    private Instant runningSince;
    private long restarts;
    private String lastError;
    private String warning;
    private String runFailure;
    private boolean runFailurePermanent;
    private long slowSinceNanos = -1;
    private boolean slowWarned;
    private StreamMetrics metrics = StreamMetrics.NONE;
    private volatile StreamStatus status;
    /** The row as last stored, kept current by the repository's change callback: status is published twice a second. */
    private volatile StreamConfig shown;

    public StreamController(long id, StreamConfigRepository configs, StreamLogRepository logs,
                            ChildProcessRepository children, RelayCommands commands, Timing timing) {
        this.id = id;
        this.configs = configs;
        this.logs = logs;
        this.children = children;
        this.commands = commands;
        this.timing = timing;
        this.backoff = timing.backoff();
        this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stream-" + id);
            t.setDaemon(true);
            return t;
        });
        machine.addListener(this::onTransition);
        this.shown = configs.find(id).orElse(null);
        configs.onChange(changed -> {
            if (changed == id) {
                shown = configs.find(id).orElse(null);
            }
        });
        publish();
    }

    public long id() {
        return id;
    }

    /** Ends a leftover ffmpeg of ours from before a crash, then resumes streaming if the user wanted it. */
    public void start() {
        call(() -> {
            killLeftovers();
            StreamConfig c = config();
            if (c.desiredState() == StreamConfig.DesiredState.RUNNING) {
                log("stream_resume", "Resuming the stream after a restart of the appliance", LogStatus.INFO);
                newRun();
                launch();
            }
            return null;
        });
    }

    public StreamStatus status() {
        return status;
    }

    public StreamStateMachine stateMachine() {
        return machine;
    }

    /** Called on the stream's thread after every change of state or figures. */
    public void onStatus(Consumer<StreamStatus> listener) {
        statusListeners.add(listener);
    }

    /**
     * Starts streaming, first saving any given URL (validated; null keeps the stored one). Returns the stream id.
     * An invalid URL throws {@link ValidationException} and changes nothing.
     */
    public long requestStart(String rtspUrl, String rtmpUrl, ChangeSource source) {
        return requestStart(new StreamUrls(rtspUrl, rtmpUrl), source);
    }

    /** Starts streaming, first saving the given URLs (either may be absent). Returns the stream's id. */
    public long requestStart(StreamUrls urls, ChangeSource source) {
        String rtspUrl = urls.rtspUrl();
        String rtmpUrl = urls.rtmpUrl();
        saveUrls(urls, source);
        configs.updateDesiredState(id, StreamConfig.DesiredState.RUNNING);
        return call(() -> {
            switch (machine.state()) {
                case STOPPED, FAILED -> {
                    newRun();
                    backoff = backoff.reset();
                    launch();
                }
                case RESTARTING -> {
                    // the user asked now: do not wait out the backoff
                    cancelPendingLaunch();
                    backoff = backoff.reset();
                    launch();
                }
                case STARTING, RUNNING -> {
                    if (rtspUrl != null || rtmpUrl != null) {
                        restartNow("Switching to the new URLs");
                    }
                }
                case STOPPING -> {
                    // stop() is running on this thread and finished before this task; nothing to do here
                }
            }
            return id;
        });
    }

    /** Stops streaming and remembers that the user wants it stopped. */
    public void requestStop() {
        configs.updateDesiredState(id, StreamConfig.DesiredState.STOPPED);
        call(() -> {
            stopNow("Stopped on request");
            return null;
        });
    }

    /** Restarts ffmpeg (starts it when stopped). Returns the stream id. */
    public long requestRestart() {
        configs.updateDesiredState(id, StreamConfig.DesiredState.RUNNING);
        return call(() -> {
            switch (machine.state()) {
                case STOPPED, FAILED -> {
                    newRun();
                    launch();
                }
                case RESTARTING -> {
                    cancelPendingLaunch();
                    launch();
                }
                default -> restartNow("Restarting on request");
            }
            return id;
        });
    }

    /**
     * Changes how the stream encodes and whether it restarts by itself (either may be null: unchanged). The one path
     * for these settings, whoever asks; a running stream restarts on a new encoding.
     */
    public void changeSettings(Encoding encoding, Boolean autoRestart) {
        if (autoRestart != null) {
            configs.updateAutoRestart(id, autoRestart);
            log("config_change", "Auto restart turned " + (autoRestart ? "on" : "off"), LogStatus.INFO);
        }
        if (encoding != null) {
            configs.updateEncoding(id, encoding.ffmpegParams(), encoding.preset());
            log("config_change", encoding.preset() != null ? "Preset changed to " + encoding.preset()
                    : "ffmpeg parameters changed", LogStatus.INFO);
            configChanged(true);
        }
    }

    /**
     * Validates and saves new URLs (null keeps one) with a url_history row; joins the caller's transaction if any.
     * Does not touch ffmpeg: call {@link #configChanged} after the transaction commits.
     */
    public Optional<UrlChange> saveUrls(String rtspUrl, String rtmpUrl, ChangeSource source) {
        return saveUrls(new StreamUrls(rtspUrl, rtmpUrl), source);
    }

    /** As {@link #saveUrls(String, String, ChangeSource)} with URLs already checked. */
    public Optional<UrlChange> saveUrls(StreamUrls urls, ChangeSource source) {
        if (urls.isEmpty()) {
            return Optional.empty();
        }
        Optional<UrlChange> change = configs.updateUrls(id, urls.rtspUrl(), urls.rtmpUrl(), source);
        change.ifPresent(ch -> log("url_change", "URLs changed by " + source.sql() + ": "
                + describe(ch), LogStatus.INFO));
        return change;
    }

    /**
     * The stored URLs changed: with {@code restart}, a running stream switches to them. A burst of changes
     * coalesces: the first switches at once, the rest into one more switch once the burst is quiet.
     */
    public void configChanged(boolean restart) {
        exec.execute(() -> {
            lastUrlChangeNanos = System.nanoTime();
            if (!restart || !(machine.state() == StreamState.RUNNING || machine.state() == StreamState.STARTING)) {
                return;
            }
            if (pendingUrlRestart != null) {
                return;
            }
            long sinceLast = System.nanoTime() - lastUrlRestartNanos;
            if (sinceLast >= timing.minRestartInterval().toNanos()) {
                lastUrlRestartNanos = System.nanoTime();
                restartNow("Switching to the new URLs");
            } else {
                scheduleTrailingUrlRestart();
            }
        });
    }

    private void scheduleTrailingUrlRestart() {
        long now = System.nanoTime();
        long due = Math.max(lastUrlRestartNanos + timing.minRestartInterval().toNanos(),
                lastUrlChangeNanos + timing.burstQuiet().toNanos());
        pendingUrlRestart = exec.schedule(() -> {
            pendingUrlRestart = null;
            long n = System.nanoTime();
            if (n < lastUrlChangeNanos + timing.burstQuiet().toNanos()) {
                scheduleTrailingUrlRestart();
                return;
            }
            if (machine.state() == StreamState.RUNNING || machine.state() == StreamState.STARTING) {
                lastUrlRestartNanos = n;
                restartNow("Switching to the newest URLs");
            }
        }, Math.max(0, due - now), TimeUnit.NANOSECONDS);
    }

    /** The stderr lines of the current or last ffmpeg, masked, oldest first. */
    public List<String> stderrTail() {
        return stderrTail.lines();
    }

    /** The current live snapshot, if ffmpeg wrote one recently. */
    public Optional<Path> snapshot() {
        Path p = commands.snapshotPath(id);
        try {
            if (status.state() == StreamState.RUNNING && Files.size(p) > 0
                    && Files.getLastModifiedTime(p).toInstant().isAfter(Instant.now().minusSeconds(60))) {
                return Optional.of(p);
            }
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    // ---- on the stream thread ----

    private void launch() {
        cancelPendingLaunch();
        StreamConfig c = config();
        masker = SecretMasker.forUrls(c.rtspUrl(), c.rtmpUrl());
        RelayCommands.Launch launch;
        try {
            launch = commands.commandsFor(c);
        } catch (ValidationException e) {
            fail("The stream cannot start: " + e.getMessage());
            return;
        }
        machine.transition(StreamState.STARTING, "Starting ffmpeg");
        runFailure = null;
        runFailurePermanent = false;
        metrics = StreamMetrics.NONE;
        slowSinceNanos = -1;
        slowWarned = false;
        warning = null;
        startedAt = Instant.now();
        runningSince = null;
        SupervisorConfig sc = new SupervisorConfig(ROLE, launch.relay(), timing.staleTimeout(), timing.quitGrace(),
                timing.termGrace(), launch.snapshot());
        FfmpegSupervisor[] holder = new FfmpegSupervisor[1];
        CompletableFuture<Void> reported = new CompletableFuture<>();
        holder[0] = new FfmpegSupervisor(sc, masker, new FfmpegSupervisor.Listener() {
            @Override
            public void started(long p, long ticks) {
                // recorded before anything else can happen, so a crash right after leaves no unknown ffmpeg
                children.record(new ChildProcess(id, ROLE, p, ticks));
                post(() -> {
                    if (holder[0] == current) {
                        pid = p;
                        publish();
                    }
                });
            }

            @Override
            public void progress(Progress progress, boolean advanced) {
                post(() -> onProgress(holder[0], progress, advanced));
            }

            @Override
            public void stderr(String line) {
                stderrTail.add(line);
                FailureClassifier.classify(line).ifPresent(f -> post(() -> {
                    if (holder[0] == current && runFailure == null) {
                        runFailure = f.message();
                        // a wrong camera password or path is fixed by a URL change, which restarts at once;
                        // until then retry with backoff. Only the appliance's own setup cannot heal by itself.
                        runFailurePermanent = f.permanent() && f.side() == FailureKind.Side.APPLIANCE;
                    }
                }));
            }

            @Override
            public void exited(FfmpegSupervisor.Exit exit) {
                try {
                    if (exit.pid() > 0) {
                        children.remove(id, ROLE, exit.pid());
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
        publish();
    }

    private void onProgress(FfmpegSupervisor sup, Progress p, boolean advanced) {
        if (sup != current) {
            return;
        }
        metrics = new StreamMetrics(known(p.fps()), known(p.bitrateKbps()), known(p.speed()), known(p.frame()),
                known(p.dropFrames()), known(p.dupFrames()), p.hasOutTime() ? p.outTimeSeconds() : null);
        if (advanced && machine.state() == StreamState.STARTING) {
            runningSince = Instant.now();
            machine.transition(StreamState.RUNNING, "Media is flowing to the destination");
            return;
        }
        if (machine.state() == StreamState.RUNNING && !Double.isNaN(p.speed())) {
            watchSpeed(p.speed());
        }
        publish();
    }

    private static Double known(double d) {
        return Double.isNaN(d) || d < 0 ? null : d;
    }

    private static Long known(long l) {
        return l == Progress.UNKNOWN ? null : l;
    }

    private void watchSpeed(double speed) {
        long now = System.nanoTime();
        if (speed >= timing.slowSpeed()) {
            slowSinceNanos = -1;
            warning = null;
            return;
        }
        if (slowSinceNanos < 0) {
            slowSinceNanos = now;
        }
        if (now - slowSinceNanos >= timing.slowWarnAfter().toNanos()) {
            warning = String.format(Locale.ROOT, "ffmpeg runs at %.2fx real time: this machine cannot keep up with "
                    + "this preset; choose a lighter one (copy, or low-480p)", speed);
            if (!slowWarned) {
                slowWarned = true;
                log("slow_stream", warning, LogStatus.WARNING);
            }
        }
    }

    private void onExit(FfmpegSupervisor sup, FfmpegSupervisor.Exit exit) {
        if (sup != current) {
            return; // an ffmpeg we already replaced; its end was expected
        }
        current = null;
        pid = null;
        boolean wasHealthy = runningSince != null
                && Duration.between(runningSince, Instant.now()).compareTo(timing.healthyReset()) >= 0;
        runningSince = null;
        metrics = StreamMetrics.NONE;
        if (exit.ending() == FfmpegSupervisor.Ending.STOPPED) {
            return;
        }
        String reason = switch (exit.ending()) {
            case STALLED -> "No media for " + timing.staleTimeout().toSeconds()
                    + " s (camera frozen or network stalled); ffmpeg was restarted";
            case FAILED_TO_START -> exit.message();
            default -> runFailure != null ? runFailure
                    : "ffmpeg exited with status " + exit.exitCode() + lastLineHint();
        };
        lastError = reason;
        log("ffmpeg_exit", reason, LogStatus.ERROR);
        StreamConfig c = config();
        if (c.desiredState() == StreamConfig.DesiredState.STOPPED) {
            machine.transition(StreamState.STOPPING, "ffmpeg ended");
            machine.transition(StreamState.STOPPED, "ffmpeg ended");
            return;
        }
        if (exit.ending() == FfmpegSupervisor.Ending.FAILED_TO_START || runFailurePermanent) {
            fail(reason);
            return;
        }
        if (!c.autoRestart()) {
            fail(reason + " (auto restart is off)");
            return;
        }
        if (wasHealthy) {
            backoff = backoff.reset();
        }
        Duration delay = backoff.delay();
        backoff = backoff.next();
        restarts++;
        machine.transition(StreamState.RESTARTING, String.format(Locale.ROOT, "Restarting in %.1f s", delay.toMillis() / 1000.0));
        pendingLaunch = exec.schedule(() -> {
            pendingLaunch = null;
            if (machine.state() == StreamState.RESTARTING) {
                launch();
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private String lastLineHint() {
        List<String> lines = stderrTail.lines();
        return lines.isEmpty() ? "" : " (last message: " + lines.get(lines.size() - 1) + ")";
    }

    private void restartNow(String why) {
        cancelPendingLaunch();
        restarts++;
        if (machine.state() != StreamState.RESTARTING) {
            machine.transition(StreamState.RESTARTING, why);
        }
        FfmpegSupervisor old = current;
        current = null;
        pid = null;
        if (old != null) {
            old.stop(true);
        }
        launch();
    }

    private void stopNow(String why) {
        cancelPendingLaunch();
        if (pendingUrlRestart != null) {
            pendingUrlRestart.cancel(false);
            pendingUrlRestart = null;
        }
        switch (machine.state()) {
            case STOPPED -> {
                return;
            }
            case FAILED -> {
                machine.transition(StreamState.STOPPED, why);
                return;
            }
            default -> {
            }
        }
        machine.transition(StreamState.STOPPING, why);
        FfmpegSupervisor old = current;
        current = null;
        pid = null;
        if (old != null) {
            old.stop();
        }
        startedAt = null;
        runningSince = null;
        metrics = StreamMetrics.NONE;
        warning = null;
        machine.transition(StreamState.STOPPED, why);
    }

    private void fail(String reason) {
        lastError = reason;
        machine.transition(StreamState.FAILED, reason);
    }

    private void cancelPendingLaunch() {
        if (pendingLaunch != null) {
            pendingLaunch.cancel(false);
            pendingLaunch = null;
        }
    }

    private void killLeftovers() {
        for (ChildProcess child : children.all()) {
            if (child.configId() != id) {
                continue;
            }
            String[] cmd = ProcessIdentity.commandLine(child.pid());
            boolean ours = ProcessIdentity.isSameProcess(child.pid(), child.startTicks()) && cmd.length > 0
                    && Path.of(cmd[0]).getFileName().toString().contains("ffmpeg");
            if (ours) {
                ProcessHandle.of(child.pid()).ifPresent(h -> {
                    h.destroy();
                    try {
                        h.onExit().get(3, TimeUnit.SECONDS);
                    } catch (InterruptedException | ExecutionException | TimeoutException e) {
                        h.destroyForcibly();
                    }
                });
                log("orphan_killed", "Stopped a leftover ffmpeg (pid " + child.pid()
                        + ") from before the appliance last ended", LogStatus.WARNING);
            }
            children.remove(child.configId(), child.role(), child.pid());
        }
    }

    private void onTransition(StreamState from, StreamState to, String reason) {
        LogStatus level = switch (to) {
            case RUNNING -> LogStatus.SUCCESS;
            case FAILED -> LogStatus.ERROR;
            case RESTARTING -> LogStatus.WARNING;
            default -> LogStatus.INFO;
        };
        log("state_" + to.wire(), "Stream " + to.wire() + ": " + reason, level);
        publish();
    }

    /** A new run from stopped or failed: its restarts and last error start over. */
    private void newRun() {
        restarts = 0;
        lastError = null;
    }

    private void publish() {
        StreamConfig c = shown;
        status = new StreamStatus(id, machine.state(), c == null ? null : c.name(), pid, current == null ? null : startedAt,
                runningSince, c == null ? null : SecretMasker.maskUrl(c.rtspUrl()),
                c == null ? null : SecretMasker.maskUrl(c.rtmpUrl()), c == null ? null : c.preset(), metrics, restarts,
                lastError, warning);
        for (Consumer<StreamStatus> l : statusListeners) {
            try {
                l.accept(status);
            } catch (RuntimeException e) {
                // a listener's failure must not stop the stream
            }
        }
    }

    private StreamConfig config() {
        return configs.find(id).orElseThrow(() -> new IllegalStateException("stream " + id + " has no config row"));
    }

    private void log(String type, String message, LogStatus level) {
        logs.append(id, type, masker.mask(SecretMasker.forUrls().mask(message)), level);
    }

    private static String describe(UrlChange ch) {
        List<String> parts = new ArrayList<>();
        if (!ch.oldRtspUrl().equals(ch.newRtspUrl())) {
            parts.add("camera " + SecretMasker.maskUrl(ch.newRtspUrl()));
        }
        if (!ch.oldRtmpUrl().equals(ch.newRtmpUrl())) {
            parts.add("destination " + SecretMasker.maskUrl(ch.newRtmpUrl()));
        }
        return String.join(", ", parts);
    }

    /** Runs {@code work} on the stream thread and waits for it, so callers see its result and its errors. */
    private <T> T call(java.util.concurrent.Callable<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        exec.execute(() -> {
            try {
                f.complete(work.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the stream did not answer within 60 s", e);
        }
    }

    /**
     * Hands work to the stream thread. Reports from an ffmpeg that ends while the stream closes arrive after the
     * thread is gone; they have nothing left to change, so they are dropped rather than thrown on the reporter's thread.
     */
    private void post(Runnable work) {
        try {
            exec.execute(work);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (!closing) {
                throw e;
            }
        }
    }

    /**
     * Stops ffmpeg gracefully (keeping the desired state, so the next start resumes) and ends the stream thread. Waits
     * until ffmpeg's end was reported, so its child_processes row is removed before the database closes.
     */
    @Override
    public void close() {
        try {
            call(() -> {
                cancelPendingLaunch();
                FfmpegSupervisor old = current;
                CompletableFuture<Void> reported = currentExitReported;
                current = null;
                closing = true;
                if (old != null) {
                    old.stop();
                    try {
                        reported.get(5, TimeUnit.SECONDS);
                    } catch (TimeoutException | ExecutionException e) {
                        // the report is late; the record stays and the next start ends the process if it lives on
                    }
                }
                return null;
            });
        } catch (RuntimeException ignored) {
            // closing anyway
        }
        closing = true;
        exec.shutdownNow();
    }

    /** Deletes the stream: stops its ffmpeg, takes it out of the list (its logs and history stay) and closes it. */
    public void retire() {
        requestStop();
        configs.markDeleted(id);
        log("stream_deleted", "Stream deleted; its logs and URL history stay readable", LogStatus.INFO);
        close();
    }
}
