package stream.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A second viewer of the destination, Debian's ffprobe on rtmp://127.0.0.1/live/KEY from nginx-rtmp, that counts
 * the fresh AVC sequence headers it receives after the first: ffmpeg's FLV demuxer hands each one on as "New
 * Extradata" side data of the next picture. A cut to pictures of another size or profile is only decodable at a
 * destination that gets one (issue 17 point 4).
 */
final class SequenceHeaderWatch implements AutoCloseable {
    private final Process process;
    private final AtomicLong pictures = new AtomicLong();
    private final AtomicLong newHeaders = new AtomicLong();
    private final Thread reader;

    SequenceHeaderWatch(String rtmpUrl) {
        try {
            process = new ProcessBuilder("/usr/bin/ffprobe", "-v", "error", "-i", rtmpUrl, "-select_streams", "v",
                    "-show_entries", "packet=pts:packet_side_data=side_data_type", "-of", "compact=p=0")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start ffprobe", e);
        }
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    pictures.incrementAndGet();
                    if (line.contains("New Extradata")) {
                        newHeaders.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                // ffprobe ended
            }
        }, "sequence-headers-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Pictures seen (ffprobe's output is block-buffered: the last few seconds may not be counted yet). */
    long pictures() {
        return pictures.get();
    }

    /** Sequence headers received after the first one. */
    long newHeaders() {
        return newHeaders.get();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        reader.join(5_000);
    }
}
