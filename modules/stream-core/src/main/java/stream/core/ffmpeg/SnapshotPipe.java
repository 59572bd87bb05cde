package stream.core.ffmpeg;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The snapshot ffmpeg of one relay launch, and the copy of the relay's stdout into its stdin.
 *
 * <p>The JVM passes the bytes on instead of joining the two processes with one OS pipe, so that the preview can never
 * harm the broadcast, and neither process can outlive the appliance:
 * <ul>
 * <li>a snapshot process that is slow or stopped loses chunks (the decoder picks up again at the next keyframe); a
 * full pipe would block the relay's muxing instead;</li>
 * <li>one that dies just stops receiving; with a direct pipe the relay's write would fail, and ffmpeg 5.1 ends every
 * output after one write error (measured);</li>
 * <li>when the JVM is gone, even by SIGKILL, both pipes close: the relay's next write to stdout fails and ends it, and
 * the snapshot process reads end of input and ends. (A loopback UDP feed, tried before, left the snapshot process
 * running on as an orphan.)</li>
 * </ul>
 */
final class SnapshotPipe {
    /** Chunks waiting for the snapshot process: about 1 MB at most; more means it is not keeping up. */
    private static final int QUEUE_CHUNKS = 16;
    private static final int CHUNK = 64 * 1024;
    private static final byte[] END = new byte[0];

    private final Process process;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
    private final Thread reader;
    private final Thread writer;
    private volatile boolean snapshotGone;

    private SnapshotPipe(Process process, InputStream relayStdout, String name) {
        this.process = process;
        this.reader = daemon(name + "-copy", () -> copy(relayStdout));
        this.writer = process == null ? null : daemon(name + "-snapshot", this::write);
    }

    /**
     * Starts the snapshot process (never through a shell) and the copy. A process that cannot start only means no
     * preview: the relay's stdout is read and dropped, since an unread pipe would stall the relay.
     */
    static SnapshotPipe start(List<String> command, InputStream relayStdout, String name) {
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException | RuntimeException e) {
            p = null;
        }
        SnapshotPipe pipe = new SnapshotPipe(p, relayStdout, name);
        pipe.reader.start();
        if (pipe.writer != null) {
            pipe.writer.start();
        }
        return pipe;
    }

    /** The snapshot process's pid, or -1 when it could not start. */
    long pid() {
        return process == null ? -1 : process.pid();
    }

    /**
     * After the relay has ended: waits for the copy to finish and for the snapshot process to end by itself (end of
     * input), at most {@code grace}, then kills it. The process never outlives this call.
     */
    void awaitEnd(Duration grace) {
        join(reader, grace);
        if (process == null) {
            return;
        }
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
        }
        join(writer, Duration.ofSeconds(1));
    }

    /**
     * SIGKILL through the handle: {@link Process#destroyForcibly()} first closes the process's stdin, which waits for
     * the lock held by a write blocked on a full pipe, and so would never send the signal.
     */
    private void kill() {
        ProcessHandle handle = process.toHandle();
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
    }

    private void copy(InputStream in) {
        byte[] buffer = new byte[CHUNK];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n > 0 && process != null && !snapshotGone) {
                    // offer, not put: a full queue means the snapshot process is behind, and the relay must not wait
                    queue.offer(Arrays.copyOf(buffer, n));
                }
            }
        } catch (IOException ignored) {
            // the relay has ended
        } finally {
            if (process != null) {
                while (!queue.offer(END)) {
                    queue.poll(); // make room for the end marker: what is dropped would never be decoded anyway
                }
            }
        }
    }

    private void write() {
        OutputStream out = process.getOutputStream();
        try (out) {
            while (true) {
                byte[] chunk = queue.take();
                if (chunk == END) {
                    return;
                }
                out.write(chunk);
                out.flush();
            }
        } catch (IOException e) {
            // the snapshot process is gone: the copy goes on being read and dropped, the relay is not disturbed
            snapshotGone = true;
            queue.clear();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void join(Thread t, Duration d) {
        if (t == null) {
            return;
        }
        try {
            t.join(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
