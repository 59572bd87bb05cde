package stream.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class SplicerTest {
    private static final long FRAME = 3_600; // 25 fps
    private static final long FRAME_NANOS = 40_000_000L;
    private static final byte[] SILENCE = TestMedia.adts(44100, 6, 0x01);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<String> cuts = new ArrayList<>();
    private final Splicer splicer = new Splicer(new TsMuxer(out), SILENCE, clock::get,
            (from, to, at) -> cuts.add(from + ">" + to + "@" + at));

    /** A camera: keyframe every 25 pictures, timestamps from {@code base}. */
    private static final class Camera {
        final Splicer.Input input;
        final long base;
        final byte[] sps;
        int n;

        Camera(Splicer.Input input, long base, byte[] sps) {
            this.input = input;
            this.base = base;
            this.sps = sps;
        }

        MediaFrame next() {
            long dts = base + n * FRAME;
            byte[] au = n % 25 == 0 ? TestMedia.keyframe(sps, 300) : TestMedia.picture(60);
            n++;
            return MediaFrame.video(dts, dts, au);
        }

        long nextDts() {
            return base + n * FRAME;
        }
    }

    @Test
    void aSourcesSilenceIsCountedOnlyAsFarAsItsReadsHaveSeen() {
        Camera cam = new Camera(splicer.newInput("cam", false, false), 0, TestMedia.SPS_640x360);
        splicer.arm(cam.input);
        // a source whose reads are not reported (fed directly): silent from its last picture to now
        cam.input.frame(cam.next());
        clock.addAndGet(300_000_000L);
        assertEquals(300_000_000L, cam.input.nanosWithoutPicture());

        // a read that brings a picture, then a rest of 600 ms: nothing is known of the rest, so no silence
        cam.input.readStarting(false);
        cam.input.startOfRead();
        clock.addAndGet(1_000_000L);
        cam.input.frame(cam.next());
        cam.input.endOfRead();
        clock.addAndGet(600_000_000L);
        assertTrue(cam.input.nanosWithoutPicture() < 0, "a resting reader: " + cam.input.nanosWithoutPicture());
        assertEquals(600_000_000L, cam.input.nanosSinceLastPicture(), "the wall clock since the picture");

        // the next read waits in an empty pipe: the silence runs from the picture to now
        cam.input.readStarting(false);
        clock.addAndGet(100_000_000L);
        assertEquals(700_000_000L, cam.input.nanosWithoutPicture());

        // it returns with audio only: silent up to when that read began, not further while the reader rests
        cam.input.startOfRead();
        cam.input.frame(MediaFrame.audio(cam.nextDts(), SILENCE));
        cam.input.endOfRead();
        clock.addAndGet(200_000_000L);
        assertEquals(600_000_000L, cam.input.nanosWithoutPicture());

        // its pipe ends (the ingest exited): no read is coming, the silence runs on with the clock
        cam.input.readsEnded();
        assertEquals(900_000_000L, cam.input.nanosWithoutPicture());
        clock.addAndGet(100_000_000L);
        assertEquals(1_000_000_000L, cam.input.nanosWithoutPicture());
    }

    @Test
    void anArmedSilenceWatchIsToldWhenAReadWaitsOrLeavesTheSourceSilentTooLongAndOnlyOnce() {
        Camera cam = new Camera(splicer.newInput("cam", false, false), 0, TestMedia.SPS_640x360);
        splicer.arm(cam.input);
        List<String> looks = new ArrayList<>();
        long watched = 500_000_000L;
        assertTrue(cam.input.silenceGrowsByItself(), "reads not reported: its silence runs with the clock");

        // steady reads that find pictures, with rests between them: no look
        cam.input.armSilenceWatch(watched, () -> looks.add("look"));
        for (int i = 0; i < 8; i++) {
            cam.input.readHandedOver();
            cam.input.readStarting(false);
            cam.input.startOfRead();
            cam.input.frame(cam.next());
            cam.input.endOfRead();
            assertFalse(cam.input.silenceGrowsByItself(), "a resting reader: its silence grows only at reads");
            clock.addAndGet(250_000_000L);
        }
        cam.input.readHandedOver();
        assertEquals(List.of(), looks, "a steady camera needs no look");

        // a read that finds the pipe empty waits: told at once, and its silence grows with the clock
        cam.input.readStarting(true);
        assertEquals(List.of("look"), looks);
        assertTrue(cam.input.silenceGrowsByItself());
        // told once: not again until armed again
        cam.input.startOfRead();
        cam.input.frame(MediaFrame.audio(cam.nextDts(), SILENCE));
        cam.input.endOfRead();
        cam.input.readHandedOver();
        cam.input.readStarting(true);
        assertEquals(1, looks.size(), "a watch that was told is spent");

        // audio only from here (a frozen picture): told when a read handed over leaves it silent longer than watched
        cam.input.armSilenceWatch(watched, () -> looks.add("silent"));
        long silenceWhenTold = -1;
        for (int i = 0; i < 6 && looks.size() == 1; i++) {
            cam.input.startOfRead();
            cam.input.frame(MediaFrame.audio(cam.nextDts(), SILENCE));
            cam.input.endOfRead();
            clock.addAndGet(250_000_000L);
            cam.input.readHandedOver();
            silenceWhenTold = cam.input.nanosWithoutPicture();
            cam.input.readStarting(false);
        }
        assertEquals(List.of("look", "silent"), looks);
        assertTrue(silenceWhenTold > watched, "told once the known silence passed the watch: " + silenceWhenTold);
        assertTrue(silenceWhenTold <= watched + 250_000_000L, "at the first read that showed it: " + silenceWhenTold);
    }

    private List<MediaFrame> output() throws IOException {
        List<MediaFrame> frames = new ArrayList<>();
        TsDemuxer d = new TsDemuxer(frames::add);
        d.readAll(new ByteArrayInputStream(out.toByteArray()));
        return frames;
    }

    private static List<MediaFrame> video(List<MediaFrame> frames) {
        return frames.stream().filter(MediaFrame::isVideo).toList();
    }

    /** One frame interval passes; each camera delivers its next picture. */
    private void live(Camera... cams) {
        clock.addAndGet(FRAME_NANOS);
        for (Camera c : cams) {
            c.input.frame(c.next());
        }
    }

    @Test
    void cutsAtTheNewCamerasFirstLiveKeyframeAndTimestampsRunOn() throws IOException {
        Camera a = new Camera(splicer.newInput("a", false, false), 7_000_000, TestMedia.SPS_640x360);
        splicer.arm(a.input);
        for (int i = 0; i < 40; i++) {
            live(a); // the session's first source: on air at its first keyframe, picture 0
        }
        assertSame(a.input, splicer.active());
        Camera b = new Camera(splicer.newInput("b", false, false), 123_456, TestMedia.SPS_320x240);
        splicer.arm(b.input);
        for (int i = 0; i < 60; i++) {
            live(a, b);
        }
        assertSame(b.input, splicer.active());
        assertNull(splicer.pending());
        assertEquals(1, splicer.cuts());

        List<MediaFrame> v = video(output());
        // a from its picture 0 to the cut: 40 + 26 pictures (a delivers first each interval); b from its picture 25
        // (its first live keyframe: a second source waits out its pace window) on: 35 pictures
        assertEquals(40 + 26 + 35, v.size());
        for (int i = 1; i < v.size(); i++) {
            assertEquals(FRAME, v.get(i).dts() - v.get(i - 1).dts(), "DTS step at output picture " + i);
        }
        assertTrue(v.get(0).keyframe());
        assertTrue(v.get(66).keyframe());
        assertTrue(H264.hasParameterSets(v.get(66).data()));
        assertTrue(Arrays.equals(new int[] {320, 240}, splicer.pictureSize()));
        assertEquals(2, cuts.size());
        assertTrue(cuts.get(1).startsWith("a>b@"), cuts.toString());
    }

    @Test
    void picturesTheOldCameraSkippedDoNotLengthenTheCutsStep() throws IOException {
        Camera a = new Camera(splicer.newInput("a", false, false), 7_000_000, TestMedia.SPS_640x360);
        splicer.arm(a.input);
        for (int i = 0; i < 60; i++) {
            live(a);
            if (i % 4 == 3) {
                a.n++; // a loaded camera drops a picture now and then: a step of two intervals
                clock.addAndGet(FRAME_NANOS);
            }
        }
        assertEquals(FRAME, a.input.frameTicks(), "skipped pictures are not the camera's rate");
        Camera b = new Camera(splicer.newInput("b", false, false), 123_456, TestMedia.SPS_320x240);
        splicer.arm(b.input);
        for (int i = 0; i < 60 && splicer.active() != b.input; i++) {
            live(a, b);
        }
        assertSame(b.input, splicer.active());
        List<MediaFrame> v = video(output());
        int cut = -1;
        for (int i = 1; i < v.size(); i++) {
            if (v.get(i).keyframe() && H264.pictureSize(v.get(i).data())[0] == 320) {
                cut = i;
                break;
            }
        }
        assertTrue(cut > 0, "b's first picture on air");
        assertEquals(FRAME, v.get(cut).dts() - v.get(cut - 1).dts(), "the cut's step is one frame interval");
    }

    @Test
    void aCameraThatReallySlowsDownIsMeasuredAtItsNewRate() {
        Camera a = new Camera(splicer.newInput("a", false, false), 0, TestMedia.SPS_640x360);
        for (int i = 0; i < 30; i++) {
            live(a);
        }
        assertEquals(FRAME, a.input.frameTicks());
        for (int i = 0; i < 12; i++) {
            a.n++; // 12.5 fps from now on
            live(a);
        }
        assertEquals(2 * FRAME, a.input.frameTicks());
    }

    @Test
    void theSessionsFirstSourceGoesOnAirAtItsFirstKeyframeBacklogAndAll() throws IOException {
        Camera a = new Camera(splicer.newInput("a", false, false), 5_000, TestMedia.SPS_640x360);
        splicer.arm(a.input);
        for (int i = 0; i < 20; i++) {
            a.input.frame(a.next()); // what its ffmpeg buffered while probing, all at once
        }
        assertSame(a.input, splicer.active(), "nothing was on air: no pacing to wait for");
        List<MediaFrame> v = video(output());
        assertEquals(20, v.size());
        assertTrue(v.get(0).keyframe());
        assertEquals(1, cuts.size());
    }

    @Test
    void aBacklogIsNotPutOnAir() throws IOException {
        Camera a = new Camera(splicer.newInput("a", false, false), 0, TestMedia.SPS_640x360);
        splicer.arm(a.input);
        for (int i = 0; i < 30; i++) {
            live(a);
        }
        Camera b = new Camera(splicer.newInput("b", false, false), 900_000, TestMedia.SPS_640x360);
        splicer.arm(b.input);
        for (int i = 0; i < 75; i++) {
            b.input.frame(b.next()); // three seconds of pictures at once: keyframes 0, 25, 50 in it
        }
        assertSame(a.input, splicer.active());
        for (int i = 0; i < 49; i++) {
            live(a, b); // b now live, but its window still holds the burst until it has been live for a while
        }
        assertSame(b.input, splicer.active(), "cut at b's keyframe 100");
        List<MediaFrame> v = video(output());
        // a: pictures 0..29, then 30..55 while b became live; b: its keyframe 100 (at 75 its window still held the
        // burst) to 123. None of b's burst is on air.
        assertEquals(30 + 26 + 24, v.size());
        assertTrue(v.get(56).keyframe());
        for (int i = 1; i < v.size(); i++) {
            assertEquals(FRAME, v.get(i).dts() - v.get(i - 1).dts(), "DTS step at output picture " + i);
        }
    }

    @Test
    void aSourceWithoutAudioGetsSilenceAndAudioRunsOnAcrossTheCut() throws IOException {
        Camera a = new Camera(splicer.newInput("a", true, false), 0, TestMedia.SPS_640x360);
        splicer.arm(a.input);
        long audioPts = 0;
        for (int i = 0; i < 60; i++) {
            live(a);
            while (audioPts < a.nextDts()) {
                a.input.frame(MediaFrame.audio(audioPts, TestMedia.adts(44100, 20, 0x44)));
                audioPts += 2_090;
            }
        }
        Camera b = new Camera(splicer.newInput("b", true, false), 50_000_000, TestMedia.SPS_640x360);
        b.input.program(true, false);
        splicer.arm(b.input);
        for (int i = 0; i < 60; i++) {
            live(a, b);
            while (audioPts < a.nextDts()) {
                a.input.frame(MediaFrame.audio(audioPts, TestMedia.adts(44100, 20, 0x44)));
                audioPts += 2_090;
            }
        }
        assertSame(b.input, splicer.active());
        List<MediaFrame> all = output();
        List<MediaFrame> audio = all.stream().filter(f -> !f.isVideo()).toList();
        List<MediaFrame> v = video(all);
        long lastVideo = v.get(v.size() - 1).dts();
        for (int i = 1; i < audio.size(); i++) {
            long step = audio.get(i).pts() - audio.get(i - 1).pts();
            assertTrue(step > 0 && step <= 2_100, "audio step " + step + " at frame " + i);
        }
        assertTrue(audio.get(audio.size() - 1).pts() >= lastVideo, "silence keeps up with the pictures");
        long silent = audio.stream().filter(f -> Arrays.equals(f.data(), SILENCE)).count();
        assertEquals(splicer.stats().silentAudioFrames(), silent);
        assertTrue(silent > 40, "b's pictures are covered with silence: " + silent);
    }

    @Test
    void aKeyframeWithoutParameterSetsGetsThemFromEarlierInItsSource() throws IOException {
        Splicer.Input in = splicer.newInput("cam", false, true);
        splicer.arm(in);
        in.frame(MediaFrame.video(0, 0, TestMedia.annexB(TestMedia.SPS_640x360, TestMedia.PPS))); // sets alone
        clock.addAndGet(FRAME_NANOS);
        in.frame(MediaFrame.video(FRAME, FRAME, TestMedia.annexB(TestMedia.aud(), TestMedia.slice(5, 50, 3))));
        clock.addAndGet(FRAME_NANOS);
        in.frame(MediaFrame.video(2 * FRAME, 2 * FRAME, TestMedia.picture(20)));
        clock.addAndGet(FRAME_NANOS);
        in.frame(MediaFrame.video(3 * FRAME, 3 * FRAME, TestMedia.picture(20)));
        List<MediaFrame> v = video(output());
        assertEquals(3, v.size());
        assertEquals(List.of(9, 7, 8, 5), H264.nals(v.get(0).data()).stream().map(H264.Nal::type).toList());
    }

    @Test
    void theLagSaysHowFarTheOutputIsBehindTheWallClock() {
        Splicer.Input in = splicer.newInput("slate", false, true);
        splicer.arm(in);
        in.frame(MediaFrame.video(0, 0, TestMedia.keyframe(TestMedia.SPS_640x360, 50)));
        assertEquals(0, splicer.lagTicks());
        clock.addAndGet(1_000_000_000L);
        assertEquals(90_000, splicer.lagTicks());
        in.frame(MediaFrame.video(FRAME, FRAME, TestMedia.picture(20)));
        assertEquals(90_000 - FRAME, splicer.lagTicks());
        assertEquals(-(1_000 - 40), splicer.stats().aheadMillis());
    }

    @Test
    void aRestartedOutputBeginsAtTheNextKeyframeWithPsiAndParameterSetsAndItsTimestampsRunOn() throws IOException {
        Splicer.Input cam = splicer.newInput("cam", false, false);
        splicer.arm(cam);
        long base = 5_000_000;
        int n = 0;
        // a camera that sends its SPS/PPS with its first keyframe only, a keyframe every 25 pictures
        for (; n < 60; n++) {
            clock.addAndGet(FRAME_NANOS);
            cam.frame(cameraPicture(base, n));
        }
        assertSame(cam, splicer.active());
        long lastBefore = splicer.lastVideoDts();
        int pictureBefore = video(output()).size();
        assertTrue(pictureBefore > 0);

        splicer.restartOutput(out::reset); // a new publisher: what the old one did not take is dropped
        for (; n < 90; n++) {
            clock.addAndGet(FRAME_NANOS);
            cam.frame(cameraPicture(base, n));
        }
        byte[] bytes = out.toByteArray();
        assertEquals(0, ((bytes[1] & 0x1F) << 8) | (bytes[2] & 0xFF), "the new output starts with a PAT");
        List<MediaFrame> after = video(output());
        assertEquals(15, after.size(), "pictures 75 to 89: from the keyframe at 75 on, the ones before it left out");
        MediaFrame first = after.get(0);
        assertTrue(first.keyframe(), "it starts at a keyframe");
        assertTrue(H264.hasParameterSets(first.data()), "with the SPS/PPS the camera sent long before");
        assertEquals(lastBefore + 16 * FRAME, first.dts(), "the timeline runs on, across the pictures left out");
    }

    private static MediaFrame cameraPicture(long base, int n) {
        long dts = base + n * FRAME;
        byte[] au = n == 0 ? TestMedia.keyframe(TestMedia.SPS_640x360, 300)
                : n % 25 == 0 ? TestMedia.annexB(TestMedia.aud(), TestMedia.slice(H264.NAL_IDR, 300, 0x5A))
                : TestMedia.picture(60);
        return MediaFrame.video(dts, dts, au);
    }
}
