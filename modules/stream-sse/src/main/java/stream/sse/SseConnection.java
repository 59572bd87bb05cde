package stream.sse;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One attempt to read the event stream: the request (following redirects), the checks on the answer, then the body
 * fed to the parser until it ends, fails, goes silent or is abandoned. Runs on the client's reading thread; only
 * {@link #abort()} is called from elsewhere.
 */
final class SseConnection {
    /** Fetch follows at most 20 redirects; a control server needs far fewer. */
    private static final int MAX_REDIRECTS = 10;

    private final HttpClient http;
    private final SseClientConfig config;
    private final SseParser parser;
    private final BlockingQueue<StreamSignal> signals;
    private final AtomicLong exchangeNumbers;
    private final Runnable onConnected;
    private final Runnable afterChunk;

    private volatile CompletableFuture<HttpResponse<Void>> pending;
    private volatile SignalingBodySubscriber body;
    private volatile boolean aborted;
    private long eventsAtStart;

    /** Thrown through the parser by the client's listener adapter when the connection must stop at once. */
    static final class Abandoned extends RuntimeException {
        Abandoned() {
            super("abandoned", null, false, false);
        }
    }

    /** Thrown through the parser by the client's listener adapter to carry the listener's own failure. */
    static final class ListenerFailed extends RuntimeException {
        ListenerFailed(RuntimeException cause) {
            super("the event listener failed", cause, false, false);
        }
    }

    /** Tells how many events the listener has taken so far, to count this connection's share. */
    interface EventCount {
        long events();
    }

    private final EventCount eventCount;

    SseConnection(HttpClient http, SseClientConfig config, SseParser parser, BlockingQueue<StreamSignal> signals,
            AtomicLong exchangeNumbers, EventCount eventCount, Runnable onConnected, Runnable afterChunk) {
        this.http = http;
        this.config = config;
        this.parser = parser;
        this.signals = signals;
        this.exchangeNumbers = exchangeNumbers;
        this.eventCount = eventCount;
        this.onConnected = onConnected;
        this.afterChunk = afterChunk;
    }

    /** Text from the server or the HTTP client with the URL's and the token's secrets hidden. */
    private String mask(String text) {
        return config.redaction().text(text, config.bearerToken());
    }

    /** Stops the exchange from any thread: the HTTP client closes its TCP connection. */
    void abort() {
        aborted = true;
        CompletableFuture<HttpResponse<Void>> f = pending;
        if (f != null) {
            f.cancel(true);
        }
        SignalingBodySubscriber b = body;
        if (b != null) {
            b.cancel();
        }
    }

    /** Connects and reads until the stream is over; the parser must have been reset for this stream. */
    ConnectionOutcome run() throws InterruptedException {
        eventsAtStart = eventCount.events();
        String where = "the control server at " + config.maskedUrl();
        URI uri = config.url();
        boolean sendToken = true;
        for (int redirects = 0; ; redirects++) {
            HttpRequest request;
            try {
                request = request(uri, sendToken);
            } catch (IllegalArgumentException e) {
                // Never log e's message: the JDK puts the refused header value, maybe the token, in it.
                return ConnectionOutcome.failed("Could not make a request to " + where
                        + ": the URL or a header value is not allowed by the HTTP client");
            }
            long exchange = exchangeNumbers.incrementAndGet();
            SignalingBodySubscriber subscriber = new SignalingBodySubscriber(exchange, signals);
            body = subscriber;
            CompletableFuture<HttpResponse<Void>> future = http.sendAsync(request, info -> subscriber);
            pending = future;
            future.whenComplete((response, failure) -> signals.offer(failure == null
                    ? new StreamSignal.Answered(exchange, response)
                    : new StreamSignal.RequestFailed(exchange, failure)));
            if (aborted) {
                abort();
                return ConnectionOutcome.abandoned();
            }
            StreamSignal answer = awaitAnswer(exchange);
            if (answer == null) {
                abort();
                return ConnectionOutcome.failed(capitalized(where) + " did not answer within "
                        + LogText.duration(config.idleTimeout()));
            }
            if (answer instanceof StreamSignal.Wake) {
                abort();
                return ConnectionOutcome.abandoned();
            }
            if (answer instanceof StreamSignal.RequestFailed failed) {
                return ConnectionOutcome.failed("Could not reach " + where + " ("
                        + mask(LogText.cause(failed.cause())) + ")");
            }
            HttpResponse<Void> response = ((StreamSignal.Answered) answer).response();
            int status = response.statusCode();
            if (isRedirect(status)) {
                subscriber.cancel();
                Optional<String> location = response.headers().firstValue("location");
                if (location.isEmpty()) {
                    return ConnectionOutcome.failed(capitalized(where) + " answered HTTP " + status
                            + " without saying where to");
                }
                if (redirects >= MAX_REDIRECTS) {
                    return ConnectionOutcome.failed(capitalized(where) + " redirected more than " + MAX_REDIRECTS
                            + " times");
                }
                URI next = resolve(uri, location.get());
                if (next == null) {
                    return ConnectionOutcome.failed(capitalized(where) + " redirected to an unusable address "
                            + LogText.quote(mask(location.get())));
                }
                // Like fetch: credentials only go along to the same origin.
                sendToken = sendToken && sameOrigin(uri, next);
                uri = next;
                continue;
            }
            if (status == 204) {
                subscriber.cancel();
                return new ConnectionOutcome(ConnectionOutcome.Kind.NO_CONTENT, capitalized(where)
                        + " answered 204 No Content, which tells clients to stop reconnecting", 0, Duration.ZERO);
            }
            if (status != 200) {
                subscriber.cancel();
                return ConnectionOutcome.failed(capitalized(where) + " answered HTTP " + status
                        + statusHint(status));
            }
            Optional<String> contentType = response.headers().firstValue("content-type");
            if (contentType.isEmpty() || !isEventStream(contentType.get())) {
                // §9.2.3 "fail the connection"; the body is not read at all.
                subscriber.cancel();
                return ConnectionOutcome.failed(capitalized(where) + " answered with content type "
                        + contentType.map(ct -> LogText.quote(mask(ct))).orElse("(none)")
                        + " instead of text/event-stream, so its body was not read");
            }
            return read(exchange, subscriber, where);
        }
    }

    private ConnectionOutcome read(long exchange, SignalingBodySubscriber subscriber, String where)
            throws InterruptedException {
        onConnected.run();
        long connectedAt = System.nanoTime();
        long idleNanos = config.idleTimeout().toNanos();
        long lastActivity = connectedAt;
        subscriber.requestNext();
        while (true) {
            long wait = idleNanos - (System.nanoTime() - lastActivity);
            StreamSignal signal = wait <= 0 ? null : nextSignal(exchange, wait);
            if (signal == null) {
                abort();
                return outcome(ConnectionOutcome.Kind.FAILED, "No data from " + where + " for "
                        + LogText.duration(config.idleTimeout()) + ", so the connection is taken as dead",
                        connectedAt);
            }
            if (signal instanceof StreamSignal.Wake) {
                abort();
                return outcome(ConnectionOutcome.Kind.ABANDONED, "", connectedAt);
            }
            if (signal instanceof StreamSignal.BodyEnded) {
                boolean discarded = parser.endOfStream();
                return outcome(ConnectionOutcome.Kind.ENDED, capitalized(where) + " closed the event stream"
                        + (discarded ? " in the middle of an event, which was dropped" : ""), connectedAt);
            }
            if (signal instanceof StreamSignal.BodyFailed failed) {
                parser.endOfStream();
                return outcome(ConnectionOutcome.Kind.FAILED, "The connection to " + where + " broke ("
                        + mask(LogText.cause(failed.cause())) + ")", connectedAt);
            }
            List<ByteBuffer> buffers = ((StreamSignal.BodyBytes) signal).buffers();
            try {
                for (ByteBuffer buffer : buffers) {
                    if (buffer.hasRemaining()) {
                        lastActivity = System.nanoTime();
                        parser.feed(buffer);
                    }
                }
            } catch (SseLimitExceededException e) {
                abort();
                return outcome(ConnectionOutcome.Kind.FAILED, "Dropped the connection to " + where + ": "
                        + limitWords(e), connectedAt);
            } catch (Abandoned e) {
                abort();
                return outcome(ConnectionOutcome.Kind.ABANDONED, "", connectedAt);
            } catch (ListenerFailed e) {
                abort();
                Throwable cause = e.getCause();
                return outcome(ConnectionOutcome.Kind.LISTENER_FAILED, "Could not take in an event from " + where
                        + " (" + mask(cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : ": " + cause.getMessage())) + ")", connectedAt);
            } finally {
                afterChunk.run();
            }
            // Nothing was read while the listener worked: the silence the idle timeout measures starts now.
            lastActivity = System.nanoTime();
            subscriber.requestNext();
        }
    }

    private ConnectionOutcome outcome(ConnectionOutcome.Kind kind, String reason, long connectedAt) {
        return new ConnectionOutcome(kind, reason, eventCount.events() - eventsAtStart,
                Duration.ofNanos(System.nanoTime() - connectedAt));
    }

    /** The answer to the current exchange, a wake-up, or null when none came within the idle timeout. */
    private StreamSignal awaitAnswer(long exchange) throws InterruptedException {
        long deadline = System.nanoTime() + config.idleTimeout().toNanos();
        while (true) {
            long wait = deadline - System.nanoTime();
            if (wait <= 0) {
                return null;
            }
            StreamSignal signal = nextSignal(exchange, wait);
            if (signal == null || signal instanceof StreamSignal.Wake || signal instanceof StreamSignal.Answered
                    || signal instanceof StreamSignal.RequestFailed) {
                return signal;
            }
        }
    }

    /** The next signal of this exchange (older exchanges' leftovers are dropped), a wake-up, or null on timeout. */
    private StreamSignal nextSignal(long exchange, long waitNanos) throws InterruptedException {
        long deadline = System.nanoTime() + waitNanos;
        while (true) {
            long wait = deadline - System.nanoTime();
            StreamSignal signal = wait <= 0 ? null : signals.poll(wait, TimeUnit.NANOSECONDS);
            if (signal == null || signal instanceof StreamSignal.Wake || exchangeOf(signal) == exchange) {
                return signal;
            }
        }
    }

    private static long exchangeOf(StreamSignal signal) {
        if (signal instanceof StreamSignal.Answered s) {
            return s.exchange();
        }
        if (signal instanceof StreamSignal.RequestFailed s) {
            return s.exchange();
        }
        if (signal instanceof StreamSignal.BodyBytes s) {
            return s.exchange();
        }
        if (signal instanceof StreamSignal.BodyEnded s) {
            return s.exchange();
        }
        if (signal instanceof StreamSignal.BodyFailed s) {
            return s.exchange();
        }
        return -1;
    }

    private HttpRequest request(URI uri, boolean sendToken) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).GET()
                .header("Accept", "text/event-stream")
                // §9.2.3: the request's cache mode is "no-store"; this asks proxies not to serve a stored copy.
                .header("Cache-Control", "no-cache");
        if (sendToken && config.bearerToken() != null) {
            builder.header("Authorization", "Bearer " + config.bearerToken());
        }
        String lastEventId = parser.lastEventId();
        if (!lastEventId.isEmpty()) {
            String value = LastEventIdHeader.valueFor(lastEventId);
            if (value != null) {
                builder.header("Last-Event-ID", value);
            }
        }
        return builder.build();
    }

    static boolean isEventStream(String contentType) {
        int semicolon = contentType.indexOf(';');
        String essence = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        return essence.toLowerCase(Locale.ROOT).equals("text/event-stream");
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static URI resolve(URI base, String location) {
        try {
            URI next = base.resolve(location.trim());
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && next.getHost() != null ? next : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private static String statusHint(int status) {
        if (status == 401 || status == 403) {
            return " (is the SSE token right?)";
        }
        if (status >= 200 && status < 300) {
            return " instead of 200";
        }
        return "";
    }

    private static String limitWords(SseLimitExceededException e) {
        return (e.part() == SseLimitExceededException.Part.LINE
                ? "it sent a line longer than " : "it sent an event with more data than ")
                + LogText.bytes(e.limitBytes()) + ", the most the appliance keeps";
    }

    private static String capitalized(String s) {
        return Objects.requireNonNull(s).isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
