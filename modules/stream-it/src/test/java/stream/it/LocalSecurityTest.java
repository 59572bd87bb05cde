package stream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import stream.it.harness.Processes;
import stream.it.harness.RtmpServer;
import stream.it.harness.RtspCamera;
import stream.it.harness.TestPorts;
import stream.it.harness.Waits;

/**
 * The appliance's local files and inputs against the attacks of issue 13, on the jlinked image over real sockets:
 * a symlink pre-placed where the runtime folder used to be, files left after exit or a kill -9, a loose data folder,
 * symlinks out of the web root, the admin password in ps, an SSE URL leading back to the appliance, and an error
 * answer blown up by thousands of unknown keys.
 */
class LocalSecurityTest {
    static final Duration LONG = Duration.ofSeconds(60);
    static final Pattern RUNTIME = Pattern.compile("runtime files in (\\S+)");
    static RtspCamera camera;
    static RtmpServer rtmp;

    @TempDir
    Path tmp;

    @BeforeAll
    static void servers() {
        camera = RtspCamera.builder().port(TestPorts.freePort()).path("/cam1").audio(RtspCamera.Audio.NONE).start();
        rtmp = new RtmpServer().start();
    }

    @AfterAll
    static void stopServers() {
        if (camera != null) {
            camera.close();
        }
        if (rtmp != null) {
            rtmp.close();
        }
    }

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    /** The runtime folder the appliance announces in its log (just after /healthz starts answering). */
    static Path runtimeFolder(ApplianceProcess app) {
        return Waits.waitFor(() -> {
            Matcher m = RUNTIME.matcher(app.log());
            return m.find() ? Path.of(m.group(1)) : null;
        }, LONG, "the runtime folder in the log");
    }

