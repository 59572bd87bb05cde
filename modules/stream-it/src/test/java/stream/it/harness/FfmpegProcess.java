package stream.it.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's /usr/bin/ffmpeg run by a test directly (the harness self-test, or a competing
 * publisher), logging to its own temp dir. Not the appliance's ffmpeg: that one the appliance
 * starts and supervises itself.
 */
public final class FfmpegProcess implements AutoCloseable {

    public static final Path FFMPEG = Path.of("/usr/bin/ffmpeg");

    private final Path dir;
    private final ChildProcess process;
    private final List<String> command;

    private FfmpegProcess(List<String> args) {
        this.dir = ScratchDir.create("ffmpeg");
        List<String> cmd = new ArrayList<>(List.of(FFMPEG.toString(), "-hide_banner", "-nostdin", "-loglevel", "info"));
        cmd.addAll(args);
        this.command = List.copyOf(cmd);
        ChildProcess started;
        try {
            started = ChildProcess.start("ffmpeg", command, dir.resolve("ffmpeg.log"));
        } catch (RuntimeException e) {
            ScratchDir.delete(dir);
            throw e;
        }
        this.process = started;
        ShutdownHook.register(this);
    }

    /** ffmpeg with {@code args} after "-hide_banner -nostdin -loglevel info". */
    public static FfmpegProcess start(String... args) {
        return new FfmpegProcess(List.of(args));
    }

    /**
     * {@code ffmpeg -rtsp_transport tcp -i IN [outputArgs] -f flv OUT}; outputArgs default to
     * {@code -c copy}.
     */
    public static FfmpegProcess relay(String rtspUrl, String rtmpUrl, String... outputArgs) {
        List<String> args = new ArrayList<>(List.of("-rtsp_transport", "tcp", "-i", rtspUrl));
        args.addAll(outputArgs.length == 0 ? List.of("-c", "copy") : List.of(outputArgs));
        args.addAll(List.of("-f", "flv", rtmpUrl));
        return new FfmpegProcess(args);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public List<String> command() {
        return command;
    }

    /** Waits for ffmpeg to exit by itself; returns its exit code. */
    public int awaitExit(Duration timeout) {
        return process.awaitExit(timeout);
    }

    /** ffmpeg's stderr/stdout so far. */
    public String output() {
        return process.output();
    }

    public Path logFile() {
        return process.logFile();
    }

    /** SIGTERM (ffmpeg finishes the output cleanly), SIGKILL after 10 s. */
    public void stop() {
        process.terminate(Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            ScratchDir.delete(dir);
            ShutdownHook.unregister(this);
        }
    }

    @Override
    public String toString() {
        return "FfmpegProcess[pid " + pid() + ", " + String.join(" ", command) + "]";
    }
}
