package stream.core.session;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

import stream.core.SecretMasker;

/**
 * A one-shot ffmpeg whose media comes out of {@link #stdout}: the slate's and the silence's encodes (see
 * {@link SlateEncoder}), which run once and are not kept alive. Every ffmpeg a session keeps running (the ingests, the
 * publisher, the snapshot process) has an {@link stream.core.ffmpeg.FfmpegKeeper} instead.
 */
public interface MediaProcess extends AutoCloseable {

    /**
     * Starts processes; {@code role} names the process in logs and thread names; {@code masker} hides the secrets
     * of the command's URLs in whatever is kept from its stderr.
     */
    @FunctionalInterface
    interface Starter {
        MediaProcess start(String role, List<String> command, SecretMasker masker);
    }

    long pid();

    boolean isAlive();

    InputStream stdout();

    OutputStream stdin();

    /** The last lines of its stderr, with secrets masked. */
    List<String> stderrTail();

    /** Asks it to stop (SIGTERM, so a publisher writes its trailer) and kills it if it has not after a grace period. */
    @Override
    void close();
}
