package stream.sse;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An EventSource-style client on {@link java.net.http.HttpClient}: keeps one connection to the control server's event
 * stream, hands each event to a listener, and reconnects on its own with backoff, sending {@code Last-Event-ID}.
 *
 * <p>Reading happens on one thread named {@code sse-client}, which waits only on one signal queue (answers, body
 * bytes, wake-ups), so {@link #close()} and {@link #reconfigure} take effect at once and a silent server is caught by
 * the idle timeout. The listener is called on that thread; the stream is not read further until it returns.
 */
public final class SseClient implements AutoCloseable {
    /** How long {@link #close()} waits for a listener call in progress to return. */
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final SseListener listener;
    private final SseLog log;
    private final SseStateListener stateListener;
    private final BlockingQueue<StreamSignal> signals = new LinkedBlockingQueue<>();
    private final AtomicLong exchangeNumbers = new AtomicLong();
    private final Delivery delivery = new Delivery();

    private final Object lock = new Object();
    // Guarded by lock.
    private SseClientConfig config;
    private long generation;
    private boolean forgetLastEventId;
    private boolean stoppedByServer;
    private boolean closed;
    private Thread thread;
    private SseConnection current;

    // Owned by the reading thread.
    private SseParser parser;
    private int failuresInARow;
    private Long serverRetryMillis;
    private HttpClient http;
    private Duration httpConnectTimeout;
    private String unsendableIdWarned;

    // Read by any thread.
    private volatile SseConnectionState state;
    private volatile String lastEventId;
    private volatile Instant lastEventAt;
    private volatile String lastError;
    private volatile long peakBufferedBytes;
    private final AtomicLong eventsReceived = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();

    /**
     * A client; nothing happens before {@link #start()}.
     *
     * @param config where and how to connect
     * @param initialLastEventId the last event ID to resume from, e.g. the one stored with the newest event before a
     *     restart ({@code ""} or null for none)
     * @param listener receives the events, on the client's thread
     * @param log receives plain-sentence log lines, secrets masked
     * @param stateListener told of every state change
     */
    public SseClient(SseClientConfig config, String initialLastEventId, SseListener listener, SseLog log,
            SseStateListener stateListener) {
        this.config = Objects.requireNonNull(config, "config");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.log = Objects.requireNonNull(log, "log");
        this.stateListener = stateListener == null ? SseStateListener.NONE : stateListener;
        String id = initialLastEventId == null ? "" : initialLastEventId;
        if (id.indexOf('\0') >= 0 || id.indexOf('\r') >= 0 || id.indexOf('\n') >= 0) {
            id = ""; // no stream could have produced it (§9.2.6 ignores such ids)
        }
        this.parser = new SseParser(delivery, config.maxEventBytes(), id);
        this.lastEventId = id;
        this.state = config.enabled() ? SseConnectionState.DISCONNECTED : SseConnectionState.DISABLED;
    }

    /** A client without a state listener. */
    public SseClient(SseClientConfig config, String initialLastEventId, SseListener listener, SseLog log) {
        this(config, initialLastEventId, listener, log, SseStateListener.NONE);
    }

    /** Starts the reading thread; it connects at once when enabled. */
    public void start() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the SSE client is closed");
            }
            if (thread != null) {
                throw new IllegalStateException("the SSE client is already started");
            }
            thread = new Thread(this::run, "sse-client");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Applies new settings. A changed URL, token or on/off drops the current connection and connects again at once
     * (no backoff wait), as does any call after the server answered 204. A new URL is a new event source: its last
     * event ID and reconnection time start empty. Other changes apply from the next connection.
     */
    public void reconfigure(SseClientConfig newConfig) {
        Objects.requireNonNull(newConfig, "config");
        SseConnection toAbort;
        boolean reconnect;
        synchronized (lock) {
            SseClientConfig old = config;
            config = newConfig;
            reconnect = old.changesConnection(newConfig) || stoppedByServer;
            if (!reconnect || closed) {
                return;
            }
            generation++;
            stoppedByServer = false;
            if (!Objects.equals(old.url(), newConfig.url())) {
                forgetLastEventId = true;
            }
            toAbort = current;
        }
        if (toAbort != null) {
            toAbort.abort();
        }
        signals.offer(new StreamSignal.Wake());
        if (newConfig.enabled()) {
            log.info("The SSE settings changed; connecting to the control server at " + newConfig.maskedUrl()
                    + " now.");
        }
    }

    /** The current state, URL, last event ID and counters. */
    public SseStatus status() {
        SseClientConfig c;
        synchronized (lock) {
            c = config;
        }
        return new SseStatus(state, c.maskedUrl(), lastEventId, lastEventAt, eventsReceived.get(), reconnects.get(),
                lastError);
    }

    /** Stops the client: drops the connection at once and ends the thread (waiting a little for a busy listener). */
    @Override
    public void close() {
        Thread t;
        SseConnection toAbort;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            t = thread;
            toAbort = current;
        }
        if (toAbort != null) {
            toAbort.abort();
        }
        signals.offer(new StreamSignal.Wake());
        if (t == null) {
            setState(SseConnectionState.DISCONNECTED);
            return;
        }
        if (t != Thread.currentThread()) {
            try {
                t.join(CLOSE_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                log.warn("The SSE client's event listener is still busy; the client will stop once it returns.");
            }
        }
    }

    /** The reading thread, for tests. */
    Thread thread() {
        synchronized (lock) {
            return thread;
        }
    }

    /** The most bytes the parser ever held, for tests of the memory bound. */
    long peakBufferedBytes() {
        return peakBufferedBytes;
    }

    private void run() {
        long seenGeneration = -1;
        Duration wait = Duration.ZERO;
        boolean firstAttempt = true;
        boolean announced = false;
        boolean offLogged = false;
        try {
            while (true) {
                SseClientConfig cfg;
                long gen;
                boolean stopped;
                boolean forget;
                synchronized (lock) {
                    if (closed) {
                        return;
                    }
                    cfg = config;
                    gen = generation;
                    stopped = stoppedByServer;
                    forget = forgetLastEventId;
                    forgetLastEventId = false;
                }
                if (gen != seenGeneration) {
                    seenGeneration = gen;
                    wait = Duration.ZERO;
                    failuresInARow = 0;
                    announced = false;
                    if (forget) {
                        serverRetryMillis = null;
                        parser = new SseParser(delivery, cfg.maxEventBytes(), "");
                        lastEventId = "";
                    }
                }
                if (!cfg.enabled() || stopped) {
                    if (!cfg.enabled() && !offLogged) {
                        offLogged = true;
                        log.info("SSE is switched off in the settings; not connecting to the control server.");
                    }
                    setState(SseConnectionState.DISABLED);
                    awaitWake(-1);
                    continue;
                }
                offLogged = false;
                if (!wait.isZero()) {
                    setState(SseConnectionState.DISCONNECTED);
                    if (awaitWake(wait.toNanos())) {
                        continue;
                    }
                }
                if (!firstAttempt) {
                    reconnects.incrementAndGet();
                }
                firstAttempt = false;
                if (!announced) {
                    announced = true;
                    log.info("Connecting to the control server at " + cfg.maskedUrl() + resumeWords() + ".");
                }
                ConnectionOutcome outcome = connectOnce(cfg, gen);
                if (outcome == null) {
                    continue; // reconfigured or closed before the request went out
                }
                wait = afterConnection(outcome, cfg, gen);
            }
        } catch (InterruptedException e) {
            log.warn("The SSE client's thread was interrupted; the client stopped.");
        } catch (RuntimeException | Error e) {
            log.error("The SSE client stopped after an internal error: " + e.getClass().getSimpleName() + ".");
            throw e;
        } finally {
            synchronized (lock) {
                closed = true;
                current = null;
            }
            setState(SseConnectionState.DISCONNECTED);
        }
    }

    private ConnectionOutcome connectOnce(SseClientConfig cfg, long gen) throws InterruptedException {
        if (parser.maxBytes() != cfg.maxEventBytes()) {
            parser = new SseParser(delivery, cfg.maxEventBytes(), parser.lastEventId());
        } else {
            parser.reset();
        }
        warnIfIdUnsendable();
        SseConnection connection = new SseConnection(httpClient(cfg), cfg, parser, signals, exchangeNumbers,
                eventsReceived::get, () -> connected(cfg), this::afterChunk);
        synchronized (lock) {
            if (closed || generation != gen) {
                return null;
            }
            // Leftovers of earlier exchanges and wake-ups already acted on; a later wake-up still gets through.
            signals.clear();
            current = connection;
        }
        delivery.generation = gen;
        setState(SseConnectionState.CONNECTING);
        try {
            return connection.run();
        } finally {
            synchronized (lock) {
                current = null;
            }
        }
    }

    private void connected(SseClientConfig cfg) {
        lastError = null;
        setState(SseConnectionState.CONNECTED);
        log.info("Connected to the control server at " + cfg.maskedUrl() + resumeWords() + ".");
    }

    private void afterChunk() {
        lastEventId = parser.lastEventId();
        long peak = parser.peakBufferedBytes();
        if (peak > peakBufferedBytes) {
            peakBufferedBytes = peak;
        }
    }

    /** The delay before the next try, having logged how the connection ended. */
    private Duration afterConnection(ConnectionOutcome outcome, SseClientConfig cfg, long gen) {
        switch (outcome.kind()) {
            case ABANDONED:
                return Duration.ZERO;
            case NO_CONTENT:
                synchronized (lock) {
                    if (generation == gen) {
                        stoppedByServer = true;
                    }
                }
                lastError = outcome.reason();
                log.info(outcome.reason() + ": not reconnecting until the SSE settings change.");
                return Duration.ZERO;
            default:
                break;
        }
        // A connection that delivered events or stayed up a while was a success: the next failure starts over.
        if (outcome.eventsDelivered() > 0 || outcome.connectedFor().compareTo(cfg.retry().max()) >= 0) {
            failuresInARow = 0;
        }
        Duration delay = cfg.retry().delay(failuresInARow, serverRetryMillis);
        if (failuresInARow < Integer.MAX_VALUE) {
            failuresInARow++;
        }
        String next = "; trying again in " + LogText.duration(delay) + ".";
        switch (outcome.kind()) {
            case ENDED:
                log.info(outcome.reason() + "; reconnecting in " + LogText.duration(delay) + ".");
                break;
            case LISTENER_FAILED:
                lastError = outcome.reason();
                log.error(outcome.reason() + "; reconnecting to receive it again in " + LogText.duration(delay)
                        + ".");
                break;
            default:
                lastError = outcome.reason();
                log.warn(outcome.reason() + next);
                break;
        }
        return delay;
    }

    /** Waits for a wake-up, at most {@code nanos} (forever when negative); true when woken. */
    private boolean awaitWake(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (true) {
            StreamSignal signal;
            if (nanos < 0) {
                signal = signals.take();
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                signal = signals.poll(left, TimeUnit.NANOSECONDS);
                if (signal == null) {
                    return false;
                }
            }
            if (signal instanceof StreamSignal.Wake) {
                return true;
            }
        }
    }

    private HttpClient httpClient(SseClientConfig cfg) {
        if (http == null || !cfg.connectTimeout().equals(httpConnectTimeout)) {
            // Redirects are followed by hand, so that the token never follows one to another origin.
            http = HttpClient.newBuilder()
                    .connectTimeout(cfg.connectTimeout())
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .version(HttpClient.Version.HTTP_1_1)
                    .build();
            httpConnectTimeout = cfg.connectTimeout();
        }
        return http;
    }

    private void warnIfIdUnsendable() {
        String id = parser.lastEventId();
        if (!id.isEmpty() && LastEventIdHeader.valueFor(id) == null && !id.equals(unsendableIdWarned)) {
            unsendableIdWarned = id;
            log.warn("The last event ID " + LogText.quote(id) + " holds characters the HTTP client cannot send "
                    + "(only printable ASCII gets through), so Last-Event-ID is left out and the server may send "
                    + "events again.");
        }
    }

    private String resumeWords() {
        String id = parser.lastEventId();
        return id.isEmpty() ? "" : " (resuming after event ID " + LogText.quote(id) + ")";
    }

    private void setState(SseConnectionState newState) {
        if (state == newState) {
            return;
        }
        state = newState;
        try {
            stateListener.onStateChange(status());
        } catch (RuntimeException e) {
            log.warn("A listener for SSE state changes failed: " + e.getClass().getSimpleName() + ".");
        }
    }

    /** Connects the parser to the listener: counts, stops at once when abandoned, marks the listener's failures. */
    private final class Delivery implements SseListener {
        /** The generation of the connection being read; written by the reading thread only. */
        long generation;

        @Override
        public void onEvent(SseEvent event) {
            checkStillWanted();
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                throw new SseConnection.ListenerFailed(e);
            }
            eventsReceived.incrementAndGet();
            lastEventAt = Instant.now();
            lastEventId = event.lastEventId();
        }

        @Override
        public void onRetry(long reconnectionTimeMillis) {
            checkStillWanted();
            serverRetryMillis = reconnectionTimeMillis;
            try {
                listener.onRetry(reconnectionTimeMillis);
            } catch (RuntimeException e) {
                throw new SseConnection.ListenerFailed(e);
            }
        }

        private void checkStillWanted() {
            synchronized (lock) {
                if (closed || SseClient.this.generation != generation) {
                    throw new SseConnection.Abandoned();
                }
            }
        }
    }
}
