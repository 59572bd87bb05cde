package stream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import stream.it.harness.TestPorts;

/**
 * The launcher's class-data sharing archive: made by {@code --make-cds} into the cache folder, used by the next
 * start, and never able to stop a start when it is damaged (the JVM crashes on a truncated archive and on damaged
 * contents unless they are checked, measured with OpenJDK 17). The JVM's check of the contents
 * ({@code -XX:+VerifySharedSpaces}, about 140 ms) runs only when the archive may have changed since it was last found
 * sound: a new archive, a file written to since, or a run that ended without stopping cleanly.
 */
class CdsArchiveTest {
    @TempDir
    static Path shared;
    static Path cacheDir;
    static byte[] goodArchive;
    static String archiveName;

    @TempDir
    Path tmp;

    @BeforeAll
    static void makeArchive() throws Exception {
        cacheDir = shared.resolve("cds");
        ProcessBuilder pb = new ProcessBuilder(ApplianceProcess.LAUNCHER.toString(), "--make-cds")
                .redirectErrorStream(true).redirectOutput(shared.resolve("make.log").toFile());
        pb.environment().put("STREAMRELAY_CDS_DIR", cacheDir.toString());
        Process make = pb.start();
        make.getOutputStream().close();
        assertTrue(make.waitFor(300, TimeUnit.SECONDS), "--make-cds within 300 s");
        String log = Files.readString(shared.resolve("make.log"));
        assertEquals(0, make.exitValue(), log);
        Path archive = onlyArchive();
        archiveName = archive.getFileName().toString();
        goodArchive = Files.readAllBytes(archive);
        assertTrue(archiveName.endsWith("-" + goodArchive.length + ".jsa"), "named with its size: " + archiveName);
        assertTrue(log.contains(archive.toString()), log);
        assertTrue(Files.readString(verifiedRecord()).matches(goodArchive.length + ":\\d+:\\d+:[0-9.]+\n"),
                "--make-cds checked the archive and recorded its identity: " + Files.readString(verifiedRecord()));
    }

    /** Where the identity of the archive last found sound is recorded (streamrelay-BUILD.verified). */
    static Path verifiedRecord() {
        return cacheDir.resolve(archiveName.substring(0, archiveName.lastIndexOf('-')) + ".verified");
    }

