package stream.core.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class TsRoundTripTest {

    private static List<MediaFrame> demux(byte[] ts) throws IOException {
        List<MediaFrame> frames = new ArrayList<>();
        new TsDemuxer(frames::add).readAll(new ByteArrayInputStream(ts));
        return frames;
    }

    @Test
    void framesComeBackWithTheirTimestampsAndBytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TsMuxer muxer = new TsMuxer(out);
        List<MediaFrame> written = List.of(
                MediaFrame.video(93_600, 90_000, TestMedia.keyframe(TestMedia.SPS_640x360, 5_000)),
                MediaFrame.audio(90_500, TestMedia.adts(44100, 300, 0x11)),
                MediaFrame.video(97_200, 93_600, TestMedia.picture(183)), // fills one packet's payload exactly-ish
                MediaFrame.audio(92_590, TestMedia.adts(44100, 2, 0x22)),
                MediaFrame.video(100_800, 97_200, TestMedia.picture(2)));
        for (MediaFrame f : written) {
            muxer.write(f);
        }
        byte[] ts = out.toByteArray();
        assertEquals(0, ts.length % Ts.PACKET_SIZE);
        assertEquals(ts.length, muxer.bytesWritten());

        List<MediaFrame> read = demux(ts);
        assertEquals(written.size(), read.size());
        // the demuxer hands a picture over when the next one begins, so audio may come first: compare per kind
        List<MediaFrame> videoIn = written.stream().filter(MediaFrame::isVideo).toList();
        List<MediaFrame> videoOut = read.stream().filter(MediaFrame::isVideo).toList();
        for (int i = 0; i < videoIn.size(); i++) {
            assertEquals(videoIn.get(i).pts(), videoOut.get(i).pts());
            assertEquals(videoIn.get(i).dts(), videoOut.get(i).dts());
            assertEquals(videoIn.get(i).keyframe(), videoOut.get(i).keyframe());
            assertArrayEquals(videoIn.get(i).data(), videoOut.get(i).data());
        }
        List<MediaFrame> audioOut = read.stream().filter(f -> !f.isVideo()).toList();
        assertEquals(90_500, audioOut.get(0).pts());
        assertEquals(92_590, audioOut.get(1).pts());
        assertArrayEquals(written.get(3).data(), audioOut.get(1).data());
    }

    @Test
    void everyPidCountsOnAndThePcrRunsBehindTheDts() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TsMuxer muxer = new TsMuxer(out);
        for (int i = 0; i < 60; i++) {
            long dts = 200_000 + i * 3_600L;
            byte[] au = i % 25 == 0 ? TestMedia.keyframe(TestMedia.SPS_640x360, 3_000) : TestMedia.picture(400 + i);
            muxer.write(MediaFrame.video(dts, dts, au));
            muxer.write(MediaFrame.audio(dts + 100, TestMedia.adts(44100, 200, 0x33)));
        }
        byte[] ts = out.toByteArray();
        Map<Integer, Integer> lastCc = new HashMap<>();
        int pats = 0;
        int pcrs = 0;
        for (int off = 0; off < ts.length; off += Ts.PACKET_SIZE) {
            assertEquals(Ts.SYNC_BYTE, ts[off] & 0xFF);
            int pid = Ts.pid(ts, off);
            int cc = Ts.continuityCounter(ts, off);
            Integer before = lastCc.put(pid, cc);
            if (before != null) {
                assertEquals((before + 1) & 0x0F, cc, "continuity counter of PID " + pid);
            }
            pats += pid == Ts.PAT_PID ? 1 : 0;
            long pcr = Ts.pcrBase(ts, off);
            if (pcr >= 0) {
                assertEquals(TsMuxer.VIDEO_PID, pid);
                pcrs++;
                assertTrue(pcr <= 200_000 + 59 * 3_600L - TsMuxer.PCR_DELAY);
            }
        }
        assertTrue(pats >= 6, "PAT every 100 ms and at keyframes: " + pats); // 2.4 s of pictures
        assertEquals(60, pcrs);
        assertEquals(120, demux(ts).size());
    }

    @Test
    void aLostPacketDropsItsPictureOnly() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TsMuxer muxer = new TsMuxer(out);
        muxer.write(MediaFrame.video(90_000, 90_000, TestMedia.keyframe(TestMedia.SPS_640x360, 2_000)));
        int cut = out.size() + 2 * Ts.PACKET_SIZE; // the second packet of the next picture
        muxer.write(MediaFrame.video(93_600, 93_600, TestMedia.picture(2_000)));
        muxer.write(MediaFrame.video(97_200, 97_200, TestMedia.picture(50)));
        byte[] all = out.toByteArray();
        byte[] damaged = new byte[all.length - Ts.PACKET_SIZE];
        System.arraycopy(all, 0, damaged, 0, cut);
        System.arraycopy(all, cut + Ts.PACKET_SIZE, damaged, cut, all.length - cut - Ts.PACKET_SIZE);

        List<MediaFrame> read = demux(damaged);
        assertEquals(List.of(90_000L, 97_200L), read.stream().map(MediaFrame::dts).toList());
    }

    @Test
    void aPesHeaderTooShortForItsTimestampsDropsItsPictureOnly() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TsMuxer muxer = new TsMuxer(out);
        muxer.write(MediaFrame.video(93_600, 90_000, TestMedia.keyframe(TestMedia.SPS_640x360, 2_000)));
        int second = out.size();
        muxer.write(MediaFrame.video(97_200, 93_600, TestMedia.picture(2_000)));
        muxer.write(MediaFrame.video(100_800, 97_200, TestMedia.picture(50)));
        byte[] ts = out.toByteArray();
        // the second picture's PES: after the packet header and its adaptation field (the PCR)
        int pes = second + 5 + (ts[second + 4] & 0xFF);
        assertArrayEquals(new byte[] {0, 0, 1, (byte) 0xE0}, java.util.Arrays.copyOfRange(ts, pes, pes + 4));
        assertEquals((byte) 0xC0, ts[pes + 7], "PTS and DTS announced");
        ts[pes + 8] = 5; // a header with room for the PTS only

        assertEquals(List.of(90_000L, 97_200L), demux(ts).stream().map(MediaFrame::dts).toList());
    }

    @Test
    void garbageBeforeTheFirstSyncByteIsSkipped() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {1, 2, 3, 0x47, 9});
        TsMuxer muxer = new TsMuxer(out);
        muxer.write(MediaFrame.video(90_000, 90_000, TestMedia.keyframe(TestMedia.SPS_640x360, 700)));
        muxer.write(MediaFrame.video(93_600, 93_600, TestMedia.picture(10)));
        assertEquals(2, demux(out.toByteArray()).size());
    }

    @Test
    void slicesOfOnePictureInSeveralPesAreJoined() throws IOException {
        // what ffmpeg's TS muxer makes of a camera's multi-slice IDR: two PES, the second at DTS + 1 with its own
        // AUD and repeated SPS/PPS
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TsMuxer muxer = new TsMuxer(out);
        byte[] first = TestMedia.keyframe(TestMedia.SPS_640x360, 900);
        byte[] second = TestMedia.annexB(TestMedia.aud(), TestMedia.SPS_640x360, TestMedia.PPS,
                TestMedia.slice(H264.NAL_IDR, 800, 0x61));
        muxer.write(MediaFrame.video(90_000, 90_000, first));
        muxer.write(MediaFrame.video(90_001, 90_001, second));
        muxer.write(MediaFrame.video(93_600, 93_600, TestMedia.picture(100)));
        List<MediaFrame> read = demux(out.toByteArray());

        assertEquals(2, read.size());
        MediaFrame joined = read.get(0);
        assertTrue(joined.keyframe());
        List<Integer> types = H264.nals(joined.data()).stream().map(H264.Nal::type).toList();
        assertEquals(List.of(9, 7, 8, 5, 5), types);
        assertEquals(93_600, read.get(1).dts());
    }

    @Test
    void timestampsRunOnAcrossThe33BitWrap() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TsMuxer muxer = new TsMuxer(out);
        long nearWrap = Ts.WRAP - 3_600;
        muxer.write(MediaFrame.video(nearWrap, nearWrap, TestMedia.keyframe(TestMedia.SPS_640x360, 500)));
        muxer.write(MediaFrame.video(nearWrap + 3_600, nearWrap + 3_600, TestMedia.picture(100)));
        muxer.write(MediaFrame.video(nearWrap + 7_200, nearWrap + 7_200, TestMedia.picture(100)));
        List<Long> dts = demux(out.toByteArray()).stream().map(MediaFrame::dts).toList();
        assertEquals(List.of(nearWrap, nearWrap + 3_600, nearWrap + 7_200), dts);
    }

    @Test
    void unwrapPicksTheNearestCandidate() {
        assertEquals(Ts.WRAP + 5, Ts.unwrap(5, Ts.WRAP - 10));
        assertEquals(Ts.WRAP - 10, Ts.unwrap(Ts.WRAP - 10, Ts.WRAP + 5));
        assertEquals(1_000, Ts.unwrap(1_000, 900));
        assertFalse(Ts.unwrap(0, 0) != 0);
    }
}
