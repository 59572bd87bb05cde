package stream.core.session;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import stream.core.Backoff;
import stream.core.SecretMasker;
import stream.core.ffmpeg.ChildRecords;
import stream.core.ffmpeg.FfmpegKeeper;
import stream.core.ffmpeg.ProcessIo;
import stream.core.ffmpeg.Progress;
import stream.core.ffmpeg.StderrTail;

/**
 * One destination session kept open across camera switches and camera outages: a publisher ffmpeg reading one
 * continuous transport stream from the {@link Splicer}, an ingest ffmpeg per camera feeding it, and the slate when
 * no camera delivers.
 *
 * <ul>
 * <li>Switch (make-before-break): the new camera's ingest starts while the old one stays on air; the output cuts
 * over at the new camera's first keyframe; the old ingest is closed after the cut. Each camera's ingest is kept
 * alive by its own {@link FfmpegKeeper} (see {@link CameraIngest}): one that fails is started again with the keeper's
 * backoff, one that sends nothing is ended by the keeper's watchdog and started again, and one that runs but shows no
 * live keyframe within twice the connect timeout is started again at once; the old camera stays on air meanwhile.</li>
 * <li>Outage: when the camera on air has delivered no picture for the stall timeout, as far as its reads have seen
 * (gone: its ingest exits; frozen: it just stops; a camera settled on air is read every 250 ms, and a rest between
 * two reads is not silence: {@link Splicer.Input#nanosWithoutPicture}), the slate goes on air and the camera becomes
 * the candidate behind it, its keeper retrying it with backoff; its first live keyframe cuts back to it.</li>
 * <li>Publisher: kept alive by an {@link FfmpegKeeper}. When it dies (killed, or the RTMP server closed the
 * connection) it is started again with the keeper's backoff and this session goes on: the ingests and the splicer
 * keep running, and the new publisher's stdin gets a transport stream that starts clean at the next keyframe (see
 * {@link Splicer#restartOutput}). The destination sees a new RTMP session; the cameras see nothing.</li>
 * </ul>
 *
 * <p>A control thread, a single-threaded scheduled executor, makes every decision and owns the publisher's keeper
 * (each ingest's keeper runs on the ingest's own thread: stopping a hung ingest never holds up the slate); the
 * readers of the ingests only deliver frames. Its next look is scheduled at the next deadline it keeps (the stall
 * timeout of the camera on air while its reader waits in a read, a candidate's time to show a live keyframe), or
 * sooner when it is woken by a cut, a switch, an ingest that was launched or ended, or the reader of the camera on air
 * (a read that waits, or a read that left it silent too long: {@link Splicer.Input#armSilenceWatch}), and at most
 * {@link #IDLE_WAIT} away: a steady stream, whose reader finds pictures at every read, costs it no wake-up, and a
 * stall is seen at its deadline, not up to a tick late. A stream's controller drives it through {@code KeptRun} and
 * reads {@link #status} and {@link #publisher} into the stream's status.
 */
public final class KeptSession implements AutoCloseable {
    /** The longest the control thread sleeps without a deadline: what nothing wakes it for (a publisher that
     * stopped taking media, which fills a queue of many seconds first) is logged within this. */
    static final Duration IDLE_WAIT = Duration.ofSeconds(5);
    private static final long DEADLINE_MARGIN_NANOS = 1_000_000;
    private static final long ERROR_RETRY_NANOS = 500_000_000;
    private static final long STALL_RECHECK_NANOS = 25_000_000;
    /**
     * The publisher gets its media in batches of this long: 10 wake-ups a second of the feed's thread (and of the
     * publisher ffmpeg) instead of one per read of a camera's pipe (30 to 50), for 0.1 s more latency at a destination
     * that buffers seconds.
     */
    static final Duration FEED_BATCH = Duration.ofMillis(100);
    /**
     * The batch once the source on air has settled ({@link CameraIngest#SETTLED_AFTER_NANOS} since the cut to it, no
     * other source armed): a settled camera is read every 250 ms, and each of those reads was a write of its own to
     * the publisher's pipe (the drainer waited longer than {@link #FEED_BATCH} for it). Two reads to a write halve the
     * drainer's wake-ups, the JVM's second most frequent after the reader's, for at most half a second more delay to
     * a destination that buffers seconds. A camera armed to be cut in ends the settling, and the batch is short again
     * before its first picture can go on air.
     */
    static final Duration FEED_BATCH_SETTLED = Duration.ofMillis(500);
    /** The snapshot process's watchdog timeout: in effect none (see {@link #snapshotSettings}). */
    private static final Duration SNAPSHOT_UNWATCHED = Duration.ofDays(3650);

