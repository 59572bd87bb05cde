package stream.core.session;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

/** Hand-made H.264 and AAC for the session tests: real SPS/PPS from x264, slice payloads as filler. */
final class TestMedia {
    /** x264's SPS for 640x360, High profile (an ffmpeg run's output). */
    static final byte[] SPS_640x360 = HexFormat.of().parseHex("6764001eacd940a02ff97011000003000100000300320f162d96");
    /** x264's SPS for 320x240, Constrained Baseline. */
    static final byte[] SPS_320x240 = HexFormat.of().parseHex("6742c00dd90141fb011000000300100000030320f142a480");
    static final byte[] PPS = HexFormat.of().parseHex("68ebe3cb22c0");
    private static final byte[] START = {0, 0, 0, 1};

    private TestMedia() {}

    static byte[] annexB(byte[]... nals) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] nal : nals) {
            out.writeBytes(START);
            out.writeBytes(nal);
        }
        return out.toByteArray();
    }

    static byte[] slice(int type, int size, int fill) {
        byte[] nal = new byte[size];
        nal[0] = (byte) (0x60 | type);
        nal[1] = (byte) 0x88; // first_mb_in_slice = 0
        for (int i = 2; i < size; i++) {
            nal[i] = (byte) fill; // never 0: no start code can appear inside
        }
        return nal;
    }

    static byte[] aud() {
        return new byte[] {0x09, (byte) 0xF0};
    }

    /** An IDR access unit: AUD, SPS, PPS, IDR slice. */
    static byte[] keyframe(byte[] sps, int size) {
        return annexB(aud(), sps, PPS, slice(H264.NAL_IDR, size, 0x5A));
    }

    /** A P picture: AUD, non-IDR slice. */
    static byte[] picture(int size) {
        return annexB(aud(), slice(1, size, 0x3C));
    }

    /** An ADTS frame header for AAC-LC at {@code rate} (44100 or 16000), stereo, with {@code payload} bytes after it. */
    static byte[] adts(int rate, int payload, int fill) {
        int index = rate == 44100 ? 4 : rate == 16000 ? 8 : 3;
        int len = 7 + payload;
        byte[] f = new byte[len];
        f[0] = (byte) 0xFF;
        f[1] = (byte) 0xF1;
        f[2] = (byte) ((1 << 6) | (index << 2)); // profile LC (1), rate index, channel config high bit 0
        f[3] = (byte) ((2 << 6) | ((len >> 11) & 0x03)); // 2 channels
        f[4] = (byte) ((len >> 3) & 0xFF);
        f[5] = (byte) (((len & 0x07) << 5) | 0x1F);
        f[6] = (byte) 0xFC;
        for (int i = 7; i < len; i++) {
            f[i] = (byte) fill;
        }
        return f;
    }
}
