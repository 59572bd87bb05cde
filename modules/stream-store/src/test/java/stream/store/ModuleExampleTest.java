package stream.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The usage example of module-info.java, as code the compiler checks. If this stops compiling, the example in
 * module-info.java needs the same change.
 */
class ModuleExampleTest {
    @TempDir
    Path dataDir;

    @Test
    void theModuleExampleCompilesAndRuns() {
        try (Database db = Database.open(dataDir.resolve("streamrelay.db"))) {   // created and migrated if need be
            StreamConfigRepository configs = new StreamConfigRepository(db);
            StreamConfig stream = configs.findDefault();
            configs.updateUrls(stream.id(), "rtsp://127.0.0.1:8554/yard", null, ChangeSource.API);  // + a url_history row
            new StreamLogRepository(db).append(stream.id(), "note", "camera moved to the yard", LogStatus.INFO);
            List<UrlChange> history = new UrlHistoryRepository(db).recent(stream.id(), 10);

            assertEquals(1, history.size());
            assertEquals("rtsp://127.0.0.1:8554/yard", configs.findDefault().rtspUrl());
            assertEquals("camera moved to the yard",
                    new StreamLogRepository(db).page(stream.id(), 1, null, "note", null).get(0).message());
        }
    }
}
