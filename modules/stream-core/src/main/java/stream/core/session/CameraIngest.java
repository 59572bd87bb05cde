package stream.core.session;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import stream.core.SecretMasker;

/** One camera's ingest ffmpeg and the thread that demuxes its transport stream into the splicer. */
final class CameraIngest {
    static final long MAX_READ_INTERVAL_NANOS = 50_000_000L;
    private final String rtspUrl;
    private final Optional<VideoEncoding> encoding;
    private final MediaProcess process;
    private final Splicer.Input input;
    private final long startedNanos;
    private volatile boolean ended;
    private volatile Runnable endListener;
    private final TsDemuxer demuxer;

    private CameraIngest(String rtspUrl, Optional<VideoEncoding> encoding, MediaProcess process, Splicer.Input input) {
        this.rtspUrl = rtspUrl;
        this.encoding = encoding;
        this.process = process;
        this.input = input;
        this.startedNanos = System.nanoTime();
        this.demuxer = new TsDemuxer(input);
    }

    /** @param encoding how the camera's video is encoded, or empty for a copy */
    static CameraIngest start(String rtspUrl, Optional<VideoEncoding> encoding, SessionCommands commands,
                              MediaProcess.Starter starter, Splicer splicer, String label) {
        MediaProcess p = starter.start("ingest", commands.ingest(rtspUrl, encoding), SecretMasker.forUrls(rtspUrl));
        CameraIngest ingest = new CameraIngest(rtspUrl, encoding, p, splicer.newInput(label, true, false));
        Thread reader = new Thread(ingest::read, "ingest-" + p.pid());
        reader.setDaemon(true);
        reader.start();
        return ingest;
    }

    private void read() {
        try {
            process.stdin().close();
            demuxer.readAll(new PacedPipe(process.stdout(), this::readIntervalNanos));
        } catch (IOException e) {
            // the process went away; ended says so
        } finally {
            ended = true;
            Runnable listener = endListener;
            if (listener != null) {
                listener.run();
            }
        }
    }

    /** Runs {@code listener} (short, non-blocking) once the output has ended, at once if it has already. */
    void whenEnded(Runnable listener) {
        endListener = listener;
        if (ended) {
            listener.run();
        }
    }

    /**
     * A quarter more than the camera's frame interval, at most {@link #MAX_READ_INTERVAL_NANOS}: the next picture is
     * in the pipe by then, so a read is one wake-up, not a wait for it and a second one. A picture then waits at most
     * 1.25 frame intervals, which the splicer's test of a live arrival (the wall clock over {@value
     * Splicer#PACE_WINDOW} pictures, at least 90 % of their timestamps' span) allows at any frame rate with room to
     * spare for the scheduler.
     */
    private long readIntervalNanos() {
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
        private long nextReadAt = System.nanoTime();

        PacedPipe(InputStream in, LongSupplier intervalNanos) {
            super(in);
            this.intervalNanos = intervalNanos;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long wait;
            while ((wait = nextReadAt - System.nanoTime()) > 0) {
                LockSupport.parkNanos(this, wait);
            }
            int n = in.read(b, off, len);
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

    Splicer.Input input() {
        return input;
    }

    long pid() {
        return process.pid();
    }

    /** Whether its output is still open (the process exits when the camera goes away). */
    boolean alive() {
        return !ended;
    }

    long ageNanos() {
        return System.nanoTime() - startedNanos;
    }

    String lastError() {
        var tail = process.stderrTail();
        return tail.isEmpty() ? "" : tail.get(tail.size() - 1);
    }

    void close() {
        process.close();
    }
}
