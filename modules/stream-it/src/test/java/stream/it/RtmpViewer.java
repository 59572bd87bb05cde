package stream.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import stream.core.session.MediaFrame;
import stream.core.session.TsDemuxer;
import stream.it.harness.FfmpegProcess;
import stream.it.harness.ScratchDir;

/**
 * A viewer of the destination: Debian's ffmpeg playing rtmp://127.0.0.1/live/KEY from nginx-rtmp and copying what it
 * receives as MPEG-TS to a pipe, flushed packet by packet, where every frame is noted with its arrival time. One RTMP
 * play session for the viewer's whole life: if nginx ended it, ffmpeg would exit.
 */
final class RtmpViewer implements AutoCloseable {

    /** A frame as the viewer got it: when (System.nanoTime) and its timestamps in 90 kHz ticks. */
    record Arrival(long nanos, MediaFrame.Kind kind, long pts, long dts, boolean keyframe, String size) {}

    private final Process process;
    private final Path dir;
    private final List<Arrival> arrivals = new ArrayList<>();
    private final Thread reader;

    RtmpViewer(String rtmpUrl) {
        dir = ScratchDir.create("viewer");
        try {
            process = new ProcessBuilder(FfmpegProcess.FFMPEG.toString(), "-hide_banner", "-nostdin",
                    "-loglevel", "warning", "-fflags", "nobuffer", "-i", rtmpUrl, "-map", "0", "-c", "copy",
                    "-f", "mpegts", "-flush_packets", "1", "pipe:1")
                    .redirectError(dir.resolve("viewer.log").toFile())
                    .start();
        } catch (IOException e) {
            ScratchDir.delete(dir);
            throw new IllegalStateException("cannot start the viewer", e);
        }
        TsDemuxer demuxer = new TsDemuxer(f -> {
            int[] size = f.pictureSize();
            Arrival a = new Arrival(System.nanoTime(), f.kind(), f.pts(), f.dts(), f.keyframe(),
                    size == null ? null : size[0] + "x" + size[1]);
            synchronized (arrivals) {
                arrivals.add(a);
            }
        });
        reader = new Thread(() -> {
            try {
                process.getOutputStream().close();
                demuxer.readAll(process.getInputStream());
            } catch (IOException e) {
                // the viewer ended; isAlive says so
            }
        }, "viewer-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    boolean isAlive() {
        return process.isAlive() && reader.isAlive();
    }

    long pid() {
        return process.pid();
    }

    List<Arrival> arrivals() {
        synchronized (arrivals) {
            return List.copyOf(arrivals);
        }
    }

    List<Arrival> video() {
        return arrivals().stream().filter(a -> a.kind() == MediaFrame.Kind.VIDEO).toList();
    }

    List<Arrival> audio() {
        return arrivals().stream().filter(a -> a.kind() == MediaFrame.Kind.AUDIO).toList();
    }

    /** The picture sizes in the order the viewer got them, each change once. */
    List<String> sizes() {
        List<String> sizes = new ArrayList<>();
        for (Arrival a : video()) {
            if (a.size() != null && (sizes.isEmpty() || !sizes.get(sizes.size() - 1).equals(a.size()))) {
                sizes.add(a.size());
            }
        }
        return sizes;
    }

    long videoFrames() {
        return video().size();
    }

    String log() {
        try {
            return Files.readString(dir.resolve("viewer.log"));
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ScratchDir.delete(dir);
        }
    }
}
