package stream.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** The body subscriber's bookkeeping, independent of when the HTTP client calls it. */
class SignalingBodySubscriberTest {

    /** A subscription that records what was asked of it. */
    private static final class RecordingSubscription implements Flow.Subscription {
        final List<Long> requests = new ArrayList<>();
        boolean cancelled;

        @Override
        public void request(long n) {
            requests.add(n);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Test
    void demandAskedForBeforeTheSubscriptionArrivesIsNotLost() {
        // The response future may complete before the HTTP client calls onSubscribe.
        SignalingBodySubscriber subscriber = new SignalingBodySubscriber(1, new ConcurrentLinkedQueue<>());
        subscriber.requestNext();
        RecordingSubscription subscription = new RecordingSubscription();
        subscriber.onSubscribe(subscription);
        assertEquals(List.of(1L), subscription.requests);
        subscriber.requestNext();
        assertEquals(List.of(1L, 1L), subscription.requests);
    }

    @Test
    void nothingIsRequestedUntilTheReaderAsks() {
        SignalingBodySubscriber subscriber = new SignalingBodySubscriber(1, new ConcurrentLinkedQueue<>());
        RecordingSubscription subscription = new RecordingSubscription();
        subscriber.onSubscribe(subscription);
        assertEquals(List.of(), subscription.requests);
    }

    @Test
    void aCancelBeforeTheSubscriptionArrivesCancelsIt() {
        SignalingBodySubscriber subscriber = new SignalingBodySubscriber(1, new ConcurrentLinkedQueue<>());
        subscriber.requestNext();
        subscriber.cancel();
        RecordingSubscription subscription = new RecordingSubscription();
        subscriber.onSubscribe(subscription);
        assertTrue(subscription.cancelled);
        assertEquals(List.of(), subscription.requests);
    }

    @Test
    void bodySignalsCarryTheExchangeNumber() {
        ConcurrentLinkedQueue<StreamSignal> signals = new ConcurrentLinkedQueue<>();
        SignalingBodySubscriber subscriber = new SignalingBodySubscriber(7, signals);
        List<ByteBuffer> item = List.of(ByteBuffer.wrap(new byte[] {1}));
        subscriber.onNext(item);
        subscriber.onComplete();
        assertEquals(new StreamSignal.BodyBytes(7, item), signals.poll());
        assertEquals(new StreamSignal.BodyEnded(7), signals.poll());
    }
}
