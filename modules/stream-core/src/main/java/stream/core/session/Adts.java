package stream.core.session;

import java.util.ArrayList;
import java.util.List;

/** AAC frames with ADTS headers, as MPEG-TS carries them (stream type 0x0F). */
final class Adts {
    static final int SAMPLES_PER_FRAME = 1024;
    private static final int[] SAMPLE_RATES = {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000,
            11025, 8000, 7350};

    private Adts() {}

    /** The sample rate named by the ADTS header at {@code off}, or 0 when it is not a valid header. */
    static int sampleRate(byte[] b, int off) {
        if (!isHeader(b, off)) {
            return 0;
        }
        int index = (b[off + 2] >> 2) & 0x0F;
        return index < SAMPLE_RATES.length ? SAMPLE_RATES[index] : 0;
    }

    static int channels(byte[] b, int off) {
        return ((b[off + 2] & 0x01) << 2) | ((b[off + 3] >> 6) & 0x03);
    }

    static boolean isHeader(byte[] b, int off) {
        return off + 7 <= b.length && (b[off] & 0xFF) == 0xFF && (b[off + 1] & 0xF0) == 0xF0;
    }

    static int frameLength(byte[] b, int off) {
        return ((b[off + 3] & 0x03) << 11) | ((b[off + 4] & 0xFF) << 3) | ((b[off + 5] & 0xE0) >> 5);
    }

    /** Splits a PES payload into its ADTS frames; stops at the first byte that is not a whole frame. */
    static List<byte[]> split(byte[] payload) {
        List<byte[]> frames = new ArrayList<>();
        int off = 0;
        while (isHeader(payload, off)) {
            int len = frameLength(payload, off);
            if (len < 7 || off + len > payload.length) {
                break;
            }
            byte[] frame = new byte[len];
            System.arraycopy(payload, off, frame, 0, len);
            frames.add(frame);
            off += len;
        }
        return frames;
    }

    /** One frame's duration in 90 kHz ticks (fractional: 1024 samples at 44.1 kHz is 2089.8 ticks). */
    static double frameTicks(int sampleRate) {
        return SAMPLES_PER_FRAME * (double) Ts.TICKS_PER_SECOND / sampleRate;
    }
}
