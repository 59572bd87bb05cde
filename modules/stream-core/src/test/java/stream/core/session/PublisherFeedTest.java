package stream.core.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class PublisherFeedTest {

    /** A feed drained into {@code pipe} by a thread of its own, as a publisher's stdin thread drains it. */
    static PublisherFeed feedInto(OutputStream pipe, int chunks, Duration batch) {
        PublisherFeed feed = new PublisherFeed(chunks, batch);
        drain(feed, pipe, () -> { });
        return feed;
    }

    /** Starts a drainer and returns once it has taken over ({@code takingOver} has run). */
    static Thread drain(PublisherFeed feed, OutputStream pipe, Runnable takingOver) {
        CountDownLatch attached = new CountDownLatch(1);
        Thread t = new Thread(() -> feed.drainInto(pipe, () -> {
            takingOver.run();
            attached.countDown();
        }), "feed-test");
        t.setDaemon(true);
        t.start();
        try {
            assertTrue(attached.await(30, TimeUnit.SECONDS), "the drainer took over");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return t;
    }

    @Test
    void everythingWrittenReachesThePipeInOrder() throws IOException {
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        PublisherFeed feed = feedInto(pipe, 10, Duration.ZERO);
        for (int i = 0; i < 5; i++) {
            feed.write(new byte[] {(byte) i, (byte) (i + 10)}, 0, 2);
        }
        feed.finish(5_000);
        assertArrayEquals(new byte[] {0, 10, 1, 11, 2, 12, 3, 13, 4, 14}, pipe.toByteArray());
    }

    @Test
    void aPipeThatTakesNothingFailsTheWriteInsteadOfBlockingIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        OutputStream stuck = new OutputStream() {
            @Override
            public void write(int b) {
                awaitRelease();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                awaitRelease();
            }

            private void awaitRelease() {
                holding.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        PublisherFeed feed = feedInto(stuck, 3, Duration.ZERO);
        byte[] frame = new byte[188];
        // the writer thread takes the first chunk and hangs in the pipe; only then is the queue's size known
        feed.write(frame, 0, frame.length);
        assertTrue(holding.await(30, TimeUnit.SECONDS), "the writer took the first chunk");
        int accepted = 1;
        IOException failure = null;
        for (int i = 0; i < 10 && failure == null; i++) {
            try {
                feed.write(frame, 0, frame.length);
                accepted++;
            } catch (IOException e) {
                failure = e;
            }
        }
        assertTrue(failure != null, "a full queue fails the write");
        assertEquals(4, accepted, "queue of 3 plus the one in the writer's hands");
        assertEquals(3, feed.waiting());
        release.countDown();
        feed.finish(5_000);
        assertThrows(IOException.class, () -> feed.write(frame, 0, 1));
    }

    @Test
    void writesThatComeWhileTheWriterRestsAreWrittenTogetherAndFinishDoesNotWaitForTheRest() throws Exception {
        CountDownLatch firstFlush = new CountDownLatch(1);
        ByteArrayOutputStream pipe = new ByteArrayOutputStream() {
            @Override
            public synchronized void flush() {
                firstFlush.countDown();
            }
        };
        // a rest far longer than the test: the second batch can only come out through finish()
        PublisherFeed feed = feedInto(pipe, 10, Duration.ofSeconds(60));
        feed.write(new byte[] {1}, 0, 1);
        assertTrue(firstFlush.await(30, TimeUnit.SECONDS), "the first write reaches the pipe at once");
        feed.write(new byte[] {2}, 0, 1);
        feed.write(new byte[] {3, 4}, 0, 2);
        synchronized (pipe) {
            assertArrayEquals(new byte[] {1}, pipe.toByteArray(), "the writer rests: the rest waits");
        }
        assertEquals(2, feed.waiting());
        long start = System.nanoTime();
        feed.finish(20_000);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, pipe.toByteArray());
        assertTrue(System.nanoTime() - start < 20_000_000_000L, "finish woke the resting writer");
    }

    @Test
    void theRestAfterEachWriteIsTheBatchAskedForThen() throws Exception {
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        java.util.concurrent.atomic.AtomicLong batch = new java.util.concurrent.atomic.AtomicLong(0);
        PublisherFeed feed = new PublisherFeed(10, batch::get);
        Thread drainer = drain(feed, pipe, () -> { });
        feed.write(new byte[] {1}, 0, 1);
        stream.core.TestWaits.await(() -> pipe.size() == 1, "the first write in the pipe");
        // no batch: the drainer waits for the next chunk (untimed), it does not rest
        stream.core.TestWaits.await(() -> drainer.getState() == Thread.State.WAITING, "the drainer waits in take");
        batch.set(Duration.ofSeconds(60).toNanos()); // the session's camera has settled
        feed.write(new byte[] {2}, 0, 1);
        stream.core.TestWaits.await(() -> pipe.size() == 2, "the second write in the pipe");
        stream.core.TestWaits.await(() -> drainer.getState() == Thread.State.TIMED_WAITING,
                "the drainer rests after the write");
        feed.write(new byte[] {3}, 0, 1);
        assertEquals(1, feed.waiting(), "a resting drainer takes nothing");
        assertEquals(2, pipe.size());
        feed.finish(20_000);
        assertArrayEquals(new byte[] {1, 2, 3}, pipe.toByteArray());
    }

    @Test
    void aWriteAfterALongerWaitThanTheRestIsWrittenWithoutARestAfterIt() throws Exception {
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        Duration rest = Duration.ofSeconds(5);
        PublisherFeed feed = feedInto(pipe, 10, rest);
        long attached = System.nanoTime();
        // writes further apart than the rest (a camera settled on air): the drainer waited longer than a rest
        stream.core.TestWaits.await(() -> System.nanoTime() - attached > rest.toNanos() + 200_000_000L,
                "a wait longer than the rest");
        feed.write(new byte[] {1}, 0, 1);
        stream.core.TestWaits.await(() -> pipe.size() == 1, "the first write in the pipe");
        long second = System.nanoTime();
        feed.write(new byte[] {2}, 0, 1);
        stream.core.TestWaits.await(() -> pipe.size() == 2, "the second write in the pipe");
        // a rest after the first write would have held the second back for the whole rest
        assertTrue(System.nanoTime() - second < rest.toNanos() - 1_000_000_000L,
                "the second write came out before a rest could have ended");
        feed.finish(5_000);
        assertArrayEquals(new byte[] {1, 2}, pipe.toByteArray());
    }

    @Test
    void aNewPublishersPipeTakesOverAndGetsOnlyWhatIsWrittenAfterTheRestart() throws Exception {
        OutputStream gone = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        PublisherFeed feed = feedInto(gone, 10, Duration.ZERO);
        feed.write(new byte[] {1}, 0, 1);
        IOException failed = null;
        for (int i = 0; i < 1_000 && failed == null; i++) { // the drainer meets the broken pipe, then the write fails
            try {
                feed.write(new byte[] {2}, 0, 1);
                Thread.sleep(10);
            } catch (IOException e) {
                failed = e;
            }
        }
        assertTrue(failed != null, "a publisher that is gone fails the writes");
        ByteArrayOutputStream next = new ByteArrayOutputStream();
        Thread second = drain(feed, next, feed::restart);
        feed.write(new byte[] {7, 8}, 0, 2);
        feed.finish(5_000);
        second.join(5_000);
        assertArrayEquals(new byte[] {7, 8}, next.toByteArray(), "the new pipe starts clean, after the restart");
    }

    /**
     * A publisher whose stdin thread takes over only after the feed finished (the session closed while it was
     * starting): its pipe is closed at once, the end of its input, instead of its thread waiting on an empty queue.
     */
    @Test
    void aPipeThatTakesOverAfterTheFinishIsClosedAtOnce() throws Exception {
        PublisherFeed feed = new PublisherFeed(10, Duration.ZERO);
        feed.write(new byte[] {1}, 0, 1);
        feed.finish(1_000); // no drainer yet: what waits is dropped
        CountDownLatch closed = new CountDownLatch(1);
        ByteArrayOutputStream pipe = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed.countDown();
            }
        };
        Thread late = drain(feed, pipe, () -> { });
        assertTrue(closed.await(30, TimeUnit.SECONDS), "the late publisher's input was ended");
        late.join(30_000);
        assertTrue(!late.isAlive(), "its thread ended");
        assertEquals(0, pipe.size(), "nothing was written to it");
    }
}
