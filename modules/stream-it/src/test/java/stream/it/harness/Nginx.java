package stream.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One nginx in the foreground ({@code daemon off;}) so our Process handle is the master, with a
 * single worker (nginx-rtmp's stat page and live streams are per worker), everything (config,
 * pid, logs, temp paths) in its own temp dir. Shared by {@link RtmpServer} and {@link NchanServer}.
 */
final class Nginx {

    static final Path BINARY = Path.of("/usr/sbin/nginx");
    static final Path MODULES = Path.of("/usr/lib/nginx/modules");
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /** Thrown when nginx could not bind a port (someone else took it): pick other ports and retry. */
    static final class PortInUseException extends RuntimeException {
        PortInUseException(String message) {
            super(message);
        }
    }

    private final String name;
    private final Path dir;
    private final Path configFile;
    private final Path logFile;
    private ChildProcess master;
    private List<Long> workers = List.of();

    Nginx(String name, Path dir) {
        this.name = name;
        this.dir = dir;
        this.configFile = dir.resolve("nginx.conf");
        this.logFile = dir.resolve("nginx.log");
    }

    Path logFile() {
        return logFile;
    }

    /**
     * Writes nginx.conf: our common main/events/http preamble, {@code mainBlocks} at top level
     * (e.g. an {@code rtmp {}} block) and {@code httpServers} inside {@code http {}}.
     */
    void writeConfig(List<String> moduleFiles, String mainBlocks, String httpServers) {
        StringBuilder conf = new StringBuilder();
        // Under root, workers would run as "nobody" and could not reach our 0700 temp dir.
        if (runningAsRoot()) {
            conf.append("user root;\n");
        }
        conf.append("daemon off;\n")
                .append("master_process on;\n")
                .append("worker_processes 1;\n")
                .append("pid ").append(dir.resolve("nginx.pid")).append(";\n")
                .append("lock_file ").append(dir.resolve("nginx.lock")).append(";\n")
                // info includes the notice "start worker process", our readiness signal.
                .append("error_log ").append(logFile).append(" info;\n");
        for (String module : moduleFiles) {
            Path so = MODULES.resolve(module);
            if (!Files.exists(so)) {
                throw new IllegalStateException(so + " missing: install the matching libnginx-mod-* package");
            }
            conf.append("load_module ").append(so).append(";\n");
        }
        conf.append("events { worker_connections 512; }\n")
                .append(mainBlocks).append('\n')
                .append("http {\n")
                .append("  access_log ").append(dir.resolve("access.log")).append(";\n")
                // The compiled-in defaults live under /var/lib/nginx, unwritable for a normal user.
                .append("  client_body_temp_path ").append(dir.resolve("body")).append(";\n")
                .append("  proxy_temp_path ").append(dir.resolve("proxy")).append(";\n")
                .append("  fastcgi_temp_path ").append(dir.resolve("fastcgi")).append(";\n")
                .append("  uwsgi_temp_path ").append(dir.resolve("uwsgi")).append(";\n")
                .append("  scgi_temp_path ").append(dir.resolve("scgi")).append(";\n")
                .append(httpServers).append('\n')
                .append("}\n");
        try {
            Files.writeString(configFile, conf.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts nginx and returns once its worker runs (which implies every listen socket is bound
     * by us, not by a stranger who happened to grab the port) and all {@code ports} accept.
     */
    void start(List<Integer> ports) {
        if (isRunning()) {
            throw new IllegalStateException(name + " already running");
        }
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " missing: install nginx-light");
        }
        ChildProcess process = ChildProcess.start(name, List.of(BINARY.toString(),
                "-p", dir + "/", "-c", configFile.toString(), "-e", logFile.toString()), logFile);
        master = process;
        try {
            Waits.waitUntil(() -> !process.isAlive() || process.output().contains("start worker process "),
                    START_TIMEOUT, name + " worker started");
        } catch (AssertionError e) {
            stop();
            throw new AssertionError(e.getMessage() + "; log:\n" + ChildProcess.tail(process.output(), 30), e);
        }
        if (!process.isAlive()) {
            String out = process.output();
            int exit = process.process().exitValue();
            stop();
            if (out.contains("Address already in use")) {
                throw new PortInUseException(name + ": port in use:\n" + ChildProcess.tail(out, 10));
            }
            throw new IllegalStateException(name + " exited with " + exit + ":\n" + ChildProcess.tail(out, 30));
        }
        for (int port : ports) {
            TestPorts.awaitAccepting(port, START_TIMEOUT);
        }
        workers = process.process().descendants().map(ProcessHandle::pid).toList();
    }

    boolean isRunning() {
        return master != null && master.isAlive();
    }

    /** Fast shutdown (SIGTERM closes listeners and connections at once), then makes sure workers are gone. */
    void stop() {
        ChildProcess process = master;
        if (process == null) {
            return;
        }
        process.terminate(STOP_GRACE);
        // Workers recorded at start, in case the master died earlier and they were re-parented.
        for (long worker : workers) {
            if (Processes.info(worker).map(p -> p.commandLine().startsWith("nginx")).orElse(false)
                    && Processes.isAlive(worker)) {
                Processes.sigkill(worker);
                Processes.awaitGone(worker, STOP_GRACE);
            }
        }
        master = null;
        workers = List.of();
    }

    /** Master pid first, then workers; empty when stopped. */
    List<Long> pids() {
        if (master == null) {
            return List.of();
        }
        List<Long> pids = new ArrayList<>();
        pids.add(master.pid());
        pids.addAll(workers);
        return pids;
    }

    String log() {
        return ChildProcess.readLog(logFile, 0);
    }

    private static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
