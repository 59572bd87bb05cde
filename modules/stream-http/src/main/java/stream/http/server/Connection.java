package stream.http.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * One client connection. Its phase says who owns it: the selector thread while a request is read ({@code READ}), a
 * worker while a handler runs ({@code HANDLE}), anyone who writes to an open event stream ({@code STREAM}). Output is
 * never written with a blocking call: what the socket does not take at once waits here, bounded for streams, and the
 * selector thread writes it when the client reads.
 */
final class Connection {
    enum Phase { READ, HANDLE, STREAM, LINGER, CLOSED }

    /** What a send left behind. */
    enum Sent { DONE, PENDING }

    final SocketChannel channel;
    final InetAddress address;
    final InetSocketAddress remote;
    final InetSocketAddress local;
    final RequestReader reader;
    SelectionKey key;

    volatile Phase phase = Phase.READ;
    /**
     * When the connection last had no request under way, and when the current one began: written by the selector
     * thread, or by a worker just before it hands the connection back (phase, written last, publishes them).
     */
    long idleSince;
    long requestStartedAt;
    long bodyStartedAt;
    /**
     * {@link ConnectionScoped}'s value: written and read by the worker handling the connection's current request;
     * volatile because the next request may run on another worker.
     */
    volatile Object scopedValue;
    /** After a refusal: close only once the client stopped sending, so that it reads the answer, not a reset. */
    boolean lingerAfterAnswer;
    long lingerUntil;
    long lingerBytes;

    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private long pendingBytes;
    private long lastProgress;
    private boolean answerComplete;
    private boolean keepAlive;
    /** The selector stopped watching for input because the client sent more while a handler ran. */
    private boolean readPaused;

    Connection(SocketChannel channel, RequestReader reader, long now) throws IOException {
        this.channel = channel;
        this.remote = (InetSocketAddress) channel.getRemoteAddress();
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.address = remote.getAddress();
        this.reader = reader;
        this.idleSince = now;
    }

    /**
     * Queues bytes of the answer and writes what the socket takes now.
     *
     * @param last the answer ends with these bytes
     * @param keepAliveAfter after the last bytes the connection serves the next request (else it closes)
     * @param backlogLimit bytes that may wait unwritten before the client counts as stalled and is dropped
     */
    synchronized Sent send(ByteBuffer[] bufs, boolean last, boolean keepAliveAfter, long backlogLimit)
            throws IOException {
        if (phase == Phase.CLOSED) {
            throw new IOException("the client's connection is closed");
        }
        if (pending.isEmpty()) {
            lastProgress = System.nanoTime();
        }
        for (ByteBuffer b : bufs) {
            if (b.hasRemaining()) {
                pendingBytes += b.remaining();
                pending.add(b);
            }
        }
        if (pendingBytes > backlogLimit) {
            closeQuietly();
            throw new IOException("the client reads too slowly; dropped");
        }
        if (last) {
            answerComplete = true;
            keepAlive = keepAliveAfter;
        }
        return writePending() ? Sent.DONE : Sent.PENDING;
    }

    /** Writes queued bytes without blocking; true when nothing is left. A failed write closes the connection. */
    synchronized boolean writePending() throws IOException {
        if (phase == Phase.CLOSED) {
            return true;
        }
        try {
            return writeSome();
        } catch (IOException e) {
            closeQuietly(); // the client went away mid-answer
            throw e;
        }
    }

    private boolean writeSome() throws IOException {
        while (!pending.isEmpty()) {
            ByteBuffer head = pending.peek();
            if (pending.size() > 1) {
                long n = channel.write(pending.toArray(new ByteBuffer[0]));
                if (n > 0) {
                    lastProgress = System.nanoTime();
                    pendingBytes -= n;
                }
                while (!pending.isEmpty() && !pending.peek().hasRemaining()) {
                    pending.poll();
                }
                if (n == 0) {
                    return false;
                }
                continue;
            }
            int n = channel.write(head);
            if (n > 0) {
                lastProgress = System.nanoTime();
                pendingBytes -= n;
            }
            if (head.hasRemaining()) {
                return false;
            }
            pending.poll();
        }
        return true;
    }

    /** Whether the whole answer is written, and whether the connection then serves another request. */
    synchronized boolean answerWritten() {
        return answerComplete && pending.isEmpty();
    }

    synchronized boolean hasPending() {
        return !pending.isEmpty();
    }

    synchronized boolean keepAlive() {
        return keepAlive;
    }

    /** Starts the next request/answer cycle (selector thread, after the previous answer left). */
    synchronized void nextRequest(long now) {
        answerComplete = false;
        keepAlive = false;
        readPaused = false;
        idleSince = now;
        requestStartedAt = now;
        phase = Phase.READ;
    }

    /**
     * A worker whose answer was written whole gives the connection back to reading itself: the selector still
     * watches it for input (it did all along), so neither a task nor a wake-up of the selector is needed. False when
     * the selector must take over: it paused reading (the client sent more while the handler ran), or the
     * connection is no longer the handler's.
     */
    synchronized boolean readAgain(long now) {
        if (phase != Phase.HANDLE || readPaused || !answerComplete || !keepAlive || !pending.isEmpty()) {
            return false;
        }
        nextRequest(now);
        return true;
    }

    /**
     * Selector thread, input while a handler runs: stop watching until the answer is out (true), unless the
     * handler's worker has just given the connection back to reading (false: read now).
     */
    synchronized boolean pauseReading() {
        if (phase == Phase.READ) {
            return false;
        }
        readPaused = true;
        if (key.isValid()) {
            key.interestOps(0);
        }
        return true;
    }

    /** Nanoseconds since the socket last took a byte while bytes wait; 0 when nothing waits. */
    synchronized long writeStalledFor(long now) {
        return pending.isEmpty() ? 0 : now - lastProgress;
    }

    synchronized boolean closed() {
        return phase == Phase.CLOSED;
    }

    synchronized void closeQuietly() {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        pending.clear();
        pendingBytes = 0;
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to tell a client that is gone
        }
    }
}
