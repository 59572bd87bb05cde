package stream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jlinked image as a user runs it: the launcher's options, a machine without a JDK, SIGTERM. */
class ImageTest {
    @TempDir
    Path tmp;

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** An environment whose PATH holds only what the launcher script uses (no java anywhere), and no JAVA_HOME. */
    Map<String, String> noJdkEnvironment() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String tool : List.of("readlink", "dirname")) {
            Path real = Path.of("/usr/bin", tool);
            Files.createSymbolicLink(bin.resolve(tool), real.toRealPath());
        }
        return Map.of("PATH", bin.toString(), "HOME", tmp.toString(), "LANG", "C.UTF-8");
    }

    record Result(int code, String output) {
    }

    Result runLauncher(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(ApplianceProcess.LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    @Test
    void imageServesHealthWithoutAnyJdkOnTheMachineAndExitsZeroOnSigterm() throws Exception {
        Map<String, String> env = noJdkEnvironment();
        assertFalse(Files.exists(Path.of(env.get("PATH"), "java")));
        Path data = tmp.resolve("data");
        try (ApplianceProcess app = new ApplianceProcess(data, freePort())) {
            app.start(env);
            var health = app.get("/healthz", false);
            assertEquals(200, health.statusCode());
            assertEquals("{\"status\":\"ok\"}", health.body());
            Path db = data.resolve("streamrelay.db");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(db)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
            // the java running is the image's own
            String exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(app.pid()), "exe")).toString();
            assertTrue(exe.startsWith(ApplianceProcess.ROOT.resolve("build/image").toString()), exe);
            assertEquals(0, app.terminate(Duration.ofSeconds(10)));
            assertTrue(app.log().contains("listening on 127.0.0.1"), app.log());
        }
    }

    @Test
    void configIsMaskedAndNeedsAuthentication() throws Exception {
        try (ApplianceProcess app = new ApplianceProcess(tmp.resolve("d"), freePort())) {
            app.start(null);
            assertEquals(401, app.get("/api/config", false).statusCode());
            var masked = app.get("/api/config", true);
            assertEquals(200, masked.statusCode());
            assertTrue(masked.body().contains("\"rtmp_url\":\"rtmp://127.0.0.1:1935/live/****mkey\""), masked.body());
            assertFalse(masked.body().contains("streamkey"), masked.body());
            var revealed = app.get("/api/config?reveal=true", true);
            assertTrue(revealed.body().contains("rtmp://127.0.0.1:1935/live/streamkey"), revealed.body());
            assertFalse(app.log().contains(ApplianceProcess.PASSWORD), "the admin password never reaches the log");
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void dashboardEventStreamSendsStatusThenConfigAndLogChanges() throws Exception {
        try (ApplianceProcess app = new ApplianceProcess(tmp.resolve("ev"), freePort())) {
            app.start(null);
            var request = java.net.http.HttpRequest.newBuilder(app.uri("/api/events")).header("Authorization",
                    "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + ApplianceProcess.PASSWORD)
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            var stream = java.net.http.HttpClient.newHttpClient().send(request.build(),
                    java.net.http.HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, stream.statusCode());
            var lines = stream.body().iterator();
            List<String> seen = new java.util.ArrayList<>();
            while (seen.stream().noneMatch(l -> l.startsWith("data: {\"state\":\"stopped\""))) {
                seen.add(lines.next());
            }
            new ApiClient(app).setUrls("rtsp://127.0.0.1:8554/other", "rtmp://127.0.0.1:1935/live/newkey1234", false);
            while (seen.stream().noneMatch(l -> l.contains("\"rtmp_url\":\"rtmp://127.0.0.1:1935/live/****1234\""))
                    || !seen.contains("event: log")) {
                seen.add(lines.next());
            }
            assertTrue(seen.contains("event: config"), seen.toString());
            assertFalse(String.join("\n", seen).contains("newkey1234"), "the key is masked on the dashboard feed");
            stream.body().close();
        }
    }

    @Test
    void helpListsEveryOptionAndExitsZero() throws Exception {
        Result r = runLauncher(noJdkEnvironment(), "--help");
        assertEquals(0, r.code(), r.output());
        for (String option : List.of("--data", "--port", "--bind", "--ffmpeg", "--admin-password", "--sse-url",
                "--admin-password-file", "STREAMRELAY_DATA", "STREAMRELAY_PORT", "STREAMRELAY_BIND", "STREAMRELAY_FFMPEG",
                "STREAMRELAY_ADMIN_PASSWORD", "STREAMRELAY_SSE_URL", "STREAMRELAY_ADMIN_PASSWORD_FILE")) {
            assertTrue(r.output().contains(option), option + " in " + r.output());
        }
    }

    @Test
    void unknownOptionsAndBadValuesExitTwoWithOneLine() throws Exception {
        Map<String, String> env = noJdkEnvironment();
        for (List<String> args : List.of(List.of("--bogus"), List.of("--port", "http"), List.of("--port", "70000"),
                List.of("--port"), List.of("--bind", "999.1.1.1"), List.of("--sse-url", "file:///etc/passwd"),
                List.of("--ffmpeg", "/nonexistent/ffmpeg"), List.of("--admin-password", "short"),
                List.of("--sse-url", "http://localhost:8080/api/events"), List.of("--port", "9000", "--sse-url",
                        "http://127.0.0.1:9000/"), List.of("--sse-url", "https://bob:short@control.example/events"),
                List.of("--admin-password-file", "/nonexistent/password"))) {
            Result r = runLauncher(env, args.toArray(String[]::new));
            assertEquals(2, r.code(), args + ": " + r.output());
            assertEquals(1, r.output().strip().lines().count(), args + ": " + r.output());
            assertTrue(r.output().startsWith("streamrelay: "), r.output());
            assertFalse(r.output().contains("short"), "a rejected password is not echoed");
        }
    }

    @Test
    void aDatabaseThatCannotBeOpenedEndsTheStartWithOneLineAndLeavesNoRuntimeFolder() throws Exception {
        // the store opens on its own thread beside the rest of the start-up: its failure must still end the start
        Map<String, String> env = new java.util.HashMap<>(noJdkEnvironment());
        Path runtimeParent = Files.createDirectories(tmp.resolve("run"));
        env.put("RUNTIME_DIRECTORY", runtimeParent.toString());
        Path data = Files.createDirectories(tmp.resolve("broken"));
        Files.writeString(data.resolve("streamrelay.db"), "not a database, " + "x".repeat(4096));
        Result r = runLauncher(env, "--data", data.toString(), "--port", Integer.toString(freePort()), "--bind",
                "127.0.0.1", "--admin-password", ApplianceProcess.PASSWORD);
        assertEquals(1, r.code(), r.output());
        assertTrue(r.output().contains("streamrelay: cannot start: cannot open database"), r.output());
        try (var left = Files.list(runtimeParent)) {
            assertEquals(List.of(), left.toList(), "the runtime folder made beside the store is removed");
        }
    }

    @Test
    void environmentVariablesSetTheOptions() throws Exception {
        int port = freePort();
        Path data = tmp.resolve("from-env");
        Map<String, String> env = new java.util.HashMap<>(noJdkEnvironment());
        env.put("STREAMRELAY_PORT", Integer.toString(port));
        env.put("STREAMRELAY_DATA", data.toString());
        env.put("STREAMRELAY_BIND", "127.0.0.1");
        env.put("STREAMRELAY_ADMIN_PASSWORD", ApplianceProcess.PASSWORD);
        ProcessBuilder pb = new ProcessBuilder(ApplianceProcess.LAUNCHER.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("env.log").toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        try (ApplianceProcess probe = new ApplianceProcess(data, port)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!probe.healthy() && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(50);
            }
            assertTrue(probe.healthy(), Files.readString(tmp.resolve("env.log")));
            assertTrue(Files.exists(data.resolve("streamrelay.db")));
        } finally {
            p.destroy();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        }
    }
}
