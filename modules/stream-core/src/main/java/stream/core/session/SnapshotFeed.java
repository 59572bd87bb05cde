package stream.core.session;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A copy of a session's output for its snapshot ffmpeg, the dashboard's thumbnail: what the publisher is given goes
 * here too, into a bounded queue that the snapshot process's stdin thread ({@link #drainInto}) drains into its pipe.
 * A full queue drops the copy (the snapshot's decoder picks up again at the next keyframe), so a slow or stopped
 * snapshot process never holds up the splicer or the publisher; one that died just gets nothing until its keeper has
 * started the next, whose thread takes over.
 */
final class SnapshotFeed implements AutoCloseable {
    private static final byte[] END = new byte[0];

    /**
     * The snapshot process gets its copy in batches of this long: one wake-up every 2 s of the feed's thread (and of
     * the snapshot ffmpeg) instead of one per read of a camera's pipe (4 to 20 a second). A thumbnail taken every
     * 10 s from keyframes is at most this much later; the first batch goes at once (see {@link #drainInto}).
     */
    static final Duration BATCH = Duration.ofSeconds(2);

    private final BlockingQueue<byte[]> queue;
    private final long batchNanos;
    private volatile boolean closed;
    private long dropped;
    private final DrainerSlot drainer = new DrainerSlot();
    /** A process has drained this feed before. */
    private final AtomicBoolean taken = new AtomicBoolean();

    /**
     * @param chunks how many writes (one frame each, or the frames of one read of a camera's pipe) may wait: 250 is
     *               some 5 s of a 25 fps stream with its audio, far more than a batch
     */
    SnapshotFeed(int chunks) {
        this(chunks, BATCH);
    }

    /** @param batch after each write to the pipe the drainer rests this long; zero writes each chunk as it comes */
    SnapshotFeed(int chunks, Duration batch) {
        this.queue = new ArrayBlockingQueue<>(chunks);
        this.batchNanos = batch.toNanos();
    }

    /** An output that writes to {@code primary} (whose failures are the caller's) and offers a copy to this feed. */
    OutputStream teeFrom(OutputStream primary) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                primary.write(b, off, len);
                offer(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                primary.flush();
            }
        };
    }

    /** Queues a copy of these bytes, or drops it when the queue is full or the feed closed; never blocks. */
    void offer(byte[] b, int off, int len) {
        if (closed || len == 0) {
            return;
        }
        if (!queue.offer(Arrays.copyOfRange(b, off, off + len))) {
            synchronized (this) {
                dropped++;
            }
        }
    }

    /** Copies waiting for the snapshot process. */
    int queued() {
        return queue.size();
    }

    synchronized long dropped() {
        return dropped;
    }

    /**
     * Drains the queue into {@code stdin} on the calling thread (a snapshot process's stdin thread) until the feed
     * closes (its stdin is closed: it writes its last JPEG and exits), the process is gone, or a newer process takes
     * over. What waited for an earlier process is dropped first: it would only give an old picture. The first
     * process takes what came while it started (the session's first keyframe): its first picture comes at once.
     */
    void drainInto(OutputStream stdin) {
        Thread me = Thread.currentThread();
        drainer.takeOver();
        if (taken.getAndSet(true) && !closed) {
            queue.clear();
        }
        try {
            List<byte[]> chunks = new ArrayList<>();
            while (!me.isInterrupted()) {
                chunks.add(queue.take());
                queue.drainTo(chunks); // what came during the rest: written with one flush
                for (byte[] chunk : chunks) {
                    if (chunk == END) {
                        stdin.close();
                        return;
                    }
                    stdin.write(chunk);
                }
                stdin.flush();
                chunks.clear();
                if (batchNanos > 0 && !closed) {
                    LockSupport.parkNanos(this, batchNanos); // close() unparks: the end is not held back
                }
            }
        } catch (IOException e) {
            // the snapshot process is gone: its keeper starts the next
        } catch (InterruptedException e) {
            // a newer process's thread took over, or the feed closed on a stuck process
        } finally {
            drainer.release();
        }
    }

    /**
     * Ends the feed: the end of its input reaches the snapshot process (it finishes its JPEG and exits), waiting at
     * most a second; a process stuck in a write is left to its keeper's stop.
     */
    @Override
    public void close() {
        closed = true;
        while (!queue.offer(END)) {
            queue.poll(); // room for the end marker: what is dropped would only have been decoded to be thrown away
        }
        Thread t = drainer.holder();
        if (t == null) {
            return;
        }
        LockSupport.unpark(t);
        try {
            t.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
