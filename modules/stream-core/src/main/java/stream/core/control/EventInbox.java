package stream.core.control;

import java.util.Optional;
import stream.core.SecretMasker;
import stream.core.StreamChange;
import stream.core.StreamController;
import stream.core.StreamUrls;
import stream.core.Streams;
import stream.core.ValidationException;
import stream.store.ChangeSource;
import stream.store.Database;
import stream.store.LogStatus;
import stream.store.SseEventRecord;
import stream.store.SseEventRecord.Outcome;
import stream.store.SseEventRepository;
import stream.store.StoreException;
import stream.store.StreamLogRepository;

/**
 * What control events mean for the streams (contract §5, §7). Where they land: each is stored in sse_events before anything is done with it, then decided (applied,
 * rejected, skipped or ignored) and marked processed in the same transaction as its effect, so a crash in between
 * neither loses nor repeats it. Events found undecided at start-up are decided then.
 */
public final class EventInbox {
    private final Database db;
    private final SseEventRepository events;
    private final StreamLogRepository logs;
    private final Streams streams;

    public EventInbox(Database db, SseEventRepository events, StreamLogRepository logs, Streams streams) {
        this.db = db;
        this.events = events;
        this.logs = logs;
        this.streams = streams;
    }

    /** Decides the events a crash left stored but undecided, oldest first. */
    public void start() {
        for (SseEventRecord e : events.unprocessed()) {
            decideSafely(e);
        }
    }

    /**
     * One dispatched server-sent event: its type ({@code message} when it had none), its data exactly as dispatched
     * and the stream's last event ID at that moment. Stored before anything is done with it.
     */
    public void onEvent(String type, String data, String lastEventId) {
        SseEventRecord row = events.insert(type, data, lastEventId);
        decideSafely(row);
    }

    /**
     * A failure of the database is thrown (the client reconnects and the event is retried, the stored row is decided
     * at the next start); any other failure is a bug that would repeat for ever on the same event, so the event is
     * rejected with the reason instead of blocking the channel.
     */
    private void decideSafely(SseEventRecord row) {
        try {
            decide(row);
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            reject(row, "internal error while deciding it (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Decides one stored event; returns the outcome (for tests and benchmarks). */
    Outcome decide(SseEventRecord row) {
        Optional<UrlUpdate> update;
        try {
            update = UrlUpdate.from(row.eventType(), row.eventData());
        } catch (UrlUpdate.Invalid e) {
            return reject(row, e.getMessage());
        }
        if (update.isEmpty()) {
            events.markProcessed(row.id(), Outcome.IGNORED, "not a url_update event", null);
            return Outcome.IGNORED;
        }
        UrlUpdate u = update.get();
        Optional<StreamController> target = u.stream() == null ? Optional.of(streams.defaultStream())
                : streams.resolve(u.stream());
        if (target.isEmpty()) {
            return reject(row, "no stream with the id or name '" + shown(u.stream()) + "'");
        }
        StreamController stream = target.get();
        if (isReplay(row)) {
            return skip(row, stream, "an identical event with id " + row.lastEventId() + " was already processed");
        }
        String ts = u.sortableTimestamp();
        if (ts != null) {
            Optional<String> newest = events.newestAppliedTimestamp(stream.id());
            if (newest.isPresent() && ts.compareTo(newest.get()) < 0) {
                return skip(row, stream, "older (" + u.timestamp() + ") than the newest applied update of this stream");
            }
        }
        StreamUrls checked;
        try {
            // the event's text becomes the checked value here, the one place an SSE URL is validated
            checked = StreamUrls.of(u.rtspUrl(), u.rtmpUrl());
        } catch (ValidationException e) {
            return reject(row, stream, e.getMessage());
        }
        StreamChange change = StreamChange.urls(checked, u.restartRequired());
        // the stream's one apply path, in two halves: the event is marked processed in the save's transaction
        db.transaction(() -> {
            stream.save(change, ChangeSource.SSE);
            events.markProcessed(row.id(), stream.id(), Outcome.APPLIED, null, ts);
        });
        logs.append(stream.id(), "sse_url_update", "URL update from the control server applied"
                + (u.restartRequired() ? "" : " (saved; no restart requested)"), LogStatus.SUCCESS);
        stream.takeEffect(change);
        return Outcome.APPLIED;
    }

    /**
     * An event whose own id was already processed, or a server replaying after a reconnect (same id, same data).
     * The last event ID persists across events that set none (WHATWG), so an id counts as the event's own only when it
     * differs from the one stored with the event before it.
     */
    private boolean isReplay(SseEventRecord row) {
        String id = row.lastEventId();
        if (id == null || id.isEmpty()) {
            return false;
        }
        boolean ownId = !id.equals(events.previousLastEventId(row.id()));
        return (ownId && events.isSseIdProcessed(id, row.id())) || events.isDuplicateOfProcessed(row);
    }

    /** A reference as shown in a reason: clipped, printable only (it comes from outside). */
    private static String shown(String ref) {
        String clipped = ref.length() > 64 ? ref.substring(0, 64) + "…" : ref;
        return clipped.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private Outcome reject(SseEventRecord row, String reason) {
        return reject(row, null, reason);
    }

    private Outcome reject(SseEventRecord row, StreamController stream, String reason) {
        String masked = SecretMasker.forUrls().mask(reason);
        Long configId = stream == null ? null : stream.id();
        events.markProcessed(row.id(), configId, Outcome.REJECTED, masked, null);
        logs.append(configId, "sse_rejected", "URL update from the control server rejected: " + masked
                + "; nothing was changed", LogStatus.WARNING);
        return Outcome.REJECTED;
    }

    private Outcome skip(SseEventRecord row, StreamController stream, String reason) {
        events.markProcessed(row.id(), stream.id(), Outcome.SKIPPED, reason, null);
        logs.append(stream.id(), "sse_skipped", "URL update from the control server skipped: " + reason, LogStatus.INFO);
        return Outcome.SKIPPED;
    }
}
