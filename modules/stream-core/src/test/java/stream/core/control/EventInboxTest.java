package stream.core.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import stream.core.RelayCommands;
import stream.core.Encoding;
import stream.core.NewStream;
import stream.core.StreamController;
import stream.core.StreamName;
import stream.core.StreamUrls;
import stream.core.Streams;
import stream.core.ffmpeg.CameraProbe;
import stream.store.ChangeSource;
import stream.store.ChildProcessRepository;
import stream.store.Database;
import stream.store.SseEventRecord;
import stream.store.SseEventRecord.Outcome;
import stream.store.SseEventRepository;
import stream.store.StreamConfigRepository;
import stream.store.StreamLogRepository;
import stream.store.UrlChange;
import stream.store.UrlHistoryRepository;

/** The inbox on a real SQLite file with a stopped stream (so no ffmpeg runs): what each event becomes. */
class EventInboxTest {
    @TempDir
    Path dir;
    Database db;
    StreamConfigRepository configs;
    SseEventRepository events;
    EventInbox inbox;
    Streams streams;

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("streamrelay.db"));
        configs = new StreamConfigRepository(db);
        events = new SseEventRepository(db);
        var logs = new StreamLogRepository(db);
        var children = new ChildProcessRepository(db);
        var commands = new RelayCommands("ffmpeg", new CameraProbe("ffprobe"), dir);
        streams = new Streams(configs, children, logs, id -> new StreamController(id, configs, logs, children, commands,
                StreamController.Timing.defaults()));
        inbox = new EventInbox(db, events, logs, streams);
    }

    @AfterEach
    void close() {
        streams.close();
        db.close();
    }

    Outcome send(String type, String data, String id) {
        inbox.onEvent(type, data, id);
        return events.recent(1, null).get(0).outcome();
    }

    static String update(String rtmpKey, String timestamp) {
        return "{\"rtmp_url\":\"rtmp://127.0.0.1:1935/live/" + rtmpKey + "\""
                + (timestamp == null ? "" : ",\"timestamp\":\"" + timestamp + "\"") + "}";
    }

    @Test
    void bothFormsAreAppliedWithHistoryFromSse() {
        assertEquals(Outcome.APPLIED, send("url_update", update("one", "2024-01-15T10:30:00Z"), "1"));
        assertEquals("rtmp://127.0.0.1:1935/live/one", configs.findDefault().rtmpUrl());
        assertEquals(Outcome.APPLIED, send("message",
                "{\"event\":\"url_update\",\"data\":{\"rtsp_url\":\"rtsp://127.0.0.1:8554/two\"}}", "2"));
        assertEquals("rtsp://127.0.0.1:8554/two", configs.findDefault().rtspUrl());
        List<UrlChange> history = new UrlHistoryRepository(db).recent(10);
        assertEquals(2, history.size());
        assertTrue(history.stream().allMatch(h -> h.source() == ChangeSource.SSE));
        SseEventRecord stored = events.recent(10, true).get(1);
        assertEquals("1", stored.lastEventId());
        assertEquals(update("one", "2024-01-15T10:30:00Z"), stored.eventData(), "stored exactly as dispatched");
    }

    @Test
    void badEventsAreRejectedWithAReasonAndChangeNothing() {
        String before = configs.findDefault().toString();
        for (String data : List.of("not json", "[1]", "{}", "{\"rtsp_url\":\"file:///etc/passwd\"}",
                "{\"rtmp_url\":\"-i\"}", "{\"rtsp_url\":\"concat:rtsp://a|rtsp://b\"}", "{\"rtmp_url\":42}",
                "{\"rtmp_url\":\"rtmp://127.0.0.1/live/k\",\"timestamp\":\"yesterday\"}",
                "{\"rtmp_url\":\"rtmp://127.0.0.1/live/k\",\"restart_required\":\"yes\"}")) {
            assertEquals(Outcome.REJECTED, send("url_update", data, ""), data);
            SseEventRecord row = events.recent(1, null).get(0);
            assertTrue(row.processed() && row.outcomeReason() != null && !row.outcomeReason().isBlank(), data);
        }
        assertEquals(Outcome.REJECTED, send("message", "{\"event\":\"url_update\",\"data\":\"x\"}", ""));
        // nesting that would overflow a recursive parser's stack is refused before parsing
        assertEquals(Outcome.REJECTED, send("url_update", "[".repeat(1_000_000), ""));
        assertEquals(Outcome.REJECTED, send("message", "{\"a\":" + "[".repeat(500_000), ""));
        assertEquals(before, configs.findDefault().toString());
        assertTrue(new UrlHistoryRepository(db).recent(10).isEmpty());
    }

    @Test
    void otherEventsAreStoredAndIgnored() {
        assertEquals(Outcome.IGNORED, send("heartbeat", "{}", ""));
        assertEquals(Outcome.IGNORED, send("message", "hello", ""));
        assertEquals(Outcome.IGNORED, send("message", "{\"event\":\"other\"}", ""));
        assertEquals(3, events.countAll());
    }

    @Test
    void anIdAlreadyProcessedIsSkippedButALingeringIdIsNot() {
        assertEquals(Outcome.APPLIED, send("url_update", update("a", null), "7"));
        // no id field in the next event: the last event ID stays 7 (WHATWG), yet it is a new instruction
        assertEquals(Outcome.APPLIED, send("url_update", update("b", null), "7"));
        assertEquals("rtmp://127.0.0.1:1935/live/b", configs.findDefault().rtmpUrl());
        assertEquals(Outcome.APPLIED, send("url_update", update("c", null), "8"));
        // a server going back to id 7 (a replay from an older point) is not obeyed again
        assertEquals(Outcome.SKIPPED, send("url_update", update("a", null), "7"));
        assertEquals("rtmp://127.0.0.1:1935/live/c", configs.findDefault().rtmpUrl());
    }

    @Test
    void anOlderTimestampIsStoredButNotApplied() {
        assertEquals(Outcome.APPLIED, send("url_update", update("new", "2024-01-15T10:30:00.5Z"), "1"));
        assertEquals(Outcome.SKIPPED, send("url_update", update("old", "2024-01-15T10:30:00Z"), "2"));
        assertEquals(Outcome.APPLIED, send("url_update", update("same-time", "2024-01-15T11:30:00.5+01:00"), "3"));
        assertEquals("rtmp://127.0.0.1:1935/live/same-time", configs.findDefault().rtmpUrl());
    }

    @Test
    void eventsStoredBeforeACrashAreDecidedAtStart() {
        SseEventRecord pending = events.insert("url_update", update("after-crash", null), "42");
        inbox.start();
        assertEquals(Outcome.APPLIED, events.recent(1, null).get(0).outcome());
        assertEquals(pending.id(), events.recent(1, null).get(0).id());
        assertTrue(events.unprocessed().isEmpty());
        inbox.start();
        assertEquals(1, new UrlHistoryRepository(db).recent(10).size(), "decided once");
    }

    long addYard() {
        return streams.create(new NewStream(StreamName.of("yard"), StreamUrls.both("rtsp://127.0.0.1:8554/yard",
                "rtmp://127.0.0.1:1935/live/yard"), new Encoding("-c:v copy -c:a aac -f flv", "copy"), true)).id();
    }

    @Test
    void anEventNamingAStreamMovesOnlyThatOne() {
        long yard = addYard();
        String defaultBefore = configs.findDefault().toString();
        assertEquals(Outcome.APPLIED, send("url_update",
                "{\"stream\":\"yard\",\"rtmp_url\":\"rtmp://127.0.0.1:1935/live/yard2\"}", "1"));
        assertEquals(Outcome.APPLIED, send("message", "{\"event\":\"url_update\",\"data\":{\"stream\":" + yard
                + ",\"rtsp_url\":\"rtsp://127.0.0.1:8554/yard2\"}}", "2"));
        assertEquals("rtmp://127.0.0.1:1935/live/yard2", configs.find(yard).orElseThrow().rtmpUrl());
        assertEquals("rtsp://127.0.0.1:8554/yard2", configs.find(yard).orElseThrow().rtspUrl());
        assertEquals(defaultBefore, configs.findDefault().toString(), "the default stream did not move");
        assertEquals(yard, events.recent(1, null).get(0).configId());
        assertEquals(2, new UrlHistoryRepository(db).recent(yard, 10).size());
    }

    @Test
    void anEventForAnUnknownStreamIsStoredAndRejectedWithThatReason() {
        String before = configs.findDefault().toString();
        assertEquals(Outcome.REJECTED, send("url_update",
                "{\"stream\":\"nowhere\",\"rtmp_url\":\"rtmp://127.0.0.1:1935/live/x\"}", "1"));
        SseEventRecord row = events.recent(1, null).get(0);
        assertTrue(row.outcomeReason().contains("no stream") && row.outcomeReason().contains("nowhere"),
                row.outcomeReason());
        assertEquals(Outcome.REJECTED, send("url_update", "{\"stream\":99,\"rtmp_url\":\"rtmp://127.0.0.1/live/x\"}", "2"));
        assertEquals(Outcome.REJECTED, send("url_update", "{\"stream\":[1],\"rtmp_url\":\"rtmp://127.0.0.1/live/x\"}", "3"));
        assertEquals(before, configs.findDefault().toString());
        assertTrue(new UrlHistoryRepository(db).recent(10).isEmpty());
    }

    @Test
    void olderThanTheNewestAppliedComparesEventsOfTheSameStream() {
        addYard();
        assertEquals(Outcome.APPLIED, send("url_update", update("new", "2024-01-15T10:30:00Z"), "1"));
        // older than the default stream's newest, but the first for yard: applied
        assertEquals(Outcome.APPLIED, send("url_update", "{\"stream\":\"yard\",\"rtmp_url\":\"rtmp://127.0.0.1/live/y\","
                + "\"timestamp\":\"2024-01-15T09:00:00Z\"}", "2"));
        assertEquals(Outcome.SKIPPED, send("url_update", "{\"stream\":\"yard\",\"rtmp_url\":\"rtmp://127.0.0.1/live/z\","
                + "\"timestamp\":\"2024-01-15T08:00:00Z\"}", "3"));
        assertEquals(Outcome.SKIPPED, send("url_update", update("old", "2024-01-15T10:00:00Z"), "4"));
    }
}
