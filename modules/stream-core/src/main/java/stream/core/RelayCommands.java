package stream.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import stream.core.ffmpeg.CameraAudio;
import stream.core.ffmpeg.CameraProbe;
import stream.core.ffmpeg.EncodingArgs;
import stream.core.ffmpeg.FfmpegCommand;
import stream.core.ffmpeg.Preset;
import stream.core.ffmpeg.PresetCatalog;
import stream.core.ffmpeg.ProbeResult;
import stream.core.session.VideoEncoding;
import stream.store.StreamConfig;

/**
 * Turns a stream's stored configuration into the ffmpeg argument list: its checked encoding arguments, the camera's
 * audio (probed once per camera URL, since the answer decides whether silence must be added for YouTube) and the
 * path of its live snapshot, made by a second ffmpeg that reads the relay's copy of the camera's video.
 */
public final class RelayCommands {
    private final String ffmpeg;
    private final CameraProbe probe;
    private final Path runtimeDir;
    private final PresetCatalog presets;
    private final Map<String, CameraAudio> audioByCamera = new ConcurrentHashMap<>();
    private final Map<String, Boolean> preparedUnknown = new ConcurrentHashMap<>();

    /** @param runtimeDir where snapshots are written: memory-backed where possible, they change every 10 s */
    public RelayCommands(String ffmpeg, CameraProbe probe, Path runtimeDir) {
        this(ffmpeg, probe, runtimeDir, PresetCatalog.of(List.of()));
    }

    /**
     * @param presets the presets a stream may name: a stream on a preset is launched with the preset's own argument
     *                lists, read from its file, not with the text stored in ffmpeg_params (kept for people to read)
     */
    public RelayCommands(String ffmpeg, CameraProbe probe, Path runtimeDir, PresetCatalog presets) {
        this.ffmpeg = ffmpeg;
        this.probe = probe;
        this.runtimeDir = runtimeDir;
        this.presets = presets;
    }

    /**
     * The argument lists of one launch.
     *
     * @param relay the relay's (camera to destination)
     * @param snapshot the snapshot process's, which reads the relay's copy of the camera's video on its stdin
     */
    public record Launch(List<String> relay, List<String> snapshot) {
        public Launch {
            relay = List.copyOf(relay);
            snapshot = List.copyOf(snapshot);
        }
    }

    /**
     * The commands for this configuration; a refused ffmpeg_params throws {@link ValidationException}, and so does a
     * stored URL that breaks the rules (the store holds text, written through the values, but a row edited by hand or
     * kept from an older version is read back into them here).
     */
    public Launch commandsFor(StreamConfig c) {
        FfmpegCommand command = new FfmpegCommand(ffmpeg, new RtspUrl(c.rtspUrl()), new RtmpUrl(c.rtmpUrl()),
                encodingOf(c), audioOf(new RtspUrl(c.rtspUrl())),
                Optional.of(snapshotPath(c.id())));
        return new Launch(command.arguments(), command.snapshotArguments().orElseThrow());
    }

    /**
     * A preset's arguments and device as its file gives them; hand-written ffmpeg_params otherwise, or when the named
     * preset is no longer installed.
     */
    private EncodingArgs encodingOf(StreamConfig c) {
        Optional<Preset> preset = c.preset() == null ? Optional.empty() : presets.find(c.preset());
        return preset.map(Preset::encodingArgs).orElseGet(() -> EncodingArgs.parse(c.ffmpegParams()));
    }

    /**
     * Probes a camera ahead of a switch, while the old ffmpeg is still on air, so the launch that follows finds the
     * answer and the stream is off the air only for the swap itself.
     */
    public void prepare(String storedRtspUrl) {
        RtspUrl camera;
        try {
            camera = new RtspUrl(storedRtspUrl);
        } catch (ValidationException e) {
            return; // nothing to probe: the launch that follows refuses the stored URL and says why
        }
        // a failed answer is kept for the launch right after, so a camera that does not answer costs one wait, not two
        preparedUnknown.remove(camera.value());
        preparedUnknown.put(camera.value(), audioOf(camera) == CameraAudio.UNKNOWN);
    }

    /**
     * How a kept session encodes this configuration's cameras: empty for a copy of their video, else the checked
     * encoding arguments at one picture size and rate for the whole session. When the arguments do not fix both,
     * the camera is probed for its size and rate (one ffprobe, about a connection's time); a camera that does not
     * answer gives 1280x720 (16:9) at 25 fps. Throws {@link ValidationException} for refused ffmpeg_params.
     */
    public Optional<VideoEncoding> sessionEncoding(StreamConfig c) {
        EncodingArgs args = encodingOf(c);
        if (!VideoEncoding.needsCamera(args)) {
            return VideoEncoding.forSession(args, null, null, null);
        }
        ProbeResult camera = probe.probeStreams(new RtspUrl(c.rtspUrl()));
        return camera.ok() ? VideoEncoding.forSession(args, camera.width(), camera.height(), camera.fps())
                : VideoEncoding.forSession(args, null, null, null);
    }

    /** The ffmpeg argument lists of a kept session (contract §8), on the same ffmpeg. */
    stream.core.session.SessionCommands sessionCommands() {
        return new stream.core.session.SessionCommands(ffmpeg);
    }

    /** Where a stream's kept session writes the slate's text: the runtime folder, as for snapshots. */
    Path sessionDir(long streamId) {
        return runtimeDir.toAbsolutePath().resolve("session-" + streamId);
    }

    public Path snapshotPath(long streamId) {
        return runtimeDir.toAbsolutePath().resolve("snapshot-" + streamId + ".jpg");
    }

    /** Only a successful probe is remembered: a camera that is down now is probed again at the next start. */
    private CameraAudio audioOf(RtspUrl camera) {
        String rtspUrl = camera.value();
        CameraAudio known = audioByCamera.get(rtspUrl);
        if (known != null) {
            return known;
        }
        if (Boolean.TRUE.equals(preparedUnknown.remove(rtspUrl))) {
            return CameraAudio.UNKNOWN;
        }
        ProbeResult r = probe.probeStreams(camera);
        if (!r.ok()) {
            return CameraAudio.UNKNOWN;
        }
        CameraAudio audio = r.audioCodec() == null ? CameraAudio.NONE
                : "aac".equals(r.audioCodec()) ? CameraAudio.AAC : CameraAudio.OTHER;
        audioByCamera.put(rtspUrl, audio);
        return audio;
    }
}
