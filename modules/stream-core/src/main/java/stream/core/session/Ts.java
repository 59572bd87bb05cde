package stream.core.session;

/** MPEG-TS constants and the 33-bit timestamp arithmetic shared by the demuxer and the muxer (ISO/IEC 13818-1). */
final class Ts {
    static final int PACKET_SIZE = 188;
    static final int SYNC_BYTE = 0x47;
    static final int PAT_PID = 0x0000;
    static final int NULL_PID = 0x1FFF;
    static final int STREAM_TYPE_AAC_ADTS = 0x0F;
    static final int STREAM_TYPE_H264 = 0x1B;
    /** 2^33: PTS, DTS and the PCR base wrap around here (about 26.5 hours at 90 kHz). */
    static final long WRAP = 1L << 33;
    static final long TICKS_PER_SECOND = 90_000;

    private Ts() {}

    static int pid(byte[] p, int off) {
        return ((p[off + 1] & 0x1F) << 8) | (p[off + 2] & 0xFF);
    }

    static boolean payloadUnitStart(byte[] p, int off) {
        return (p[off + 1] & 0x40) != 0;
    }

    static int continuityCounter(byte[] p, int off) {
        return p[off + 3] & 0x0F;
    }

    static boolean hasPayload(byte[] p, int off) {
        return (p[off + 3] & 0x10) != 0;
    }

    static boolean hasAdaptationField(byte[] p, int off) {
        return (p[off + 3] & 0x20) != 0;
    }

    /** Offset of the payload inside the packet, or -1 when it has none (or a malformed adaptation field). */
    static int payloadOffset(byte[] p, int off) {
        if (!hasPayload(p, off)) {
            return -1;
        }
        int start = 4;
        if (hasAdaptationField(p, off)) {
            start += 1 + (p[off + 4] & 0xFF);
        }
        return start < PACKET_SIZE ? start : -1;
    }

    /** The PCR base (90 kHz) carried in this packet's adaptation field, or -1. */
    static long pcrBase(byte[] p, int off) {
        if (!hasAdaptationField(p, off) || (p[off + 4] & 0xFF) < 7 || (p[off + 5] & 0x10) == 0) {
            return -1;
        }
        return ((p[off + 6] & 0xFFL) << 25) | ((p[off + 7] & 0xFFL) << 17) | ((p[off + 8] & 0xFFL) << 9)
                | ((p[off + 9] & 0xFFL) << 1) | ((p[off + 10] & 0x80L) >> 7);
    }

    /** Reads the 33-bit timestamp of a PES header field (5 bytes at {@code at}). */
    static long readTimestamp(byte[] b, int at) {
        return ((b[at] & 0x0EL) << 29) | ((b[at + 1] & 0xFFL) << 22) | ((b[at + 2] & 0xFEL) << 14)
                | ((b[at + 3] & 0xFFL) << 7) | ((b[at + 4] & 0xFEL) >> 1);
    }

    /** Writes a 33-bit PES timestamp with its 4-bit prefix ('0010' PTS only, '0011' PTS of a pair, '0001' DTS). */
    static void writeTimestamp(byte[] b, int at, int prefix, long ts) {
        long t = ts & (WRAP - 1);
        b[at] = (byte) ((prefix << 4) | (int) ((t >> 29) & 0x0E) | 1);
        b[at + 1] = (byte) (t >> 22);
        b[at + 2] = (byte) (((t >> 14) & 0xFE) | 1);
        b[at + 3] = (byte) (t >> 7);
        b[at + 4] = (byte) (((t << 1) & 0xFE) | 1);
    }

    /**
     * Lifts a 33-bit timestamp onto an unbounded timeline next to {@code reference} (the previous unbounded value):
     * the candidate nearest to it, so a wrap of the 33-bit counter reads as time running on.
     */
    static long unwrap(long raw33, long reference) {
        long base = reference - (reference & (WRAP - 1));
        long best = base + raw33;
        for (long candidate : new long[] {best - WRAP, best + WRAP}) {
            if (Math.abs(candidate - reference) < Math.abs(best - reference)) {
                best = candidate;
            }
        }
        return best;
    }

    /** CRC-32/MPEG-2 over {@code len} bytes, as PSI sections carry it. */
    static int crc32(byte[] b, int off, int len) {
        int crc = 0xFFFFFFFF;
        for (int i = off; i < off + len; i++) {
            crc ^= (b[i] & 0xFF) << 24;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }
        return crc;
    }
}
