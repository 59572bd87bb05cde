package stream.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JVM ignores a class-data sharing archive it cannot use (made by another build, moved image, damaged file)
 * without a word, and starts slower for ever. When the launcher passed one ({@code -Dstreamrelay.cds.archive}) and
 * sharing is off, the archive is removed, so that the launcher makes a new one.
 */
final class CdsArchiveCheck {
    private CdsArchiveCheck() {
    }

    static void removeIfUnused(String archive, String vmInfo, System.Logger log) {
        if (archive == null || archive.isEmpty() || vmInfo == null || vmInfo.contains("sharing")) {
            return;
        }
        try {
            if (Files.deleteIfExists(Path.of(archive))) {
                log.log(System.Logger.Level.WARNING, "class-data sharing archive " + archive
                        + " could not be used and was removed; the next start makes a new one");
            }
        } catch (IOException | RuntimeException e) {
            log.log(System.Logger.Level.WARNING, "class-data sharing archive " + archive
                    + " could not be used nor removed: " + e.getMessage());
        }
    }
}
