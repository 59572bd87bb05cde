package stream.core.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads an MPEG-TS byte stream (as ffmpeg writes it to a pipe) and hands out whole H.264 access units and AAC frames
 * with unwrapped 90 kHz timestamps. It follows the PAT and PMT (a new PMT version is taken as it comes), uses the
 * first H.264 and the first AAC stream of the program, resynchronises on a lost sync byte and drops a PES whose
 * continuity counter skipped, since a damaged picture must not reach the destination.
 */
public final class TsDemuxer {

    /** Receives what the demuxer finds, on the reading thread. */
    public interface Sink {
        /** The program's elementary streams, on every PMT that changes them. */
        default void program(boolean hasVideo, boolean hasAudio) {}

        void frame(MediaFrame frame);

        /**
         * The frames found in one read of the stream follow, up to {@link #endOfRead}: a sink may hold its output
         * back until then and pass them on together.
         */
        default void startOfRead() {}

        /** The frames of one read have all been delivered (called before the next read, which may block). */
        default void endOfRead() {}
    }

    private final Sink sink;
    private int pmtPid = -1;
    private int pmtVersion = -1;
    private int videoPid = -1;
    private int audioPid = -1;
    private final Assembly video = new Assembly();
    private final Assembly audio = new Assembly();
    private long lastVideoDts = Long.MIN_VALUE;
    /** The last picture, held until the next one shows it is complete (see {@link #deliverVideo}). */
    private MediaFrame heldVideo;
    private long lastAudioPts = Long.MIN_VALUE;
    private long packets;
    private long droppedPes;

    public TsDemuxer(Sink sink) {
        this.sink = sink;
    }

    /** A PES being collected from consecutive packets of one PID. */
    private static final class Assembly {
        final PesBytes bytes = new PesBytes();
        boolean collecting;
        boolean damaged;
        int lastCc = -1;
    }

    /** Reads until the stream ends (the process closed its stdout); the last PES is then delivered too. */
    public void readAll(InputStream in) throws IOException {
        // a pipe's capacity: a camera's keyframe comes in one read, not in five
        byte[] buf = new byte[Ts.PACKET_SIZE * 348];
        int filled = 0;
        while (true) {
            int n = in.read(buf, filled, buf.length - filled);
            if (n < 0) {
                break;
            }
            filled += n;
            int off;
            sink.startOfRead();
            try {
                off = packets(buf, filled);
            } finally {
                sink.endOfRead();
            }
            System.arraycopy(buf, off, buf, 0, filled - off);
            filled -= off;
        }
        sink.startOfRead();
        try {
            finish();
        } finally {
            sink.endOfRead();
        }
    }

    /**
     * Handles the whole packets in {@code buf[0, filled)}; returns where the unhandled rest begins. A method of its
     * own, called once a read, so that the JIT compiles it after a few hundred reads: as the body of
     * {@link #readAll}'s endless loop it ran interpreted until an on-stack replacement, minutes into a stream.
     */
    private int packets(byte[] buf, int filled) {
        int off = 0;
        while (filled - off >= Ts.PACKET_SIZE) {
            boolean nextInSync = filled - off < 2 * Ts.PACKET_SIZE
                    || (buf[off + Ts.PACKET_SIZE] & 0xFF) == Ts.SYNC_BYTE;
            if ((buf[off] & 0xFF) != Ts.SYNC_BYTE || !nextInSync) {
                off++; // lost sync: a packet starts where a sync byte is followed by another 188 bytes on
                continue;
            }
            packet(buf, off);
            off += Ts.PACKET_SIZE;
        }
        return off;
    }

    /** Delivers the PES still being collected (a video PES of unbounded length ends only when the next begins). */
    public void finish() {
        complete(video, true);
        complete(audio, false);
        if (heldVideo != null) {
            sink.frame(heldVideo);
            heldVideo = null;
        }
    }

    public long packets() {
        return packets;
    }

    /** PES dropped because packets were missing. */
    public long droppedPes() {
        return droppedPes;
    }

