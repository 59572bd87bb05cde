package stream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import stream.core.ffmpeg.CameraProbe;
import stream.store.ChildProcess;
import stream.store.ChildProcessRepository;
import stream.store.Database;
import stream.store.StreamConfigRepository;
import stream.store.StreamLogRepository;

/** The list of streams (contract §7) on a real database, every stream stopped: names, limits, refs, deletion. */
class StreamsTest {
    @TempDir
    Path dir;
    Database db;
    StreamConfigRepository configs;
    StreamLogRepository logs;
    ChildProcessRepository children;
    Streams streams;

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("streamrelay.db"));
        configs = new StreamConfigRepository(db);
        logs = new StreamLogRepository(db);
        children = new ChildProcessRepository(db);
        RelayCommands commands = new RelayCommands("ffmpeg", new CameraProbe("ffprobe"), dir);
        streams = new Streams(configs, children, logs, id -> new StreamController(id, configs, logs, children,
                commands, StreamController.Timing.defaults()));
    }

    @AfterEach
    void close() {
        streams.close();
        db.close();
    }

    static NewStream stream(String name) {
        return new NewStream(StreamName.of(name), StreamUrls.both("rtsp://127.0.0.1:8554/" + name,
                "rtmp://127.0.0.1:1935/live/" + name), new Encoding("-c:v copy -c:a aac -f flv", "copy"), true);
    }

    @Test
    void aRefIsAnIdOrANameAndTheFirstStreamIsTheDefault() {
        StreamController yard = streams.create(stream("yard"));
        assertEquals("default", streams.defaultStream().status().name());
        assertEquals(yard, streams.resolve("yard").orElseThrow());
        assertEquals(yard, streams.resolve(Long.toString(yard.id())).orElseThrow());
        assertEquals(streams.defaultStream(), streams.resolve("default").orElseThrow());
        for (String unknown : List.of("nowhere", "99", "", "../1", "DEFAULT", "1 ", "9".repeat(40))) {
            assertTrue(streams.resolve(unknown).isEmpty(), unknown);
        }
        assertEquals(StreamState.STOPPED, yard.status().state(), "a new stream is stopped until started");
    }

    @Test
    void aNinthStreamAndADuplicateNameAreRefusedAndChangeNothing() {
        for (int i = 2; i <= Streams.MAX_STREAMS; i++) {
            streams.create(stream("cam-" + i));
        }
        assertEquals(Streams.MAX_STREAMS, streams.all().size());
        StreamConflictException ninth = assertThrows(StreamConflictException.class, () -> streams.create(stream("cam-9")));
        assertTrue(ninth.getMessage().contains("8"), ninth.getMessage());
        assertEquals(Streams.MAX_STREAMS, configs.all().size());
        streams.delete(streams.resolve("cam-8").orElseThrow());
        assertThrows(StreamConflictException.class, () -> streams.create(stream("cam-2")));
        assertEquals(Streams.MAX_STREAMS - 1, configs.all().size());
    }

    @Test
    void aBadNameIsAFieldError() {
        for (String bad : List.of("", "Yard", "yard cam", "a".repeat(33), "yard/1", "ü")) {
            ValidationException e = assertThrows(ValidationException.class, () -> StreamName.of(bad), bad);
            assertEquals("name", e.errors().get(0).field());
        }
    }

    @Test
    void theDefaultCannotBeDeletedAndADeletedStreamKeepsItsRecords() {
        assertThrows(StreamConflictException.class, () -> streams.delete(streams.defaultStream()));
        StreamController yard = streams.create(stream("yard"));
        long id = yard.id();
        streams.delete(yard);
        assertTrue(streams.resolve("yard").isEmpty());
        assertEquals(List.of(1L), streams.all().stream().map(StreamController::id).toList());
        assertEquals(id, streams.resolveEvenDeleted("yard").orElseThrow());
        assertEquals(id, streams.resolveEvenDeleted(Long.toString(id)).orElseThrow());
        assertFalse(logs.page(id, 10, null, "stream_deleted", null).isEmpty());
    }

    @Test
    void aLeftoverRecordOfADeletedStreamIsClearedAtStart() {
        StreamController yard = streams.create(stream("yard"));
        // a record whose pid is not an ffmpeg of ours (this JVM): cleared, and the process is left alone
        children.record(new ChildProcess(yard.id(), "relay", ProcessHandle.current().pid(), 1));
        streams.delete(yard);
        streams.start();
        assertTrue(children.all().isEmpty());
        assertTrue(ProcessHandle.current().isAlive());
    }
}
