package stream.core.session;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Joins the frames of successive sources (camera ingests, the slate) into one transport stream with a single
 * timeline. Each source keeps its own timestamps; the splicer adds an offset per source, chosen at the cut so that
 * the new source's first keyframe follows the last picture on air by one frame interval. A source is put on air by
 * {@link #arm}: it goes on air at its first IDR picture (with SPS/PPS, inserted from earlier in that source when the
 * picture lacks them), and the previous source goes off air at that same moment, so there is never a picture a
 * decoder could not decode and never a pause beyond one frame.
 *
 * <p>Audio follows video with the same offset, so a source's lip sync is kept. Across a cut, audio that would overlap
 * what is already on air is dropped, and a hole (or a source without audio, such as the slate or a camera without a
 * microphone) is filled with silent AAC frames, so the destination always has an audio track whose timestamps run on.
 *
 * <p>All methods are thread-safe: each source's reading thread delivers its frames here, and writing happens under
 * the lock, in order.
 */
public final class Splicer {
    /** 25 fps until a source has shown its own frame interval. */
    static final long DEFAULT_FRAME_TICKS = 3_600;
    /** The output timeline starts here, leaving room for the PCR to run {@link TsMuxer#PCR_DELAY} behind. */
    static final long START_TICKS = 90_000;
    private static final int PENDING_AUDIO_KEPT = 96;
    /** Pictures over which a camera's arrivals are compared with its timestamps to tell live from backlog. */
    static final int PACE_WINDOW = 25;
    /** A source whose pictures come this many times in a row 1.5 intervals apart or more has slowed down for real. */
    static final int LONG_STEPS_FOR_A_NEW_RATE = 8;
    /** A picture later than the source's usual latency by more than this is part of a backlog. */
    static final long MAX_BACKLOG_TICKS = 27_000;

    /** Told about every cut, under the splicer's lock: keep it short (no blocking, no calls back). */
    public interface CutListener {
        void cut(Input from, Input to, long outputTicks);
    }

    private final TsMuxer muxer;
    private final byte[] silentAacFrame;
    private final double audioFrameTicks;
    private final LongSupplier nanoClock;
    private final CutListener listener;

    private Input active;
    private Input pending;
    private long lastVideoDts = Long.MIN_VALUE;
    private long lastVideoPts = Long.MIN_VALUE;
    private double audioNext = Double.NaN;
    private long anchorNanos;
    private long firstNanos;
    private long anchorTicks;
    private long cuts;
    private long videoFramesOut;
    private long audioFramesOut;
    private long silentFramesOut;
    private long droppedFrames;
    private IOException failure;
    private int[] pictureSize;
    /** After {@link #restartOutput}: nothing is written until the source on air shows a keyframe. */
    private boolean restarting;

    /**
     * @param silentAacFrame one ADTS frame of silence in the output's audio format (every source's audio must use
     *                       the same sample rate and channel layout: the publisher copies it as it is)
     * @param nanoClock      {@link System#nanoTime} outside of tests
     */
    public Splicer(TsMuxer muxer, byte[] silentAacFrame, LongSupplier nanoClock, CutListener listener) {
        this.muxer = Objects.requireNonNull(muxer, "muxer");
        int rate = Adts.sampleRate(silentAacFrame, 0);
        if (rate == 0) {
            throw new IllegalArgumentException("silent frame is not an ADTS frame");
        }
        this.silentAacFrame = silentAacFrame.clone();
        this.audioFrameTicks = Adts.frameTicks(rate);
        this.nanoClock = nanoClock;
        this.listener = listener;
    }

    /** One source's entry into the splicer; feed it with {@link TsDemuxer} or directly. */
    public final class Input implements TsDemuxer.Sink {
        private final String label;
        private final boolean paced;
        private boolean hasAudio;
        private long offset;
        private long lastDts = Long.MIN_VALUE;
        private long frameTicks = DEFAULT_FRAME_TICKS;
        /** Steps in a row of 1.5 frame intervals or more (see {@link #measureFrameInterval}). */
        private int longSteps;
        private long lastVideoNanos;
        private long latencyFloor = Long.MAX_VALUE;
        private long latency;
        private final long[] arrivalNanos = new long[PACE_WINDOW];
        private final long[] arrivalDts = new long[PACE_WINDOW];
        private long videoFrames;
        private byte[] parameterSets = new byte[0];
        private int[] size;
        private final ArrayDeque<MediaFrame> heldAudio = new ArrayDeque<>();
        /** Between {@link #startOfRead} and {@link #endOfRead}: what this source puts on air waits for the end. */
        private boolean inRead;
        /** When the splicer cut to this source ({@link System#nanoTime} clock of the splicer), or 0: never. */
        private long onAirSinceNanos;
        /** When this source's reader entered the read it is blocked in, or -1 (see {@link #readStarting}). */
        private long readingSinceNanos = -1;
        /** When the reader's last read that returned had begun; {@link Long#MIN_VALUE}: reads are not reported. */
        private long lastReadBeganNanos = Long.MIN_VALUE;
        /** Told once when this source's silence needs a look (see {@link #armSilenceWatch}), or null: not armed. */
        private Runnable silenceLook;
        private long silenceWatchedNanos;

