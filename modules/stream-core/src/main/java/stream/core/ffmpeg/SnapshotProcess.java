package stream.core.ffmpeg;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The snapshot ffmpeg of one relay launch (see {@link SnapshotFeed}): started beside the relay and ended with it.
 * Its output is discarded and its end goes unnoticed: a preview that cannot be made must never touch the broadcast.
 */
public final class SnapshotProcess {
    private final Process process;

    private SnapshotProcess(Process process) {
        this.process = process;
    }

    /** Starts {@code command} (from {@link FfmpegCommand#snapshotArguments()}), never through a shell. */
    public static SnapshotProcess start(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        return new SnapshotProcess(p);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * SIGTERM now, SIGKILL 2 s later if it is still there. Returns at once: the stream's thread, which calls this
     * while switching URLs, must not wait on a preview.
     */
    public void stop() {
        process.destroy();
        process.onExit().completeOnTimeout(process, 2, TimeUnit.SECONDS).thenAccept(p -> {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        });
    }
}
