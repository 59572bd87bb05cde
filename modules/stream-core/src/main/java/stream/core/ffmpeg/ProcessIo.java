package stream.core.ffmpeg;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Consumer;

/**
 * What a supervised ffmpeg's standard streams are for. The relay reads ffmpeg's {@code -progress} on stdout and
 * writes {@code q} to stdin to stop it gracefully ({@link #PROGRESS_ON_STDOUT}). A process whose stdout carries media
 * (an ingest feeding a publisher, a relay feeding a snapshot maker) writes its progress to stderr instead
 * ({@code -progress pipe:2}) and hands stdout to a sink; a process fed on stdin gets its input from a source and is
 * stopped with SIGTERM, since {@code q} cannot be written into a media stream.
 *
 * @param stdoutSink reads the process's stdout on its own thread until it ends; null: stdout is progress
 * @param stdinSource writes the process's stdin on its own thread; null: stdin is kept for {@code q}
 */
public record ProcessIo(Consumer<InputStream> stdoutSink, Consumer<OutputStream> stdinSource) {
    /** Progress on stdout ({@code -progress pipe:1}), {@code q} on stdin: the relay. */
    public static final ProcessIo PROGRESS_ON_STDOUT = new ProcessIo(null, null);

    /** Stdout carries media to {@code sink}; progress comes on stderr ({@code -progress pipe:2}). */
    public static ProcessIo stdoutTo(Consumer<InputStream> sink) {
        return new ProcessIo(sink, null);
    }

    /** The same, with stdin fed by {@code source}. */
    public ProcessIo withStdinFrom(Consumer<OutputStream> source) {
        return new ProcessIo(stdoutSink, source);
    }

    /** Whether ffmpeg's progress arrives on stderr, mixed with its log lines. */
    public boolean progressOnStderr() {
        return stdoutSink != null;
    }

    /** Whether {@code q} on stdin can stop the process. */
    public boolean quitsOnQ() {
        return stdinSource == null;
    }
}
