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

/**
 * The way into the publisher's stdin without ever blocking the splicer: writes are queued and a thread of its own
 * drains them into the pipe. A publisher that stops reading (its RTMP server hangs) fills the queue; the write that
 * finds it full fails, the splicer records the failure, and nobody waits on a stuck pipe with the splicer's lock
 * held (the slate, the readers of the ingests and the status would all hang behind it).
 */
final class PublisherFeed extends OutputStream {
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> queue;
    private final OutputStream pipe;
    private final Thread writer;
    private final long batchNanos;
    private volatile IOException failure;
    private volatile boolean closed;

    /** @param chunks how many writes (one frame each, or the frames of one read of a camera's pipe) may wait: at 25 pictures and 21.5 AAC frames a second, 1000 is some 20 s (a few MB) */
    PublisherFeed(OutputStream pipe, int chunks, String threadName) {
        this(pipe, chunks, Duration.ZERO, threadName);
    }

    /**
     * @param batch after each write to the pipe the writer rests this long and then writes all that came meanwhile
     *              at once: one wake-up of this thread (and of the publisher) per batch instead of per write, for up to
     *              this much more latency on the way to the destination; zero writes each chunk as it comes
     */
    PublisherFeed(OutputStream pipe, int chunks, Duration batch, String threadName) {
        this.pipe = pipe;
        this.queue = new ArrayBlockingQueue<>(chunks);
        this.batchNanos = batch.toNanos();
        this.writer = new Thread(this::drain, threadName);
        this.writer.setDaemon(true);
        this.writer.start();
    }

    private void drain() {
        try {
            List<byte[]> chunks = new ArrayList<>();
            while (true) {
                chunks.add(queue.take());
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
                if (batchNanos > 0 && !closed) {
                    LockSupport.parkNanos(this, batchNanos); // finish() unparks: the end is not held back
                }
            }
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

    /** Lets what is queued reach the pipe (for up to {@code waitMillis}), then closes it: the publisher sees the end. */
    void finish(long waitMillis) {
        closed = true;
        LockSupport.unpark(writer);
        try {
            if (!queue.offer(END, waitMillis, TimeUnit.MILLISECONDS)) {
                writer.interrupt();
                pipe.close();
            }
            writer.join(waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the publisher is gone already
        }
    }
}
