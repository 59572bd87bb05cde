package stream.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import stream.core.ffmpeg.ChildRecord;
import stream.core.ffmpeg.ChildRecords;
import stream.core.ffmpeg.FfmpegKeeper;
import stream.core.ffmpeg.ProcessIdentity;
import stream.core.session.KeptSession;
import stream.core.session.MediaProcess;
import stream.core.session.PlainMediaProcess;
import stream.core.session.SessionProcesses;
import stream.core.session.VideoEncoding;
import stream.store.StreamConfig;

/**
 * A stream's kept destination session (contract §8) as its controller drives it: the {@link KeptSession} on air, a
 * second one while a new destination is being connected (the old one closes once the new one carries media), and
 * the ffmpeg processes of both recorded as the stream's children, so that a kill -9 of the appliance leaves none
 * behind unknown. A session's publisher is kept alive by its own keeper: one that dies is started again on the same
 * session, and {@link #tick} tells the controller so. Not thread-safe: called on the stream's thread only, like the
 * rest of the controller.
 */
final class KeptRun {
    /** Roles of the child records of a kept session start with this; the relay's own is {@link StreamController#ROLE}. */
    static final String ROLE_PREFIX = "session-";
    private static final long RATE_WINDOW_NANOS = 5_000_000_000L;

    private final long streamId;
    private final RelayCommands commands;
    private final ChildRecords records;
    private final MediaProcess.Starter starter;
    private final Consumer<String> log;
    private final Runnable publisherChanged;
    /** Numbers the sessions' publishers' child record roles: two sessions at once must not share one. */
    private long sessionSerial;
    /** The on-air session's publisher restarts the controller has been told of. */
    private long publisherRestartsTold;
    /** Closing a session takes its processes' grace periods: never on the stream's thread. */
    private final ExecutorService closer;
    private final List<Future<?>> closing = new ArrayList<>();

    private KeptSession onAir;
    /** A session to a new destination, waiting until it carries media to replace {@link #onAir}. */
    private KeptSession opening;
    /** How the sessions encode the cameras' video (empty: copied), and the stored settings it was made from. */
    private Optional<VideoEncoding> encoding = Optional.empty();
    private String encodingSource;
    private int[] firstPictureSize;
    private String sizeWarning;
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    /**
     * @param commands the stream's commands: the session's argument lists, its folder and snapshot file, and the
     *                 stream's checked encoding (a preset's, or hand-written ffmpeg_params)
     * @param publisherChanged told, on a session's control thread, when a session's publisher started, began to carry
     *                 media, ended or gave up: short and non-blocking (the controller looks at {@link #tick} soon)
     */
    KeptRun(long streamId, RelayCommands commands, ChildRecords records, Consumer<String> log,
            Runnable publisherChanged) {
        this.streamId = streamId;
        this.commands = commands;
        this.records = records;
        this.log = log;
        this.publisherChanged = publisherChanged;
        this.starter = recording(PlainMediaProcess.starter(), records);
        this.closer = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "stream-" + streamId + "-session-closer");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Ends the session processes an earlier run of the appliance recorded and left running (checked by pid, start
     * time and executable, so a reused pid is never hit); returns the pids ended.
     */
    static List<Long> endLeftovers(ChildRecords records) {
        List<Long> ended = new ArrayList<>();
        for (ChildRecord child : records.all()) {
            if (!child.role().startsWith(ROLE_PREFIX)) {
                continue;
            }
            if (FfmpegKeeper.endIfOurs(child)) {
                ended.add(child.pid());
            }
            records.remove(child);
        }
        return ended;
    }

