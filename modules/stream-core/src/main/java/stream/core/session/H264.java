package stream.core.session;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** What the splicer needs to know about an H.264 access unit in Annex B form: its NAL units, IDR, SPS/PPS, size. */
final class H264 {
    static final int NAL_IDR = 5;
    static final int NAL_SEI = 6;
    static final int NAL_SPS = 7;
    static final int NAL_PPS = 8;
    static final int NAL_AUD = 9;

    /** A NAL unit's position inside an access unit: from its header byte to its end (start code excluded). */
    record Nal(int type, int start, int end) {}

    private H264() {}

    /** The NAL units of an Annex B access unit, in order. */
    static List<Nal> nals(byte[] au) {
        List<Nal> result = new ArrayList<>();
        int i = nextStart(au, 0);
        while (i >= 0) {
            int header = i;
            int next = nextStart(au, header);
            int end = next < 0 ? au.length : startCodeBegin(au, next);
            if (header < au.length) {
                result.add(new Nal(au[header] & 0x1F, header, end));
            }
            i = next;
        }
        return result;
    }

    /** Index just past the next 00 00 01 at or after {@code from}, or -1. */
    private static int nextStart(byte[] b, int from) {
        for (int i = from; i + 2 < b.length; i++) {
            if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1) {
                return i + 3;
            }
        }
        return -1;
    }

    /** Where the start code ending just before {@code afterStart} begins (including a leading zero of 00 00 00 01). */
    private static int startCodeBegin(byte[] b, int afterStart) {
        int s = afterStart - 3;
        return s > 0 && b[s - 1] == 0 ? s - 1 : s;
    }

    /**
     * The NAL units of an access unit up to and including its first slice (a VCL NAL unit, types 1 to 5), whose
     * {@code end} is then the end of the access unit: what comes before the picture's slices (delimiter, SPS, PPS,
     * SEI) without a scan through the slices, which are nearly all of its bytes. A picture's SPS and PPS precede its
     * first slice (after a slice they would begin the next access unit, H.264 7.4.1.2.3); the demuxer joins a
     * picture's later parts as slices only ({@link #continuation}).
     */
    static List<Nal> head(byte[] au) {
        List<Nal> result = new ArrayList<>(4);
        int i = nextStart(au, 0);
        while (i >= 0 && i < au.length) {
            int type = au[i] & 0x1F;
            if (type >= 1 && type <= NAL_IDR) {
                result.add(new Nal(type, i, au.length));
                return result;
            }
            int next = nextStart(au, i);
            result.add(new Nal(type, i, next < 0 ? au.length : startCodeBegin(au, next)));
            i = next;
        }
        return result;
    }

    /** Whether the picture is an IDR picture: its first slice is (all of an IDR picture's slices are). */
    static boolean isIdr(byte[] au) {
        List<Nal> head = head(au);
        return !head.isEmpty() && head.get(head.size() - 1).type() == NAL_IDR;
    }

    /** Whether the access unit carries both an SPS and a PPS. */
    static boolean hasParameterSets(byte[] au) {
        boolean sps = false;
        boolean pps = false;
        for (Nal n : head(au)) {
            sps |= n.type() == NAL_SPS;
            pps |= n.type() == NAL_PPS;
        }
        return sps && pps;
    }

    /** The SPS and PPS NAL units of the access unit, each with a 4-byte start code, or an empty array. */
    static byte[] parameterSets(byte[] au) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Nal n : head(au)) {
            if (n.type() == NAL_SPS || n.type() == NAL_PPS) {
                out.write(0);
                out.write(0);
                out.write(0);
                out.write(1);
                out.write(au, n.start(), n.end() - n.start());
            }
        }
        return out.toByteArray();
    }

    /**
     * The access unit with {@code parameterSets} inserted before its first slice (after an access unit delimiter,
     * which must stay first).
     */
    static byte[] withParameterSets(byte[] au, byte[] parameterSets) {
        int insertAt = 0;
        List<Nal> nals = head(au);
        if (!nals.isEmpty() && nals.get(0).type() == NAL_AUD) {
            insertAt = nals.size() > 1 ? startCodeBegin(au, nals.get(1).start()) : au.length;
        }
        byte[] out = new byte[au.length + parameterSets.length];
        System.arraycopy(au, 0, out, 0, insertAt);
        System.arraycopy(parameterSets, 0, out, insertAt, parameterSets.length);
        System.arraycopy(au, insertAt, out, insertAt + parameterSets.length, au.length - insertAt);
        return out;
    }

    /**
     * The NAL units of a later part of a picture that may follow the first part inside one access unit: its slices
     * (and anything else that may follow a slice), without delimiter, SPS, PPS or SEI, which after a slice would start
     * a new access unit for a decoder or for ffmpeg's parser.
     */
    static byte[] continuation(byte[] part) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(part.length);
        for (Nal n : nals(part)) {
            if (n.type() == NAL_AUD || n.type() == NAL_SPS || n.type() == NAL_PPS || n.type() == NAL_SEI) {
                continue;
            }
            out.write(0);
            out.write(0);
            out.write(0);
            out.write(1);
            out.write(part, n.start(), n.end() - n.start());
        }
        return out.toByteArray();
    }

    /** Width and height in pixels from the first SPS of the access unit, or null when it has none. */
    static int[] pictureSize(byte[] au) {
        for (Nal n : head(au)) {
            if (n.type() == NAL_SPS) {
                return spsSize(unescape(au, n.start() + 1, n.end()));
            }
        }
        return null;
    }

    /** Removes emulation prevention bytes (00 00 03 → 00 00). */
    private static byte[] unescape(byte[] b, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        int zeros = 0;
        for (int i = from; i < to; i++) {
            int v = b[i] & 0xFF;
            if (zeros >= 2 && v == 3) {
                zeros = 0;
                continue;
            }
            zeros = v == 0 ? zeros + 1 : 0;
            out.write(v);
        }
        return out.toByteArray();
    }

    private static int[] spsSize(byte[] rbsp) {
        BitReader r = new BitReader(rbsp);
        int profile = r.bits(8);
        r.bits(16); // constraint flags, level_idc
        r.ue(); // seq_parameter_set_id
        int chromaFormat = 1;
        if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44 || profile == 83
                || profile == 86 || profile == 118 || profile == 128 || profile == 138 || profile == 139
                || profile == 134 || profile == 135) {
            chromaFormat = r.ue();
            if (chromaFormat == 3) {
                r.bits(1);
            }
            r.ue(); // bit_depth_luma
            r.ue(); // bit_depth_chroma
            r.bits(1);
            if (r.bits(1) == 1) { // seq_scaling_matrix_present
                for (int i = 0; i < (chromaFormat == 3 ? 12 : 8); i++) {
                    if (r.bits(1) == 1) {
                        skipScalingList(r, i < 6 ? 16 : 64);
                    }
                }
            }
        }
        r.ue(); // log2_max_frame_num
        int pocType = r.ue();
        if (pocType == 0) {
            r.ue();
        } else if (pocType == 1) {
            r.bits(1);
            r.se();
            r.se();
            int cycle = r.ue();
            for (int i = 0; i < cycle; i++) {
                r.se();
            }
        }
        r.ue(); // max_num_ref_frames
        r.bits(1);
        int widthMbs = r.ue() + 1;
        int heightMapUnits = r.ue() + 1;
        int frameMbsOnly = r.bits(1);
        if (frameMbsOnly == 0) {
            r.bits(1);
        }
        r.bits(1); // direct_8x8_inference
        int cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
        if (r.bits(1) == 1) {
            cropLeft = r.ue();
            cropRight = r.ue();
            cropTop = r.ue();
            cropBottom = r.ue();
        }
        int cropUnitX = chromaFormat == 0 || chromaFormat == 3 ? 1 : 2;
        int cropUnitY = (chromaFormat == 1 ? 2 : 1) * (2 - frameMbsOnly);
        int width = widthMbs * 16 - cropUnitX * (cropLeft + cropRight);
        int height = (2 - frameMbsOnly) * heightMapUnits * 16 - cropUnitY * (cropTop + cropBottom);
        return new int[] {width, height};
    }

    private static void skipScalingList(BitReader r, int size) {
        int last = 8;
        int next = 8;
        for (int j = 0; j < size; j++) {
            if (next != 0) {
                next = (last + r.se() + 256) % 256;
            }
            last = next == 0 ? last : next;
        }
    }

    /** Exp-Golomb reading over an RBSP; reading past the end yields zeros (a truncated SPS gives a wrong size, not a crash). */
    private static final class BitReader {
        private final byte[] b;
        private long pos;

        BitReader(byte[] b) {
            this.b = b;
        }

        int bits(int n) {
            int v = 0;
            for (int i = 0; i < n; i++) {
                int byteIndex = (int) (pos >> 3);
                int bit = byteIndex < b.length ? (b[byteIndex] >> (7 - (pos & 7))) & 1 : 0;
                v = (v << 1) | bit;
                pos++;
            }
            return v;
        }

        int ue() {
            int zeros = 0;
            while (bits(1) == 0 && zeros < 31) {
                zeros++;
            }
            return (1 << zeros) - 1 + bits(zeros);
        }

        int se() {
            int k = ue();
            return (k & 1) == 1 ? (k + 1) / 2 : -(k / 2);
        }
    }
}
