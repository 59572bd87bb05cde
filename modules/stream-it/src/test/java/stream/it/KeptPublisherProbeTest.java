package stream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import stream.core.session.SessionCommands;
import stream.it.harness.FfmpegProcess;
import stream.it.harness.RtmpServer;
import stream.it.harness.RtmpStreamStats;
import stream.it.harness.ScratchDir;

/**
 * A kept session's publisher must open its RTMP session after a fraction of a second of the splicer's transport
 * stream, not after ffmpeg's default 5 s of probing: every new session (the first start, a new publisher after the
 * old one died or nginx restarted, the appliance's restart, a new destination) otherwise reaches the destination
 * about 4.5 s later than its media is ready, while the status already says running (bench/soak.sh measured 10 to
 * 13 s without pictures at the viewer per new session). Measured in media, not in wall-clock time: the publisher is
 * given two seconds of stream and its stdin is kept open; a publisher that waits to probe five seconds never
 * publishes.
 */
class KeptPublisherProbeTest {
    static final Duration LONG = Duration.ofSeconds(60);

    @Test
    void thePublisherOpensTheDestinationAfterTwoSecondsOfStream() throws Exception {
        Path dir = ScratchDir.create("probe");
        try (RtmpServer rtmp = new RtmpServer().start()) {
            // two seconds as the splicer sends them: H.264 with a keyframe a second, AAC 44.1 kHz stereo, in MPEG-TS
            Path ts = dir.resolve("two-seconds.ts");
            Process make = new ProcessBuilder(FfmpegProcess.FFMPEG.toString(), "-hide_banner", "-nostdin", "-loglevel",
                    "error", "-f", "lavfi", "-i", "testsrc=s=320x240:r=25", "-f", "lavfi", "-i", "sine=r=44100",
                    "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-ar", "44100",
                    "-ac", "2", "-f", "mpegts", ts.toString()).redirectErrorStream(true).start();
            assertTrue(make.waitFor(60, TimeUnit.SECONDS), "making the test stream");
            assertEquals(0, make.exitValue(), new String(make.getInputStream().readAllBytes()));

            String key = "probe" + System.nanoTime();
            List<String> cmd = new SessionCommands(FfmpegProcess.FFMPEG.toString()).publisher(rtmp.rtmpUrl(key));
            Process publisher = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("publisher.log").toFile()).start();
            try {
                OutputStream stdin = publisher.getOutputStream();
                stdin.write(Files.readAllBytes(ts));
                stdin.flush(); // and kept open: the stream goes on, as far as the publisher knows
                RtmpStreamStats s = rtmp.waitForPublishing(key, LONG);
                assertEquals(320, s.video().width(), s.toString());
                assertEquals("AAC", s.audio().codec(), s.toString());
            } finally {
                publisher.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            ScratchDir.delete(dir);
        }
    }
}
