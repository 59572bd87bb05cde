package stream.core.session;

import java.io.IOException;

import stream.core.SecretMasker;

/** One camera's ingest ffmpeg and the thread that demuxes its transport stream into the splicer. */
final class CameraIngest {
    private final String rtspUrl;
    private final MediaProcess process;
    private final Splicer.Input input;
    private final long startedNanos;
    private volatile boolean ended;
    private volatile Runnable endListener;
    private final TsDemuxer demuxer;

    private CameraIngest(String rtspUrl, MediaProcess process, Splicer.Input input) {
        this.rtspUrl = rtspUrl;
        this.process = process;
        this.input = input;
        this.startedNanos = System.nanoTime();
        this.demuxer = new TsDemuxer(input);
    }

    static CameraIngest start(String rtspUrl, SessionCommands commands, MediaProcess.Starter starter, Splicer splicer,
                              String label) {
        MediaProcess p = starter.start("ingest", commands.ingest(rtspUrl), SecretMasker.forUrls(rtspUrl));
        CameraIngest ingest = new CameraIngest(rtspUrl, p, splicer.newInput(label, true, false));
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
            Runnable listener = endListener;
            if (listener != null) {
                listener.run();
            }
        }
    }

    /** Runs {@code listener} (short, non-blocking) once the output has ended, at once if it has already. */
    void whenEnded(Runnable listener) {
        endListener = listener;
        if (ended) {
            listener.run();
        }
    }

    String rtspUrl() {
        return rtspUrl;
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
