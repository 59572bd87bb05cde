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
 * contents unless they are checked, measured with OpenJDK 17).
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