    public enum Source { CAMERA, SLATE, SWITCHING }

    /**
     * @param stallTimeout   no picture from the camera on air for this long puts the slate on air
     * @param firstPictureTimeout no picture at all this long after the start puts the slate on air
     * @param connectTimeout a camera that has not shown a keyframe this long after its ingest started is retried
     * @param fallbackWidth  the slate's size and rate until a camera has shown its own (with an encoding: the
     *                       encoding's, which every camera is fitted to)
     * @param encoding       how the ingests encode the cameras' video, or empty to copy it
     * @param snapshotFile   where a snapshot process keeps a JPEG of the output every 10 s, or empty for none
     */
    public record Settings(String streamName, String rtmpUrl, Duration stallTimeout, Duration firstPictureTimeout,
                           Duration connectTimeout, Backoff retry, int fallbackWidth, int fallbackHeight, int fallbackFps,
                           Path workDir, Optional<VideoEncoding> encoding, Optional<Path> snapshotFile) {
        public Settings {
            Objects.requireNonNull(streamName, "streamName");
            Objects.requireNonNull(rtmpUrl, "rtmpUrl");
            Objects.requireNonNull(workDir, "workDir");
            Objects.requireNonNull(encoding, "encoding");
            Objects.requireNonNull(snapshotFile, "snapshotFile");
        }

        /** Copies the cameras' video; no snapshot. */
        public static Settings defaults(String streamName, String rtmpUrl, Path workDir) {
            return new Settings(streamName, rtmpUrl, Duration.ofMillis(500), Duration.ofSeconds(4),
                    Duration.ofSeconds(10),
                    Backoff.of(Duration.ofSeconds(1), Duration.ofSeconds(10), 0.2), 1280, 720, 25, workDir,
                    Optional.empty(), Optional.empty());
        }

        /** The same with the cameras encoded to {@code encoding} (empty: copied); the slate starts in its format. */
        public Settings withEncoding(Optional<VideoEncoding> encoding) {
            return new Settings(streamName, rtmpUrl, stallTimeout, firstPictureTimeout, connectTimeout, retry,
                    encoding.map(VideoEncoding::width).orElse(fallbackWidth),
                    encoding.map(VideoEncoding::height).orElse(fallbackHeight),
                    encoding.map(VideoEncoding::fps).orElse(fallbackFps), workDir, encoding, snapshotFile);
        }

        /** The same with a snapshot of the output kept at {@code file}, an absolute path. */
        public Settings withSnapshot(Path file) {
            return new Settings(streamName, rtmpUrl, stallTimeout, firstPictureTimeout, connectTimeout, retry,
                    fallbackWidth, fallbackHeight, fallbackFps, workDir, encoding, Optional.of(file));
        }
    }

    /** What the status reports (§8): the source on air, and counters since the session began. */
    public record Status(Source source, Instant startedAt, long switches, double slateSeconds, long cuts,
                         Splicer.Stats output) {}

    /**
     * The publisher as its keeper last reported it.
     *
     * @param pid          the running publisher's pid, or null between a death and the next start
     * @param flowing      whether it carries media to the destination: its output time has advanced in a second
     *                     progress report since it started (see {@link PublisherEvents#progress})
     * @param restarts     how often it died and was (or is about to be) started again
     * @param lastEnd      why it last died, masked, or null
     * @param restartDelay the backoff before the start after the last death, or null
     * @param gaveUp       why it will not be started again (it cannot start, or a failure no retry heals), or null
     */
    public record PublisherState(Long pid, boolean flowing, long restarts, String lastEnd, Duration restartDelay,
                                 String gaveUp) {
        static final PublisherState NOT_STARTED = new PublisherState(null, false, 0, null, null, null);
    }

