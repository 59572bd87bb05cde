package stream.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several streams (contract §7): names, deletion that keeps logs and history, per-stream SSE ordering. */
class StreamRowsTest {
    @TempDir
    Path dir;
    Database db;
    StreamConfigRepository configs;

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("streamrelay.db"));
        configs = new StreamConfigRepository(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void theInitialRowIsNamedDefault() {
        assertEquals("default", configs.findDefault().name());
        assertEquals(1, configs.all().size());
    }

    @Test
    void aNewStreamIsStoppedAndListedAfterTheDefault() {
        StreamConfig yard = configs.create("yard", "rtsp://127.0.0.1:8554/yard", "rtmp://127.0.0.1:1935/live/yard",
                "-c:v copy", "copy", false);
        assertEquals(StreamConfig.DesiredState.STOPPED, yard.desiredState());
        assertEquals(List.of("default", "yard"), configs.all().stream().map(StreamConfig::name).toList());
        assertEquals(yard, configs.findByName("yard").orElseThrow());
    }

    @Test
    void aNameInUseOrOutsideTheAlphabetIsRefusedByTheSchema() {
        configs.create("yard", "rtsp://127.0.0.1/a", "rtmp://127.0.0.1/live/a", "-c:v copy", null, true);
        assertThrows(StoreException.class,
                () -> configs.create("yard", "rtsp://127.0.0.1/b", "rtmp://127.0.0.1/live/b", "-c:v copy", null, true));
        assertThrows(StoreException.class,
                () -> configs.create("Yard", "rtsp://127.0.0.1/b", "rtmp://127.0.0.1/live/b", "-c:v copy", null, true));
        assertEquals(2, configs.all().size());
    }

    @Test
    void aDeletedStreamLeavesTheListButKeepsItsLogsAndHistory() {
        StreamConfig yard = configs.create("yard", "rtsp://127.0.0.1/a", "rtmp://127.0.0.1/live/a", "-c:v copy", null, true);
        configs.updateUrls(yard.id(), "rtsp://127.0.0.1/b", null, ChangeSource.API);
        var logs = new StreamLogRepository(db);
        logs.append(yard.id(), "note", "before the delete", LogStatus.INFO);
        logs.append(1L, "note", "the default's", LogStatus.INFO);
        configs.markDeleted(yard.id());

        assertTrue(configs.find(yard.id()).isEmpty());
        assertTrue(configs.findByName("yard").isEmpty());
        assertEquals(yard.id(), configs.findEvenDeleted(yard.id()).orElseThrow().id());
        assertEquals(yard.id(), configs.findDeletedByName("yard").orElseThrow().id());
        assertEquals(List.of("before the delete"),
                logs.page(yard.id(), 10, null, null, null).stream().map(LogEntry::message).toList());
        assertEquals(1, new UrlHistoryRepository(db).recent(yard.id(), 10).size());
        assertTrue(new UrlHistoryRepository(db).recent(1L, 10).isEmpty());
        // the name is free again
        configs.create("yard", "rtsp://127.0.0.1/c", "rtmp://127.0.0.1/live/c", "-c:v copy", null, true);
    }

    @Test
    void theNewestAppliedTimestampIsKeptPerStream() {
        StreamConfig yard = configs.create("yard", "rtsp://127.0.0.1/a", "rtmp://127.0.0.1/live/a", "-c:v copy", null, true);
        var events = new SseEventRepository(db);
        SseEventRecord a = events.insert("url_update", "{}", null);
        events.markProcessed(a.id(), 1L, SseEventRecord.Outcome.APPLIED, null, "2026-01-02T00:00:00Z");
        SseEventRecord b = events.insert("url_update", "{}", null);
        events.markProcessed(b.id(), yard.id(), SseEventRecord.Outcome.APPLIED, null, "2026-01-01T00:00:00Z");
        assertEquals("2026-01-02T00:00:00Z", events.newestAppliedTimestamp(1L).orElseThrow());
        assertEquals("2026-01-01T00:00:00Z", events.newestAppliedTimestamp(yard.id()).orElseThrow());
        assertEquals(yard.id(), events.recent(1, null).get(0).configId());
    }
}
