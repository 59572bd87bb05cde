package stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The appliance's side of the launcher's archive check (the launcher itself: stream-it's CdsArchiveTest). */
class CdsArchiveCheckTest {
    static final String SHARING = "mixed mode, sharing";
    static final String NO_SHARING = "mixed mode";
    static final System.Logger LOG = System.getLogger("test");

    @TempDir
    Path dir;

    CdsArchiveCheck check(String identity) throws Exception {
        Path archive = Files.writeString(dir.resolve("streamrelay-b-3.jsa"), "abc");
        Path marker = Files.writeString(dir.resolve(".running-42"), "");
        Map<String, String> props = Map.of("streamrelay.cds.archive", archive.toString(),
                "streamrelay.cds.identity", identity, "streamrelay.cds.verified", dir.resolve("streamrelay-b.verified").toString(),
                "streamrelay.cds.marker", marker.toString());
        return CdsArchiveCheck.fromProperties(props::get);
    }

    @Test
    void aCheckedArchiveInUseHasItsIdentityRecordedAndIsKept() throws Exception {
        CdsArchiveCheck cds = check("3:65024:77:1795869010.651523588");
        cds.afterStart(SHARING, LOG);
        assertEquals("3:65024:77:1795869010.651523588\n", Files.readString(dir.resolve("streamrelay-b.verified")));
        assertTrue(Files.exists(cds.archive()));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(3, files.count(), "no partial record left: archive, record, marker");
        }
    }

    @Test
    void anArchiveUsedWithoutTheCheckRecordsNothing() throws Exception {
        CdsArchiveCheck cds = check("");
        assertNull(cds.checkedIdentity());
        cds.afterStart(SHARING, LOG);
        assertFalse(Files.exists(dir.resolve("streamrelay-b.verified")));
        assertTrue(Files.exists(cds.archive()));
    }

    @Test
    void anArchiveTheJvmRefusedIsRemovedWithItsRecord() throws Exception {
        CdsArchiveCheck cds = check("3:65024:77:1795869010.651523588");
        Files.writeString(dir.resolve("streamrelay-b.verified"), "3:65024:77:1.0\n");
        cds.afterStart(NO_SHARING, LOG);
        assertFalse(Files.exists(cds.archive()));
        assertFalse(Files.exists(dir.resolve("streamrelay-b.verified")));
    }

    @Test
    void aCleanStopRemovesTheMarker() throws Exception {
        CdsArchiveCheck cds = check("");
        assertTrue(Files.exists(cds.marker()));
        cds.cleanStop();
        assertFalse(Files.exists(cds.marker()));
        cds.cleanStop(); // the signal handler's path and the shutdown hook may both get here
    }

    @Test
    void withoutAnArchiveNothingHappens() throws Exception {
        CdsArchiveCheck cds = CdsArchiveCheck.fromProperties(name -> null);
        cds.afterStart(NO_SHARING, LOG);
        cds.cleanStop();
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }
}