    /** Handles one 188-byte packet starting at {@code off}. */
    public void packet(byte[] p, int off) {
        packets++;
        int pid = Ts.pid(p, off);
        if ((p[off + 1] & 0x80) != 0) { // transport_error_indicator
            return;
        }
        int payload = Ts.payloadOffset(p, off);
        if (pid == Ts.PAT_PID) {
            if (payload > 0 && Ts.payloadUnitStart(p, off)) {
                readPat(p, off + payload, off + Ts.PACKET_SIZE);
            }
        } else if (pid == pmtPid) {
            if (payload > 0 && Ts.payloadUnitStart(p, off)) {
                readPmt(p, off + payload, off + Ts.PACKET_SIZE);
            }
        } else if (pid == videoPid) {
            collect(video, true, p, off, payload);
        } else if (pid == audioPid) {
            collect(audio, false, p, off, payload);
        }
    }

    private void collect(Assembly a, boolean isVideo, byte[] p, int off, int payload) {
        int cc = Ts.continuityCounter(p, off);
        if (payload < 0) {
            return; // adaptation field only: the counter does not advance
        }
        if (a.lastCc >= 0 && cc != ((a.lastCc + 1) & 0x0F) && cc != a.lastCc) {
            a.damaged = true;
        }
        a.lastCc = cc;
        if (Ts.payloadUnitStart(p, off)) {
            complete(a, isVideo);
            a.bytes.reset();
            a.collecting = true;
            a.damaged = false;
        }
        if (a.collecting) {
            a.bytes.write(p, off + payload, Ts.PACKET_SIZE - payload);
        }
    }

    private void complete(Assembly a, boolean isVideo) {
        if (!a.collecting) {
            return;
        }
        a.collecting = false;
        // read in place: the frame's data is the one copy made of it
        byte[] pes = a.bytes.buffer();
        int length = a.bytes.size();
        if (a.damaged) {
            droppedPes++;
            return;
        }
        if (length < 9 || pes[0] != 0 || pes[1] != 0 || pes[2] != 1) {
            droppedPes++;
            return;
        }
        int flags = pes[7] & 0xFF;
        int headerEnd = 9 + (pes[8] & 0xFF);
        int declared = ((pes[4] & 0xFF) << 8) | (pes[5] & 0xFF);
        int end = declared == 0 ? length : Math.min(length, 6 + declared);
        // the header must hold the timestamps its flags announce: they are read from the buffer, whose bytes past
        // this PES are an older one's
        int timestampsEnd = 9 + ((flags & 0x40) != 0 ? 10 : 5);
        if ((flags & 0x80) == 0 || headerEnd > end || headerEnd < timestampsEnd) {
            droppedPes++;
            return; // no PTS: nothing the splicer could place on its timeline
        }
        long pts = Ts.readTimestamp(pes, 9);
        long dts = (flags & 0x40) != 0 ? Ts.readTimestamp(pes, 14) : pts;
        byte[] data = new byte[end - headerEnd];
        System.arraycopy(pes, headerEnd, data, 0, data.length);
        if (isVideo) {
            long uDts = lastVideoDts == Long.MIN_VALUE ? dts : Ts.unwrap(dts, lastVideoDts);
            long uPts = Ts.unwrap(pts, uDts);
            lastVideoDts = uDts;
            deliverVideo(MediaFrame.video(uPts, uDts, data));
        } else {
            long uPts = lastAudioPts == Long.MIN_VALUE
                    ? (lastVideoDts == Long.MIN_VALUE ? pts : Ts.unwrap(pts, lastVideoDts))
                    : Ts.unwrap(pts, lastAudioPts);
            lastAudioPts = uPts;
            int i = 0;
            for (byte[] frame : Adts.split(data)) {
                int rate = Adts.sampleRate(frame, 0);
                long at = uPts + Math.round(i * Adts.frameTicks(rate == 0 ? 48000 : rate));
                sink.frame(MediaFrame.audio(at, frame));
                i++;
            }
        }
    }

