package stream.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import stream.core.ffmpeg.ChildRecord;
import stream.core.ffmpeg.FfmpegKeeper;
import stream.store.ChildProcess;
import stream.store.ChildProcessRepository;
import stream.store.LogStatus;
import stream.store.StoreException;
import stream.store.StreamConfig;
import stream.store.StreamConfigRepository;
import stream.store.StreamLogRepository;

/**
 * The appliance's streams (contract §7), one controller per live stream_config row, oldest first. The first is the
 * default stream: the seed's routes act on it and it cannot be deleted. At most {@link #MAX_STREAMS}.
 */
public final class Streams implements AutoCloseable {
    public static final int MAX_STREAMS = 8;

    /** Builds the controller of one stored stream. */
    @FunctionalInterface
    public interface ControllerFactory {
        StreamController create(long configId);
    }

    private final StreamConfigRepository configs;
    private final ChildProcessRepository children;
    private final StreamLogRepository logs;
    private final ControllerFactory factory;
    private final Map<Long, StreamController> byId = new ConcurrentSkipListMap<>();
    private final List<Consumer<StreamStatus>> statusListeners = new CopyOnWriteArrayList<>();

    public Streams(StreamConfigRepository configs, ChildProcessRepository children, StreamLogRepository logs,
                   ControllerFactory factory) {
        this.configs = configs;
        this.children = children;
        this.logs = logs;
        this.factory = factory;
        for (StreamConfig c : configs.all()) {
            byId.put(c.id(), factory.create(c.id()));
        }
        if (byId.isEmpty()) {
            throw new IllegalStateException("an appliance has at least one stream");
        }
    }

    public StreamController defaultStream() {
        return byId.values().iterator().next();
    }

    public Optional<StreamController> find(long id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** A live stream by its id or its name. */
    public Optional<StreamController> resolve(String ref) {
        if (ref == null) {
            return Optional.empty();
        }
        if (!ref.isEmpty() && ref.length() <= 18 && ref.chars().allMatch(Character::isDigit)) {
            Optional<StreamController> byNumber = find(Long.parseLong(ref));
            if (byNumber.isPresent()) {
                return byNumber;
            }
        }
        if (!StreamName.looksLikeName(ref)) {
            return Optional.empty();
        }
        return configs.findByName(ref).flatMap(c -> find(c.id()));
    }

    /**
     * The id of a stream by id or name, deleted ones included (their logs and URL history stay readable); a live
     * stream wins over a deleted one of the same name.
     */
    public Optional<Long> resolveEvenDeleted(String ref) {
        Optional<StreamController> live = resolve(ref);
        if (live.isPresent()) {
            return Optional.of(live.get().id());
        }
        if (ref != null && !ref.isEmpty() && ref.length() <= 18 && ref.chars().allMatch(Character::isDigit)) {
            Optional<StreamConfig> row = configs.findEvenDeleted(Long.parseLong(ref));
            if (row.isPresent()) {
                return Optional.of(row.get().id());
            }
        }
        return StreamName.looksLikeName(ref) ? configs.findDeletedByName(ref).map(StreamConfig::id) : Optional.empty();
    }

    /** Oldest first. */
    public List<StreamController> all() {
        return List.copyOf(byId.values());
    }

    /** Hears every stream's status changes, those of streams added later included. */
    public void onStatus(Consumer<StreamStatus> listener) {
        statusListeners.add(listener);
        byId.values().forEach(c -> c.onStatus(listener));
    }

    /**
     * Adds a stream, stopped until started. A name in use or a ninth stream is a {@link StreamConflictException};
     * nothing is changed then.
     */
    public synchronized StreamController create(NewStream s) {
        if (byId.size() >= MAX_STREAMS) {
            throw new StreamConflictException("This appliance already has " + MAX_STREAMS
                    + " streams, the most it runs; delete one first");
        }
        if (configs.findByName(s.name().value()).isPresent()) {
            throw new StreamConflictException("A stream named '" + s.name() + "' already exists");
        }
        StreamConfig row;
        try {
            row = configs.create(s.name().value(), s.urls().rtspUrl(), s.urls().rtmpUrl(),
                    s.encoding().ffmpegParams(), s.encoding().preset(), s.autoRestart());
        } catch (StoreException e) {
            throw new StreamConflictException("The stream '" + s.name() + "' could not be added: "
                    + "its name is in use");
        }
        StreamController c = factory.create(row.id());
        statusListeners.forEach(c::onStatus);
        byId.put(row.id(), c);
        logs.append(row.id(), "stream_created", "Stream '" + s.name() + "' added (stopped until started)",
                LogStatus.INFO);
        c.start();
        return c;
    }

    /** Stops and removes a stream; its logs and URL history stay. The default stream cannot be deleted. */
    public synchronized void delete(StreamController c) {
        if (c.id() == defaultStream().id()) {
            throw new StreamConflictException("The default stream cannot be deleted");
        }
        byId.remove(c.id());
        c.retire();
    }

    /**
     * Ends ffmpeg processes left by a crash whose stream is gone (each stream ends its own when it starts), then
     * resumes each stream that was meant to run.
     */
    public void start() {
        Set<Long> live = byId.keySet();
        for (ChildProcess child : children.all()) {
            if (!live.contains(child.configId())) {
                endLeftover(child);
                children.remove(child.configId(), child.role(), child.pid());
            }
        }
        byId.values().forEach(StreamController::start);
    }

    private void endLeftover(ChildProcess child) {
        if (FfmpegKeeper.endIfOurs(new ChildRecord(child.role(), child.pid(), child.startTicks()))) {
            logs.append(null, "orphan_killed", "Stopped a leftover ffmpeg (pid " + child.pid()
                    + ") of a deleted stream from before the appliance last ended", LogStatus.WARNING);
        }
    }

    /** Stops every ffmpeg gracefully, in parallel, so shutdown stays within the contract's 10 s. */
    @Override
    public void close() {
        List<Thread> stopping = new ArrayList<>();
        for (StreamController c : byId.values()) {
            Thread t = new Thread(c::close, "close-stream-" + c.id());
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return byId.keySet().stream().map(String::valueOf).collect(Collectors.joining(", ", "Streams[", "]"));
    }
}
