package stream.core.ffmpeg;

import java.nio.file.Path;
import java.util.Objects;

import stream.core.ValidationException;

/**
 * How the live preview is made: the relay sends a copy of the camera's video, as MPEG-TS, to a UDP port on the
 * loopback interface, and a separate snapshot ffmpeg listening there writes the JPEG.
 *
 * <p>Why a second process: ffmpeg 5.1 reads next from the input that feeds its output stream with the oldest muxed
 * timestamp. A JPEG output that takes a frame every 10 s is that stream for 10 s at a time, so only the camera is
 * read; the silent track added for a camera without audio (a second input) is not, and the FLV muxer holds the video
 * back until its 10 s interleaving limit. A copied stream to UDP is muxed at every camera packet and never lags, and
 * UDP never blocks the relay when nobody listens.
 *
 * @param udpPort the loopback port the relay sends to and the snapshot process listens on
 * @param file where the snapshot process keeps the JPEG (an absolute path)
 */
public record SnapshotFeed(int udpPort, Path file) {

    public SnapshotFeed {
        Objects.requireNonNull(file, "file");
        if (udpPort < 1 || udpPort > 65535) {
            throw new ValidationException("snapshot", "the UDP port must be 1-65535");
        }
        // A relative path could start with '-' and be read as an option; an absolute one starts with '/'.
        if (!file.isAbsolute()) {
            throw new ValidationException("snapshot", "must be an absolute path");
        }
    }

    /** Where the relay sends the copy: MPEG-TS in datagrams of 7 TS packets, to 127.0.0.1 only. */
    String relayUrl() {
        return "udp://127.0.0.1:" + udpPort + "?pkt_size=1316";
    }

    /**
     * Where the snapshot process reads: bound to 127.0.0.1 (without localaddr ffmpeg 5.1 binds every interface); it
     * ends by itself when no datagram came for 20 s (a relay that is gone), and a full receive queue drops datagrams
     * instead of ending it.
     */
    String listenUrl() {
        return "udp://127.0.0.1:" + udpPort + "?localaddr=127.0.0.1&timeout=20000000&overrun_nonfatal=1";
    }
}