        private Input(String label, boolean hasAudio, boolean paced) {
            this.label = label;
            this.paced = paced;
            this.hasAudio = hasAudio;
            this.lastVideoNanos = nanoClock.getAsLong();
        }

        @Override
        public void program(boolean hasVideo, boolean audio) {
            synchronized (Splicer.this) {
                hasAudio = audio;
            }
        }

        @Override
        public void frame(MediaFrame frame) {
            accept(this, frame);
            if (!inRead) {
                flushOutput();
            }
        }

        @Override
        public void startOfRead() {
            inRead = true;
            synchronized (Splicer.this) {
                if (readingSinceNanos >= 0) {
                    lastReadBeganNanos = readingSinceNanos;
                    readingSinceNanos = -1;
                }
            }
        }

        /**
         * The source's reader is about to read its pipe, and will deliver (before {@link #startOfRead}) every
         * picture that is in it by now. A reader that reads at intervals reports this, so that
         * {@link #nanosWithoutPicture} knows how far its silence is known. {@code mayWait}: the pipe is empty, so the
         * read waits for the source, and its silence grows from now on with nobody to see it but a look at its
         * deadline: an armed {@link #armSilenceWatch} is told.
         */
        public void readStarting(boolean mayWait) {
            Runnable look = null;
            synchronized (Splicer.this) {
                readingSinceNanos = nanoClock.getAsLong();
                if (mayWait) {
                    look = silenceLook;
                    silenceLook = null;
                }
            }
            if (look != null) {
                look.run();
            }
        }

        /**
         * The reader has handed over everything its last read brought and rests before the next: the source's silence
         * is known as far as that read, and stays so until the next. An armed {@link #armSilenceWatch} is told when
         * that silence is longer than it watches for (a frozen picture whose audio still flows).
         */
        public void readHandedOver() {
            Runnable look = null;
            synchronized (Splicer.this) {
                if (silenceLook != null && lastReadBeganNanos != Long.MIN_VALUE
                        && lastReadBeganNanos - lastVideoNanos > silenceWatchedNanos) {
                    look = silenceLook;
                    silenceLook = null;
                }
            }
            if (look != null) {
                look.run();
            }
        }

        /**
         * Asks to be told once, on the reader's thread, when this source's silence needs a look: when its reader
         * starts a read that waits for the source (from then on the silence grows by itself: see
         * {@link #silenceGrowsByItself}), or when a read it handed over leaves it silent longer than {@code nanos}.
         * Between reads a resting reader's source is known no more silent than at its last read, so its watcher need
         * not look: a steady camera costs no look at all. Re-armed by the watcher at each of its looks.
         */
        public void armSilenceWatch(long nanos, Runnable look) {
            synchronized (Splicer.this) {
                silenceWatchedNanos = nanos;
                silenceLook = look;
            }
        }

        /**
         * Whether this source's silence grows with the clock now ({@link #nanosWithoutPicture} counts to now): its
         * reader waits in a read, its reads are not reported, or they have ended. Otherwise it grows only at reads.
         */
        public boolean silenceGrowsByItself() {
            synchronized (Splicer.this) {
                return readingSinceNanos >= 0 || lastReadBeganNanos == Long.MIN_VALUE;
            }
        }

        @Override
        public void endOfRead() {
            inRead = false;
            flushOutput();
        }

        public String label() {
            return label;
        }

        /** Nanoseconds since this source delivered its last picture (or since it was created). */
        public long nanosSinceLastPicture() {
            synchronized (Splicer.this) {
                return nanoClock.getAsLong() - lastVideoNanos;
            }
        }

        public long videoFrames() {
            synchronized (Splicer.this) {
                return videoFrames;
            }
        }

