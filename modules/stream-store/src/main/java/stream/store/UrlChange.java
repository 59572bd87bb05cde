package stream.store;

import java.time.Instant;

/** One row of url_history. */
public record UrlChange(long id, Long configId, String oldRtspUrl, String newRtspUrl, String oldRtmpUrl,
                        String newRtmpUrl, ChangeSource source, Instant changedAt) {
    /** The URLs as scheme and host only: they carry the camera's password and the stream key. */
    @Override
    public String toString() {
        return "UrlChange[id=" + id + ", configId=" + configId + ", oldRtspUrl=" + UrlRedaction.shown(oldRtspUrl)
                + ", newRtspUrl=" + UrlRedaction.shown(newRtspUrl) + ", oldRtmpUrl=" + UrlRedaction.shown(oldRtmpUrl)
                + ", newRtmpUrl=" + UrlRedaction.shown(newRtmpUrl) + ", source=" + source + ", changedAt="
                + changedAt + "]";
    }
}
