package stream.core.ffmpeg;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a supervised ffmpeg's stdin and stdout carry. Its progress always comes on stderr ({@code -progress pipe:2}),
 * told apart from its log lines, so stdout is free for media: discarded ({@link #NONE}), read by the JVM (an ingest
 * feeding a publisher), or passed on to another process through the supervisor (the relay feeding the snapshot
 * ffmpeg, see {@link SnapshotPipe}). Stdin takes {@code q} for a graceful stop, unless a source feeds it media; such a
 * process is stopped with SIGTERM.
 *
 * @param stdoutSink reads the process's stdout on its own thread until it ends; null when unused
 * @param stdoutReader the command of a process that reads this one's stdout through the supervisor; empty for none
 * @param stdinSource writes the process's stdin on its own thread; null: stdin is kept for {@code q}
 */
public record ProcessIo(Consumer<InputStream> stdoutSink, List<String> stdoutReader, Consumer<OutputStream> stdinSource) {
    /** Stdout discarded, {@code q} on stdin. */
    public static final ProcessIo NONE = new ProcessIo(null, List.of(), null);

    public ProcessIo {
        stdoutReader = stdoutReader == null ? List.of() : List.copyOf(stdoutReader);
        if (stdoutSink != null && !stdoutReader.isEmpty()) {
            throw new IllegalArgumentException("stdout goes to the JVM or to another process, not both");
        }
    }

    /** Stdout carries media to {@code sink}, read on its own thread. */
    public static ProcessIo stdoutTo(Consumer<InputStream> sink) {
        return new ProcessIo(sink, List.of(), null);
    }

    /** Stdout is passed on to a process started with {@code readerCommand} (its stdin), dropping what it cannot take. */
    public static ProcessIo stdoutToProcess(List<String> readerCommand) {
        return new ProcessIo(null, readerCommand, null);
    }

    /** The same, with stdin fed by {@code source}. */
    public ProcessIo withStdinFrom(Consumer<OutputStream> source) {
        return new ProcessIo(stdoutSink, stdoutReader, source);
    }

    /** Whether stdout is read at all (else it is discarded). */
    public boolean readsStdout() {
        return stdoutSink != null || !stdoutReader.isEmpty();
    }

    /** Whether {@code q} on stdin can stop the process. */
    public boolean quitsOnQ() {
        return stdinSource == null;
    }
}
