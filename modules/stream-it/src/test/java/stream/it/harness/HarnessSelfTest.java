package stream.it.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Proves each server of the harness really works, using Debian's ffmpeg directly. */
class HarnessSelfTest {

    private static final Duration T = Duration.ofSeconds(30);

    /** Pids and temp dirs seen during a test: all must be gone after close(). */
    private final List<Long> pids = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();
    private long began;

    @BeforeEach
    void begin() {
        began = System.nanoTime();
    }

    @AfterEach
    void everythingCleanedUp(TestInfo test) {
        for (long pid : pids) {
            assertFalse(Processes.isAlive(pid), "pid " + pid + " still alive: " + Processes.info(pid));
        }
        for (Path dir : dirs) {
            assertFalse(Files.exists(dir), dir + " not deleted");
        }
        assertTrue(ShutdownHook.stillOpen().isEmpty(), "left open: " + ShutdownHook.stillOpen());
        System.out.printf("TIMING %s: %d ms%n", test.getDisplayName(), (System.nanoTime() - began) / 1_000_000);
    }

    private void track(RtspCamera camera) {
        pids.add(camera.pid());
        dirs.add(camera.logFile().getParent());
        System.out.printf("TIMING camera start (%s): %d ms%n", camera.options().audio(), camera.lastStartupTime().toMillis());
    }

    private void track(RtmpServer rtmp) {
        pids.addAll(rtmp.pids());
        dirs.add(rtmp.logFile().getParent());
    }

    private void track(FfmpegProcess ffmpeg) {
        pids.add(ffmpeg.pid());
        dirs.add(ffmpeg.logFile().getParent());
    }

    @Test
    void aacCameraRelaysToRtmpAndFreezeStallsIt() {
        try (RtspCamera camera = RtspCamera.builder().audio(RtspCamera.Audio.AAC).start();
             RtmpServer rtmp = new RtmpServer().start()) {
            track(camera);
            track(rtmp);
            assertEquals("rtsp://127.0.0.1:" + camera.port() + "/cam1", camera.url());
            RtspProbe.RtspResponse describe = RtspProbe.describe(camera.url());
            assertEquals(200, describe.status());
            assertEquals(2, describe.mediaLines().size(), describe.body());

            try (FfmpegProcess ffmpeg = FfmpegProcess.relay(camera.url(), rtmp.rtmpUrl("aac"))) {
                track(ffmpeg);
                RtmpStreamStats stream = rtmp.waitForPublishing("aac", T);
                stream = rtmp.waitForBytesGrowing("aac", T);
                assertEquals(new RtmpStreamStats.Video("H264", 640, 360, 25, "Baseline", "3.0"), stream.video(), stream.toString());
                assertEquals(new RtmpStreamStats.Audio("AAC", 16000, 1, "LC"), stream.audio(), stream.toString());
                assertTrue(stream.publishing() && stream.clients() >= 1, stream.toString());
                assertEquals(List.of(ffmpeg.pid()),
                        Processes.findByArgument("ffmpeg", camera.url()).stream().map(Processes.ProcessInfo::pid).toList());

                // Shared media: a second viewer must not disturb the first one's timestamps.
                try (FfmpegProcess viewer = FfmpegProcess.start("-rtsp_transport", "tcp", "-i", camera.url(),
                        "-t", "1", "-f", "null", "-")) {
                    track(viewer);
                    assertEquals(0, viewer.awaitExit(T), viewer.output());
                }
                rtmp.waitForBytesGrowing("aac", T);
                assertFalse(ffmpeg.output().contains("Non-monotonous DTS"), ffmpeg.output());

                camera.freeze();
                assertTrue(camera.isFrozen());
                assertEquals('T', Processes.info(camera.pid()).orElseThrow().state());
                RtmpStreamStats stalled = rtmp.waitForBytesStalled("aac", Duration.ofSeconds(2), T);
                assertTrue(ffmpeg.isAlive(), "ffmpeg waits for the frozen camera");
                assertTrue(stalled.publishing());

                camera.thaw();
                rtmp.waitForBytesGrowing("aac", T);
            }
            Processes.awaitNoneMatching("ffmpeg", camera.url(), T);
            rtmp.waitUntilNotPublishing("aac", T);
        }
    }

