package stream.core.session;

import java.io.IOException;
import java.util.Optional;

import stream.core.SecretMasker;

/** One camera's ingest ffmpeg and the thread that demuxes its transport stream into the splicer. */
final class CameraIngest {
    private final String rtspUrl;
    private final Optional<VideoEncoding> encoding;
    private final MediaProcess process;
    private final Splicer.Input input;
    private final long startedNanos;
    private volatile boolean ended;
    private final TsDemuxer demuxer;

    private CameraIngest(String rtspUrl, Optional<VideoEncoding> encoding, MediaProcess process, Splicer.Input input) {
        this.rtspUrl = rtspUrl;
        this.encoding = encoding;
        this.process = process;
        this.input = input;
        this.startedNanos = System.nanoTime();
        this.demuxer = new TsDemuxer(input);
    }

    /** @param encoding how the camera's video is encoded, or empty for a copy */
    static CameraIngest start(String rtspUrl, Optional<VideoEncoding> encoding, SessionCommands commands,
                              MediaProcess.Starter starter, Splicer splicer, String label) {
        MediaProcess p = starter.start("ingest", commands.ingest(rtspUrl, encoding), SecretMasker.forUrls(rtspUrl));
        CameraIngest ingest = new CameraIngest(rtspUrl, encoding, p, splicer.newInput(label, true, false));
        Thread reader = new Thread(ingest::read, "ingest-" + p.pid());
        reader.setDaemon(true);
        reader.start();
        return ingest;
    }

    private void read() {
        try {
            process.stdin().close();
            demuxer.readAll(process.stdout());
        } catch (IOException e) {
            // the process went away; ended says so
        } finally {
            ended = true;
        }
    }

    String rtspUrl() {
        return rtspUrl;
    }

    Optional<VideoEncoding> encoding() {
        return encoding;
    }

    Splicer.Input input() {
        return input;
    }

    long pid() {
        return process.pid();
    }

    /** Whether its output is still open (the process exits when the camera goes away). */
    boolean alive() {
        return !ended;
    }

    long ageNanos() {
        return System.nanoTime() - startedNanos;
    }

    String lastError() {
        var tail = process.stderrTail();
        return tail.isEmpty() ? "" : tail.get(tail.size() - 1);
    }

    void close() {
        process.close();
    }
}
