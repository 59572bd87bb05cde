package stream.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import stream.core.ffmpeg.CameraAudio;
import stream.core.ffmpeg.CameraProbe;
import stream.core.ffmpeg.EncodingArgs;
import stream.core.ffmpeg.FfmpegCommand;
import stream.core.ffmpeg.ProbeResult;
import stream.core.ffmpeg.SnapshotFeed;
import stream.store.StreamConfig;

/**
 * Turns a stream's stored configuration into the ffmpeg argument list: its checked encoding arguments, the camera's
 * audio (probed once per camera URL, since the answer decides whether silence must be added for YouTube) and the
 * path of its live snapshot, made by a second ffmpeg fed by the relay over a loopback UDP port.
 */
public final class RelayCommands {
    private final String ffmpeg;
    private final CameraProbe probe;
    private final Path runtimeDir;
    private final Map<String, CameraAudio> audioByCamera = new ConcurrentHashMap<>();

    /** @param runtimeDir where snapshots are written: memory-backed where possible, they change every 10 s */
    public RelayCommands(String ffmpeg, CameraProbe probe, Path runtimeDir) {
        this.ffmpeg = ffmpeg;
        this.probe = probe;
        this.runtimeDir = runtimeDir;
    }

    /**
     * The argument lists of one launch.
     *
     * @param relay the relay's (camera to destination)
     * @param snapshot the snapshot process's, which reads the relay's copy of the camera's video
     */
    public record Launch(List<String> relay, List<String> snapshot) {
        public Launch {
            relay = List.copyOf(relay);
            snapshot = List.copyOf(snapshot);
        }
    }

    /** The commands for this configuration; a refused ffmpeg_params throws {@link ValidationException}. */
    public Launch commandsFor(StreamConfig c) {
        EncodingArgs encoding = EncodingArgs.parse(c.ffmpegParams());
        FfmpegCommand command = new FfmpegCommand(ffmpeg, c.rtspUrl(), c.rtmpUrl(), encoding, audioOf(c.rtspUrl()),
                Optional.of(new SnapshotFeed(freeLoopbackUdpPort(), snapshotPath(c.id()))));
        return new Launch(command.arguments(), command.snapshotArguments().orElseThrow());
    }

    public Path snapshotPath(long streamId) {
        return runtimeDir.toAbsolutePath().resolve("snapshot-" + streamId + ".jpg");
    }

    /** A port free now: a new one per launch, so a snapshot process of an earlier launch never gets this feed. */
    private static int freeLoopbackUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free UDP port on the loopback interface", e);
        }
    }

    /** Only a successful probe is remembered: a camera that is down now is probed again at the next start. */
    private CameraAudio audioOf(String rtspUrl) {
        CameraAudio known = audioByCamera.get(rtspUrl);
        if (known != null) {
            return known;
        }
        ProbeResult r = probe.probeStreams(rtspUrl);
        if (!r.ok()) {
            return CameraAudio.UNKNOWN;
        }
        CameraAudio audio = r.audioCodec() == null ? CameraAudio.NONE
                : "aac".equals(r.audioCodec()) ? CameraAudio.AAC : CameraAudio.OTHER;
        audioByCamera.put(rtspUrl, audio);
        return audio;
    }
}