    @Test
    void digestCameraWithAtInPasswordAndPcmuAudio() {
        try (RtspCamera camera = RtspCamera.builder().audio(RtspCamera.Audio.PCMU).auth("admin", "s3cr@t:pw").start();
             RtmpServer rtmp = new RtmpServer().start()) {
            track(camera);
            track(rtmp);
            assertEquals("rtsp://admin:s3cr%40t%3Apw@127.0.0.1:" + camera.port() + "/cam1", camera.url());

            RtspProbe.RtspResponse ok = RtspProbe.describe(camera.url());
            assertEquals(200, ok.status(), ok.toString());
            assertTrue(ok.rtpmaps().stream().anyMatch(l -> l.contains("PCMU/8000")), ok.body());
            RtspProbe.RtspResponse anonymous = RtspProbe.describe(camera.urlWithoutCredentials());
            assertEquals(401, anonymous.status());
            assertTrue(anonymous.authenticate().stream().anyMatch(h -> h.startsWith("Digest")), anonymous.toString());
            assertEquals(401, RtspProbe.describe(camera.urlWithPassword("wrong")).status());

            // PCMU cannot go to YouTube as is: transcode audio to AAC, copy video.
            try (FfmpegProcess ffmpeg = FfmpegProcess.relay(camera.url(), rtmp.rtmpUrl("pcmu"),
                    "-c:v", "copy", "-c:a", "aac", "-ar", "44100", "-b:a", "64k")) {
                track(ffmpeg);
                rtmp.waitForPublishing("pcmu", T);
                RtmpStreamStats stream = rtmp.waitForBytesGrowing("pcmu", T);
                assertEquals("H264", stream.video().codec());
                assertEquals(new RtmpStreamStats.Audio("AAC", 44100, 1, "LC"), stream.audio(), stream.toString());
            }

            try (FfmpegProcess wrong = FfmpegProcess.start("-rtsp_transport", "tcp", "-i", camera.urlWithPassword("wrong"),
                    "-t", "1", "-f", "null", "-")) {
                track(wrong);
                assertNotEquals(0, wrong.awaitExit(T));
                assertTrue(wrong.output().contains("401 Unauthorized"), wrong.output());
            }
        }
    }

    @Test
    void basicAuthCamera() {
        try (RtspCamera camera = RtspCamera.builder().auth("viewer", "p@ss").authMethod(RtspCamera.AuthMethod.BASIC).start()) {
            track(camera);
            assertEquals(200, RtspProbe.describe(camera.url()).status());
            RtspProbe.RtspResponse wrong = RtspProbe.describe(camera.urlWithPassword("p@sS"));
            assertEquals(401, wrong.status());
            assertTrue(wrong.authenticate().stream().anyMatch(h -> h.startsWith("Basic")), wrong.toString());
        }
    }

    @Test
    void cameraStopAndRestartOnSamePort() {
        try (RtspCamera camera = RtspCamera.builder().keyframeInterval(Duration.ofSeconds(2)).start()) {
            track(camera);
            String url = camera.url();
            long firstPid = camera.pid();
            camera.stop();
            assertFalse(camera.isRunning());
            assertFalse(Processes.isAlive(firstPid));
            assertFalse(TestPorts.accepts(camera.port()));
            assertThrows(IllegalStateException.class, () -> RtspProbe.describe(url));

            camera.restart();
            track(camera);
            long secondPid = camera.pid();
            camera.freeze();
            camera.stop(); // SIGKILL works on a stopped process too
            assertFalse(Processes.isAlive(secondPid));
            camera.start();
            track(camera);
            assertEquals(url, camera.url());
            assertNotEquals(firstPid, camera.pid());
            assertEquals(200, RtspProbe.describe(url).status());
        }
    }