    /**
     * Wraps a starter so that each process it starts is recorded before anything else happens, and forgotten once
     * it has ended: at once when it is closed and gone (so an orderly stop, which closes the database right after,
     * leaves no record behind), or when the exit of a process that ended by itself is noticed. The role carries the
     * pid: a child record is one per role. Only the slate's one-shot encodes run this way (a kill -9 of the appliance
     * in the middle of one still leaves nothing unknown); the ingests, the publisher and the snapshot process are
     * recorded by their keepers.
     */
    static MediaProcess.Starter recording(MediaProcess.Starter inner, ChildRecords records) {
        return (role, command, masker) -> {
            MediaProcess p = inner.start(role, command, masker);
            ChildRecord record = new ChildRecord(ROLE_PREFIX + role + "-" + p.pid(), p.pid(),
                    ProcessIdentity.startTicks(p.pid()).orElse(0));
            records.add(record);
            ProcessHandle.of(p.pid()).ifPresentOrElse(
                    h -> h.onExit().thenRun(() -> forget(records, record)),
                    () -> forget(records, record));
            return new RecordedProcess(p, () -> forget(records, record));
        };
    }

    /** A session process whose record goes as soon as a close has ended it. */
    private record RecordedProcess(MediaProcess process, Runnable forget) implements MediaProcess {
        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public java.io.InputStream stdout() {
            return process.stdout();
        }

        @Override
        public java.io.OutputStream stdin() {
            return process.stdin();
        }

        @Override
        public List<String> stderrTail() {
            return process.stderrTail();
        }

        @Override
        public void close() {
            process.close();
            if (!process.isAlive()) {
                forget.run();
            }
        }
    }

    private static void forget(ChildRecords records, ChildRecord record) {
        try {
            records.remove(record);
        } catch (RuntimeException e) {
            // the database closed with the appliance: the next start checks the record against the live process
        }
    }

    boolean isOpen() {
        return onAir != null;
    }

    /**
     * Opens the session on the configuration's camera, destination and encoding. Throws when it cannot (a bad URL or
     * ffmpeg_params, no ffmpeg). With an encoding whose picture size or rate the camera decides (no fixed size in the
     * preset), the camera is probed once first.
     */
    void open(StreamConfig c) {
        closeAll();
        encoding = commands.sessionEncoding(c);
        encodingSource = encodingSource(c);
        onAir = newSession(c);
        publisherRestartsTold = 0;
        firstPictureSize = null;
        sizeWarning = null;
        samples.clear();
    }

    private KeptSession newSession(StreamConfig c) {
        KeptSession.Settings settings = KeptSession.Settings.defaults(c.name() == null ? "stream-" + c.id() : c.name(),
                c.rtmpUrl(), commands.sessionDir(streamId));
        long serial = ++sessionSerial;
        SessionProcesses processes = new SessionProcesses(starter, records, ROLE_PREFIX + "publisher-" + serial,
                ROLE_PREFIX + "snapshot-" + serial, ROLE_PREFIX + "ingest-" + serial + "-", publisherChanged);
        return new KeptSession(commands.sessionCommands(), processes, settings.withEncoding(encoding)
                .withSnapshot(commands.snapshotPath(streamId)), c.rtspUrl(), log);
    }

    /** What the session's encoding is made from: a change of either is a change of encoding. */
    private static String encodingSource(StreamConfig c) {
        return c.preset() + "\n" + c.ffmpegParams();
    }

