package stream.sse;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Hands an HTTP body to the reading thread as {@link StreamSignal}s, one buffer list at a time: nothing is requested
 * until the reader asks, so the HTTP client stops reading the socket while the listener works (bounded memory, and
 * no further reading until the listener returned).
 */
final class SignalingBodySubscriber implements HttpResponse.BodySubscriber<Void> {
    private final long exchange;
    private final Queue<StreamSignal> signals;
    private Flow.Subscription subscription;
    private boolean cancelled;
    /** Demand asked for before the HTTP client subscribed us, which may happen after the response is handed out. */
    private long earlyDemand;

    SignalingBodySubscriber(long exchange, Queue<StreamSignal> signals) {
        this.exchange = exchange;
        this.signals = signals;
    }

    @Override
    public CompletionStage<Void> getBody() {
        // Complete at once: the response future then completes as soon as the headers are in.
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        boolean cancelNow;
        long demand;
        synchronized (this) {
            subscription = s;
            cancelNow = cancelled;
            demand = earlyDemand;
            earlyDemand = 0;
        }
        if (cancelNow) {
            s.cancel();
        } else if (demand > 0) {
            s.request(demand);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        signals.offer(new StreamSignal.BodyBytes(exchange, item));
    }

    @Override
    public void onError(Throwable throwable) {
        signals.offer(new StreamSignal.BodyFailed(exchange, throwable));
    }

    @Override
    public void onComplete() {
        signals.offer(new StreamSignal.BodyEnded(exchange));
    }

    /** Asks for the next buffer list. */
    void requestNext() {
        Flow.Subscription s;
        synchronized (this) {
            s = cancelled ? null : subscription;
            if (s == null && !cancelled) {
                earlyDemand++;
            }
        }
        if (s != null) {
            s.request(1);
        }
    }

    /** Stops the body; the HTTP client closes the connection, as the body was not read to its end. Any thread. */
    void cancel() {
        Flow.Subscription s;
        synchronized (this) {
            cancelled = true;
            s = subscription;
        }
        if (s != null) {
            s.cancel();
        }
    }
}
