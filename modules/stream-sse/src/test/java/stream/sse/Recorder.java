package stream.sse;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Everything an {@link SseClient} reports in a test (events, log lines, state changes), with waits on conditions
 * instead of sleeps.
 */
final class Recorder implements SseListener, SseLog, SseStateListener {
    static final Duration WAIT = Duration.ofSeconds(20);

    final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();
    private final List<String> logLines = new ArrayList<>();
    private final List<SseStatus> states = new ArrayList<>();

    @Override
    public void onEvent(SseEvent event) {
        events.add(event);
    }

    @Override
    public synchronized void info(String message) {
        logLines.add("INFO " + message);
        notifyAll();
    }

    @Override
    public synchronized void warn(String message) {
        logLines.add("WARN " + message);
        notifyAll();
    }

    @Override
    public synchronized void error(String message) {
        logLines.add("ERROR " + message);
        notifyAll();
    }

    @Override
    public synchronized void onStateChange(SseStatus status) {
        states.add(status);
        notifyAll();
    }

    synchronized List<String> logLines() {
        return List.copyOf(logLines);
    }

    synchronized List<SseConnectionState> states() {
        return states.stream().map(SseStatus::state).toList();
    }

    /** The next event, failing the test if none comes in time. */
    SseEvent nextEvent() throws InterruptedException {
        SseEvent event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
            fail("no event within " + WAIT + "; log: " + logLines());
        }
        return event;
    }

    /** Waits for a log line containing {@code fragment} and returns it. */
    String awaitLog(String fragment) throws InterruptedException {
        return awaitLog(line -> line.contains(fragment), "a log line containing \"" + fragment + "\"");
    }

    synchronized String awaitLog(Predicate<String> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            for (String line : logLines) {
                if (wanted.test(line)) {
                    return line;
                }
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                fail("no " + what + " within " + WAIT + "; log: " + logLines);
            }
            wait(left);
        }
    }

    /** Waits until the client reports this state. */
    synchronized void awaitState(SseClient client, SseConnectionState state) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (client.status().state() != state) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                fail("state " + state + " not reached within " + WAIT + "; states " + states() + "; log: " + logLines);
            }
            wait(Math.min(left, 50));
        }
    }

    /** Waits until the condition holds, checking it every few milliseconds. */
    static void until(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + " did not happen within " + WAIT);
            }
            Thread.sleep(10);
        }
    }
}
