package stream.core.session;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import stream.core.Backoff;
import stream.core.SecretMasker;
import stream.core.ffmpeg.ChildRecords;
import stream.core.ffmpeg.FfmpegKeeper;
import stream.core.ffmpeg.ProcessIo;

/**
 * One camera (in one encoding) as a session wants it: its ingest ffmpeg kept alive by an {@link FfmpegKeeper} until
 * the session closes it, and the thread that demuxes each launch's transport stream into the splicer.
 *
 * <p>Every launch gets a fresh {@link Splicer.Input}: a new process's timestamps start elsewhere, and the pace and
 * latency an earlier launch left in its input would judge the new one's first pictures a backlog. The session arms
 * whichever input is current ({@link #input}).
 *
 * <p>The keeper runs on this ingest's own thread, not on the session's control thread: stopping a hung ingest takes
 * its grace period, which must never hold up the slate. The keeper's state reaches the session through volatile
 * fields and {@code changed}, which wakes its control thread.
 */
final class CameraIngest {
    static final long MAX_READ_INTERVAL_NANOS = 50_000_000L;
    /**
     * The read interval of a camera settled on air ({@link #SETTLED_AFTER_NANOS} since the cut to it): each read costs
     * the JVM some 150 microseconds on this class of machine whatever it carries (a wake-up on cold caches, and the
     * publisher feed's write it makes), so 20 reads a second were most of a kept session's CPU. A picture then waits
     * up to this long, in a stream the destination buffers for seconds. The session's stall timeout (500 ms) counts
     * a camera's silence only as far as its reads have seen ({@link Splicer.Input#nanosWithoutPicture}): a rest is
     * not an outage. Shorter than that timeout, so that a camera that stops sending finds its reader already waiting
     * in a read when the timeout runs out: the slate comes as soon as it did with reads at the frame rate.
     */
    static final long SETTLED_READ_INTERVAL_NANOS = 250_000_000L;
    /**
     * Around a cut the camera is read at its frame rate: the destination's first bytes after a start or switch
     * come as soon as a bare ffmpeg's would (bench/url-switch.sh), a camera waiting to be cut in is judged live by
     * its pictures' arrival times, which reads at most 1.25 frame intervals apart keep true, and the camera on air
     * while another waits to be cut in has its pictures in the output up to the cut: the next camera's keyframe
     * follows its last one read, and pictures still unread would be time the output falls behind the wall clock.
     */
    static final long SETTLED_AFTER_NANOS = 5_000_000_000L;
    /** The longest {@link #close} waits for the keeper to report its process gone. */
    private static final long CLOSE_WAIT_SECONDS = 20;

    /**
     * What an ingest's keeper needs from its session.
     *
     * @param role    the child record role of this ingest's processes, unique among the stream's processes
     * @param records where each launch is recorded until it has ended (a kill -9 of the appliance leaves none unknown)
     * @param retry   the backoff between launches after a failure
     * @param healthy a launch that carried media this long counts as healthy: the backoff starts over
     * @param changed told (on this ingest's thread or its reader's) when a launch started, its output ended, or the
     *                keeper gave up: short and non-blocking
     * @param log     one sentence per failed launch, masked
     */
    record Keeping(String role, ChildRecords records, Backoff retry, Duration healthy, Runnable changed,
                   Consumer<String> log) {}

    private final String rtspUrl;
    private final Optional<VideoEncoding> encoding;
    private final String label;
    private final Keeping keeping;
    private final SecretMasker masker;
    private final ScheduledExecutorService owner;
    private final FfmpegKeeper keeper;
    private volatile Splicer.Input input;
    private volatile long pid = -1;
    private volatile boolean outputOpen;
    private volatile long launchedNanos = System.nanoTime();
    private volatile String gaveUp;
    private volatile boolean closed;