    @Test
    void runtimeFolderIgnoresAPrePlacedSymlinkIsPrivateAndIsRemovedAtSigterm() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no writable /dev/shm");
        Path data = tmp.resolve("data");
        // where the previous version put it, predictably: another user could create it first as a symlink
        Path predictable = shm.resolve("streamrelay-"
                + Integer.toHexString(data.toAbsolutePath().normalize().toString().hashCode()));
        Path trap = Files.createDirectory(tmp.resolve("trap"));
        Files.deleteIfExists(predictable);
        Files.createSymbolicLink(predictable, trap);
        String key = "sec" + System.nanoTime();
        try (ApplianceProcess app = new ApplianceProcess(data, TestPorts.freePort())) {
            app.start(null);
            Path runtime = runtimeFolder(app);
            assertEquals(shm, runtime.getParent());
            assertTrue(runtime.getFileName().toString().matches("streamrelay-" + app.pid() + "-\\d{6,}"),
                    runtime.toString());
            assertTrue(Files.isDirectory(runtime, LinkOption.NOFOLLOW_LINKS));
            assertEquals("rwx------", mode(runtime));

            ApiClient api = new ApiClient(app);
            api.preset("copy");
            api.setUrls(camera.url(), rtmp.rtmpUrl(key), false);
            api.start();
            api.waitForState("running", LONG);
            Waits.waitUntil(() -> {
                try {
                    return app.get("/api/stream/snapshot.jpg", true).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                }
            }, LONG, "a snapshot");
            List<Path> files;
            try (var list = Files.list(runtime)) {
                files = list.toList();
            }
            assertFalse(files.isEmpty());
            for (Path f : files) {
                // ffmpeg runs under the launcher's umask 077; a kept session's folder (the slate's text) is private too
                assertEquals(Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------", mode(f),
                        f.toString());
            }
            try (var list = Files.list(trap)) {
                assertEquals(List.of(), list.toList(), "nothing is written where the planted symlink leads");
            }

            assertEquals(0, app.terminate(Duration.ofSeconds(10)));
            assertFalse(Files.exists(runtime, LinkOption.NOFOLLOW_LINKS), "the runtime folder is removed at exit");
            assertTrue(Files.isSymbolicLink(predictable), "someone else's link is not ours to remove");
        } finally {
            Files.deleteIfExists(predictable);
            Processes.awaitNoneMatching("ffmpeg", key, Duration.ofSeconds(20));
        }
    }

    @Test
    void aFolderLeftByAKilledRunIsRemovedAtTheNextStart() throws Exception {
        Path data = tmp.resolve("data");
        int port = TestPorts.freePort();
        Path first;
        try (ApplianceProcess app = new ApplianceProcess(data, port)) {
            app.start(null);
            first = runtimeFolder(app);
            Files.writeString(first.resolve("snapshot-1.jpg"), "left behind");
            app.kill();
            assertTrue(Files.isDirectory(first), "SIGKILL leaves it");
        }
        try (ApplianceProcess app = new ApplianceProcess(data, port)) {
            app.start(null);
            Path second = runtimeFolder(app);
            assertNotEquals(first, second);
            assertFalse(Files.exists(first), "the killed run's folder is removed at the next start");
            // the log is read from the process's output by another thread: wait for the line, do not race it
            Path left = first;
            Waits.waitUntil(() -> app.log().contains("removed runtime folder " + left),
                    Duration.ofSeconds(30), "the log line about the removed folder");
            assertEquals(0, app.terminate(Duration.ofSeconds(10)));
            assertFalse(Files.exists(second));
        }
    }

    @Test
    void aLooseExistingDataFolderAndDatabaseAreMadePrivate() throws Exception {
        Path data = Files.createDirectory(tmp.resolve("data"));
        int port = TestPorts.freePort();
        try (ApplianceProcess app = new ApplianceProcess(data, port)) {
            app.start(null);
            assertEquals(0, app.terminate(Duration.ofSeconds(10)));
        }
        Path db = data.resolve("streamrelay.db");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        Path initial = Files.writeString(data.resolve("initial-admin-password"), "old\n");
        Files.setPosixFilePermissions(initial, PosixFilePermissions.fromString("rw-r--r--"));
        try (ApplianceProcess app = new ApplianceProcess(data, port)) {
            app.start(null);
            assertEquals("rwx------", mode(data));
            assertEquals("rw-------", mode(db));
            assertEquals("rw-------", mode(initial));
            try (var list = Files.list(data)) {
                for (Path f : list.toList()) {
                    assertEquals("rw-------", mode(f), f.toString());
                }
            }
        }
    }

    /** One GET with this exact request target on its own connection; returns the status line and body. */
    static String raw(int port, String target) throws IOException {
        try (Socket s = new Socket(TestPorts.LOOPBACK, port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void noSymlinkLeadsOutOfTheWebRoot() throws Exception {
        // a home of its own (the launcher lets STREAMRELAY_JAVA_OPTS override streamrelay.home), so the shared image
        // is left as built
        Path home = tmp.resolve("home");
        Path web = Files.createDirectories(home.resolve("share/web"));
        Files.createSymbolicLink(home.resolve("share/ffmpeg-presets"),
                ApplianceProcess.ROOT.resolve("build/image/share/ffmpeg-presets"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "outside-secret");
        Files.writeString(web.resolve("index.html"), "<h1>the dashboard</h1>");
        Files.writeString(web.resolve(".htpasswd"), "admin:dotfile-secret");
        Files.createSymbolicLink(web.resolve("passwd.css"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(web.resolve("assets"), outside);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("STREAMRELAY_JAVA_OPTS", "-Dstreamrelay.home=" + home);
        int port = TestPorts.freePort();
        try (ApplianceProcess app = new ApplianceProcess(tmp.resolve("data"), port)) {
            app.start(env);
            assertTrue(raw(port, "/").startsWith("HTTP/1.1 200"), "the home of this test is in use");
            assertTrue(raw(port, "/").endsWith("<h1>the dashboard</h1>"));
            for (String target : List.of("/passwd.css", "/assets/secret.txt", "/.htpasswd", "/%2ehtpasswd",
                    "/assets/../../outside/secret.txt", "/%2e%2e/outside/secret.txt", "/index.html%00.css",
                    "/assets%5csecret.txt")) {
                String answer = raw(port, target);
                assertTrue(answer.startsWith("HTTP/1.1 404") || answer.startsWith("HTTP/1.1 400"), target + ": " + answer);
                assertFalse(answer.contains("root:") || answer.contains("outside-secret")
                        || answer.contains("dotfile-secret"), target + ": " + answer);
            }
        }
    }

    @Test
    void adminPasswordFromAFileWorksAndStaysOutOfPs() throws Exception {
        Path file = tmp.resolve("admin-password");
        Files.writeString(file, ApplianceProcess.PASSWORD + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        try (ApplianceProcess app = new ApplianceProcess(tmp.resolve("data"), TestPorts.freePort())) {
            app.startWithPasswordFile(file, null);
            assertEquals(200, app.get("/api/config", true).statusCode(), "the file's password is admin's");
            assertEquals(401, app.get("/api/config", false).statusCode());
            String cmdline = Files.readString(Path.of("/proc", Long.toString(app.pid()), "cmdline"));
            assertTrue(cmdline.contains("--admin-password-file"), cmdline);
            assertFalse(cmdline.contains(ApplianceProcess.PASSWORD), "ps shows the file's name, not the password");
            assertFalse(app.log().contains(ApplianceProcess.PASSWORD));
            assertFalse(app.log().contains("streamrelay: warning"), app.log());
        }

        // a file others can read is refused before anything starts
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Process p = new ProcessBuilder(ApplianceProcess.LAUNCHER.toString(), "--data", tmp.resolve("d2").toString(),
                "--admin-password-file", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertEquals(1, out.strip().lines().count(), out);
        assertTrue(out.contains("chmod 600"), out);
        assertFalse(out.contains(ApplianceProcess.PASSWORD), out);
        assertFalse(Files.exists(tmp.resolve("d2")), "nothing was created");
    }

    @Test
    void settingsRefuseAnSseUrlLeadingBackToTheApplianceAndBoundTheirErrors() throws Exception {
        int port = TestPorts.freePort();
        try (ApplianceProcess app = new ApplianceProcess(tmp.resolve("data"), port)) {
            app.start(null);
            ApiClient api = new ApiClient(app);
            JsonObject before = api.json("GET", "/api/settings", null, 200);
            for (String url : List.of("http://127.0.0.1:" + port + "/api/events", "http://localhost:" + port + "/api/events",
                    "http://[::1]:" + port + "/api/events", "http://0.0.0.0:" + port + "/")) {
                HttpResponse<String> r = api.call("PUT", "/api/settings",
                        Json.object().add("sse_url", url).add("sse_enabled", true).toString());
                assertEquals(400, r.statusCode(), url + ": " + r.body());
                assertTrue(r.body().contains("this appliance itself"), r.body());
            }
            HttpResponse<String> userInfo = api.call("PUT", "/api/settings",
                    Json.object().add("sse_url", "https://bob:pa55word-x@control.example/events").toString());
            assertEquals(400, userInfo.statusCode());
            assertTrue(userInfo.body().contains("user name or password"), userInfo.body());
            assertFalse(userInfo.body().contains("pa55word"), userInfo.body());
            for (String bad : List.of("file:///etc/passwd", "ftp://control.example/", "http:///x",
                    "https://control.example/" + "a".repeat(2100))) {
                assertEquals(400, api.call("PUT", "/api/settings", Json.object().add("sse_url", bad).toString())
                        .statusCode(), bad);
            }

            JsonObject unknown = new JsonObject();
            for (int i = 0; i < 7000; i++) {
                unknown.add("k" + Integer.toString(i, 36), 0);
            }
            HttpResponse<String> many = api.call("PUT", "/api/settings", unknown.toString());
            assertEquals(400, many.statusCode(), many.body());
            assertTrue(many.body().length() < 4096, many.body().length() + " characters");
            JsonArray errors = Json.parse(many.body()).asObject().get("errors").asArray();
            assertEquals(21, errors.size());
            assertEquals("6980 more field errors not listed", errors.get(20).asObject().getString("message", ""));

            assertEquals(before, api.json("GET", "/api/settings", null, 200), "nothing was changed");
        }
    }
}
