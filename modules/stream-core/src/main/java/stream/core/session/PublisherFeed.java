package stream.core.session;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The way into the publisher's stdin without ever blocking the splicer: writes are queued and the publisher's stdin
 * thread ({@link #drainInto}) drains them into its pipe. A publisher that stops reading (its RTMP server hangs) fills
 * the queue; the write that finds it full fails, the splicer records the failure, and nobody waits on a stuck pipe
 * with the splicer's lock held (the slate, the readers of the ingests and the status would all hang behind it).
 *
 * <p>The feed outlives its publishers: when the publisher is started again, the new process's stdin thread takes
 * over from the old one ({@link #drainInto}), and {@link #restart} drops what was meant for the old one.
 */
final class PublisherFeed extends OutputStream {
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> queue;
    private final LongSupplier batchNanos;
    private volatile IOException failure;
    private volatile boolean closed;
    private final DrainerSlot drainer = new DrainerSlot();

    /**
     * @param chunks how many writes (one frame each, or the frames of one read of a camera's pipe) may wait: at 25
     *               pictures and 21.5 AAC frames a second, 1000 is some 20 s (a few MB)
     * @param batch  after each write to the pipe the drainer rests this long and then writes all that came meanwhile
     *               at once: one wake-up of it (and of the publisher) per batch instead of per write, for up to this
     *               much more latency on the way to the destination; zero writes each chunk as it comes, and so
     *               does a drainer that waited longer than this for the chunk (writes come further apart already)
     */
    PublisherFeed(int chunks, Duration batch) {
        this(chunks, constant(batch.toNanos()));
    }

    /** The same with the batch looked up before each write: a session rests longer once its camera has settled. */
    PublisherFeed(int chunks, LongSupplier batchNanos) {
        this.queue = new ArrayBlockingQueue<>(chunks);
        this.batchNanos = batchNanos;
    }

    private static LongSupplier constant(long nanos) {
        return () -> nanos;
    }

    /**
     * Drains the queue into {@code pipe} on the calling thread (a publisher's stdin thread) until the feed finishes,
     * the pipe fails (the publisher is gone) or a newer pipe takes over. The previous drainer, if any, is ended
     * first; then {@code takingOver} runs, before anything is taken from the queue: it is where what was meant for
     * the old publisher is dropped.
     */
    void drainInto(OutputStream pipe, Runnable takingOver) {
        Thread me = Thread.currentThread();
        drainer.takeOver();
        takingOver.run();
        try {
            if (closed && queue.isEmpty()) {
                // finished before this publisher's thread took over (finish() found no drainer to hand the end to,
                // and dropped what waited): the end of its input, or it would wait on an empty queue for ever. A
                // finish() that found this drainer has queued the end behind the media: drained as usual below.
                pipe.close();
                return;
            }
            List<byte[]> chunks = new ArrayList<>();
            while (!me.isInterrupted()) {
                long waitFrom = System.nanoTime();
                chunks.add(queue.take());
                long batch = batchNanos.getAsLong();
                // Writes that come further apart than a batch are each written at once: a rest after them would only
                // be a second wake-up with nothing to write.
                boolean sparse = System.nanoTime() - waitFrom >= batch;
                queue.drainTo(chunks); // what piled up while this thread was waking: written with one flush
                for (byte[] chunk : chunks) {
                    if (chunk == END) {
                        pipe.close();
                        return;
                    }
                    pipe.write(chunk);
                }
                pipe.flush();
                chunks.clear();
                if (batch > 0 && !closed && !sparse) {
                    LockSupport.parkNanos(this, batch); // finish() unparks: the end is not held back
                }
            }
        } catch (IOException e) {
            if (drainer.isHeldBy(me)) {
                failure = e;
            }
        } catch (InterruptedException e) {
            // a newer publisher's thread took over
        } finally {
            drainer.release();
        }
    }

    /** Drops what waits (it was meant for a publisher that is gone) and that publisher's failure: a clean start. */
    void restart() {
        queue.clear();
        failure = null;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        IOException f = failure;
        if (f != null) {
            throw f;
        }
        if (closed) {
            throw new IOException("publisher feed closed");
        }
        byte[] chunk = new byte[len];
        System.arraycopy(b, off, chunk, 0, len);
        if (!queue.offer(chunk)) {
            throw new IOException("the publisher has not taken media for " + queue.size() + " frames");
        }
    }

    /** Frames written but not yet in the pipe. */
    int waiting() {
        return queue.size();
    }

    /**
     * Lets what is queued reach the pipe (for up to {@code waitMillis}), then closes it: the publisher sees the end.
     * Without a publisher taking media, what waits is dropped.
     */
    void finish(long waitMillis) {
        closed = true;
        Thread t = drainer.holder();
        if (t == null) {
            queue.clear();
            return;
        }
        LockSupport.unpark(t);
        try {
            if (!queue.offer(END, waitMillis, TimeUnit.MILLISECONDS)) {
                t.interrupt();
            }
            t.join(waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