    @Test
    void rtmpServerRejectsStopsAndRestarts() {
        try (RtspCamera camera = RtspCamera.builder().start();
             RtmpServer rtmp = new RtmpServer().start()) {
            track(camera);
            track(rtmp);

            try (FfmpegProcess rejected = FfmpegProcess.relay(camera.url(), rtmp.rejectingUrl("nope"))) {
                track(rejected);
                long start = System.nanoTime();
                assertNotEquals(0, rejected.awaitExit(T), rejected.output());
                System.out.printf("TIMING ffmpeg failing on the rejecting URL: %d ms%n", (System.nanoTime() - start) / 1_000_000);
                assertTrue(rtmp.log().contains("access forbidden by rule"), rtmp.log());
                assertTrue(rtmp.stats().streams(RtmpServer.REJECT_APP).stream().noneMatch(RtmpStreamStats::publishing));
            }

            int rtmpPort = rtmp.rtmpPort();
            try (FfmpegProcess ffmpeg = FfmpegProcess.relay(camera.url(), rtmp.rtmpUrl("k"))) {
                track(ffmpeg);
                rtmp.waitForBytesGrowing("k", T);
                long start = System.nanoTime();
                rtmp.stop();
                System.out.printf("TIMING RtmpServer.stop(): %d ms%n", (System.nanoTime() - start) / 1_000_000);
                assertFalse(rtmp.isRunning());
                assertFalse(TestPorts.accepts(rtmpPort));
                assertThrows(IllegalStateException.class, rtmp::stats);
                assertNotEquals(0, ffmpeg.awaitExit(T), "ffmpeg loses its RTMP connection");
                System.out.printf("TIMING ffmpeg exit after RTMP server stop: %d ms%n", (System.nanoTime() - start) / 1_000_000);
            }

            rtmp.start();
            track(rtmp);
            assertEquals(rtmpPort, rtmp.rtmpPort());
            try (FfmpegProcess ffmpeg = FfmpegProcess.relay(camera.url(), rtmp.rtmpUrl("k"))) {
                track(ffmpeg);
                rtmp.waitForBytesGrowing("k", T);
                rtmp.restart();
                track(rtmp);
                ffmpeg.awaitExit(T);
                assertTrue(rtmp.stream("k").isEmpty(), "a fresh nginx knows no stream");
            }
        }
    }

    @Test
    void nchanPublishSubscribeReplayAndRestart() {
        try (NchanServer nchan = new NchanServer().start()) {
            pids.addAll(nchan.pids());
            dirs.add(nchan.logFile().getParent());
            String id1;
            String id2;
            try (SseClient sub = SseClient.connect(nchan.subscribeUrl("control"))) {
                assertEquals(200, sub.status());
                assertTrue(sub.headers().get("content-type").startsWith("text/event-stream"), sub.headers().toString());
                nchan.waitForSubscribers("control", 1, T);

                id1 = nchan.publish("control", "status", "{\"state\":\"live\"}");
                assertTrue(id1.matches("\\d+:\\d+"), id1);
                assertEquals(new SseEvent(id1, "status", "{\"state\":\"live\"}"), sub.next(T));
                assertTrue(sub.lines().containsAll(List.of("id: " + id1, "event: status", "data: {\"state\":\"live\"}")),
                        sub.lines().toString());

                id2 = nchan.publish("control", "plain");
                assertEquals(new SseEvent(id2, "message", "plain"), sub.next(T));
                assertEquals(id2, sub.lastEventId());
            }
            // Published while nobody listens; a reconnect with Last-Event-ID must replay exactly these.
            String id3 = nchan.publish("control", "command", "line one\nline two");
            String id4 = nchan.publish("control", "command", "three");
            try (SseClient again = SseClient.connect(nchan.subscribeUrl("control"), id2)) {
                assertEquals(List.of(new SseEvent(id3, "command", "line one\nline two"), new SseEvent(id4, "command", "three")),
                        again.next(2, T));
                assertTrue(again.lines().containsAll(List.of("data: line one", "data: line two")), again.lines().toString());

                int port = nchan.port();
                List<Long> oldPids = nchan.pids();
                nchan.stop();
                assertFalse(TestPorts.accepts(port));
                oldPids.forEach(pid -> assertFalse(Processes.isAlive(pid)));
                again.awaitEnd(T);

                nchan.start();
                pids.addAll(nchan.pids());
                assertEquals(port, nchan.port());
            }
            try (SseClient fresh = SseClient.connect(nchan.subscribeUrl("control"))) {
                nchan.waitForSubscribers("control", 1, T);
                String id5 = nchan.publish("control", "status", "back");
                assertNotNull(id5);
                assertEquals(new SseEvent(id5, "status", "back"), fresh.next(T));
            }
        }
    }
}