    /**
     * A camera that codes a picture in several slices can reach the transport stream as several PES for one picture:
     * ffmpeg's RTP depacketizer hands them over one by one and its TS muxer gives the later ones the DTS + 1 (with a
     * "Non-monotonous DTS" warning) and an access unit delimiter each (and a camera may repeat SPS/PPS before every
     * slice). They are joined back into one access unit here, the later parts reduced to their slices, so that one
     * frame is one picture for the splicer's clocks, for the publisher's parser and for the destination.
     */
    private void deliverVideo(MediaFrame f) {
        if (heldVideo != null && f.dts() - heldVideo.dts() >= 0 && f.dts() - heldVideo.dts() <= 2) {
            byte[] rest = H264.continuation(f.data());
            byte[] joined = new byte[heldVideo.data().length + rest.length];
            System.arraycopy(heldVideo.data(), 0, joined, 0, heldVideo.data().length);
            System.arraycopy(rest, 0, joined, heldVideo.data().length, rest.length);
            heldVideo = new MediaFrame(MediaFrame.Kind.VIDEO, heldVideo.pts(), heldVideo.dts(), joined,
                    heldVideo.keyframe() || f.keyframe());
            return;
        }
        if (heldVideo != null) {
            sink.frame(heldVideo);
        }
        heldVideo = f;
    }

    private void readPat(byte[] p, int at, int end) {
        int start = at + 1 + (p[at] & 0xFF); // pointer_field
        if (start + 8 > end || (p[start] & 0xFF) != 0x00) {
            return;
        }
        int sectionLength = ((p[start + 1] & 0x0F) << 8) | (p[start + 2] & 0xFF);
        int programsEnd = Math.min(start + 3 + sectionLength - 4, end);
        for (int i = start + 8; i + 4 <= programsEnd; i += 4) {
            int program = ((p[i] & 0xFF) << 8) | (p[i + 1] & 0xFF);
            if (program != 0) {
                int pid = ((p[i + 2] & 0x1F) << 8) | (p[i + 3] & 0xFF);
                if (pid != pmtPid) {
                    pmtPid = pid;
                    pmtVersion = -1;
                }
                return;
            }
        }
    }

    private void readPmt(byte[] p, int at, int end) {
        int start = at + 1 + (p[at] & 0xFF);
        if (start + 12 > end || (p[start] & 0xFF) != 0x02) {
            return;
        }
        int sectionLength = ((p[start + 1] & 0x0F) << 8) | (p[start + 2] & 0xFF);
        int version = (p[start + 5] >> 1) & 0x1F;
        if (version == pmtVersion) {
            return;
        }
        int sectionEnd = start + 3 + sectionLength - 4;
        if (sectionEnd > end) {
            return; // a PMT spanning packets: ffmpeg's never does for two streams
        }
        int programInfoLength = ((p[start + 10] & 0x0F) << 8) | (p[start + 11] & 0xFF);
        int newVideo = -1;
        int newAudio = -1;
        for (int i = start + 12 + programInfoLength; i + 5 <= sectionEnd; ) {
            int type = p[i] & 0xFF;
            int pid = ((p[i + 1] & 0x1F) << 8) | (p[i + 2] & 0xFF);
            int esInfo = ((p[i + 3] & 0x0F) << 8) | (p[i + 4] & 0xFF);
            if (type == Ts.STREAM_TYPE_H264 && newVideo < 0) {
                newVideo = pid;
            } else if (type == Ts.STREAM_TYPE_AAC_ADTS && newAudio < 0) {
                newAudio = pid;
            }
            i += 5 + esInfo;
        }
        pmtVersion = version;
        if (newVideo != videoPid) {
            videoPid = newVideo;
            video.collecting = false;
            video.lastCc = -1;
        }
        if (newAudio != audioPid) {
            audioPid = newAudio;
            audio.collecting = false;
            audio.lastCc = -1;
        }
        sink.program(videoPid >= 0, audioPid >= 0);
    }

    /** A PES's bytes, read where they were collected. */
    private static final class PesBytes extends ByteArrayOutputStream {
        PesBytes() {
            super(64 * 1024);
        }

        /** The collected bytes are its first {@link #size()}; valid until the next write or reset. */
        byte[] buffer() {
            return buf;
        }
    }
}
