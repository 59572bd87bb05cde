package stream.store;

import java.time.Instant;

/** One row of url_history. */
public record UrlChange(long id, Long configId, String oldRtspUrl, String newRtspUrl, String oldRtmpUrl,
                        String newRtmpUrl, ChangeSource source, Instant changedAt) {
}
