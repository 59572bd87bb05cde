package stream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import stream.core.ffmpeg.CameraProbe;
import stream.store.ChangeSource;
import stream.store.ChildProcessRepository;
import stream.store.Database;
import stream.store.StreamConfigRepository;
import stream.store.StreamLogRepository;

/**
 * The usage example of module-info.java, as code the compiler checks. If this stops compiling, the example in
 * module-info.java needs the same change. The camera and destination are closed ports on loopback.
 */
class ModuleExampleTest {
    @TempDir
    Path runtimeDir;

    @Test
    void theModuleExampleCompilesAndRuns() {
        try (Database db = Database.open(runtimeDir.resolve("streamrelay.db"))) {
            var configs = new StreamConfigRepository(db);
            var children = new ChildProcessRepository(db);
            var logs = new StreamLogRepository(db);

            Streams streams = new Streams(configs, children, logs, id -> new StreamController(id, configs, logs, children,
                    new RelayCommands("ffmpeg", new CameraProbe("ffprobe"), runtimeDir), StreamController.Timing.defaults()));
            streams.start();
            StreamController yard = streams.create(new NewStream(StreamName.of("yard"),
                    StreamUrls.both("rtsp://127.0.0.1:8554/yard", "rtmp://127.0.0.1:1935/live/key"),
                    new Encoding("-c:v copy -c:a aac -f flv", "copy"), true));
            yard.requestStart(StreamUrls.NONE, ChangeSource.API);
            streams.close();

            assertEquals(2, configs.all().size());
            assertEquals("running", configs.findByName("yard").orElseThrow().desiredState().name().toLowerCase());
        }
    }
}
