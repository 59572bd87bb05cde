package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import stream.core.SecretMasker;

class StderrTailTest {
    private static final String RTSP = "rtsp://admin:secretpw@127.0.0.1:1/cam1";
    private static final String RTMP = "rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop";
    private static final SecretMasker MASKER = SecretMasker.forUrls(RTSP, RTMP);

    @Test
    void keepsOnlyTheNewestLinesOldestFirst() {
        StderrTail tail = new StderrTail(3, 100, MASKER);
        for (int i = 1; i <= 5; i++) {
            tail.add("line " + i);
        }
        assertEquals(List.of("line 3", "line 4", "line 5"), tail.lines());
        assertEquals(5, tail.added());
        assertEquals(List.of("line 4", "line 5"), tail.last(2));
    }

    @Test
    void keepsTwoHundredLinesByDefault() {
        StderrTail tail = new StderrTail(MASKER);
        for (int i = 0; i < 250; i++) {
            tail.add("l" + i);
        }
        assertEquals(200, tail.lines().size());
        assertEquals("l50", tail.lines().get(0));
    }

    @Test
    void masksSecretsBeforeKeepingALine() {
        StderrTail tail = new StderrTail(MASKER);
        List<String> real = Fixtures.lines("stderr-rtsp-connection-refused.txt");
        real.forEach(tail::add);
        String kept = String.join("\n", tail.lines());
        assertFalse(kept.contains("secretpw"), kept);
        assertTrue(kept.contains("rtsp://admin:***@127.0.0.1:1/cam1"), kept);

        String key = tail.add("[error] Error writing trailer of " + RTMP + ": Broken pipe");
        assertFalse(key.contains("abcd-efgh-ijkl-mnop"), key);
        assertFalse(tail.lines().toString().contains("abcd-efgh-ijkl-mnop"));
    }

    @Test
    void masksASecretThatAppearsOnItsOwn() {
        StderrTail tail = new StderrTail(MASKER);
        assertEquals("password was ***", tail.add("password was secretpw"));
    }

    @Test
    void cutsLongLinesAfterMaskingThem() {
        StderrTail tail = new StderrTail(10, 40, MASKER);
        // Cut first, the 40 characters would end inside the key ("...live2/abcd-efg") and mask differently.
        String kept = tail.add(RTMP + " " + "y".repeat(5000));
        assertEquals("rtmp://a.rtmp.youtube.com/live2/****mnop" + StderrTail.TRUNCATED, kept);
    }

    @Test
    void removesTheLineEnding() {
        StderrTail tail = new StderrTail(MASKER);
        assertEquals("a", tail.add("a\r\n"));
    }

    @Test
    void theSnapshotDoesNotChangeAfterwards() {
        StderrTail tail = new StderrTail(MASKER);
        tail.add("a");
        List<String> snapshot = tail.lines();
        tail.add("b");
        assertEquals(List.of("a"), snapshot);
        assertThrows(UnsupportedOperationException.class, () -> snapshot.add("c"));
    }

    @Test
    void concurrentWritersAndReadersNeverExceedTheBound() throws Exception {
        StderrTail tail = new StderrTail(50, 100, MASKER);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int writer = t;
            tasks.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 10_000; i++) {
                    tail.add(writer + ":" + i);
                }
                return null;
            }));
        }
        tasks.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < 1_000; i++) {
                assertTrue(tail.lines().size() <= 50);
            }
            return null;
        }));
        start.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        for (Future<?> task : tasks) {
            task.get();
        }
        assertEquals(30_000, tail.added());
        assertEquals(50, tail.lines().size());
    }

    @Test
    void needsAMasker() {
        assertThrows(NullPointerException.class, () -> new StderrTail(null));
    }
}
