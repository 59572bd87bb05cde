package stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherOptionsTest {
    static final String SECRET = "file-secret-42";

    @TempDir
    Path tmp;

    Path passwordFile(String content, String mode) throws IOException {
        Path f = tmp.resolve("pw-" + mode + "-" + System.nanoTime());
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    static LauncherOptions parse(Map<String, String> env, String... args) throws LauncherOptions.UsageException {
        return LauncherOptions.parse(args, env);
    }

    static String refusal(Map<String, String> env, String... args) {
        return assertThrows(LauncherOptions.UsageException.class, () -> parse(env, args)).getMessage();
    }

    @Test
    void passwordFileGivesItsFirstLineAndNoWarning() throws Exception {
        Path f = passwordFile(SECRET + "\r\nsecond line\n", "rw-------");
        LauncherOptions o = parse(Map.of(), "--admin-password-file", f.toString());
        assertEquals(SECRET, o.adminPassword());
        assertEquals(List.of(), o.warnings());
        assertFalse(o.toString().contains(SECRET));

        Path readOnly = passwordFile(SECRET, "r--------");
        assertEquals(SECRET, parse(Map.of(), "--admin-password-file=" + readOnly).adminPassword());
    }

    @Test
    void passwordFileFromTheEnvironment() throws Exception {
        Path f = passwordFile(SECRET + "\n", "rw-------");
        LauncherOptions o = parse(Map.of("STREAMRELAY_ADMIN_PASSWORD_FILE", f.toString()));
        assertEquals(SECRET, o.adminPassword());
    }

    @Test
    void passwordFileReadableOrWritableByOthersIsRefusedWithoutShowingItsContent() throws Exception {
        for (String mode : List.of("rw-r--r--", "rw-r-----", "rw----r--", "rw--w----", "rw-rw-rw-")) {
            Path f = passwordFile(SECRET, mode);
            String message = refusal(Map.of(), "--admin-password-file", f.toString());
            assertTrue(message.contains("chmod 600"), message);
            assertTrue(message.contains(mode), message);
            assertFalse(message.contains(SECRET), message);
        }
    }

    @Test
    void missingEmptyShortOrHugePasswordFilesAreRefused() throws Exception {
        assertTrue(refusal(Map.of(), "--admin-password-file", tmp.resolve("none").toString()).contains("not a readable file"));
        assertTrue(refusal(Map.of(), "--admin-password-file", tmp.toString()).contains("not a readable file"));
        assertTrue(refusal(Map.of(), "--admin-password-file", passwordFile("", "rw-------").toString())
                .contains("no password on its first line"));
        assertTrue(refusal(Map.of(), "--admin-password-file", passwordFile("\nsecond-line-pw\n", "rw-------").toString())
                .contains("no password on its first line"));
        String shortOne = refusal(Map.of(), "--admin-password-file", passwordFile("short\n", "rw-------").toString());
        assertTrue(shortOne.contains("at least 8 characters"), shortOne);
        assertFalse(shortOne.contains("short\n"));
        String huge = refusal(Map.of(), "--admin-password-file",
                passwordFile("x".repeat(LauncherOptions.MAX_PASSWORD_FILE_BYTES + 1), "rw-------").toString());
        assertTrue(huge.contains("larger than"), huge);
    }

    @Test
    void aCommandLineOptionWinsOverTheOthersVariableButTwoOnOneLevelAreRefused() throws Exception {
        Path f = passwordFile(SECRET, "rw-------");
        Map<String, String> fileEnv = Map.of("STREAMRELAY_ADMIN_PASSWORD_FILE", f.toString());
        assertEquals("one-off-password", parse(fileEnv, "--admin-password", "one-off-password").adminPassword());
        Map<String, String> plainEnv = Map.of("STREAMRELAY_ADMIN_PASSWORD", "from-the-environment");
        assertEquals(SECRET, parse(plainEnv, "--admin-password-file", f.toString()).adminPassword());

        assertTrue(refusal(Map.of(), "--admin-password", "one-off-password", "--admin-password-file", f.toString())
                .contains("not both"));
        assertTrue(refusal(Map.of("STREAMRELAY_ADMIN_PASSWORD", "from-the-environment",
                "STREAMRELAY_ADMIN_PASSWORD_FILE", f.toString())).contains("not both"));
    }

    @Test
    void thePasswordOnTheCommandLineStillWorksWithAWarningAboutPs() throws Exception {
        LauncherOptions o = parse(Map.of(), "--admin-password", "visible-in-ps");
        assertEquals("visible-in-ps", o.adminPassword());
        assertEquals(1, o.warnings().size());
        assertTrue(o.warnings().get(0).contains("STREAMRELAY_ADMIN_PASSWORD"), o.warnings().toString());
        assertFalse(o.warnings().get(0).contains("visible-in-ps"));
        LauncherOptions fromEnv = parse(Map.of("STREAMRELAY_ADMIN_PASSWORD", "from-the-environment"));
        assertEquals("from-the-environment", fromEnv.adminPassword());
        assertEquals(List.of(), fromEnv.warnings());
        assertNull(parse(Map.of()).adminPassword());
        assertTrue(refusal(Map.of(), "--admin-password", "short").contains("at least 8"));
    }

    @Test
    void sseUrlFollowsTheSettingsRulesWithThisAppliancesPort() throws Exception {
        assertEquals("https://control.example/events", parse(Map.of(), "--sse-url", "https://control.example/events").sseUrl());
        assertTrue(refusal(Map.of(), "--sse-url", "http://127.0.0.1:8080/api/events").contains("this appliance"));
        assertTrue(refusal(Map.of(), "--port", "9090", "--sse-url", "http://localhost:9090/api/events")
                .contains("this appliance"));
        assertEquals("http://127.0.0.1:9090/events",
                parse(Map.of(), "--sse-url", "http://127.0.0.1:9090/events").sseUrl(), "another port of this machine");
        String userInfo = refusal(Map.of(), "--sse-url", "https://bob:hunter2hunter2@control.example/events");
        assertTrue(userInfo.contains("user name or password"), userInfo);
        assertFalse(userInfo.contains("hunter2"), userInfo);
        assertTrue(refusal(Map.of(), "--sse-url", "file:///etc/passwd").contains("http:// or https://"));
        assertTrue(refusal(Map.of(), "--sse-url", "https://control.example/" + "a".repeat(2100)).contains("2048"));
    }

    @Test
    void helpListsThePasswordFileOption() {
        String usage = LauncherOptions.usage();
        assertTrue(usage.contains("--admin-password-file FILE"), usage);
        assertTrue(usage.contains("STREAMRELAY_ADMIN_PASSWORD_FILE"), usage);
    }

    @Test
    void theOptionsAsTextMaskTheSseUrlAndThePassword() throws Exception {
        LauncherOptions o = LauncherOptions.parse(new String[] {"--admin-password", "hunter2hunter2",
                "--sse-url", "https://events.example/events?token=t0k3n"}, Map.of());
        String text = o.toString();
        assertFalse(text.contains("hunter2") || text.contains("t0k3n"), text);
        assertTrue(text.contains("sseUrl=https://events.example/events?token=***"), text);
    }

    @Test
    void anUnknownOptionIsNamedButAValueGivenWithItIsNot() {
        var typo = assertThrows(LauncherOptions.UsageException.class,
                () -> LauncherOptions.parse(new String[] {"--admin-pasword=hunter2hunter2"}, Map.of()));
        assertEquals("unknown option '--admin-pasword' (see --help)", typo.getMessage());
        var bare = assertThrows(LauncherOptions.UsageException.class,
                () -> LauncherOptions.parse(new String[] {"hunter2hunter2"}, Map.of()));
        assertEquals("unknown option '****ter2' (see --help)", bare.getMessage());
    }
}