        /**
         * Takes one step between two pictures' timestamps into the frame interval. A step of 1.5 intervals or more
         * is a picture the camera skipped (a loaded encoder drops some), not its rate: averaged in, a few of them
         * made a cut's step 64 ms at 25 fps instead of 40 (bench/switch.sh). Only a run of such steps is a new rate.
         */
        private void measureFrameInterval(long delta) {
            if (delta <= 0 || delta > 18_000) { // 5 fps or more; anything else is a gap, not a frame rate
                return;
            }
            if (videoFrames <= 2 || longSteps >= LONG_STEPS_FOR_A_NEW_RATE) {
                frameTicks = delta;
                longSteps = 0;
            } else if (delta * 2 >= frameTicks * 3) {
                longSteps++;
            } else {
                frameTicks = (frameTicks * 7 + delta) / 8;
                longSteps = 0;
            }
        }

        /**
         * The source's reader reads no more (its pipe ended: the process is gone or going): its silence counts to now
         * again, as for a source whose reads are not reported.
         */
        public void readsEnded() {
            synchronized (Splicer.this) {
                readingSinceNanos = -1;
                lastReadBeganNanos = Long.MIN_VALUE;
            }
        }

        /**
         * How long this source is known to have had no picture: from its last picture to the start of its reader's
         * last read, or to now while the reader waits in a read (the pipe is empty: nothing has come) or when reads
         * are not reported. A reader that rests between reads does not make a live camera look silent, however long
         * it rests: what came during the rest is not known until the next read. Negative: a picture came after the
         * last read began. Once its reads have ended ({@link #readsEnded}), to now.
         */
        public long nanosWithoutPicture() {
            synchronized (Splicer.this) {
                long now = nanoClock.getAsLong();
                boolean known = readingSinceNanos >= 0 || lastReadBeganNanos == Long.MIN_VALUE;
                return (known ? now : lastReadBeganNanos) - lastVideoNanos;
            }
        }

        /**
         * How long this source has been on air since the cut to it, or -1 while it is not on air or another source
         * waits to be cut in (armed): a cut is near, and the pictures of this one must be in the output up to it.
         */
        public long nanosOnAirAlone() {
            synchronized (Splicer.this) {
                return active == this && pending == null ? nanoClock.getAsLong() - onAirSinceNanos : -1;
            }
        }

        /** The source's frame interval in 90 kHz ticks, as measured from its pictures. */
        public long frameTicks() {
            synchronized (Splicer.this) {
                return frameTicks;
            }
        }

