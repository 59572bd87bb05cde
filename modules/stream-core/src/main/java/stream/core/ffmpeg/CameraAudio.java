package stream.core.ffmpeg;

/** What audio the camera sends, as far as the appliance knows: it decides whether ffmpeg copies, converts or invents it. */
public enum CameraAudio {
    /** No audio track: silence is added, since YouTube requires audio. */
    NONE,
    /** AAC: it may be copied unchanged. */
    AAC,
    /** Another codec (G.711, PCM, ...): converted to AAC. */
    OTHER,
    /** Not probed, or the probe failed: treated as {@link #NONE}, the one choice that cannot fail on a missing track. */
    UNKNOWN
}
