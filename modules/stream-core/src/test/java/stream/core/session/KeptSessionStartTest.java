package stream.core.session;

import static stream.core.TestWaits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a new kept session starts its processes, with a stand-in for ffmpeg that plays a short H.264 file as the
 * camera (through Debian's ffmpeg, at its own rate), records what the publisher is given, and makes the slate and the
 * silence with the real ffmpeg: the camera's ingest is started first, the publisher and the snapshot process after
 * it, and the first publisher gets the output from the session's first picture on.
 */
class KeptSessionStartTest {
    private static final String FFMPEG = "/usr/bin/ffmpeg";

    @TempDir
    Path dir;

    @Test
    void theIngestStartsFirstAndThePublisherGetsTheSessionsFirstPicture() throws Exception {
        Path camera = dir.resolve("camera.ts");
        run(List.of(FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                "testsrc=size=320x240:rate=25", "-t", "3", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
                "-bf", "0", "-pix_fmt", "yuv420p", "-f", "mpegts", camera.toString()));
        Path launches = dir.resolve("launches");
        Path publisherInput = dir.resolve("publisher-input.ts");
        Path fake = dir.resolve("ffmpeg");
        Files.writeString(fake, """
                #!/bin/sh
                case "$*" in
                  *lavfi*) exec %1$s "$@" ;;
                  *rtsp://*) echo ingest >> '%2$s'
                    exec %1$s -hide_banner -nostdin -loglevel error -re -i '%3$s' -c copy -f mpegts -flush_packets 1 pipe:1 ;;
                  *image2*) echo snapshot >> '%2$s'; exec cat > /dev/null ;;
                  *pipe:0*) echo publisher >> '%2$s'; exec cat > '%4$s' ;;
                esac
                exit 1
                """.formatted(FFMPEG, launches, camera, publisherInput));
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));

        List<String> log = new ArrayList<>();
        KeptSession session = new KeptSession(new SessionCommands(fake.toString()),
                SessionProcesses.unrecorded(PlainMediaProcess.starter()),
                KeptSession.Settings.defaults("test", "rtmp://127.0.0.1:1935/live/key", dir.resolve("work"))
                        .withSnapshot(dir.resolve("snapshot.jpg")),
                "rtsp://127.0.0.1:8554/cam1", line -> {
                    synchronized (log) {
                        log.add(line);
                    }
                });
        List<MediaFrame> video;
        try {
            await(() -> videoFrames(publisherInput).size() >= 10, "ten pictures given to the publisher");
            video = videoFrames(publisherInput);
        } finally {
            session.close();
        }
        List<String> order = Files.readAllLines(launches);
        assertEquals("ingest", order.get(0), "the camera's ingest is started first: " + order);
        assertTrue(order.indexOf("publisher") > 0 && order.indexOf("snapshot") > 0,
                "the publisher and the snapshot process follow: " + order);
        MediaFrame first = video.get(0);
        assertTrue(first.keyframe(), "the publisher's input starts at a keyframe");
        assertEquals(Splicer.START_TICKS, first.dts(),
                "and at the session's first picture, not at a later keyframe: what waited in the feed while the "
                        + "publisher started is not dropped (" + log + ")");
    }

    private static List<MediaFrame> videoFrames(Path ts) {
        List<MediaFrame> frames = new ArrayList<>();
        try {
            if (!Files.exists(ts)) {
                return frames;
            }
            new TsDemuxer(f -> {
                if (f.isVideo()) {
                    frames.add(f);
                }
            }).readAll(new ByteArrayInputStream(Files.readAllBytes(ts)));
        } catch (IOException e) {
            // a partly written last packet: what was read so far counts
        }
        return frames;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "ffmpeg failed: " + out);
    }
}