        /** Width and height from the source's last SPS, or null before it sent one. */
        public int[] pictureSize() {
            synchronized (Splicer.this) {
                return size == null ? null : size.clone();
            }
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /**
     * A new source; {@code hasAudio} until its PMT says otherwise (the slate has none). A {@code paced} source hands
     * over its pictures in real time by construction (the slate); any other is a camera behind an ffmpeg, which
     * may first deliver a backlog in a burst (what it buffered while probing the camera, or what piled up while the
     * camera hung, or what a camera's RTSP server queued before the PLAY). A backlog must not go on air: it would
     * put old pictures on air and run the timeline ahead of the wall clock by its length. So such a source is cut in
     * only at a keyframe that arrived live: over its last {@value #PACE_WINDOW} pictures the wall clock advanced at
     * least 90 % as much as their timestamps (a backlog drains faster than that), and it came no more than 0.3 s later
     * than the source's usual latency (a backlog after a hang, which may drain at any speed). The session's first
     * source is the exception: with nothing on air yet, it goes on air at its first keyframe.
     */
    public synchronized Input newInput(String label, boolean hasAudio, boolean paced) {
        return new Input(label, hasAudio, paced);
    }

    /** Puts {@code next} on air at its first keyframe; replaces any source armed before. */
    public synchronized void arm(Input next) {
        if (next == active) {
            pending = null;
            return;
        }
        pending = next;
    }

    /** Withdraws {@code input} if it is armed (e.g. its camera failed before its first keyframe). */
    public synchronized void disarm(Input input) {
        if (pending == input) {
            pending = null;
        }
    }

    public synchronized Input active() {
        return active;
    }

    public synchronized Input pending() {
        return pending;
    }

    public synchronized long cuts() {
        return cuts;
    }

    /** Whether a picture has gone on air: false until the session's first source has been cut in. */
    public synchronized boolean hasOutput() {
        return lastVideoDts != Long.MIN_VALUE;
    }

    /** The last picture's DTS on the output timeline, or {@link Long#MIN_VALUE} before the first. */
    public synchronized long lastVideoDts() {
        return lastVideoDts;
    }

    /**
     * How far the output timeline is behind the wall clock since the first picture, in ticks (negative: ahead). A
     * camera's clock and every cut make the two drift apart; the slate uses this to catch up.
     */
    public synchronized long lagTicks() {
        if (lastVideoDts == Long.MIN_VALUE) {
            return 0;
        }
        long target = anchorTicks + (nanoClock.getAsLong() - anchorNanos) * Ts.TICKS_PER_SECOND / 1_000_000_000L;
        return target - lastVideoDts;
    }

    /** The size of the pictures on air, or null before the first SPS. */
    public synchronized int[] pictureSize() {
        return pictureSize == null ? null : pictureSize.clone();
    }

    public synchronized Stats stats() {
        long ahead = 0;
        if (lastVideoDts != Long.MIN_VALUE) {
            long wallTicks = (nanoClock.getAsLong() - firstNanos) * Ts.TICKS_PER_SECOND / 1_000_000_000L;
            ahead = (lastVideoDts - START_TICKS - wallTicks) / 90;
        }
        return new Stats(cuts, videoFramesOut, audioFramesOut, silentFramesOut, droppedFrames, muxer.bytesWritten(),
                ahead);
    }

    /**
     * Counters since the splicer was made; silent frames are counted in {@code audioFrames} too.
     * {@code aheadMillis}: how far the output timeline has run ahead of the wall clock since the first picture
     * (negative: behind).
     */
    public record Stats(long cuts, long videoFrames, long audioFrames, long silentAudioFrames, long droppedFrames,
                        long bytes, long aheadMillis) {}

    /**
     * Starts the output over for a new publisher (the old one died): {@code dropWritten} drops what was written for
     * the old one and not taken yet, and the output goes on at the next keyframe of the source on air, after a PAT
     * and PMT and with its SPS/PPS (the decoder's and the FLV sequence header's), its timestamps running on from the
     * last picture's. A failure of the old publisher's pipe is forgotten.
     */
    public synchronized void restartOutput(Runnable dropWritten) {
        muxer.restart();
        dropWritten.run();
        failure = null;
        restarting = true;
    }

    /** Set once writing to the publisher failed (it exited or closed its input); nothing is written after that. */
    public synchronized IOException failure() {
        return failure;
    }

    private synchronized void accept(Input in, MediaFrame f) {
        if (f.isVideo()) {
            noteVideo(in, f);
        }
        if (in == active) {
            write(in, f);
        } else if (in == pending) {
            if (f.isVideo()) {
                // The session's first source has nothing on air to spoil: its backlog (what its ffmpeg buffered
                // while probing) goes out at once, as a plain relay's would, instead of a second of pacing and a
                // wait for the next keyframe while the destination gets nothing.
                boolean live = in.paced || lastVideoDts == Long.MIN_VALUE || arrivesLive(in);
                if (f.keyframe() && in.parameterSets.length > 0 && live) {
                    cutTo(in, f);
                }
            } else {
                in.heldAudio.addLast(f);
                if (in.heldAudio.size() > PENDING_AUDIO_KEPT) {
                    in.heldAudio.removeFirst();
                }
            }
        }
    }

    private void noteVideo(Input in, MediaFrame f) {
        long now = nanoClock.getAsLong();
        in.lastVideoNanos = now;
        int slot = (int) (in.videoFrames % PACE_WINDOW);
        in.arrivalNanos[slot] = now;
        in.arrivalDts[slot] = f.dts();
        in.videoFrames++;
        // Arrival minus timestamp: constant while live, larger by the backlog's length while a backlog drains. The
        // floor follows a slower camera clock by one tick a picture (about 1 s an hour at 25 fps).
        in.latency = now / 1_000_000L * 90 - f.dts();
        in.latencyFloor = in.latencyFloor == Long.MAX_VALUE ? in.latency : Math.min(in.latencyFloor + 1, in.latency);
        if (in.lastDts != Long.MIN_VALUE) {
            in.measureFrameInterval(f.dts() - in.lastDts);
        }
        in.lastDts = f.dts();
        if (f.keyframe() || in.parameterSets.length == 0) {
            byte[] sets = H264.parameterSets(f.data());
            if (H264.hasParameterSets(f.data())) {
                in.parameterSets = sets;
                int[] size = H264.pictureSize(f.data());
                if (size != null) {
                    in.size = size;
                }
            }
        }
    }

    private static boolean arrivesLive(Input in) {
        if (in.videoFrames < PACE_WINDOW || in.latency - in.latencyFloor > MAX_BACKLOG_TICKS) {
            return false;
        }
        int newest = (int) ((in.videoFrames - 1) % PACE_WINDOW);
        int oldest = (int) (in.videoFrames % PACE_WINDOW);
        long dtsSpan = in.arrivalDts[newest] - in.arrivalDts[oldest];
        long wallSpan = (in.arrivalNanos[newest] - in.arrivalNanos[oldest]) * Ts.TICKS_PER_SECOND / 1_000_000_000L;
        return dtsSpan > 0 && wallSpan * 10 >= dtsSpan * 9;
    }

    private void cutTo(Input next, MediaFrame keyframe) {
        Input previous = active;
        long onAir = lastVideoDts == Long.MIN_VALUE
                ? START_TICKS
                : lastVideoDts + (previous != null ? previous.frameTicks : DEFAULT_FRAME_TICKS);
        next.offset = onAir - keyframe.dts();
        active = next;
        next.onAirSinceNanos = nanoClock.getAsLong();
        pending = null;
        if (lastVideoDts == Long.MIN_VALUE) {
            anchorNanos = nanoClock.getAsLong();
            firstNanos = anchorNanos;
            anchorTicks = onAir;
        } else {
            cuts++;
            long lag = lagTicks();
            if (lag < 0) {
                anchorTicks -= lag; // the old source ran ahead of the wall clock: measure from here on
            }
        }
        MediaFrame first = H264.hasParameterSets(keyframe.data())
                ? keyframe
                : keyframe.withData(H264.withParameterSets(keyframe.data(), next.parameterSets));
        if (next.size != null) {
            pictureSize = next.size.clone();
        }
        if (listener != null) {
            listener.cut(previous, next, onAir);
        }
        write(next, first);
        for (MediaFrame held : next.heldAudio) {
            if (held.pts() >= keyframe.pts()) {
                write(next, held);
            }
        }
        next.heldAudio.clear();
    }

    /**
     * Passes what was put on air since the last flush to the publisher's feed, in one write. Any source's flush
     * takes the others' frames along in order: a frame waits at most until its own source's end of read.
     */
    private synchronized void flushOutput() {
        if (failure != null) {
            return;
        }
        try {
            muxer.flush();
        } catch (IOException e) {
            failure = e;
        }
    }

    private void write(Input in, MediaFrame f) {
        if (failure != null) {
            return;
        }
        if (restarting) {
            if (!f.isVideo() || !f.keyframe()) {
                return;
            }
            restarting = false;
            if (!H264.hasParameterSets(f.data()) && in.parameterSets.length > 0) {
                f = f.withData(H264.withParameterSets(f.data(), in.parameterSets));
            }
            // the audio of the pictures left out is gone too: the new output's audio starts with this picture
            audioNext = Double.isNaN(audioNext) ? audioNext : Math.max(audioNext, f.pts() + in.offset);
        }
        MediaFrame out = f.shifted(in.offset);
        if (out.isVideo()) {
            writeVideo(in, out);
        } else {
            writeAudio(out);
        }
    }

    private void writeVideo(Input in, MediaFrame out) {
        if (lastVideoDts != Long.MIN_VALUE && out.dts() <= lastVideoDts) {
            // A camera's clock stepped back: keep DTS increasing rather than hand the publisher a backwards step.
            long bump = lastVideoDts + 1 - out.dts();
            out = out.shifted(bump);
            in.offset += bump;
        }
        if (in.size != null && pictureSize == null) {
            pictureSize = in.size.clone();
        }
        muxer.append(out);
        videoFramesOut++;
        lastVideoDts = out.dts();
        lastVideoPts = out.pts();
        if (Double.isNaN(audioNext)) {
            audioNext = out.pts();
        }
        // A source without audio gets silence up to the next picture; one with audio only where its own audio
        // has fallen half a second behind (its audio stalled while its pictures came on).
        long fillUntil = in.hasAudio ? out.dts() - Ts.TICKS_PER_SECOND / 2 : out.dts() + in.frameTicks;
        while (audioNext < fillUntil) {
            writeSilence();
        }
    }

    private void writeAudio(MediaFrame out) {
        if (Double.isNaN(audioNext)) {
            return; // no picture yet: audio waits for the first keyframe
        }
        if (out.pts() < audioNext - audioFrameTicks / 2) {
            droppedFrames++;
            return; // overlaps audio already on air (from before the cut)
        }
        while (out.pts() > audioNext + audioFrameTicks * 1.5) {
            writeSilence();
        }
        muxer.append(out);
        audioFramesOut++;
        audioNext = Math.max(audioNext, out.pts()) + audioFrameTicks;
    }

    private void writeSilence() {
        muxer.append(MediaFrame.audio(Math.round(audioNext), silentAacFrame));
        audioFramesOut++;
        silentFramesOut++;
        audioNext += audioFrameTicks;
    }
}
