package stream.core.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes one program of H.264 video and AAC/ADTS audio as MPEG-TS with fixed PIDs and a PMT that never changes, so
 * whatever the sources behind it, the publisher reading it sees one unbroken transport stream. PAT and PMT are
 * repeated every 100 ms and before every keyframe; the PCR rides on the video PID at {@link #PCR_DELAY} before the
 * picture's DTS, as ffmpeg's own muxer does (its default mux delay is 0.7 s).
 */
public final class TsMuxer {
    static final int PMT_PID = 0x1000;
    static final int VIDEO_PID = 0x100;
    static final int AUDIO_PID = 0x101;
    static final long PCR_DELAY = 63_000;
    private static final long PSI_INTERVAL = 9_000;

    private final OutputStream out;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(128 * 1024);
    private final int[] cc = new int[0x2000];
    /** One packet being built; every byte of it is written before it is copied into {@code pending}. */
    private final byte[] packet = new byte[Ts.PACKET_SIZE];
    private long lastPsiAt = Long.MIN_VALUE;
    private long bytesWritten;

    public TsMuxer(OutputStream out) {
        this.out = out;
    }

    /** Writes one frame (timestamps on the output timeline, non-negative) and flushes it to the stream. */
    public void write(MediaFrame f) throws IOException {
        append(f);
        flush();
    }

    /**
     * Adds one frame's packets to what the next {@link #flush} writes: the frames a camera's ingest delivers in one
     * read of its pipe reach the publisher's feed as one write (one wake-up of its thread, one write to the pipe).
     */
    public void append(MediaFrame f) {
        if (f.isVideo()) {
            if (f.keyframe() || lastPsiAt == Long.MIN_VALUE || f.dts() - lastPsiAt >= PSI_INTERVAL) {
                writePsi();
                lastPsiAt = f.dts();
            }
            writePes(VIDEO_PID, 0xE0, f, true);
        } else {
            if (lastPsiAt == Long.MIN_VALUE) {
                return; // nothing before the first picture: the publisher's probe starts on a keyframe
            }
            writePes(AUDIO_PID, 0xC0, f, false);
        }
    }

    /**
     * Starts the stream over for a new reader (a publisher started again): what was appended and not flushed is
     * dropped, and the next picture, which must be a keyframe, comes after a PAT and PMT; audio waits for it.
     */
    public void restart() {
        pending.reset();
        lastPsiAt = Long.MIN_VALUE;
    }

    /** Writes what was appended since the last flush, if anything, and flushes the stream. */
    public void flush() throws IOException {
        if (pending.size() == 0) {
            return;
        }
        int size = pending.size();
        pending.writeTo(out);
        bytesWritten += size;
        pending.reset();
        out.flush();
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    private void writePsi() {
        byte[] pat = {
                0x00, (byte) 0xB0, 0x0D, 0x00, 0x01, (byte) 0xC1, 0x00, 0x00,
                0x00, 0x01, (byte) (0xE0 | (PMT_PID >> 8)), (byte) PMT_PID};
        writeSection(Ts.PAT_PID, pat);
        byte[] pmt = {
                0x02, (byte) 0xB0, 0x17, 0x00, 0x01, (byte) 0xC1, 0x00, 0x00,
                (byte) (0xE0 | (VIDEO_PID >> 8)), (byte) VIDEO_PID, (byte) 0xF0, 0x00,
                Ts.STREAM_TYPE_H264, (byte) (0xE0 | (VIDEO_PID >> 8)), (byte) VIDEO_PID, (byte) 0xF0, 0x00,
                Ts.STREAM_TYPE_AAC_ADTS, (byte) (0xE0 | (AUDIO_PID >> 8)), (byte) AUDIO_PID, (byte) 0xF0, 0x00};
        writeSection(PMT_PID, pmt);
    }

    private void writeSection(int pid, byte[] section) {
        byte[] p = packet;
        java.util.Arrays.fill(p, (byte) 0xFF);
        p[0] = Ts.SYNC_BYTE;
        p[1] = (byte) (0x40 | (pid >> 8));
        p[2] = (byte) pid;
        p[3] = (byte) (0x10 | nextCc(pid));
        p[4] = 0; // pointer_field
        System.arraycopy(section, 0, p, 5, section.length);
        int crc = Ts.crc32(section, 0, section.length);
        int at = 5 + section.length;
        p[at] = (byte) (crc >> 24);
        p[at + 1] = (byte) (crc >> 16);
        p[at + 2] = (byte) (crc >> 8);
        p[at + 3] = (byte) crc;
        pending.write(p, 0, p.length);
    }

    private void writePes(int pid, int streamId, MediaFrame f, boolean video) {
        boolean withDts = video && f.dts() != f.pts();
        int headerDataLength = withDts ? 10 : 5;
        byte[] header = new byte[9 + headerDataLength];
        header[2] = 1;
        header[3] = (byte) streamId;
        int pesLength = 3 + headerDataLength + f.data().length;
        if (!video && pesLength <= 0xFFFF) {
            header[4] = (byte) (pesLength >> 8);
            header[5] = (byte) pesLength;
        } // video: 0, unbounded, as allowed for video in a transport stream
        header[6] = (byte) 0x80;
        header[7] = (byte) (withDts ? 0xC0 : 0x80);
        header[8] = (byte) headerDataLength;
        Ts.writeTimestamp(header, 9, withDts ? 3 : 2, f.pts());
        if (withDts) {
            Ts.writeTimestamp(header, 14, 1, f.dts());
        }
        byte[] data = f.data();
        int payloadLength = header.length + data.length; // the PES: header, then the frame's data (not joined first)

        int pos = 0;
        boolean first = true;
        byte[] p = packet;
        while (pos < payloadLength) {
            p[0] = Ts.SYNC_BYTE;
            p[1] = (byte) ((first ? 0x40 : 0) | (pid >> 8));
            p[2] = (byte) pid;
            int at = 4;
            int adaptation = 0; // bytes of adaptation field content after its length byte
            boolean pcr = first && video;
            boolean randomAccess = first && f.keyframe();
            if (pcr || randomAccess) {
                adaptation = 1 + (pcr ? 6 : 0);
            }
            int room = Ts.PACKET_SIZE - 4 - (adaptation > 0 ? 1 + adaptation : 0);
            int remaining = payloadLength - pos;
            int stuffing = 0;
            if (remaining < room) {
                stuffing = room - remaining;
            }
            boolean hasAf = adaptation > 0 || stuffing > 0;
            p[3] = (byte) ((hasAf ? 0x30 : 0x10) | nextCc(pid));
            if (hasAf) {
                int afLength;
                if (adaptation == 0) {
                    // stuffing only: a 1-byte field is just its length (0), longer ones carry a flags byte
                    afLength = stuffing - 1;
                    p[at++] = (byte) afLength;
                    if (afLength > 0) {
                        p[at++] = 0;
                        for (int i = 1; i < afLength; i++) {
                            p[at++] = (byte) 0xFF;
                        }
                    }
                } else {
                    afLength = adaptation + stuffing;
                    p[at++] = (byte) afLength;
                    p[at++] = (byte) ((randomAccess ? 0x40 : 0) | (pcr ? 0x10 : 0));
                    if (pcr) {
                        long base = Math.max(0, f.dts() - PCR_DELAY) & (Ts.WRAP - 1);
                        p[at++] = (byte) (base >> 25);
                        p[at++] = (byte) (base >> 17);
                        p[at++] = (byte) (base >> 9);
                        p[at++] = (byte) (base >> 1);
                        p[at++] = (byte) (((base & 1) << 7) | 0x7E);
                        p[at++] = 0;
                    }
                    for (int i = 0; i < stuffing; i++) {
                        p[at++] = (byte) 0xFF;
                    }
                }
            }
            int n = Ts.PACKET_SIZE - at;
            int fromHeader = Math.max(0, Math.min(n, header.length - pos));
            if (fromHeader > 0) {
                System.arraycopy(header, pos, p, at, fromHeader);
            }
            System.arraycopy(data, pos + fromHeader - header.length, p, at + fromHeader, n - fromHeader);
            pos += n;
            pending.write(p, 0, p.length);
            first = false;
        }
    }

    private int nextCc(int pid) {
        int v = cc[pid];
        cc[pid] = (v + 1) & 0x0F;
        return v;
    }
}
