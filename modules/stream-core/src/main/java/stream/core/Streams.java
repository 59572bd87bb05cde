package stream.core;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The appliance's streams, one controller per stream_config row; the seed's routes act on the default one. */
public final class Streams implements AutoCloseable {
    private final Map<Long, StreamController> byId = new LinkedHashMap<>();

    /** {@code controllers} in stream_config id order; the first is the default stream. */
    public Streams(List<StreamController> controllers) {
        if (controllers.isEmpty()) {
            throw new IllegalArgumentException("an appliance has at least one stream");
        }
        for (StreamController c : controllers) {
            byId.put(c.id(), c);
        }
    }

    public StreamController defaultStream() {
        return byId.values().iterator().next();
    }

    public Optional<StreamController> find(long id) {
        return Optional.ofNullable(byId.get(id));
    }

    public Collection<StreamController> all() {
        return byId.values();
    }

    /** Ends leftovers of a crash and resumes the streams that were meant to run. */
    public void start() {
        byId.values().forEach(StreamController::start);
    }

    /** Stops every ffmpeg gracefully, in parallel, so shutdown stays within the contract's 10 s. */
    @Override
    public void close() {
        List<Thread> stopping = byId.values().stream().map(c -> {
            Thread t = new Thread(c::close, "close-stream-" + c.id());
            t.start();
            return t;
        }).toList();
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
