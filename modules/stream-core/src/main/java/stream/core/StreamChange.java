package stream.core;

/**
 * A change to one stream's settings, made of values checked where the request entered (a REST route, which the
 * dashboard uses too, or a control event); a null part stays as it is. {@link StreamController#apply} is the one
 * path by which any of them reaches the stream.
 *
 * @param urls          a new camera and/or destination ({@link StreamUrls#NONE}: both unchanged)
 * @param encoding      a new preset or hand-written ffmpeg parameters, or null
 * @param autoRestart   a new auto restart setting, or null
 * @param keepSession   whether the destination's session is kept across changes (contract §8), or null
 * @param switchRunning whether a running stream switches to the changed configuration at once
 */
public record StreamChange(StreamUrls urls, Encoding encoding, Boolean autoRestart, Boolean keepSession,
        boolean switchRunning) {
    public StreamChange {
        if (urls == null) {
            urls = StreamUrls.NONE;
        }
    }

    /** New URLs; with {@code switchRunning} a running stream restarts on them, otherwise they wait for its next start. */
    public static StreamChange urls(StreamUrls urls, boolean switchRunning) {
        return new StreamChange(urls, null, null, null, switchRunning);
    }

    /** How the stream encodes and whether it restarts by itself; a running stream restarts on a new encoding. */
    public static StreamChange settings(Encoding encoding, Boolean autoRestart) {
        return settings(encoding, autoRestart, null);
    }

    /**
     * The same with keep_session: a running stream restarts on a new encoding, and changes over to the kept session
     * or to the plain relay when keep_session no longer matches what runs.
     */
    public static StreamChange settings(Encoding encoding, Boolean autoRestart, Boolean keepSession) {
        return new StreamChange(StreamUrls.NONE, encoding, autoRestart, keepSession, encoding != null);
    }
}
