package stream.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import stream.core.session.KeptSession;
import stream.core.session.PlainMediaProcess;
import stream.core.session.SessionCommands;
import stream.core.session.SessionProcesses;
import stream.it.harness.FfmpegProcess;
import stream.it.harness.Processes;
import stream.it.harness.RtmpServer;
import stream.it.harness.RtspCamera;
import stream.it.harness.ScratchDir;
import stream.it.harness.Waits;

/**
 * Issue 17's core against the real servers: ingest ffmpegs from GStreamer cameras, the splicer in this JVM, a
 * publisher ffmpeg to nginx-rtmp, and a viewer pulling the destination. Across a camera switch, an outage and a
 * freeze, the destination must see one RTMP session whose frames keep coming with timestamps that run on.
 */
class KeptSessionTest {
    private static final Duration LONG = Duration.ofSeconds(60);
    /** Longest wall-clock pause between two pictures the viewer may see. */
    private static final long MAX_ARRIVAL_GAP_NANOS = Duration.ofSeconds(1).toNanos();
    /** Largest step between two pictures' timestamps (0.5 s at 90 kHz). */
    private static final long MAX_TIMESTAMP_STEP = 45_000;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<String> sessionLog = new CopyOnWriteArrayList<>();
    private RtmpServer rtmp;
    private Path workDir;

    @BeforeEach
    void servers() {
        rtmp = track(new RtmpServer().start());
        workDir = ScratchDir.create("session");
    }