    /**
     * Brings the open session to the configuration's URLs and encoding: a new camera is switched to make-before-break;
     * a new destination gets a session of its own, which replaces this one once it carries media ({@link #tick}); a
     * new encoding (another preset) is cut over to like a camera, on the same destination session.
     */
    void apply(StreamConfig c) {
        if (onAir == null) {
            return;
        }
        if (!encodingSource(c).equals(encodingSource)) {
            Optional<VideoEncoding> next = commands.sessionEncoding(c);
            encoding = next;
            encodingSource = encodingSource(c);
            firstPictureSize = null;
            sizeWarning = null;
            log.accept("the encoding changes to " + next.map(e -> e.width() + "x" + e.height() + " at " + e.fps()
                    + " fps").orElse("a copy of the camera's video") + "; the destination's session stays open");
            for (KeptSession s : sessions()) {
                s.changeEncoding(next);
            }
        }
        KeptSession target = opening != null ? opening : onAir;
        if (!target.rtmpUrl().equals(c.rtmpUrl())) {
            if (opening != null) {
                closeLater(opening);
                opening = null;
            }
            if (!onAir.rtmpUrl().equals(c.rtmpUrl())) {
                log.accept("opening a session on the new destination " + SecretMasker.maskUrl(c.rtmpUrl())
                        + "; the old one stays on air until the new one carries media");
                opening = newSession(c);
            }
        }
        for (KeptSession s : sessions()) {
            if (!s.wantedCamera().equals(c.rtspUrl())) {
                s.switchCamera(c.rtspUrl());
            }
        }
    }

    /**
     * What became of the on-air session's publisher since the controller last looked.
     *
     * @param restartedBecause why it died and is started again on the same session (the cameras stay connected), or
     *                         null when it did not
     * @param restartDelay     the backoff before that start
     * @param gaveUp           why it will not be started again: the session is over (the caller opens a new one or
     *                         fails the stream), or null
     */
    record PublisherNews(String restartedBecause, Duration restartDelay, String gaveUp) {
        static final PublisherNews NONE = new PublisherNews(null, null, null);
    }

    /**
     * The controller's periodic look: hands over to a new destination's session once it carries media, and tells
     * what became of the on-air session's publisher.
     */
    PublisherNews tick() {
        if (onAir == null) {
            return PublisherNews.NONE;
        }
        if (opening != null && carriesMedia(opening)) {
            KeptSession old = onAir;
            onAir = opening;
            opening = null;
            publisherRestartsTold = onAir.publisher().restarts();
            firstPictureSize = null;
            samples.clear();
            log.accept("the new destination " + SecretMasker.maskUrl(onAir.rtmpUrl())
                    + " carries media; the session on " + SecretMasker.maskUrl(old.rtmpUrl()) + " is closed");
            closeLater(old);
        }
        if (opening != null && (opening.publisher().gaveUp() != null || opening.publisher().restarts() > 0)) {
            log.accept("the new destination " + SecretMasker.maskUrl(opening.rtmpUrl())
                    + " did not take the stream; a new try follows: " + String.join(" | ", opening.publisherLog()));
            KeptSession failed = opening;
            opening = null;
            closeLater(failed); // the next change of URLs, or a restart, tries again
        }
        watchPictureSize();
        KeptSession.PublisherState p = onAir.publisher();
        if (p.gaveUp() != null) {
            return new PublisherNews(null, null, p.gaveUp());
        }
        if (p.restarts() > publisherRestartsTold) {
            publisherRestartsTold = p.restarts();
            return new PublisherNews(p.lastEnd(), p.restartDelay(), null);
        }
        return PublisherNews.NONE;
    }

    /** Whether the on-air session's publisher died and waits out its keeper's backoff before it starts again. */
    boolean publisherWaiting() {
        if (onAir == null) {
            return false;
        }
        KeptSession.PublisherState p = onAir.publisher();
        return p.pid() == null && p.gaveUp() == null && p.restarts() > 0;
    }

    /** Starts the on-air session's waiting publisher now instead of after its backoff. */
    void startPublisherNow() {
        if (onAir != null) {
            onAir.startPublisherNow();
        }
    }

    /**
     * Whether the session's publisher writes to its destination: its output time has advanced since it started,
     * which ffmpeg's FLV output does only once the RTMP session is open and the first pictures are sent. Frames
     * written into its pipe are not enough: the publisher probes its input and connects first (0.5 to 1 s).
     */
    private static boolean carriesMedia(KeptSession s) {
        return s.publisherAlive() && s.publisher().flowing();
    }

    /** Whether the session on air is sending media to its destination now. */
    boolean carriesMedia() {
        return onAir != null && carriesMedia(onAir);
    }

