package stream.core.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import stream.core.TestWaits;

/** The snapshot's copy of a session's output, with real processes: it never holds up the output. */
class SnapshotFeedTest {

    /** Starts a process and a thread draining the feed into its stdin, as a snapshot keeper's stdin thread does. */
    static Process startDrained(SnapshotFeed feed, String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread t = new Thread(() -> feed.drainInto(p.getOutputStream()), "test-snapshot");
        t.setDaemon(true);
        t.start();
        return p;
    }

    @Test
    void whatThePublisherIsGivenReachesTheSnapshotProcessInOrder() throws Exception {
        SnapshotFeed feed = new SnapshotFeed(16);
        Process cat = startDrained(feed, "cat");
        ByteArrayOutputStream publisher = new ByteArrayOutputStream();
        OutputStream out = feed.teeFrom(publisher);
        for (int i = 0; i < 10; i++) {
            out.write(new byte[] {(byte) i, (byte) (i + 1)}, 0, 2);
            out.flush();
        }
        feed.close(); // the end of its input: cat writes the rest and exits
        byte[] copied = cat.getInputStream().readAllBytes();
        assertArrayEquals(publisher.toByteArray(), copied);
        assertEquals(20, copied.length);
        assertTrue(cat.waitFor(10, TimeUnit.SECONDS), "the end of its input ended it");
    }

    /**
     * The copy goes in batches (one wake-up a second instead of one per read): what comes while the drainer rests is
     * written after it, whole and in order, and closing during a rest ends the process at once, not after the rest.
     */
    @Test
    void writesThatComeDuringARestFollowInOrderAndClosingDoesNotWaitForTheRest() throws Exception {
        SnapshotFeed feed = new SnapshotFeed(64, java.time.Duration.ofSeconds(30));
        Process cat = startDrained(feed, "cat");
        OutputStream out = feed.teeFrom(OutputStream.nullOutputStream());
        java.io.InputStream copied = cat.getInputStream();
        // a drainer that takes over drops what waited for an earlier process: zeros until one reaches the process
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (copied.available() == 0) {
            assertTrue(System.nanoTime() < deadline, "nothing reached the snapshot process");
            out.write(new byte[] {0}, 0, 1);
            long until = System.nanoTime() + 20_000_000L;
            while (copied.available() == 0 && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }
        for (int i = 1; i <= 40; i++) { // during the drainer's 30 s rest
            out.write(new byte[] {(byte) i}, 0, 1);
        }
        long start = System.nanoTime();
        feed.close();
        byte[] all = copied.readAllBytes();
        assertTrue(cat.waitFor(10, TimeUnit.SECONDS), "closing woke the resting drainer: the end reached the process");
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "closing did not wait out the rest");
        int zeros = 0;
        while (zeros < all.length && all[zeros] == 0) {
            zeros++;
        }
        assertTrue(zeros >= 1, "the first write went at once");
        byte[] expected = new byte[40];
        for (int i = 0; i < 40; i++) {
            expected[i] = (byte) (i + 1);
        }
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(all, zeros, all.length),
                "what came during the rest followed, whole and in order");
    }

    /**
     * The first snapshot process of a session starts after the session's first picture: it gets what came while it
     * started (the first keyframe, its first thumbnail). One started after another died gets only what comes after
     * it: what waited would be an old picture.
     */
    @Test
    void theFirstProcessGetsWhatCameWhileItStartedALaterOneOnlyWhatComesAfter() throws Exception {
        SnapshotFeed feed = new SnapshotFeed(16);
        OutputStream out = feed.teeFrom(OutputStream.nullOutputStream());
        out.write(new byte[] {1, 2}, 0, 2); // before any process
        Process first = startDrained(feed, "timeout", "10", "head", "-c", "4"); // bounded: it must not wait for ever
        out.write(new byte[] {3, 4}, 0, 2);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, first.getInputStream().readAllBytes());
        assertTrue(first.waitFor(10, TimeUnit.SECONDS));

        out.write(new byte[] {5, 6}, 0, 2); // while no process runs: meant for the dead one
        out.write(new byte[] {7}, 0, 1);
        Process second = startDrained(feed, "cat");
        // the second's thread takes over, and drops what waited, before it takes anything: give it the time
        TestWaits.await(() -> feed.queued() == 0, "the second drainer dropping what waited for the first");
        out.write(new byte[] {8, 9}, 0, 2);
        feed.close();
        assertArrayEquals(new byte[] {8, 9}, second.getInputStream().readAllBytes());
        assertTrue(second.waitFor(10, TimeUnit.SECONDS));
    }

    /**
     * A snapshot process that reads nothing (a stopped one): the pipe fills, then the queue, then the copy is dropped;
     * the writes to the publisher go on at once, and closing ends the process.
     */
    @Test
    void aSnapshotProcessThatStopsReadingNeverHoldsUpThePublisher() throws Exception {
        SnapshotFeed feed = new SnapshotFeed(8);
        Process stuck = startDrained(feed, "sleep", "60");
        CountingOutput publisher = new CountingOutput();
        OutputStream out = feed.teeFrom(publisher);
        byte[] frame = new byte[64 * 1024];
        for (int i = 0; i < 200; i++) { // 12.5 MB: far more than a pipe (64 kB) and the queue (8 chunks) hold
            out.write(frame, 0, frame.length);
        }
        assertEquals(200L * frame.length, publisher.bytes, "every frame reached the publisher");
        assertTrue(feed.dropped() >= 150, "the copy was dropped once the queue was full: " + feed.dropped());
        long start = System.nanoTime();
        feed.close(); // its keeper's stop then ends the process
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "closing did not wait on the stuck process");
        stuck.destroyForcibly();
    }

    @Test
    void aSnapshotProcessThatIsGoneOnlyLosesTheCopy() throws Exception {
        SnapshotFeed feed = new SnapshotFeed(8);
        Process gone = startDrained(feed, "true");
        CountingOutput publisher = new CountingOutput();
        OutputStream out = feed.teeFrom(publisher);
        ProcessHandle.of(gone.pid()).ifPresent(h -> h.onExit().join());
        for (int i = 0; i < 100; i++) {
            out.write(new byte[4096], 0, 4096);
        }
        assertEquals(100L * 4096, publisher.bytes);
        feed.close();
    }

    /** Counts what the publisher's side was given. */
    static final class CountingOutput extends OutputStream {
        long bytes;

        @Override
        public void write(int b) throws IOException {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
