package stream.core.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

import org.junit.jupiter.api.Test;

/**
 * The frames of one read of a camera's pipe reach the publisher's feed as one write: the output must be the very
 * bytes that writing every frame on its own gives (timestamps, continuity counters, PCR, PSI, silence).
 */
class BatchedOutputTest {
    private static final byte[] SILENCE = TestMedia.adts(44100, 6, 0x01);

    /** Two seconds of a camera at 25 fps with 44.1 kHz audio, as its ingest's transport stream. */
    private static byte[] cameraStream(boolean withAudio) throws IOException {
        ByteArrayOutputStream ts = new ByteArrayOutputStream();
        TsMuxer camera = new TsMuxer(ts);
        long audioPts = 5_000_000;
        for (int n = 0; n < 50; n++) {
            long dts = 5_000_000 + n * 3_600L;
            byte[] au = n % 25 == 0 ? TestMedia.keyframe(TestMedia.SPS_640x360, 2_000 + n) : TestMedia.picture(300 + n);
            camera.write(MediaFrame.video(dts + 3_600, dts, au));
            while (withAudio && audioPts < dts + 3_600) {
                camera.write(MediaFrame.audio(audioPts, TestMedia.adts(44100, 200, 0x30)));
                audioPts += 2_090;
            }
        }
        return ts.toByteArray();
    }

    /** An output stream that counts the writes it gets. */
    private static final class CountingOut extends ByteArrayOutputStream {
        int writes;

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writes++;
            super.write(b, off, len);
        }
    }

    /** Hands out the stream in reads of uneven sizes, not aligned to packets, as a pipe does. */
    private static final class UnevenReads extends InputStream {
        private static final int[] SIZES = {4_096, 188 * 3 + 17, 1_000, 65_536, 700};
        private final ByteArrayInputStream in;
        int reads;

        UnevenReads(byte[] data) {
            this.in = new ByteArrayInputStream(data);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = in.read(b, off, Math.min(len, SIZES[reads % SIZES.length]));
            if (n > 0) {
                reads++;
            }
            return n;
        }
    }

    private static void readByRead(boolean withAudio) throws IOException {
        byte[] source = cameraStream(withAudio);

        // as before: every frame written and flushed on its own
        CountingOut oneByOne = new CountingOut();
        Splicer reference = new Splicer(new TsMuxer(oneByOne), SILENCE, () -> 0L, null);
        Splicer.Input refInput = reference.newInput("camera", withAudio, true);
        reference.arm(refInput);
        new TsDemuxer(new TsDemuxer.Sink() {
            @Override
            public void program(boolean hasVideo, boolean hasAudio) {
                refInput.program(hasVideo, hasAudio && withAudio);
            }

            @Override
            public void frame(MediaFrame frame) {
                refInput.frame(frame);
            }
        }).readAll(new ByteArrayInputStream(source));

        CountingOut batched = new CountingOut();
        Splicer splicer = new Splicer(new TsMuxer(batched), SILENCE, () -> 0L, null);
        Splicer.Input input = splicer.newInput("camera", withAudio, true);
        splicer.arm(input);
        UnevenReads pipe = new UnevenReads(source);
        new TsDemuxer(new TsDemuxer.Sink() {
            @Override
            public void program(boolean hasVideo, boolean hasAudio) {
                input.program(hasVideo, hasAudio && withAudio); // the camera's PMT without its audio stream
            }

            @Override
            public void frame(MediaFrame frame) {
                input.frame(frame);
            }

            @Override
            public void startOfRead() {
                input.startOfRead();
            }

            @Override
            public void endOfRead() {
                input.endOfRead();
            }
        }).readAll(pipe);

        assertTrue(oneByOne.size() > 0, "the reference has output");
        assertArrayEquals(oneByOne.toByteArray(), batched.toByteArray(), "the same bytes, batched or not");
        assertEquals(batched.size(), splicer.stats().bytes());
        assertTrue(batched.writes <= pipe.reads + 1, batched.writes + " writes for " + pipe.reads + " reads");
        assertTrue(batched.writes < oneByOne.writes, batched.writes + " writes batched, " + oneByOne.writes + " one by one");
        if (!withAudio) {
            assertTrue(splicer.stats().silentAudioFrames() > 40, "silence for a camera without audio");
        }
    }

    @Test
    void aCameraWithAudioGivesTheSameBytesInOneWritePerRead() throws IOException {
        readByRead(true);
    }

    @Test
    void aCameraWithoutAudioGetsTheSameSilenceInOneWritePerRead() throws IOException {
        readByRead(false);
    }

    @Test
    void aFrameGivenOnItsOwnIsWrittenAtOnce() throws IOException {
        CountingOut out = new CountingOut();
        Splicer splicer = new Splicer(new TsMuxer(out), SILENCE, () -> 0L, null);
        Splicer.Input slate = splicer.newInput("slate", false, true);
        splicer.arm(slate);
        slate.frame(MediaFrame.video(0, 0, TestMedia.keyframe(TestMedia.SPS_640x360, 500)));
        assertEquals(1, out.writes);
        assertEquals(1, splicer.stats().videoFrames());
        slate.startOfRead();
        slate.frame(MediaFrame.video(3_600, 3_600, TestMedia.picture(100)));
        assertEquals(1, out.writes, "held until the end of the read");
        slate.endOfRead();
        assertEquals(2, out.writes);
    }
}
