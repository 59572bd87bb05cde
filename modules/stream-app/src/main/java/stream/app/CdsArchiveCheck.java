package stream.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.UnaryOperator;

/**
 * The appliance's part in the launcher's use of a class-data sharing archive (see launcher.sh), from the system
 * properties the launcher passes:
 * <ul>
 * <li>{@code streamrelay.cds.archive}: the archive passed to the JVM. The JVM ignores one it cannot use (made by
 * another build, damaged) without a word and starts slower for ever, so when sharing is off it is removed, and the
 * launcher makes a new one.</li>
 * <li>{@code streamrelay.cds.identity}, given only when the JVM checked the archive's checksums at this start: once
 * sharing is on the check passed, and the identity is written to {@code streamrelay.cds.verified}, so that later
 * starts of an archive with exactly that identity skip the check.</li>
 * <li>{@code streamrelay.cds.marker}: removed when the process stops cleanly; a marker left behind tells the launcher
 * that a run ended otherwise (a crash, perhaps on a damaged archive), and the next start checks the archive again.</li>
 * </ul>
 * Each is optional (empty or missing when the launcher ran without an archive).
 */
record CdsArchiveCheck(Path archive, String checkedIdentity, Path verifiedRecord, Path marker) {

    static CdsArchiveCheck fromProperties(UnaryOperator<String> properties) {
        return new CdsArchiveCheck(path(properties.apply("streamrelay.cds.archive")),
                blankToNull(properties.apply("streamrelay.cds.identity")),
                path(properties.apply("streamrelay.cds.verified")), path(properties.apply("streamrelay.cds.marker")));
    }

    /** After the start: removes an archive the JVM did not use, or records the identity of one it checked and used. */
    void afterStart(String vmInfo, System.Logger log) {
        if (archive == null) {
            return;
        }
        boolean sharing = vmInfo != null && vmInfo.contains("sharing");
        if (!sharing) {
            removeUnused(log);
        } else if (checkedIdentity != null && verifiedRecord != null) {
            recordVerified(log);
        }
    }

    /** At a clean stop (any exit through the JVM's shutdown, not a crash): the launcher need not check again. */
    void cleanStop() {
        if (marker == null) {
            return;
        }
        try {
            Files.deleteIfExists(marker);
        } catch (IOException | RuntimeException e) {
            // the next start checks the archive once more, nothing worse
        }
    }

    private void removeUnused(System.Logger log) {
        try {
            if (verifiedRecord != null) {
                Files.deleteIfExists(verifiedRecord);
            }
            if (Files.deleteIfExists(archive)) {
                log.log(System.Logger.Level.WARNING, "class-data sharing archive " + archive
                        + " could not be used and was removed; the next start makes a new one");
            }
        } catch (IOException | RuntimeException e) {
            log.log(System.Logger.Level.WARNING, "class-data sharing archive " + archive
                    + " could not be used nor removed: " + e.getMessage());
        }
    }

    /** In one rename, so that the launcher never reads half a record. */
    private void recordVerified(System.Logger log) {
        Path dir = verifiedRecord.toAbsolutePath().getParent();
        Path partial = null;
        try {
            partial = Files.createTempFile(dir, ".verified-", ".partial");
            Files.writeString(partial, checkedIdentity + "\n", StandardCharsets.US_ASCII);
            Files.move(partial, verifiedRecord, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            log.log(System.Logger.Level.WARNING, "class-data sharing archive " + archive
                    + " was checked, but that could not be recorded (the next start checks it again): " + e.getMessage());
            if (partial != null) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // a stray partial file in the cache folder, harmless
                }
            }
        }
    }

    private static Path path(String value) {
        String v = blankToNull(value);
        return v == null ? null : Path.of(v);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