    private final SessionCommands commands;
    private final ChildRecords records;
    /** The child record roles of this session's ingests: this and a number. */
    private final String ingestRolePrefix;
    private final Runnable publisherChanged;
    private final Settings settings;
    private final Consumer<String> log;
    private SecretMasker masker;
    private final SlateEncoder slates;
    private final ExecutorService background;
    /** Closing a hung ingest can take its grace period: never in the way of the slate's encoding. */
    private final ExecutorService closer;
    /** Called on {@link #control} only, as its keeper requires. */
    private final FfmpegKeeper publisher;
    private final StderrTail publisherTail;
    private volatile PublisherState publisherState = PublisherState.NOT_STARTED;
    private final PublisherFeed feed;
    /**
     * The snapshot process's copy of the output and its keeper (on {@link #control}), or null without a snapshot
     * file: no thumbnail, same broadcast.
     */
    private final SnapshotFeed snapshot;
    private final FfmpegKeeper snapshotKeeper;
    private final Splicer splicer;
    private final ScheduledExecutorService control;
    /** A look of the control thread has been asked for and not begun yet: wake-ups in between ask for no other. */
    private final AtomicBoolean lookAsked = new AtomicBoolean();
    /** The look scheduled at the next deadline; on the control thread only. */
    private ScheduledFuture<?> nextLook;
    private final Instant startedAt = Instant.now();
    private final long startedNanos = System.nanoTime();

    // guarded by this
    private String wantedUrl;
    private Optional<VideoEncoding> encoding;
    private CameraIngest onAir;
    private String lastCameraUrl;
    private CameraIngest candidate;
    /** A camera that stalled on air, kept connected until the slate has replaced it, then armed again. */
    private CameraIngest stalled;
    private SlateLoop slate;
    private SlateClip genericSlate;
    /** The launch of {@link #onAir} that went on air: a launch after it would be a new input, cut in like a camera. */
    private Splicer.Input onAirInput;
    private long ingestSerial;
    private long candidateSinceNanos;
    private long slateSinceNanos;
    private boolean slateOnAirLogged;
    private long lastPictureNanos;
    private long slateNanosTotal;
    private long switches;
    private boolean publisherFailureLogged;
    private volatile boolean closed;
    /** The publisher and the snapshot process have been started (see {@link #startOutputAtFirstPicture}). */
    private boolean outputStarted;
    /** A publisher has taken the output: the next one to start takes over from a dead one. */
    private final AtomicBoolean outputTaken = new AtomicBoolean();