    /**
     * The session copies each camera's video: a camera of another size changes the broadcast's resolution mid-way,
     * which some destinations refuse or show badly. Said once per session, compared between cameras only.
     */
    private void watchPictureSize() {
        // the slate takes the size of the camera last on air; before any camera it has a size of its own. An encoding
        // fits every camera to one size: nothing to watch.
        if (encoding.isPresent() || onAir.status().source() != KeptSession.Source.CAMERA) {
            return;
        }
        int[] size = onAir.pictureSizeOnAir();
        if (size == null) {
            return;
        }
        if (firstPictureSize == null) {
            firstPictureSize = size;
        } else if (sizeWarning == null && (size[0] != firstPictureSize[0] || size[1] != firstPictureSize[1])) {
            sizeWarning = String.format(Locale.ROOT, "the picture size changed from %dx%d to %dx%d mid-broadcast (the "
                            + "session copies each camera's video): some destinations may not accept a change of "
                            + "resolution", firstPictureSize[0], firstPictureSize[1], size[0], size[1]);
            log.accept(sizeWarning);
        }
    }

    String warning() {
        return sizeWarning;
    }

    /** The session on air's figures, or null when none is open. */
    KeptSession.Status status() {
        return onAir == null ? null : onAir.status();
    }

    Long publisherPid() {
        return onAir == null ? null : onAir.publisherPid();
    }

    List<String> publisherLog() {
        return onAir == null ? List.of() : onAir.publisherLog();
    }

    /** Frames and kbit/s sent over the last 5 s, from the splicer's counters. */
    StreamMetrics metrics() {
        KeptSession.Status st = status();
        if (st == null) {
            return StreamMetrics.NONE;
        }
        long now = System.nanoTime();
        samples.addLast(new long[] {now, st.output().videoFrames(), st.output().bytes()});
        while (samples.size() > 2 && now - samples.peekFirst()[0] > RATE_WINDOW_NANOS) {
            samples.removeFirst();
        }
        long[] first = samples.peekFirst();
        double seconds = (now - first[0]) / 1e9;
        Double fps = null;
        Double kbps = null;
        if (seconds >= 0.9) {
            fps = Math.round((st.output().videoFrames() - first[1]) / seconds * 10) / 10.0;
            kbps = Math.round((st.output().bytes() - first[2]) * 8 / seconds / 100) / 10.0;
        }
        double outTime = Math.max(0, (System.nanoTime() - sinceNanos(st.startedAt())) / 1e9);
        return new StreamMetrics(fps, kbps, null, st.output().videoFrames(), st.output().droppedFrames(), null,
                st.output().videoFrames() > 0 ? outTime : null);
    }

    private static long sinceNanos(Instant startedAt) {
        long ago = Duration.between(startedAt, Instant.now()).toNanos();
        return System.nanoTime() - ago;
    }

    private List<KeptSession> sessions() {
        List<KeptSession> all = new ArrayList<>();
        if (onAir != null) {
            all.add(onAir);
        }
        if (opening != null) {
            all.add(opening);
        }
        return all;
    }

    /** Closes the session on air and any being opened, in the background (the stream's thread goes on at once). */
    void closeAllLater() {
        for (KeptSession s : sessions()) {
            closeLater(s);
        }
        onAir = null;
        opening = null;
    }

    private void closeLater(KeptSession s) {
        closing.removeIf(Future::isDone);
        closing.add(closer.submit(s::close));
    }

    /** Closes every session and waits until their processes are gone (the publishers' FLV ends properly). */
    void closeAll() {
        closeAllLater();
        for (Future<?> f : List.copyOf(closing)) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // a session that failed to close cleanly: its processes' records let the next start end them
            }
        }
        closing.clear();
    }

    /** For good: closes everything and ends the closer thread. */
    void shutdown() {
        closeAll();
        closer.shutdown();
    }
}
