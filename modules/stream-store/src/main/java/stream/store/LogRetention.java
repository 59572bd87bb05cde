package stream.store;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/** Prunes stream_logs once at start and then daily, so months of logging do not fill an SD card. */
public final class LogRetention implements AutoCloseable {
    private final StreamLogRepository logs;
    private final IntSupplier retentionDays;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "log-retention");
        t.setDaemon(true);
        return t;
    });

    /** {@code retentionDays} is read at every run, so a changed setting takes effect without a restart. */
    public LogRetention(StreamLogRepository logs, IntSupplier retentionDays) {
        this.logs = logs;
        this.retentionDays = retentionDays;
    }

    public void start() {
        timer.scheduleAtFixedRate(this::pruneNow, 0, 1, TimeUnit.DAYS);
    }

    /** Returns how many rows were deleted. */
    public int pruneNow() {
        try {
            int days = Math.max(1, retentionDays.getAsInt());
            int deleted = logs.pruneOlderThan(days);
            if (deleted > 0) {
                logs.append(null, "log_retention", "Deleted " + deleted + " log entries older than " + days + " days",
                        LogStatus.INFO);
            }
            return deleted;
        } catch (RuntimeException e) {
            // a failed prune must not kill the timer thread; the next day tries again
            System.getLogger("stream.store").log(System.Logger.Level.WARNING, "log pruning failed: " + e.getMessage());
            return 0;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