    /**
     * The launcher's environment with this test's cache folder; "use": no archive made in the background after a
     * start without one, which would land in the folder while the next test looks at it.
     */
    static Map<String, String> env() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("STREAMRELAY_CDS_DIR", cacheDir.toString());
        env.put("STREAMRELAY_CDS", "use");
        return env;
    }

    static Path onlyArchive() throws IOException {
        try (Stream<Path> files = Files.list(cacheDir)) {
            List<Path> archives = files.filter(f -> f.getFileName().toString().endsWith(".jsa")).toList();
            assertEquals(1, archives.size(), "archives in " + cacheDir + ": " + archives);
            return archives.get(0);
        }
    }

    static boolean archivePresent() throws IOException {
        try (Stream<Path> files = Files.list(cacheDir)) {
            return files.anyMatch(f -> f.getFileName().toString().equals(archiveName));
        }
    }

    void putArchive(byte[] content) throws IOException {
        Path target = cacheDir.resolve(archiveName);
        if (Files.exists(target)) {
            target.toFile().setWritable(true);
            Files.delete(target);
        }
        Files.write(target, content);
    }

    String cmdline(ApplianceProcess app) throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(app.pid()), "cmdline")),
                StandardCharsets.UTF_8).replace('\0', ' ');
    }

    @Test
    void theNextStartUsesTheArchiveAndKeepsIt() throws Exception {
        putArchive(goodArchive);
        ApplianceProcess app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort()).start(withCache());
        try {
            assertTrue(cmdline(app).contains("-XX:SharedArchiveFile=" + cacheDir.resolve(archiveName)), cmdline(app));
            assertEquals(0, app.terminate(Duration.ofSeconds(30)));
        } finally {
            app.close();
        }
        assertTrue(archivePresent(), "a usable archive stays");
        assertFalse(app.log().contains("could not be used"), app.log());
    }

    @Test
    void aTruncatedArchiveIsSkippedAndRemoved() throws Exception {
        byte[] truncated = new byte[goodArchive.length / 2];
        System.arraycopy(goodArchive, 0, truncated, 0, truncated.length);
        putArchive(truncated);
        ApplianceProcess app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort()).start(withCache());
        try {
            assertFalse(cmdline(app).contains("-XX:SharedArchiveFile="), cmdline(app));
            assertEquals(0, app.terminate(Duration.ofSeconds(30)));
        } finally {
            app.close();
        }
        assertFalse(archivePresent(), "the launcher removes an archive whose size is not the one in its name");
    }

    @Test
    void damagedContentsOfTheRightSizeDoNotStopTheStartAndTheArchiveIsRemoved() throws Exception {
        putArchive(goodArchive);
        // random bytes in the middle: without -XX:+VerifySharedSpaces OpenJDK 17 crashed on this (measured)
        try (RandomAccessFile f = new RandomAccessFile(cacheDir.resolve(archiveName).toFile(), "rw")) {
            f.seek(goodArchive.length / 2);
            byte[] noise = new byte[4096];
            new java.util.Random(12).nextBytes(noise);
            f.write(noise);
        }
        ApplianceProcess app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort()).start(withCache());
        try {
            assertTrue(cmdline(app).contains("-XX:SharedArchiveFile="), "the launcher cannot tell; the JVM must");
            assertEquals(0, app.terminate(Duration.ofSeconds(30)));
        } finally {
            app.close();
        }
        assertFalse(archivePresent(), "the appliance removes an archive the JVM refused");
        assertTrue(app.log().contains("could not be used and was removed"), app.log());
    }

    static boolean checked(String cmdline) {
        assertTrue(cmdline.contains("-XX:SharedArchiveFile="), "the archive is used: " + cmdline);
        assertTrue(cmdline.contains("VerifySharedSpaces"), cmdline);
        return cmdline.contains("-XX:+VerifySharedSpaces");
    }

    /** Starts with the archive and stops with SIGTERM; returns whether the JVM checked the archive at this start. */
    boolean startAndStop() throws Exception {
        ApplianceProcess app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort()).start(withCache());
        try {
            boolean checked = checked(cmdline(app));
            assertEquals(0, app.terminate(Duration.ofSeconds(30)));
            assertFalse(app.log().contains("could not be used"), app.log());
            return checked;
        } finally {
            app.close();
        }
    }

    /** The good archive, written anew, and one start that checks it and records it as sound. */
    void putCheckedArchive() throws Exception {
        putArchive(goodArchive);
        assertTrue(startAndStop(), "a file written since it was last checked is checked");
        assertTrue(Files.exists(verifiedRecord()), "recorded after the check");
    }

    @Test
    void anArchiveFoundSoundIsNotCheckedAgainAtEachStart() throws Exception {
        putCheckedArchive();
        assertFalse(startAndStop(), "same file, clean stop: no check");
        assertFalse(startAndStop(), "and again");
        assertTrue(archivePresent());
        try (Stream<Path> files = Files.list(cacheDir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(".running-")).toList(),
                    "each clean stop removed its marker");
        }
    }

    @Test
    void anArchiveDamagedAfterItWasFoundSoundIsCheckedAgainAndDoesNotStopTheStart() throws Exception {
        putCheckedArchive();
        try (RandomAccessFile f = new RandomAccessFile(cacheDir.resolve(archiveName).toFile(), "rw")) {
            f.seek(goodArchive.length / 2);
            byte[] noise = new byte[4096];
            new java.util.Random(13).nextBytes(noise);
            f.write(noise);
        }
        ApplianceProcess app = new ApplianceProcess(tmp.resolve("data2"), TestPorts.freePort()).start(withCache());
        try {
            assertTrue(checked(cmdline(app)), "written to since it was checked: checked again");
            assertEquals(0, app.terminate(Duration.ofSeconds(30)));
        } finally {
            app.close();
        }
        assertFalse(archivePresent(), "the appliance removes an archive the JVM refused");
        assertFalse(Files.exists(verifiedRecord()), "and its record");
        assertTrue(app.log().contains("could not be used and was removed"), app.log());
    }

    @Test
    void afterARunThatDidNotStopCleanlyTheNextStartChecksTheArchive() throws Exception {
        putCheckedArchive();
        ApplianceProcess app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort()).start(withCache());
        try {
            assertFalse(checked(cmdline(app)), "trusted before the crash");
            Path marker = cacheDir.resolve(".running-" + app.pid());
            assertTrue(Files.exists(marker), "a running appliance has its marker");
            // an appliance beside it, still running, is no unclean end: its marker is held
            ApplianceProcess other = new ApplianceProcess(tmp.resolve("other"), TestPorts.freePort()).start(withCache());
            try {
                assertFalse(checked(cmdline(other)), "a marker held by a live appliance does not count");
                app.kill(); // SIGKILL: as a crash or a power cut, no chance to remove the marker
                assertTrue(Files.exists(marker), "left behind");
            } finally {
                assertEquals(0, other.terminate(Duration.ofSeconds(30)));
                other.close();
            }
        } finally {
            app.close();
        }
        assertTrue(startAndStop(), "after a run that did not stop cleanly the archive is checked");
        assertFalse(Files.exists(cacheDir.resolve(".running-" + app.pid())), "the stale marker is gone");
        assertFalse(startAndStop(), "once checked and stopped cleanly, trusted again");
        assertTrue(archivePresent());
    }

    @Test
    void offNeitherUsesNorMakesOne() throws Exception {
        putArchive(goodArchive);
        Map<String, String> env = withCache();
        env.put("STREAMRELAY_CDS", "off");
        ApplianceProcess app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort()).start(env);
        try {
            assertFalse(cmdline(app).contains("-XX:SharedArchiveFile="), cmdline(app));
            assertEquals(0, app.terminate(Duration.ofSeconds(30)));
        } finally {
            app.close();
        }
    }

    Map<String, String> withCache() {
        return env();
    }
}