    private CameraIngest(String rtspUrl, Optional<VideoEncoding> encoding, SessionCommands commands, Splicer splicer,
                         String label, Keeping keeping) {
        this.rtspUrl = rtspUrl;
        this.encoding = encoding;
        this.label = label;
        this.keeping = keeping;
        this.masker = SecretMasker.forUrls(rtspUrl);
        this.input = splicer.newInput(label, true, false); // a placeholder until the first launch brings its own
        List<String> live = commands.ingest(rtspUrl, encoding, SessionCommands.Probed.DROPPED);
        List<String> withProbed = commands.ingest(rtspUrl, encoding, SessionCommands.Probed.KEPT);
        this.owner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, keeping.role());
            t.setDaemon(true);
            return t;
        });
        FfmpegKeeper.Settings d = FfmpegKeeper.Settings.of(keeping.role());
        // -nostdin: the ingest never reads q, and it has no output worth finishing: SIGTERM at once (quit grace 0)
        FfmpegKeeper.Settings settings = new FfmpegKeeper.Settings(keeping.role(), ProcessIo.NONE, d.staleTimeout(),
                Duration.ZERO, d.termGrace(), keeping.retry(), keeping.healthy());
        this.keeper = new FfmpegKeeper(settings, () -> {
            Splicer.Input fresh = splicer.newInput(label, true, false);
            input = fresh;
            outputOpen = true;
            // Decided at each launch: while nothing has been on air, the pictures read during the probe go on air
            // at once (the splicer takes the session's first source at its first keyframe, backlog and all); behind
            // pictures on air they would only be a backlog to wait out.
            List<String> command = splicer.hasOutput() ? live : withProbed;
            return new FfmpegKeeper.Launch(command, masker, ProcessIo.stdoutTo(stdout -> read(fresh, stdout)));
        }, () -> !closed, keeping.records(), owner, new Events());
    }

    /**
     * Starts keeping the camera's ingest; returns at once. Throws (and starts nothing) for a URL that is not RTSP.
     *
     * @param encoding how the camera's video is encoded, or empty for a copy
     */
    static CameraIngest start(String rtspUrl, Optional<VideoEncoding> encoding, SessionCommands commands,
                              Splicer splicer, String label, Keeping keeping) {
        CameraIngest ingest = new CameraIngest(rtspUrl, encoding, commands, splicer, label, keeping);
        ingest.owner.execute(ingest.keeper::start);
        return ingest;
    }

    /** What the keeper reports, on this ingest's thread. */
    private final class Events implements FfmpegKeeper.Listener {
        @Override
        public void launched(long newPid) {
            pid = newPid;
            launchedNanos = System.nanoTime();
            keeping.changed().run();
        }

        /** Only the first advance matters here (its keeper's flowing state); the splicer sees the media itself. */
        @Override
        public boolean followsProgress() {
            return false;
        }

        @Override
        public void restarting(String reason, Duration delay) {
            pid = -1;
            if (!closed) {
                keeping.log().accept(label + " failed (" + masker.mask(reason) + "); next try in " + delay.toMillis()
                        + " ms");
            }
            keeping.changed().run();
        }

        @Override
        public void gaveUp(String reason, boolean byPolicy) {
            pid = -1;
            outputOpen = false;
            if (!closed && !byPolicy) {
                gaveUp = masker.mask(reason);
                keeping.log().accept(label + " cannot be ingested, no further try: " + gaveUp);
            }
            keeping.changed().run();
        }

        @Override
        public void cannotLaunch(String reason) {
            gaveUp(reason, false);
        }
    }

    /** One launch's stdout, until it ends: demuxed into that launch's own input. */
    private void read(Splicer.Input into, InputStream stdout) {
        try {
            new TsDemuxer(into).readAll(new PacedPipe(stdout, () -> readIntervalNanos(into), into));
        } catch (IOException e) {
            // the process went away; its keeper reports how
        } finally {
            into.readsEnded(); // no read will see its pictures again: its silence runs on from now on
            if (into == input) {
                outputOpen = false;
            }
            keeping.changed().run();
        }
    }

    /**
     * {@link #SETTLED_READ_INTERVAL_NANOS} for a camera settled on air; otherwise a quarter more than the camera's
     * frame interval, at most {@link #MAX_READ_INTERVAL_NANOS}: the next picture is
     * in the pipe by then, so a read is one wake-up, not a wait for it and a second one. A picture then waits at most
     * 1.25 frame intervals, which the splicer's test of a live arrival (the wall clock over {@value
     * Splicer#PACE_WINDOW} pictures, at least 90 % of their timestamps' span) allows at any frame rate with room to
     * spare for the scheduler.
     */
    static long readIntervalNanos(Splicer.Input input) {
        if (input.nanosOnAirAlone() >= SETTLED_AFTER_NANOS) {
            return SETTLED_READ_INTERVAL_NANOS;
        }
        long frameNanos = input.frameTicks() * 1_000_000_000L / Ts.TICKS_PER_SECOND;
        return Math.min(MAX_READ_INTERVAL_NANOS, frameNanos * 5 / 4);
    }

    /**
     * The ingest's stdout read at most once per interval: ffmpeg writes every packet as it is muxed (each slice of a
     * picture, each audio PES), 30 to 50 writes a second, and each read is a wake-up of the reader and a write to
     * the publisher's feed. Reading a little slower than the pictures come makes it one wake-up per read and fewer
     * reads than pictures. A read that fills the buffer (a backlog) is followed by the next at once.
     */
    private static final class PacedPipe extends FilterInputStream {
        private final LongSupplier intervalNanos;
        private final Splicer.Input reads;
        private long nextReadAt = System.nanoTime();

        /** @param reads told when a read has been handed over (the demuxer asks for the next) and when one starts */
        PacedPipe(InputStream in, LongSupplier intervalNanos, Splicer.Input reads) {
            super(in);
            this.intervalNanos = intervalNanos;
            this.reads = reads;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            reads.readHandedOver(); // the demuxer asks for more once it has handed over all the last read brought
            long wait;
            while ((wait = nextReadAt - System.nanoTime()) > 0) {
                LockSupport.parkNanos(this, wait);
            }
            int available = in.available();
            reads.readStarting(available == 0);
            // Asking for what is there, the pipe's stream returns it without a second look at the pipe (it asks the
            // pipe again after a read that came back short: two more system calls, which cost microseconds each in
            // a virtual machine, at every read). With nothing there, the read waits for the first bytes.
            int n = in.read(b, off, available > 0 ? Math.min(len, available) : len);
            nextReadAt = n == len ? System.nanoTime() : System.nanoTime() + intervalNanos.getAsLong();
            return n;
        }
    }

    String rtspUrl() {
        return rtspUrl;
    }

    Optional<VideoEncoding> encoding() {
        return encoding;
    }

    /** The current launch's input (the last launch's while the keeper waits out its backoff). */
    Splicer.Input input() {
        return input;
    }

    /** The running ingest's pid, or -1 between launches. */
    long pid() {
        return pid;
    }

    /** Whether a launch runs and its output is still open (the process exits when the camera goes away). */
    boolean alive() {
        return outputOpen && pid > 0;
    }

    /** When the current launch started (or a restart was asked for), on the {@link System#nanoTime} clock. */
    long launchedNanos() {
        return launchedNanos;
    }

    /** Why the keeper will not launch it again (a failure no retry heals), or null. */
    String gaveUp() {
        return gaveUp;
    }

    /**
     * Replaces the running ingest at once (SIGTERM, then a new launch with a fresh input), without a backoff: for a
     * camera that shows pictures but no live keyframe. Returns at once.
     */
    void restartNow() {
        launchedNanos = System.nanoTime(); // the next look must not ask again before the new launch is reported
        try {
            owner.execute(() -> {
                if (!closed) {
                    keeper.restartNow();
                }
            });
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /**
     * Stops the ingest for good and waits until its keeper has reported it gone (its child record removed), so the
     * session's owner may close the records' database after.
     */
    void close() {
        closed = true;
        try {
            owner.submit(keeper::close).get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            // its child record stays: the next start of the appliance ends the process if it lives on
        }
        owner.shutdown();
        pid = -1;
        outputOpen = false;
    }
}
