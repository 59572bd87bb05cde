package stream.core;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The stream's one state machine: the whole table of allowed transitions is here, every change goes through
 * {@link #transition}, and every listener (log, dashboard, metrics) hears the same callback.
 * Not thread-safe by design: only the stream controller's own thread moves it.
 */
public final class StreamStateMachine {
    /** Called after each transition. */
    @FunctionalInterface
    public interface Listener {
        void changed(StreamState from, StreamState to, String reason);
    }

    private static final Map<StreamState, Set<StreamState>> ALLOWED = new EnumMap<>(StreamState.class);

    static {
        ALLOWED.put(StreamState.STOPPED, EnumSet.of(StreamState.STARTING, StreamState.FAILED));
        ALLOWED.put(StreamState.STARTING, EnumSet.of(StreamState.RUNNING, StreamState.RESTARTING, StreamState.STOPPING,
                StreamState.FAILED));
        ALLOWED.put(StreamState.RUNNING, EnumSet.of(StreamState.RESTARTING, StreamState.STOPPING, StreamState.FAILED));
        ALLOWED.put(StreamState.RESTARTING, EnumSet.of(StreamState.STARTING, StreamState.STOPPING, StreamState.FAILED));
        ALLOWED.put(StreamState.STOPPING, EnumSet.of(StreamState.STOPPED));
        ALLOWED.put(StreamState.FAILED, EnumSet.of(StreamState.STARTING, StreamState.STOPPING, StreamState.STOPPED));
    }

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private StreamState state = StreamState.STOPPED;
    private final Map<StreamState, Long> entered = new EnumMap<>(StreamState.class);

    public StreamState state() {
        return state;
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public boolean canMoveTo(StreamState to) {
        return ALLOWED.get(state).contains(to);
    }

    /** Moves to {@code to}; a transition the table does not allow is a bug and throws, naming both states. */
    public void transition(StreamState to, String reason) {
        if (!canMoveTo(to)) {
            throw new IllegalStateException("stream state cannot go from " + state.wire() + " to " + to.wire());
        }
        StreamState from = state;
        state = to;
        entered.merge(to, 1L, Long::sum);
        for (Listener l : listeners) {
            l.changed(from, to, reason);
        }
    }

    /** How often each state was entered (for /metrics). */
    public long timesEntered(StreamState s) {
        return entered.getOrDefault(s, 0L);
    }
}