    /**
     * Starts the publisher and the first camera's ingest. {@code log} receives one sentence per cut, per slate
     * period and per failed attempt, with every URL masked.
     */
    public KeptSession(SessionCommands commands, SessionProcesses processes, Settings settings, String rtspUrl,
                       Consumer<String> log) {
        this.commands = commands;
        this.records = processes.records();
        this.ingestRolePrefix = processes.ingestRolePrefix();
        this.publisherChanged = processes.publisherChanged();
        this.settings = settings;
        this.log = log;
        this.masker = SecretMasker.forUrls(settings.rtmpUrl(), rtspUrl);
        commands.ingest(rtspUrl); // both URLs are validated before anything starts
        List<String> publisherCommand = commands.publisher(settings.rtmpUrl());
        SecretMasker publisherMasker = SecretMasker.forUrls(settings.rtmpUrl());
        this.slates = new SlateEncoder(commands, processes.starter(), settings.workDir());
        byte[] silence = slates.silentAacFrame();
        // The slate must be ready before any camera can fail: made here, before the publisher starts (a fraction of
        // a second), at the fallback size until a camera has shown its own.
        this.genericSlate = slates.encode(settings.streamName(), null, settings.fallbackWidth(),
                settings.fallbackHeight(), settings.fallbackFps());
        this.background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "session-" + settings.streamName() + "-background");
            t.setDaemon(true);
            return t;
        });
        this.closer = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "session-" + settings.streamName() + "-closer");
            t.setDaemon(true);
            return t;
        });
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "session-" + settings.streamName());
            t.setDaemon(true);
            return t;
        });
        this.publisherTail = new StderrTail(50, 1024, publisherMasker);
        this.feed = new PublisherFeed(1_000, this::feedBatchNanos);
        this.publisher = new FfmpegKeeper(
                FfmpegKeeper.Settings.of(processes.publisherRole()).withIo(ProcessIo.NONE.withStdinFrom(this::feedPublisher)),
                () -> new FfmpegKeeper.Launch(publisherCommand, publisherMasker),
                () -> !closed, processes.records(), control, new PublisherEvents());
        List<String> snapshotCommand = settings.snapshotFile().map(this::snapshotCommand).orElse(null);
        this.snapshot = snapshotCommand == null ? null : new SnapshotFeed(250);
        this.snapshotKeeper = snapshot == null ? null : new FfmpegKeeper(snapshotSettings(processes.snapshotRole()),
                () -> new FfmpegKeeper.Launch(snapshotCommand, SecretMasker.forUrls()), () -> !closed,
                processes.records(), control, new FfmpegKeeper.Listener() {
                    @Override
                    public void gaveUp(String reason, boolean byPolicy) {
                        if (!closed) {
                            log.accept("no snapshot for the dashboard: " + reason);
                        }
                    }
                });
        this.splicer = new Splicer(new TsMuxer(snapshot == null ? feed : snapshot.teeFrom(feed)), silence,
                System::nanoTime, (from, to, ticks) -> wakeControl());
        this.encoding = settings.encoding();
        this.wantedUrl = rtspUrl;
        wakeControl(); // the first look starts the camera's ingest; the publisher follows at the first picture
    }

    /**
     * The publisher's stdin thread, until this publisher ends: the first publisher takes the output from the
     * session's first picture on (what waited in the feed while it started included); one started after another died
     * takes it from the next keyframe on.
     */
    private void feedPublisher(OutputStream stdin) {
        feed.drainInto(stdin, () -> {
            if (outputTaken.getAndSet(true)) {
                splicer.restartOutput(feed::restart);
            }
            synchronized (this) {
                publisherFailureLogged = false; // the old publisher's failure is gone with it
            }
        });
    }

    /** What the publisher's keeper reports, on the control thread. */
    private final class PublisherEvents implements FfmpegKeeper.Listener {
        /** Progress reports of the current publisher whose output time advanced (read on its stderr thread). */
        private volatile int advances;

        @Override
        public void launched(long pid) {
            advances = 0;
            PublisherState s = publisherState;
            publisherState = new PublisherState(pid, false, s.restarts(), s.lastEnd(), s.restartDelay(), null);
            publisherChanged.run();
        }

        /**
         * The keeper's {@code flowing()}, its first advance, comes with the first packets written to the RTMP
         * connection, tens of milliseconds before the destination has them (nginx-rtmp's stat page then shows the
         * publisher without codec headers or bytes: measured). The second advance, a progress period later, says
         * that media has been going out for that long.
         */
        @Override
        public void progress(Progress progress, boolean advanced) {
            if (!advanced || ++advances != 2) {
                return;
            }
            PublisherState s = publisherState;
            publisherState = new PublisherState(s.pid(), true, s.restarts(), s.lastEnd(), s.restartDelay(), null);
            publisherChanged.run();
        }

        /** After the second advance nothing here looks at progress: no wake-up of the control thread a second. */
        @Override
        public boolean followsProgress() {
            return advances < 2;
        }

        @Override
        public void stderr(String line) {
            publisherTail.add(line);
        }

        @Override
        public void restarting(String reason, Duration delay) {
            PublisherState s = publisherState;
            publisherState = new PublisherState(null, false, s.restarts() + 1, reason, delay, null);
            synchronized (KeptSession.this) {
                publisherFailureLogged = true; // its death is told by its keeper, not as a failure to take media
            }
            publisherChanged.run();
        }

        @Override
        public void gaveUp(String reason, boolean byPolicy) {
            if (closed) {
                return; // the session's own close ended it
            }
            PublisherState s = publisherState;
            publisherState = new PublisherState(null, false, s.restarts(), reason, null, reason);
            publisherChanged.run();
        }

        @Override
        public void cannotLaunch(String reason) {
            gaveUp(reason, false);
        }
    }

    private List<String> snapshotCommand(Path file) {
        try {
            return commands.snapshot(file);
        } catch (RuntimeException e) {
            log.accept("no snapshot for the dashboard: " + e.getMessage());
            return null;
        }
    }

    /**
     * The snapshot process is started again when it ends, with the contract's backoff, but not watched for progress:
     * it writes none (one JPEG every 10 s is its only output), and a stuck one costs only the thumbnail, while its
     * feed drops what it does not take.
     */
    private FfmpegKeeper.Settings snapshotSettings(String role) {
        FfmpegKeeper.Settings d = FfmpegKeeper.Settings.of(role);
        return new FfmpegKeeper.Settings(role, ProcessIo.NONE.withStdinFrom(snapshot::drainInto),
                SNAPSHOT_UNWATCHED, d.quitGrace(), d.termGrace(), d.backoff(), d.healthyReset());
    }

    /** Cuts over to another camera, make-before-break. Throws (and changes nothing) for a URL that is not RTSP. */
    public synchronized void switchCamera(String rtspUrl) {
        commands.ingest(rtspUrl);
        masker = masker.and(SecretMasker.forUrls(rtspUrl));
        wantedUrl = rtspUrl;
        wantChanged();
    }

    /**
     * Encodes from now on as {@code next} says (empty: copies the cameras' video), make-before-break like a switch:
     * a new ingest of the camera in the new encoding is cut in at its first keyframe, the old one stays on air until
     * then. The slate takes the new format after that cut.
     */
    public synchronized void changeEncoding(Optional<VideoEncoding> next) {
        Objects.requireNonNull(next, "next");
        if (next.equals(encoding)) {
            return;
        }
        encoding = next;
        wantChanged();
    }

    private void wantChanged() {
        if (candidate != null && !wanted(candidate)) {
            dropCandidate();
        }
        wakeControl();
    }

    /** The publisher feed's batch now: {@link #FEED_BATCH_SETTLED} while the source on air is settled. */
    private long feedBatchNanos() {
        Splicer.Input onAirNow = splicer.active();
        return onAirNow != null && onAirNow.nanosOnAirAlone() >= CameraIngest.SETTLED_AFTER_NANOS
                ? FEED_BATCH_SETTLED.toNanos() : FEED_BATCH.toNanos();
    }

    /** Lets the control thread decide now (a cut, a switch, an ingest launched or ended); never blocks. */
    private void wakeControl() {
        if (closed || !lookAsked.compareAndSet(false, true)) {
            return;
        }
        try {
            control.execute(this::look);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /** Whether this ingest is what the session wants on air: the wanted camera, in the wanted encoding. */
    private boolean wanted(CameraIngest ingest) {
        return ingest.rtspUrl().equals(wantedUrl) && ingest.encoding().equals(encoding);
    }

    /** How the session encodes the cameras' video now (empty: copies it). */
    public synchronized Optional<VideoEncoding> encoding() {
        return encoding;
    }

    public synchronized Status status() {
        Source source = slate != null && splicer.active() == slate.input() ? Source.SLATE
                : onAir != null && candidate == null ? Source.CAMERA : Source.SWITCHING;
        long slateNanos = slateNanosTotal + (slate != null ? System.nanoTime() - slateSinceNanos : 0);
        return new Status(source, startedAt, switches, slateNanos / 1e9, splicer.cuts(), splicer.stats());
    }

    /** The publisher's last stderr lines, masked: what ffmpeg made of the stream it was given. */
    public List<String> publisherLog() {
        return publisherTail.lines();
    }

    /** The running publisher's pid, or null while it is being started again. */
    public Long publisherPid() {
        return publisherState.pid();
    }

    /**
     * Starts the publisher now if its keeper is waiting out a backoff (the user asked for a start or a restart, say
     * after fixing the destination); returns at once, the start runs on the control thread.
     */
    public void startPublisherNow() {
        control.execute(() -> {
            if (!closed && publisher.isWaiting()) {
                publisher.start();
            }
        });
    }

    /** The publisher as its keeper last reported it. */
    public PublisherState publisher() {
        return publisherState;
    }

    /**
     * Whether the publisher runs and takes media: false while it is being started again (it was killed, or its RTMP
     * server closed the connection), once it gave up, and while it does not read what it is given.
     */
    public boolean publisherAlive() {
        return publisherState.pid() != null && splicer.failure() == null;
    }

    /** The size of the pictures on air now (width, height), or null before the first one. */
    public int[] pictureSizeOnAir() {
        return splicer.pictureSize();
    }

    /** The camera this session wants on air (the last one asked for). */
    public synchronized String wantedCamera() {
        return wantedUrl;
    }

    public String rtmpUrl() {
        return settings.rtmpUrl();
    }

    /** The pid of the ingest on air, or -1 while the slate is. */
    public synchronized long cameraIngestPid() {
        return onAir == null ? -1 : onAir.pid();
    }

    /** One look of the control thread; the next is scheduled at the next deadline, unless it is woken before. */
    private void look() {
        lookAsked.set(false);
        if (closed) {
            return;
        }
        long wait;
        try {
            wait = tick();
            startOutputAtFirstPicture();
        } catch (RuntimeException e) {
            log.accept("session control error: " + masker.mask(String.valueOf(e.getMessage())));
            wait = ERROR_RETRY_NANOS; // its deadlines and the silence watch were not set: look again soon
        }
        if (nextLook != null) {
            nextLook.cancel(false);
        }
        if (!closed) {
            nextLook = control.schedule(this::look, wait, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Starts the publisher and the snapshot process once the session has its first picture on air (the camera's
     * first keyframe, or the slate's when the camera shows none), not with the session: an ffmpeg takes about 0.3 s
     * of CPU to start, and the three of a new session starting at once on two cores held the camera's ingest back
     * from its first keyframe by about 0.35 s on average (measured), which is time off the air. Started at the first
     * picture they cost the destination nothing: the publisher probes half a second of its input before it connects
     * anyway, and what comes while it starts waits in its feed. On the control thread, as the keepers require.
     */
    private void startOutputAtFirstPicture() {
        if (outputStarted || closed || !splicer.hasOutput()) {
            return;
        }
        outputStarted = true;
        publisher.start();
        if (snapshotKeeper != null) {
            snapshotKeeper.start();
        }
    }

    /** Makes the decisions due now; returns how long nothing is due (nanoseconds), unless woken. */
    private synchronized long tick() {
        if (closed) {
            return 0;
        }
        long now = System.nanoTime();
        IOException failure = splicer.failure();
        if (failure != null && !publisherFailureLogged) {
            publisherFailureLogged = true;
            log.accept("the publisher stopped taking media: " + masker.mask(String.valueOf(failure.getMessage()))
                    + " " + masker.mask(String.join(" | ", publisherTail.lines())));
        }
        if (candidate != null && splicer.active() == candidate.input()) {
            candidateWentOnAir(now);
        }
        if (slate != null && !slateOnAirLogged && splicer.active() == slate.input()) {
            slateOnAirLogged = true;
            if (stalled != null && candidate == null && wanted(stalled)) {
                candidate = stalled;
                candidateSinceNanos = now;
            } else if (stalled != null) {
                closer.execute(stalled::close);
            }
            stalled = null;
            log.accept(lastPictureNanos < 0 ? "slate on air"
                    : "slate on air " + (now - lastPictureNanos) / 1_000_000 + " ms after the camera's last picture");
        }
        if (onAir != null && onAirInput.nanosWithoutPicture() > settings.stallTimeout().toNanos()) {
            cameraLost(now, onAir.alive() ? "sent no picture for " + settings.stallTimeout().toMillis() + " ms"
                    : "closed its stream");
        }
        if (onAir == null && slate == null && now - startedNanos > settings.firstPictureTimeout().toNanos()) {
            cameraLost(now, "has shown no picture since the session began");
        }
        // A candidate whose ingest fails or sends nothing is its keeper's: started again with backoff (a silent one
        // after the keeper's watchdog ended it). One that runs but shows no live keyframe is started again here.
        if (candidate != null && candidate.alive()
                && now - candidateTimerStart() > 2 * settings.connectTimeout().toNanos()) {
            log.accept("camera " + SecretMasker.maskUrl(candidate.rtspUrl()) + " showed no live keyframe within "
                    + 2 * settings.connectTimeout().toSeconds() + " s; its ingest is started again");
            candidate.restartNow();
        }
        boolean wantCamera = onAir == null || !wanted(onAir);
        if (candidate == null && stalled == null && wantCamera) {
            candidate = CameraIngest.start(wantedUrl, encoding, commands, splicer,
                    "camera " + SecretMasker.maskUrl(wantedUrl), new CameraIngest.Keeping(
                            ingestRolePrefix + (++ingestSerial), records, settings.retry(), settings.connectTimeout(),
                            this::wakeControl, log));
            candidateSinceNanos = now;
        }
        // The slate, once armed, must get on air before a camera may be armed behind it.
        boolean slateWaiting = slate != null && splicer.active() != slate.input();
        if (candidate != null && !slateWaiting && splicer.pending() != candidate.input()) {
            splicer.arm(candidate.input());
        }
        return nanosUntilNextDeadline(now);
    }

    /** The time until the first of the deadlines {@link #tick} checks, at most {@link #IDLE_WAIT}; a little past it. */
    private long nanosUntilNextDeadline(long now) {
        long wait = IDLE_WAIT.toNanos();
        if (onAir != null) {
            // Armed before its state is read: a read that starts waiting after this look tells the next one.
            onAirInput.armSilenceWatch(settings.stallTimeout().toNanos(), this::wakeControl);
            if (onAirInput.silenceGrowsByItself()) {
                // its reader waits in a read (or reads no more): its silence grows with the clock, to a deadline;
                // one that is already past is looked at again a little later, not in a loop
                wait = Math.min(wait, Math.max(STALL_RECHECK_NANOS,
                        settings.stallTimeout().toNanos() - onAirInput.nanosWithoutPicture()));
            }
        }
        if (onAir == null && slate == null) {
            wait = Math.min(wait, startedNanos + settings.firstPictureTimeout().toNanos() - now);
        }
        if (candidate != null && candidate.alive()) {
            wait = Math.min(wait, candidateTimerStart() + 2 * settings.connectTimeout().toNanos() - now);
        }
        // the checks are strictly later than their deadline: wake just past it, not just before it
        return Math.max(0, wait) + DEADLINE_MARGIN_NANOS;
    }

    /**
     * Since when the candidate has had its chance to show a live keyframe: its current launch, or the moment it became
     * the candidate (a camera that stalled on air, its ingest still running).
     */
    private long candidateTimerStart() {
        return Math.max(candidateSinceNanos, candidate.launchedNanos());
    }

    private void candidateWentOnAir(long now) {
        CameraIngest previous = onAir;
        onAir = candidate;
        onAirInput = splicer.active();
        candidate = null;
        String url = SecretMasker.maskUrl(onAir.rtspUrl());
        if (slate != null) {
            long slateNanos = now - slateSinceNanos;
            slateNanosTotal += slateNanos;
            slate.close();
            slate = null;
            log.accept("camera " + url + " is back on air at its first keyframe after "
                    + String.format("%.1f", slateNanos / 1e9) + " s of slate");
        } else if (previous != null && previous.rtspUrl().equals(onAir.rtspUrl())) {
            log.accept("camera " + url + " is on air in the new encoding ("
                    + onAir.encoding().map(e -> e.width() + "x" + e.height() + " at " + e.fps() + " fps")
                            .orElse("copied") + ") at its first keyframe");
        } else if (previous != null) {
            log.accept("switched from camera " + SecretMasker.maskUrl(previous.rtspUrl()) + " to " + url
                    + " at its first keyframe");
        } else {
            log.accept("camera " + url + " on air");
        }
        if (lastCameraUrl != null && !lastCameraUrl.equals(onAir.rtspUrl())) {
            switches++;
        }
        lastCameraUrl = onAir.rtspUrl();
        if (previous != null) {
            closer.execute(previous::close);
        }
        prepareGenericSlate();
    }

    /**
     * Puts the slate on air. A camera that merely stalled keeps its ingest: it is armed again behind the slate and
     * cut back in at its first live keyframe, so a hiccup costs no reconnection; one that stays silent is ended by
     * its keeper's watchdog and started again with backoff, as is one whose ingest died.
     */
    private void cameraLost(long now, String why) {
        long sinceLastPicture = onAir == null ? 0 : onAirInput.nanosSinceLastPicture();
        Instant lostAt = Instant.now().minusNanos(sinceLastPicture);
        lastPictureNanos = onAir == null ? -1 : now - sinceLastPicture;
        slateOnAirLogged = false;
        String url = SecretMasker.maskUrl(onAir != null ? onAir.rtspUrl() : wantedUrl);
        if (onAir != null) {
            CameraIngest lost = onAir;
            onAir = null;
            onAirInput = null;
            if (candidate == null && wanted(lost)) {
                // still on air until the slate's first picture: it becomes the candidate then. Its keeper starts a
                // dead one again with backoff; a live one that stalled costs no reconnection.
                stalled = lost;
            } else {
                closer.execute(lost::close);
            }
        }
        Splicer.Input input = splicer.newInput("slate", false, true);
        splicer.arm(input); // before the loop starts: its first picture is the keyframe to cut at, the next a second later
        slate = new SlateLoop(splicer, input, genericSlate, "slate-" + settings.streamName()).start();
        slateSinceNanos = now;
        SlateLoop showing = slate;
        SlateClip shape = genericSlate;
        background.execute(() -> {
            SlateClip timed = slates.encode(settings.streamName(), lostAt, shape.width(), shape.height(),
                    (int) Math.round((double) Ts.TICKS_PER_SECOND / shape.frameTicks()));
            showing.replace(timed);
        });
        log.accept("camera " + url + " " + why + "; the slate goes on air (camera lost at " + lostAt + ")");
    }

    /** Keeps the slate at the size and rate of the camera last on air, ready before it is needed. */
    private void prepareGenericSlate() {
        Splicer.Input input = onAirInput;
        background.execute(() -> {
            int[] size = input.pictureSize();
            long frameTicks = input.frameTicks();
            if (size == null || frameTicks <= 0) {
                return;
            }
            int fps = (int) Math.max(1, Math.min(120, Math.round((double) Ts.TICKS_PER_SECOND / frameTicks)));
            SlateClip current;
            synchronized (this) {
                current = genericSlate;
            }
            if (current != null && current.width() == size[0] && current.height() == size[1]
                    && current.frameTicks() == Ts.TICKS_PER_SECOND / fps) {
                return;
            }
            SlateClip made = slates.encode(settings.streamName(), null, size[0], size[1], fps);
            synchronized (this) {
                genericSlate = made;
            }
        });
    }

    private void dropCandidate() {
        CameraIngest dropped = candidate;
        candidate = null;
        splicer.disarm(dropped.input());
        closer.execute(dropped::close);
    }

    @Override
    public void close() {
        List<CameraIngest> ingests = new ArrayList<>();
        SlateLoop slateToStop;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (onAir != null) {
                ingests.add(onAir);
            }
            if (candidate != null) {
                ingests.add(candidate);
            }
            if (stalled != null) {
                ingests.add(stalled);
            }
            stalled = null;
            onAir = null;
            candidate = null;
            slateToStop = slate;
            slate = null;
        }
        if (slateToStop != null) {
            slateToStop.close();
        }
        for (CameraIngest ingest : ingests) {
            ingest.close();
        }
        feed.finish(2_000); // the end of its input: the publisher finishes its FLV and exits by itself
        if (snapshot != null) {
            snapshot.close(); // the same for the snapshot process: it writes its last JPEG
        }
        Long publisherPid = publisherState.pid();
        if (publisherPid != null) {
            ProcessHandle.of(publisherPid).ifPresent(h -> {
                try {
                    h.onExit().get(500, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    // still finishing: its keeper's stop sends SIGTERM, which ffmpeg also ends its output on
                }
            });
        }
        try {
            control.submit(() -> {
                if (nextLook != null) {
                    nextLook.cancel(false);
                }
                publisher.close(); // waits until its end was reported and its child record removed
                if (snapshotKeeper != null) {
                    snapshotKeeper.close();
                }
            }).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            // its child record stays: the next start of the appliance ends it if it lives on
        }
        control.shutdown();
        background.shutdown();
        try {
            background.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        background.shutdownNow();
        closer.shutdown();
        try {
            closer.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
