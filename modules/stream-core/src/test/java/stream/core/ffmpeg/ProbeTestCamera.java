package stream.core.ffmpeg;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A GStreamer RTSP camera on 127.0.0.1 (src/test/resources/probe/probe_camera.py) for one test class: started on a
 * free port it reports itself, killed (exactly this process) on close.
 */
final class ProbeTestCamera implements AutoCloseable {
    /** Debian's python3, which has the gi bindings; the pyenv one on PATH does not. */
    private static final String PYTHON = "/usr/bin/python3";

    private final Process process;
    private final Path log;
    private final int port;

    private ProbeTestCamera(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts a camera with these script options (--codec, --gop, --audio, --user, --password...). */
    static ProbeTestCamera start(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON, script().toString(), "--port", "0"));
        command.addAll(List.of(options));
        Path log = Files.createTempFile("probe-camera", ".log");
        // stdin stays an open pipe: the script exits when it closes, so a crashed JVM leaves no camera behind.
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader reader = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                return reader.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = ready.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            line = null;
        }
        if (line == null || !line.startsWith("READY ")) {
            process.destroyForcibly();
            throw new IllegalStateException("test camera did not start (" + line + "): " + Files.readString(log));
        }
        return new ProbeTestCamera(process, log, Integer.parseInt(line.substring(6).strip()));
    }

    private static Path script() throws URISyntaxException {
        return Path.of(ProbeTestCamera.class.getResource("/probe/probe_camera.py").toURI());
    }

    int port() {
        return port;
    }

    String url(String userInfo, String path) {
        return "rtsp://" + (userInfo == null ? "" : userInfo + "@") + "127.0.0.1:" + port + path;
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(log);
    }
}
