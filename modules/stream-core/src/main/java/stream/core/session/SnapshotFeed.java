package stream.core.session;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A copy of a session's output for its snapshot ffmpeg, the dashboard's thumbnail: what the publisher is given goes
 * here too, into a bounded queue that a thread of its own drains into the snapshot process's stdin. A full queue
 * drops the copy (the snapshot's decoder picks up again at the next keyframe), so a slow or stopped snapshot process
 * never holds up the splicer or the publisher; one that died just gets nothing more.
 */
final class SnapshotFeed implements AutoCloseable {
    private static final byte[] END = new byte[0];

    private final MediaProcess process;
    private final BlockingQueue<byte[]> queue;
    private final Thread writer;
    private volatile boolean gone;
    private long dropped;

    /** @param chunks how many writes (one frame each) may wait: 250 is some 5 s of a 25 fps stream with its audio */
    SnapshotFeed(MediaProcess process, int chunks, String threadName) {
        this.process = process;
        this.queue = new ArrayBlockingQueue<>(chunks);
        this.writer = new Thread(this::drain, threadName);
        this.writer.setDaemon(true);
        this.writer.start();
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

    /** Queues a copy of these bytes, or drops it when the queue is full or the process is gone; never blocks. */
    void offer(byte[] b, int off, int len) {
        if (gone || len == 0) {
            return;
        }
        if (!queue.offer(Arrays.copyOfRange(b, off, off + len))) {
            synchronized (this) {
                dropped++;
            }
        }
    }

    synchronized long dropped() {
        return dropped;
    }

    long pid() {
        return process.pid();
    }

    private void drain() {
        OutputStream stdin = process.stdin();
        try {
            while (true) {
                byte[] chunk = queue.take();
                if (chunk == END) {
                    stdin.close(); // the end of its input: it writes its last JPEG and exits
                    break;
                }
                stdin.write(chunk);
                stdin.flush();
            }
        } catch (IOException e) {
            // the snapshot process is gone: the session goes on without a thumbnail
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            gone = true;
            queue.clear();
        }
    }

    /** Ends the snapshot process: the end of its input first (it finishes its JPEG), then its grace period. */
    @Override
    public void close() {
        gone = true;
        while (!queue.offer(END)) {
            queue.poll(); // room for the end marker: what is dropped would only have been decoded to be thrown away
        }
        try {
            writer.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            // stuck writing to a process that stopped reading: closing its stdin would wait for that write's lock,
            // so the process is killed, which fails the write
            ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
        process.close();
    }
}
