package stream.core;

import java.util.Locale;

/** The stream states of contract §3. */
public enum StreamState {
    /** not streaming, and not asked to */
    STOPPED,
    /** ffmpeg spawned, no output progress yet */
    STARTING,
    /** output time is advancing: media is flowing out */
    RUNNING,
    /** waiting out a backoff, or switching URLs */
    RESTARTING,
    /** ffmpeg is being stopped */
    STOPPING,
    /** gave up: auto_restart off, or a permanent error */
    FAILED;

    /** The contract's lowercase name. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
