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
import stream.core.ffmpeg.FfmpegKeeper;
import stream.core.ffmpeg.ProcessIo;
import stream.core.ffmpeg.Progress;
import stream.core.ffmpeg.StderrTail;
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
    /** Keeps the relay ffmpeg alive; its state is owned by this stream's thread, like the rest. */
    private final FfmpegKeeper relay;
    /** The kept destination session (contract §8) when keep_session is on; it replaces the relay then. */
    private KeptRun kept;
    private long keptRestarts;
    private Backoff keptBackoff;
    private ScheduledFuture<?> pendingReopen;
    private String keptFailureLogged;
    /** Set once by {@link #close}; guarded by probeGuard where a probe must see it. */
    private volatile boolean closing;
    /** The stream's thread; {@link #close} interrupts it while it waits on a camera probe, and only then. */
    private volatile Thread streamThread;
    private final Object probeGuard = new Object();
    /** Whether the stream's thread is in work that may probe a camera; guarded by probeGuard. */
    private boolean probing;
    private volatile SecretMasker masker = SecretMasker.forUrls();
    private ScheduledFuture<?> pendingUrlRestart;
    private long lastUrlRestartNanos = Long.MIN_VALUE / 2;
    private long lastUrlChangeNanos;
    private Long pid;
    private Instant startedAt;
    private Instant runningSince;
    private String lastError;
    private String warning;
    private long slowSinceNanos = -1;
    private boolean slowWarned;
    private StreamMetrics metrics = StreamMetrics.NONE;
    private volatile StreamStatus status;
    /**
     * The row as last stored with its URLs as shown, kept current by the repository's change callback: status is
     * published once or twice a second, and masking a URL runs several regular expressions.
     */
    private volatile ShownConfig shown;
    /**
     * The look at the kept session every {@value #KEPT_WATCH_MILLIS} ms ({@link #watchKeptSession}), scheduled while
     * one is open: the plain relay has nothing to look at, and a board that streams for months should not wake twice
     * a second for it. Stream thread only.
     */
    private java.util.concurrent.ScheduledFuture<?> keptWatch;
    /**
     * The figures and health of a kept session are looked at once a second, as often as the plain relay's progress
     * comes (twice was a wake-up of this thread a second that changed nothing: the dashboard gets a status a second);
     * a publisher's start, first media, death or surrender is told at once ({@link #publisherChanged}).
     */
    private static final long KEPT_WATCH_MILLIS = 1_000;

    /** A config row and its URLs masked, made once per stored change. */
    private record ShownConfig(StreamConfig config, String rtspUrl, String rtmpUrl) {
        static ShownConfig of(StreamConfig c) {
            return c == null ? null : new ShownConfig(c, SecretMasker.maskUrl(c.rtspUrl()),
                    SecretMasker.maskUrl(c.rtmpUrl()));
        }
    }

    public StreamController(long id, StreamConfigRepository configs, StreamLogRepository logs,
                            ChildProcessRepository children, RelayCommands commands, Timing timing) {
        this.id = id;
        this.configs = configs;
        this.logs = logs;
        this.children = children;
        this.commands = commands;
        this.timing = timing;
        this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stream-" + id);
            t.setDaemon(true);
            streamThread = t;
            return t;
        });
        machine.addListener(this::onTransition);
        FfmpegKeeper.Settings settings = new FfmpegKeeper.Settings(ROLE, ProcessIo.NONE,
                timing.staleTimeout(), timing.quitGrace(), timing.termGrace(), timing.backoff(), timing.healthyReset());
        this.relay = new FfmpegKeeper(settings, this::nextLaunch, this::restartAfterExit,
                new StoredChildRecords(children, id), exec, new KeeperEvents());
        this.shown = ShownConfig.of(configs.find(id).orElse(null));
        configs.onChange(changed -> {
            if (changed == id) {
                shown = ShownConfig.of(configs.find(id).orElse(null));
            }
        });
        this.keptBackoff = timing.backoff();
        this.kept = new KeptRun(id, commands, new StoredChildRecords(children, id), this::logSession,
                this::publisherChanged);
        publish();
    }

    public long id() {
        return id;
    }

    /** Ends a leftover ffmpeg of ours from before a crash, then resumes streaming if the user wanted it. */
    public void start() {
        call(() -> {
            relay.endLeftovers();
            for (long p : KeptRun.endLeftovers(new StoredChildRecords(children, id))) {
                log("orphan_killed", "Stopped a leftover ffmpeg of the kept session (pid " + p
                        + ") from before the appliance last ended", LogStatus.WARNING);
            }
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
     * Starts streaming, first saving the given URLs (either may be absent) as {@link #apply} does; a running stream
     * switches to new ones at once. Returns the stream's id.
     */
    public long requestStart(StreamUrls urls, ChangeSource source) {
        save(StreamChange.urls(urls, true), source);
        configs.updateDesiredState(id, StreamConfig.DesiredState.RUNNING);
        return call(() -> {
            switch (machine.state()) {
                case STOPPED, FAILED -> {
                    newRun();
                    launch();
                }
                case RESTARTING -> skipTheBackoff();
                case STARTING, RUNNING -> {
                    if (!urls.isEmpty()) {
                        switchNow("Switching to the new URLs");
                    }
                }
                case STOPPING -> {
                    // stop() is running on this thread and finished before this task; nothing to do here
                }
            }
            return id;
        });
    }

    /**
     * The user asked for a start or a restart while the stream waits out a backoff: whatever waits (the plain relay,
     * a kept session to be opened again, or the kept session's publisher) starts now.
     */
    private void skipTheBackoff() {
        if (relay.isWaiting()) {
            relay.start();
        } else if (pendingReopen != null) {
            reopenKept();
        } else if (kept.publisherWaiting()) {
            log("session", "Starting the publisher now, on request, instead of after its backoff",
                    LogStatus.INFO);
            kept.startPublisherNow();
        }
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
                case RESTARTING -> skipTheBackoff();
                default -> restartNow("Restarting on request");
            }
            return id;
        });
    }

    /**
     * The one path by which a stream's settings change, whoever asks (the REST routes, the dashboard through them,
     * the control server's events): saves the change (new URLs with a url_history row), logs it, then a running
     * stream switches to the stored configuration when the change asks for that.
     */
    public void apply(StreamChange change, ChangeSource source) {
        save(change, source);
        takeEffect(change);
    }

    /**
     * The first half of {@link #apply}, for a caller that records the change in its own transaction (the control
     * events' inbox marks the event processed in the same one): saves and logs, joining the caller's transaction if
     * any, and does not touch ffmpeg. Call {@link #takeEffect} once that transaction committed. Returns the URL
     * change, if the URLs changed.
     */
    public Optional<UrlChange> save(StreamChange change, ChangeSource source) {
        Optional<UrlChange> urlChange = Optional.empty();
        if (!change.urls().isEmpty()) {
            urlChange = configs.updateUrls(id, change.urls().rtspUrl(), change.urls().rtmpUrl(), source);
            urlChange.ifPresent(ch -> log("url_change", "URLs changed by " + source.sql() + ": " + describe(ch),
                    LogStatus.INFO));
        }
        Encoding encoding = change.encoding();
        if (encoding != null) {
            configs.updateEncoding(id, encoding.ffmpegParams(), encoding.preset());
            log("config_change", encoding.preset() != null ? "Preset changed to " + encoding.preset()
                    : "ffmpeg parameters changed", LogStatus.INFO);
        }
        if (change.autoRestart() != null) {
            configs.updateAutoRestart(id, change.autoRestart());
            log("config_change", "Auto restart turned " + (change.autoRestart() ? "on" : "off"), LogStatus.INFO);
        }
        Boolean keep = change.keepSession();
        if (keep != null && keep != config().keepSession()) {
            configs.updateKeepSession(id, keep);
            log("config_change", keep ? "Keep session turned on: the destination's connection stays open "
                    + "across camera changes and outages" : "Keep session turned off: ffmpeg restarts on every change",
                    LogStatus.INFO);
        }
        return urlChange;
    }

    /**
     * The second half of {@link #apply}: with {@link StreamChange#switchRunning}, a running stream switches to the
     * stored configuration. A burst of changes coalesces: the first switches at once, the rest into one more switch
     * once the burst is quiet.
     */
    public void takeEffect(StreamChange change) {
        boolean restart = change.switchRunning();
        exec.execute(() -> {
            if (hasProcess() && kept.isOpen() != config().keepSession()) {
                // keep_session changed: what runs is the other kind, and a switch cannot turn one into the other
                restartNow(kept.isOpen() ? "Changing over to the plain relay" : "Changing over to the kept session");
                return;
            }
            lastUrlChangeNanos = System.nanoTime();
            if (!restart || !hasProcess()) {
                return;
            }
            if (pendingUrlRestart != null) {
                return;
            }
            long sinceLast = System.nanoTime() - lastUrlRestartNanos;
            if (sinceLast >= timing.minRestartInterval().toNanos()) {
                lastUrlRestartNanos = System.nanoTime();
                switchNow("Switching to the new URLs");
                // the interval counts from the end of the switch: a slow probe must not let the burst switch again
                lastUrlRestartNanos = System.nanoTime();
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
            if (hasProcess()) {
                lastUrlRestartNanos = n;
                switchNow("Switching to the newest URLs");
                lastUrlRestartNanos = System.nanoTime();
            }
        }, Math.max(0, due - now), TimeUnit.NANOSECONDS);
    }

    /**
     * Whether an ffmpeg runs or is being swapped now (not stopped, failed, or waiting out a backoff, whose launch will
     * read the newest configuration anyway).
     */
    private boolean hasProcess() {
        return switch (machine.state()) {
            case STARTING, RUNNING -> true;
            case RESTARTING -> kept.isOpen() || (pendingReopen == null && !relay.isWaiting());
            default -> false;
        };
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

    /** The keeper's view of this stream: what to run (the stored configuration, read at every launch). */
    private FfmpegKeeper.Launch nextLaunch() {
        StreamConfig c = config();
        masker = SecretMasker.forUrls(c.rtspUrl(), c.rtmpUrl());
        RelayCommands.Launch launch = probing(() -> commands.commandsFor(c));
        // the snapshot ffmpeg reads the relay's copy of the camera's video through the supervisor
        return new FfmpegKeeper.Launch(launch.relay(), masker, ProcessIo.stdoutToProcess(launch.snapshot()));
    }

    /** Whether an ffmpeg that ended by itself is started again: the user wants it running and auto restart is on. */
    private boolean restartAfterExit() {
        StreamConfig c = config();
        return c.desiredState() == StreamConfig.DesiredState.RUNNING && c.autoRestart();
    }

    /** What the keeper reports, on this stream's thread: the state machine moves here. */
    private final class KeeperEvents implements FfmpegKeeper.Listener {
        @Override
        public void launched(long p) {
            pid = p;
            startedAt = Instant.now();
            if (machine.state() == StreamState.RESTARTING) {
                machine.transition(StreamState.STARTING, "Starting ffmpeg");
            } else {
                publish();
            }
        }

        @Override
        public void flowing() {
            if (machine.state() == StreamState.STARTING) {
                runningSince = Instant.now();
                machine.transition(StreamState.RUNNING, "Media is flowing to the destination");
            }
        }

        @Override
        public void progress(Progress p, boolean advanced) {
            metrics = new StreamMetrics(known(p.fps()), known(p.bitrateKbps()), known(p.speed()), known(p.frame()),
                    known(p.dropFrames()), known(p.dupFrames()), p.hasOutTime() ? p.outTimeSeconds() : null);
            if (machine.state() == StreamState.RUNNING && !Double.isNaN(p.speed())) {
                watchSpeed(p.speed());
            }
            publish();
        }

        @Override
        public void stderr(String line) {
            stderrTail.add(line);
        }

        @Override
        public void restarting(String reason, Duration delay) {
            ended(reason);
            machine.transition(StreamState.RESTARTING,
                    String.format(Locale.ROOT, "Restarting in %.1f s", delay.toMillis() / 1000.0));
        }

        @Override
        public void gaveUp(String reason, boolean byPolicy) {
            ended(reason);
            if (!byPolicy) {
                fail(reason);
            } else if (config().desiredState() == StreamConfig.DesiredState.STOPPED) {
                machine.transition(StreamState.STOPPING, "ffmpeg ended");
                machine.transition(StreamState.STOPPED, "ffmpeg ended");
            } else {
                fail(reason + " (auto restart is off)");
            }
        }

        @Override
        public void cannotLaunch(String reason) {
            fail("The stream cannot start: " + reason);
        }

        @Override
        public void leftoverEnded(long p) {
            log("orphan_killed", "Stopped a leftover ffmpeg (pid " + p + ") from before the appliance last ended",
                    LogStatus.WARNING);
        }

        private void ended(String reason) {
            pid = null;
            runningSince = null;
            metrics = StreamMetrics.NONE;
            lastError = reason;
            log("ffmpeg_exit", reason, LogStatus.ERROR);
        }
    }

    /** From stopped or failed: a new run starts. */
    private void launch() {
        machine.transition(StreamState.STARTING, "Starting ffmpeg");
        resetRunFigures();
        if (config().keepSession()) {
            openKept();
        } else {
            relay.start();
        }
        publish();
    }

    // ---- the kept session (contract §8), on the stream thread ----

    /** Opens the kept session on the stored configuration; a failure to open is retried with backoff, or fails. */
    private void openKept() {
        cancelReopen();
        StreamConfig c = config();
        masker = SecretMasker.forUrls(c.rtspUrl(), c.rtmpUrl());
        try {
            probing(() -> { // an encoding whose size the camera decides probes it first
                kept.open(c);
                return null;
            });
        } catch (ValidationException e) {
            fail("The stream cannot start: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            keptEnded("The kept session could not open: " + masker.mask(String.valueOf(e.getMessage())));
            return;
        }
        pid = kept.publisherPid();
        startedAt = Instant.now();
        keptFailureLogged = null;
        if (keptWatch == null) {
            keptWatch = exec.scheduleWithFixedDelay(this::watchKeptSession, KEPT_WATCH_MILLIS, KEPT_WATCH_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** A waiting reopen happens now (the user asked). */
    private void reopenKept() {
        cancelReopen();
        if (machine.state() == StreamState.RESTARTING) {
            machine.transition(StreamState.STARTING, "Opening a new session to the destination");
        }
        resetRunFigures();
        openKept();
        publish();
    }

    private void cancelReopen() {
        if (pendingReopen != null) {
            pendingReopen.cancel(false);
            pendingReopen = null;
        }
    }

    /**
     * The session's publisher is gone (killed, or the destination closed the connection): the destination's session
     * has ended with it, so a new one is opened after the backoff, as the relay would be restarted.
     */
    private void keptEnded(String reason) {
        kept.closeAllLater();
        pid = null;
        runningSince = null;
        metrics = StreamMetrics.NONE;
        lastError = reason;
        log("ffmpeg_exit", reason, LogStatus.ERROR);
        StreamConfig c = config();
        if (c.desiredState() != StreamConfig.DesiredState.RUNNING || !c.autoRestart()) {
            fail(reason + (c.autoRestart() ? "" : " (auto restart is off)"));
            return;
        }
        java.time.Duration delay = keptBackoff.delay();
        keptBackoff = keptBackoff.next();
        keptRestarts++;
        pendingReopen = exec.schedule(() -> {
            pendingReopen = null;
            if (machine.state() == StreamState.RESTARTING && !closing) {
                machine.transition(StreamState.STARTING, "Opening a new session to the destination");
                resetRunFigures();
                openKept();
                publish();
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
        machine.transition(StreamState.RESTARTING, String.format(Locale.ROOT,
                "A new session to the destination opens in %.1f s", delay.toMillis() / 1000.0));
    }

    /** A kept session's publisher changed (on the session's thread): the stream's thread looks at once. */
    private void publisherChanged() {
        try {
            exec.execute(this::watchKeptSession);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the stream is closed
        }
    }

    /**
     * Every second, and at once when a publisher changed: the kept session's state, figures and health. A publisher
     * that died is started again by its keeper on the same session (the cameras stay connected; the destination
     * sees a new RTMP session): the stream restarts as the relay's would, without a new session. One that gave up
     * ends the session: a new one is opened with backoff, or the stream fails.
     */
    private void watchKeptSession() {
        if (closing || !kept.isOpen()) {
            if (keptWatch != null) {
                keptWatch.cancel(false);
                keptWatch = null;
            }
            return;
        }
        try {
            KeptRun.PublisherNews news = kept.tick();
            if (news.gaveUp() != null) {
                String tail = String.join(" | ", kept.publisherLog());
                keptEnded("The publisher ffmpeg ended, so the destination's session ended with it: "
                        + masker.mask(news.gaveUp())
                        + (tail.isEmpty() ? "" : " (last messages: " + masker.mask(tail) + ")"));
                return;
            }
            if (news.restartedBecause() != null) {
                publisherRestarting(news);
            }
            pid = kept.publisherPid(); // a new destination's session has its own publisher
            if (pid != null && machine.state() == StreamState.RESTARTING && pendingReopen == null) {
                machine.transition(StreamState.STARTING, "Starting the publisher again on the same session");
            }
            metrics = kept.metrics();
            warning = kept.warning();
            // running once the publisher writes to the destination, as the relay's keeper says flowing()
            if (machine.state() == StreamState.STARTING && kept.carriesMedia()) {
                runningSince = Instant.now();
                machine.transition(StreamState.RUNNING, "Media is flowing to the destination");
            }
            if (runningSince != null && java.time.Duration.between(runningSince, Instant.now())
                    .compareTo(timing.healthyReset()) >= 0) {
                keptBackoff = keptBackoff.reset();
            }
            publish();
        } catch (RuntimeException e) {
            String m = masker.mask(String.valueOf(e.getMessage()));
            if (!m.equals(keptFailureLogged)) {
                keptFailureLogged = m;
                log("session_error", "The kept session's watch failed: " + m, LogStatus.ERROR);
            }
        }
    }

    /** The on-air session's publisher died; its keeper starts it again after {@code news}' delay. */
    private void publisherRestarting(KeptRun.PublisherNews news) {
        keptRestarts++;
        runningSince = null;
        metrics = StreamMetrics.NONE;
        lastError = "The publisher ffmpeg ended: " + masker.mask(String.valueOf(news.restartedBecause()));
        log("ffmpeg_exit", lastError + "; the session and its cameras go on, the destination gets a new connection",
                LogStatus.ERROR);
        if (machine.state() == StreamState.STARTING || machine.state() == StreamState.RUNNING) {
            machine.transition(StreamState.RESTARTING, String.format(Locale.ROOT, "Restarting the publisher in %.1f s",
                    news.restartDelay().toMillis() / 1000.0));
        }
    }

    /** A sentence from the kept session (a cut, a slate period, a failed try), masked. */
    private void logSession(String sentence) {
        String type = sentence.contains("slate") ? "session_slate"
                : sentence.contains("on air") || sentence.contains("switched") ? "session_cut" : "session";
        LogStatus level = sentence.contains("the slate goes on air") || sentence.contains("next try")
                || sentence.contains("did not") || sentence.contains("error") ? LogStatus.WARNING : LogStatus.INFO;
        String text = Character.toUpperCase(sentence.charAt(0)) + sentence.substring(1);
        log(type, text.endsWith(".") ? text : text + ".", level);
    }

    /**
     * A change of URLs: with the kept session open, the camera is switched make-before-break and a new destination
     * gets its own session (contract §8); otherwise ffmpeg restarts on them.
     */
    private void switchNow(String why) {
        StreamConfig c = config();
        if (kept.isOpen() && c.keepSession()) {
            masker = masker.and(SecretMasker.forUrls(c.rtspUrl(), c.rtmpUrl()));
            try {
                probing(() -> { // a new encoding whose size the camera decides probes it first
                    kept.apply(c);
                    return null;
                });
            } catch (RuntimeException e) {
                log("url_change", "The kept session could not switch: " + masker.mask(String.valueOf(e.getMessage())),
                        LogStatus.ERROR);
            }
            publish();
            return;
        }
        restartNow(why);
    }

    private void resetRunFigures() {
        metrics = StreamMetrics.NONE;
        slowSinceNanos = -1;
        slowWarned = false;
        warning = null;
        startedAt = Instant.now();
        runningSince = null;
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

    /**
     * Replaces the running ffmpeg with one on the stored configuration. The new camera is probed first, while the
     * old ffmpeg is still on air, so the stream is off the air only for the swap.
     */
    private void restartNow(String why) {
        StreamConfig c = config();
        if (closing) {
            return; // the appliance is stopping: close() ends what runs, nothing new is wanted
        }
        if (c.keepSession()) {
            if (machine.state() != StreamState.RESTARTING) {
                machine.transition(StreamState.RESTARTING, why);
            }
            relay.stop();
            kept.closeAll();
            keptRestarts++;
            pid = null;
            machine.transition(StreamState.STARTING, "Opening a new session to the destination");
            resetRunFigures();
            openKept();
            publish();
            return;
        }
        cancelReopen();
        kept.closeAll();
        probing(() -> {
            commands.prepare(c.rtspUrl());
            return null;
        });
        if (closing) {
            return; // the appliance is stopping: close() ends the running ffmpeg, no new one is wanted
        }
        if (machine.state() != StreamState.RESTARTING) {
            machine.transition(StreamState.RESTARTING, why);
        }
        pid = null;
        resetRunFigures();
        relay.restartNow();
        publish();
    }

    private void stopNow(String why) {
        if (pendingUrlRestart != null) {
            pendingUrlRestart.cancel(false);
            pendingUrlRestart = null;
        }
        switch (machine.state()) {
            case STOPPED -> {
                return;
            }
            case FAILED -> {
                relay.stop();
                cancelReopen();
                kept.closeAll();
                machine.transition(StreamState.STOPPED, why);
                return;
            }
            default -> {
            }
        }
        machine.transition(StreamState.STOPPING, why);
        relay.stop();
        cancelReopen();
        kept.closeAll();
        pid = null;
        startedAt = null;
        runningSince = null;
        metrics = StreamMetrics.NONE;
        warning = null;
        machine.transition(StreamState.STOPPED, why);
    }

    private void fail(String reason) {
        lastError = reason;
        pid = null;
        machine.transition(StreamState.FAILED, reason);
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
        relay.resetCount();
        keptRestarts = 0;
        keptBackoff = keptBackoff.reset();
        lastError = null;
    }

    private void publish() {
        ShownConfig shownNow = shown;
        StreamConfig c = shownNow == null ? null : shownNow.config();
        status = new StreamStatus(id, machine.state(), c == null ? null : c.name(), pid, pid == null ? null : startedAt,
                runningSince, c == null ? null : shownNow.rtspUrl(),
                c == null ? null : shownNow.rtmpUrl(), c == null ? null : c.preset(), metrics,
                relay.restarts() + keptRestarts, lastError, warning, sessionStatus());
        for (Consumer<StreamStatus> l : statusListeners) {
            try {
                l.accept(status);
            } catch (RuntimeException e) {
                // a listener's failure must not stop the stream
            }
        }
    }

    private SessionStatus sessionStatus() {
        stream.core.session.KeptSession.Status s = kept == null ? null : kept.status();
        if (s == null) {
            return null;
        }
        return new SessionStatus(s.source().name().toLowerCase(Locale.ROOT), s.startedAt(), s.switches(),
                Math.round(s.slateSeconds() * 10) / 10.0);
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
     * Runs work on the stream's thread that may probe a camera, which can take seconds when the camera does not
     * answer: {@link #close} interrupts it there (the probe's ffprobe is killed), so a stop stays within the
     * contract's 10 s. The interrupt is taken back before anything else runs on the thread.
     */
    private <T> T probing(java.util.function.Supplier<T> work) {
        synchronized (probeGuard) {
            probing = true;
            if (closing) {
                Thread.currentThread().interrupt(); // a probe that starts after close() asked is cut short at once
            }
        }
        try {
            return work.get();
        } finally {
            synchronized (probeGuard) {
                probing = false;
                Thread.interrupted();
            }
        }
    }

    /**
     * Stops ffmpeg gracefully (keeping the desired state, so the next start resumes) and ends the stream thread. Waits
     * until ffmpeg's end was reported, so its child_processes row is removed before the database closes. A camera
     * probe under way is cut short, and a switch it was preparing is not made.
     */
    @Override
    public void close() {
        synchronized (probeGuard) {
            closing = true;
            Thread t = streamThread;
            if (probing && t != null) {
                t.interrupt();
            }
        }
        try {
            call(() -> {
                relay.close();
                cancelReopen();
                kept.shutdown();
                return null;
            });
        } catch (RuntimeException ignored) {
            // closing anyway
        }
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
