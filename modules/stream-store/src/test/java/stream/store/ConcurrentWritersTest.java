package stream.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentWritersTest {
    @TempDir
    Path dir;

    @Test
    void twoWritersAndAReaderLoseNothing() throws Exception {
        int perWriter = 1500;
        try (Database db = Database.open(dir.resolve("c.db"))) {
            var logs = new StreamLogRepository(db);
            CountDownLatch go = new CountDownLatch(1);
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong reads = new AtomicLong();
            AtomicLong maxSeen = new AtomicLong();
            CompletableFuture<Void> a = CompletableFuture.runAsync(() -> write(logs, "a", perWriter, go));
            CompletableFuture<Void> b = CompletableFuture.runAsync(() -> write(logs, "b", perWriter, go));
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                await(go);
                while (writing.get()) {
                    long n = logs.count();
                    assertTrue(n >= maxSeen.get(), "a reader never sees committed rows disappear");
                    maxSeen.set(n);
                    logs.page(50, null, null, null);
                    reads.incrementAndGet();
                }
            });
            go.countDown();
            CompletableFuture.allOf(a, b).get(120, TimeUnit.SECONDS);
            writing.set(false);
            reader.get(30, TimeUnit.SECONDS);

            assertEquals(2L * perWriter, logs.count());
            List<LogEntry> all = logs.page(10 * perWriter, null, null, null);
            Set<String> messages = new HashSet<>();
            all.forEach(e -> messages.add(e.message()));
            for (int i = 0; i < perWriter; i++) {
                assertTrue(messages.contains("a" + i) && messages.contains("b" + i), "row " + i + " of each writer");
            }
            assertTrue(reads.get() > 0, "the reader ran while the writers wrote");
        }
    }

    @Test
    void twoProcessesWorthOfConnectionsShareTheFileThroughTheBusyTimeout() throws Exception {
        Path file = dir.resolve("shared.db");
        try (Database one = Database.open(file); Database two = Database.open(file)) {
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Void> a = CompletableFuture.runAsync(() -> write(new StreamLogRepository(one), "x", 300, go));
            CompletableFuture<Void> b = CompletableFuture.runAsync(() -> write(new StreamLogRepository(two), "y", 300, go));
            go.countDown();
            CompletableFuture.allOf(a, b).get(120, TimeUnit.SECONDS);
            assertEquals(600, new StreamLogRepository(one).count());
        }
    }

    private static void write(StreamLogRepository logs, String prefix, int n, CountDownLatch go) {
        await(go);
        for (int i = 0; i < n; i++) {
            logs.append(1L, "concurrency", prefix + i, LogStatus.INFO);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
