/**
 * The stream's domain: URL rules, secret masking, the stream state machine and ffmpeg supervision.
 * One {@code StreamController} per stream_config row; each ffmpeg process is watched by an {@code FfmpegSupervisor}.
 */
module stream.core {
    requires transitive stream.store;
    requires minimal.json;

    exports stream.core;
    exports stream.core.ffmpeg;
}
