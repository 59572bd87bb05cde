package stream.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryTest {
    @TempDir
    Path dir;
    Database db;

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("streamrelay.db"));
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void urlChangeUpdatesTheRowAndRecordsHistoryWithItsSource() {
        var configs = new StreamConfigRepository(db);
        UrlChange change = configs.updateUrls(1, null, "rtmp://127.0.0.1:1935/live/other", ChangeSource.SSE).orElseThrow();
        assertEquals("rtmp://127.0.0.1:1935/live/streamkey", change.oldRtmpUrl());
        assertEquals("rtmp://127.0.0.1:1935/live/other", change.newRtmpUrl());
        assertEquals("rtsp://127.0.0.1:8554/cam1", change.oldRtspUrl());
        assertEquals(change.oldRtspUrl(), change.newRtspUrl(), "an absent URL stays as it was");
        assertEquals(ChangeSource.SSE, change.source());
        assertEquals("rtmp://127.0.0.1:1935/live/other", configs.findDefault().rtmpUrl());
        assertEquals(List.of(change), new UrlHistoryRepository(db).recent(5));
    }

    @Test
    void urlChangeToTheSameValuesWritesNoHistory() {
        var configs = new StreamConfigRepository(db);
        assertTrue(configs.updateUrls(1, "rtsp://127.0.0.1:8554/cam1", null, ChangeSource.API).isEmpty());
        assertTrue(new UrlHistoryRepository(db).recent(5).isEmpty());
    }

    @Test
    void aFailedTransactionLeavesNoPartialWrite() {
        var configs = new StreamConfigRepository(db);
        assertThrows(IllegalStateException.class, () -> db.transaction(() -> {
            configs.updateUrls(1, "rtsp://127.0.0.1:8554/half", null, ChangeSource.SSE);
            throw new IllegalStateException("crash between the two writes");
        }));
        assertEquals("rtsp://127.0.0.1:8554/cam1", configs.findDefault().rtspUrl());
        assertTrue(new UrlHistoryRepository(db).recent(5).isEmpty());
    }

    @Test
    void encodingAutoRestartAndDesiredStateAreStored() {
        var configs = new StreamConfigRepository(db);
        configs.updateEncoding(1, "-c:v copy -c:a aac -f flv", "copy");
        configs.updateAutoRestart(1, false);
        configs.updateDesiredState(1, StreamConfig.DesiredState.RUNNING);
        StreamConfig c = configs.findDefault();
        assertEquals("-c:v copy -c:a aac -f flv", c.ffmpegParams());
        assertEquals("copy", c.preset());
        assertFalse(c.autoRestart());
        assertEquals(StreamConfig.DesiredState.RUNNING, c.desiredState());
    }

    @Test
    void keepSessionIsOnByDefaultAndStored() {
        var configs = new StreamConfigRepository(db);
        assertTrue(configs.findDefault().keepSession(), "contract §8: keep_session defaults to true");
        configs.updateKeepSession(1, false);
        assertFalse(configs.findDefault().keepSession());
        configs.updateKeepSession(1, true);
        assertTrue(configs.findDefault().keepSession());
    }

    @Test
    void logsPageNewestFirstWithFilters() {
        var logs = new StreamLogRepository(db);
        List<LogEntry> seen = new ArrayList<>();
        logs.onAppend(seen::add);
        for (int i = 0; i < 10; i++) {
            logs.append(1L, i % 2 == 0 ? "stream_start" : "ffmpeg_error", "m" + i, i % 2 == 0 ? LogStatus.INFO : LogStatus.ERROR);
        }
        assertEquals(10, seen.size());
        List<LogEntry> first = logs.page(3, null, null, null);
        assertEquals(List.of("m9", "m8", "m7"), first.stream().map(LogEntry::message).toList());
        List<LogEntry> next = logs.page(3, first.get(2).id(), null, null);
        assertEquals(List.of("m6", "m5", "m4"), next.stream().map(LogEntry::message).toList());
        List<LogEntry> errors = logs.page(100, null, "ffmpeg_error", LogStatus.ERROR);
        assertEquals(5, errors.size());
        assertTrue(errors.stream().allMatch(e -> e.status() == LogStatus.ERROR));
        assertTrue(logs.page(100, null, "stream_start", LogStatus.ERROR).isEmpty());
    }

    @Test
    void sseEventsAreStoredUnprocessedThenDecided() {
        var events = new SseEventRepository(db);
        SseEventRecord a = events.insert("url_update", "{\"rtsp_url\":\"rtsp://127.0.0.1/a\"}", "7");
        SseEventRecord b = events.insert("message", "hello", "");
        assertEquals(List.of(a, b), events.unprocessed());
        assertFalse(a.processed());
        events.markProcessed(a.id(), SseEventRecord.Outcome.APPLIED, null, "2026-01-01T00:00:00Z");
        events.markProcessed(b.id(), SseEventRecord.Outcome.IGNORED, "not a url_update", null);
        assertTrue(events.unprocessed().isEmpty());
        SseEventRecord replay = events.insert("url_update", a.eventData(), "7");
        SseEventRecord sameIdOtherData = events.insert("url_update", "{}", "7");
        assertTrue(events.isDuplicateOfProcessed(replay));
        assertFalse(events.isDuplicateOfProcessed(sameIdOtherData), "an id persists across events; data tells them apart");
        assertFalse(events.isDuplicateOfProcessed(a), "a row is not a duplicate of itself");
        events.markProcessed(replay.id(), SseEventRecord.Outcome.SKIPPED, "replay", null);
        events.markProcessed(sameIdOtherData.id(), SseEventRecord.Outcome.REJECTED, "no url", null);
        assertEquals("2026-01-01T00:00:00Z", events.newestAppliedTimestamp().orElseThrow());
        List<SseEventRecord> recent = events.recent(10, true);
        assertEquals(sameIdOtherData.id(), recent.get(0).id());
        assertEquals(SseEventRecord.Outcome.REJECTED, recent.get(0).outcome());
        assertEquals(1, events.count(SseEventRecord.Outcome.APPLIED));
        assertEquals(4, events.countAll());
    }

    @Test
    void aSettingReadOnceIsReplacedByTheNextWrite() {
        var settings = new SettingsRepository(db);
        assertEquals(java.util.Optional.empty(), settings.get("admin_password_hash"));
        settings.put("admin_password_hash", "one");
        assertEquals("one", settings.get("admin_password_hash").orElseThrow());
        assertEquals("one", settings.get("admin_password_hash").orElseThrow(), "kept");
        settings.putAll(java.util.Map.of("admin_password_hash", "two", "x", "y"));
        assertEquals("two", settings.get("admin_password_hash").orElseThrow(), "a write replaces what was kept");
        assertEquals("y", settings.get("x").orElseThrow());
    }

    @Test
    void settingsAreTypedAndChangesAreAnnounced() {
        var settings = new SettingsRepository(db);
        List<Settings> seen = new ArrayList<>();
        settings.onChange(seen::add);
        settings.putAll(Map.of(Settings.SSE_URL, "http://127.0.0.1:9000/sub", Settings.SSE_ENABLED, "1",
                Settings.SSE_TOKEN, "s3cret-token", Settings.LOG_RETENTION_DAYS, "7"));
        Settings s = settings.load();
        assertEquals(new Settings("http://127.0.0.1:9000/sub", true, "s3cret-token", 7), s);
        assertEquals(List.of(s), seen);
        assertFalse(s.toString().contains("s3cret-token"), "the token never reaches a log through toString");
    }

    @Test
    void childProcessesAreRecordedAndRemoved() {
        var children = new ChildProcessRepository(db);
        children.record(new ChildProcess(1, "relay", 4242, 99));
        children.record(new ChildProcess(1, "relay", 4343, 100));
        assertEquals(List.of(new ChildProcess(1, "relay", 4343, 100)), children.all(), "one row per stream and role");
        children.remove(1, "relay", 4242);
        assertEquals(1, children.all().size(), "removing an older pid leaves the current one");
        children.remove(1, "relay", 4343);
        assertTrue(children.all().isEmpty());
    }
}