    @AfterEach
    void stopAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
        ScratchDir.delete(workDir);
    }

    private <T extends AutoCloseable> T track(T c) {
        toClose.add(c);
        return c;
    }

    private KeptSession session(String key, String rtspUrl) {
        KeptSession.Settings settings = KeptSession.Settings.defaults("front-door", rtmp.rtmpUrl(key), workDir);
        KeptSession s = new KeptSession(new SessionCommands(FfmpegProcess.FFMPEG.toString()),
                SessionProcesses.unrecorded(PlainMediaProcess.starter()), settings, rtspUrl,
                line -> {
                    sessionLog.add(line);
                    System.out.println("session: " + line);
                });
        Thread monitor = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(1000);
                    KeptSession.Status st = s.status();
                    System.out.println("status: " + st.source() + " ahead " + st.output().aheadMillis() + " ms, "
                            + st.output().videoFrames() + " pictures");
                }
            } catch (InterruptedException e) {
                // test over
            }
        });
        monitor.setDaemon(true);
        monitor.start();
        toClose.add(monitor::interrupt);
        return track(s);
    }

    /** Starts a viewer once the destination is published, and waits until it receives pictures. */
    private RtmpViewer viewer(String key) {
        rtmp.waitForPublishing(key, LONG);
        RtmpViewer v = track(new RtmpViewer(rtmp.rtmpUrl(key)));
        Waits.waitUntil(() -> v.videoFrames() >= 25 || !v.isAlive(), LONG, "viewer receiving 25 pictures");
        assertTrue(v.isAlive(), "viewer ended: " + v.log());
        return v;
    }

    private long publisherClientId(String key) {
        return rtmp.stats().publisherClientId(key).orElseThrow(() -> new AssertionError("nobody publishes " + key));
    }

    /** Closes the session and checks that none of its ffmpeg processes is left. */
    private void closeAndCheckNothingLeft(KeptSession s, RtmpViewer viewer, String key, RtspCamera... cams) {
        viewer.close(); // it reads the same URL
        long publisher = s.publisherPid();
        s.close();
        Processes.awaitGone(publisher, Duration.ofSeconds(20));
        Processes.awaitNoneMatching("ffmpeg", rtmp.rtmpUrl(key), Duration.ofSeconds(20));
        for (RtspCamera cam : cams) {
            Processes.awaitNoneMatching("ffmpeg", "127.0.0.1:" + cam.port() + "/", Duration.ofSeconds(20));
        }
        rtmp.waitUntilNotPublishing(key, Duration.ofSeconds(20));
    }

    /** Waits until the viewer has received {@code count} more pictures than {@code from}. */
    private static void awaitMorePictures(RtmpViewer v, long from, long count) {
        Waits.waitUntil(() -> v.videoFrames() >= from + count || !v.isAlive(), LONG,
                "viewer receiving " + count + " more pictures");
    }

    /**
     * From the viewer's {@code skip}th picture on (its first ones come in a burst from nginx's cache): no pause over
     * 1 s between arrivals, DTS always increasing, never by more than 0.5 s; the audio track present and running on.
     */
    private static void assertContinuous(RtmpViewer v, int skip) {
        List<RtmpViewer.Arrival> video = v.video();
        long maxGap = 0;
        long maxStep = 0;
        for (int i = skip + 1; i < video.size(); i++) {
            RtmpViewer.Arrival a = video.get(i - 1);
            RtmpViewer.Arrival b = video.get(i);
            maxGap = Math.max(maxGap, b.nanos() - a.nanos());
            long step = b.dts() - a.dts();
            assertTrue(step > 0, "DTS not increasing at picture " + i + ": " + a + " then " + b);
            maxStep = Math.max(maxStep, step);
        }
        List<RtmpViewer.Arrival> audio = v.audio();
        long maxAudioStep = 0;
        for (int i = 1; i < audio.size(); i++) {
            long step = audio.get(i).pts() - audio.get(i - 1).pts();
            assertTrue(step > 0, "audio PTS not increasing at frame " + i);
            maxAudioStep = Math.max(maxAudioStep, step);
        }
        long span = video.get(video.size() - 1).dts() - video.get(skip).dts();
        long wall = video.get(video.size() - 1).nanos() - video.get(skip).nanos();
        System.out.printf("viewer from picture %d: %d pictures over %.2f s of timestamps and %.2f s of wall clock%n",
                skip, video.size() - skip, span / 90_000.0, wall / 1e9);
        System.out.printf("viewer: %d pictures, %d audio frames, longest arrival gap %d ms, largest DTS step %d ms,"
                        + " largest audio step %d ms%n", video.size(), audio.size(), maxGap / 1_000_000,
                maxStep / 90, maxAudioStep / 90);
        assertTrue(maxGap <= MAX_ARRIVAL_GAP_NANOS, "pictures paused " + maxGap / 1_000_000 + " ms at the viewer");
        assertTrue(maxStep <= MAX_TIMESTAMP_STEP, "timestamps jumped " + maxStep / 90 + " ms");
        assertTrue(audio.size() > video.size(), "audio track missing or sparse: " + audio.size() + " frames");
        assertTrue(maxAudioStep <= MAX_TIMESTAMP_STEP, "audio timestamps jumped " + maxAudioStep / 90 + " ms");
    }

    @AfterEach
    void printPublisherLog() {
        for (AutoCloseable c : toClose) {
            if (c instanceof KeptSession s) {
                System.out.println("publisher stderr: " + s.publisherLog());
                System.out.println("status: " + s.status());
            }
        }
    }

    @Test
    void switchToACameraWithoutAudioOfAnotherSizeBehindAPasswordKeepsTheSession() {
        RtspCamera withAudio = track(RtspCamera.builder().audio(RtspCamera.Audio.AAC).start());
        RtspCamera silent = track(RtspCamera.builder().path("/cam2").size(320, 240).auth("viewer", "s3cr@t:pw")
                .start());
        KeptSession s = session("switch", withAudio.url());
        RtmpViewer v = viewer("switch");
        long client = publisherClientId("switch");
        awaitMorePictures(v, v.videoFrames(), 50);

        s.switchCamera(silent.url());
        Waits.waitUntil(() -> s.status().switches() == 1, LONG, "the switch to the camera without audio");
        awaitMorePictures(v, v.videoFrames(), 75);
        assertEquals(KeptSession.Source.CAMERA, s.status().source());

        s.switchCamera(withAudio.url());
        Waits.waitUntil(() -> s.status().switches() == 2, LONG, "the switch back");
        awaitMorePictures(v, v.videoFrames(), 75);

        assertTrue(v.isAlive(), "viewer session ended: " + v.log());
        assertEquals(client, publisherClientId("switch"), "the publisher reconnected");
        assertContinuous(v, 25);
        List<String> sizes = v.sizes(); // may begin with the slate's, when the first camera was slow to show a picture
        assertEquals(List.of("640x360", "320x240", "640x360"), sizes.subList(Math.max(0, sizes.size() - 3), sizes.size()),
                "picture sizes at the viewer: " + sizes);
        // Normally "switched from camera ... to ..."; on a machine so loaded that the first camera stalls for the
        // stall timeout meanwhile, the second one comes in after a moment of slate: either way at its keyframe.
        String second = "rtsp://viewer:***@127.0.0.1:" + silent.port() + "/cam2";
        assertTrue(sessionLog.stream().anyMatch(l -> l.startsWith("switched from camera " + withAudio.url() + " to " + second)
                || l.startsWith("camera " + second + " is back on air")), sessionLog.toString());
        assertTrue(sessionLog.stream().noneMatch(l -> l.contains("s3cr") || l.contains("pw@")), sessionLog.toString());
        closeAndCheckNothingLeft(s, v, "switch", withAudio, silent);
    }

    @Test
    void cameraGoneForEightSecondsShowsTheSlateAndComesBack() {
        RtspCamera cam = track(RtspCamera.builder().audio(RtspCamera.Audio.AAC).start());
        KeptSession s = session("gone", cam.url());
        RtmpViewer v = viewer("gone");
        long client = publisherClientId("gone");
        awaitMorePictures(v, v.videoFrames(), 50);
        long ingest = s.cameraIngestPid();

        long stoppedAt = System.nanoTime();
        cam.stop();
        Waits.waitUntil(() -> s.status().source() == KeptSession.Source.SLATE, LONG, "the slate on air");
        long slateAfter = System.nanoTime() - stoppedAt;
        // an outage of 8 s by definition: the camera stays away until then, while the slate is watched
        Waits.waitUntil(() -> System.nanoTime() - stoppedAt >= Duration.ofSeconds(8).toNanos(), LONG,
                "8 s of outage");
        cam.start();
        Waits.waitUntil(() -> s.status().source() == KeptSession.Source.CAMERA, LONG, "the camera back on air");
        awaitMorePictures(v, v.videoFrames(), 50);

        System.out.printf("slate on air %d ms after the camera stopped; %.1f s of slate%n", slateAfter / 1_000_000,
                s.status().slateSeconds());
        assertTrue(slateAfter < Duration.ofSeconds(2).toNanos(), "slate after " + slateAfter / 1_000_000 + " ms");
        assertTrue(s.status().slateSeconds() >= 6, "slate seconds " + s.status().slateSeconds());
        assertTrue(v.isAlive(), "viewer session ended: " + v.log());
        assertEquals(client, publisherClientId("gone"), "the publisher reconnected");
        assertContinuous(v, 25);
        Processes.awaitGone(ingest, Duration.ofSeconds(20));
        closeAndCheckNothingLeft(s, v, "gone", cam);
    }

    @Test
    void frozenCameraShowsTheSlateAndComesBackWhenThawed() {
        RtspCamera cam = track(RtspCamera.builder().start());
        KeptSession s = session("frozen", cam.url());
        RtmpViewer v = viewer("frozen");
        long client = publisherClientId("frozen");
        awaitMorePictures(v, v.videoFrames(), 50);

        cam.freeze();
        Waits.waitUntil(() -> s.status().source() == KeptSession.Source.SLATE, LONG, "the slate on air");
        awaitMorePictures(v, v.videoFrames(), 100); // four seconds of slate at the viewer
        cam.thaw();
        Waits.waitUntil(() -> s.status().source() == KeptSession.Source.CAMERA, LONG, "the camera back on air");
        awaitMorePictures(v, v.videoFrames(), 50);

        assertTrue(v.isAlive(), "viewer session ended: " + v.log());
        assertEquals(client, publisherClientId("frozen"), "the publisher reconnected");
        assertContinuous(v, 25);
        assertTrue(sessionLog.stream().anyMatch(l -> l.startsWith("slate on air")), sessionLog.toString());
        assertTrue(sessionLog.stream().anyMatch(l -> l.contains("back on air")), sessionLog.toString());
        closeAndCheckNothingLeft(s, v, "frozen", cam);
    }
}
