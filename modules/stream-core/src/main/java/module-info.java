/**
 * The appliance's streams: each {@code StreamController} owns one stream_config row's state machine and applies every
 * change to it (URLs, encoding, auto restart) through one path, used by the API, the control events and the
 * dashboard; {@code Streams} is the list of them (contract §7). Below it, {@code stream.core.ffmpeg} keeps ffmpeg
 * processes alive ({@code FfmpegKeeper}, which knows nothing of streams) and builds their argument lists;
 * {@code stream.core.control} says what a control event (url_update) means for the streams.
 *
 * <pre>{@code
 * Streams streams = new Streams(configs, children, logs, id -> new StreamController(id, configs, logs, children,
 *         new RelayCommands("ffmpeg", new CameraProbe("ffprobe"), runtimeDir), StreamController.Timing.defaults()));
 * streams.start();   // ends ffmpeg left by a crash, resumes each stream by its desired state
 * StreamController yard = streams.create(new NewStream(StreamName.of("yard"),
 *         StreamUrls.both("rtsp://127.0.0.1:8554/yard", "rtmp://127.0.0.1:1935/live/key"),
 *         new Encoding("-c:v copy -c:a aac -f flv", "copy"), true));
 * yard.requestStart(StreamUrls.NONE, ChangeSource.API);
 * streams.close();   // stops every ffmpeg gracefully
 * }</pre>
 */
module stream.core {
    requires transitive stream.store;
    requires minimal.json;

    exports stream.core;
    exports stream.core.ffmpeg;
    exports stream.core.control;
}
