package stream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The URL values are the one check: what they refuse, the field errors they give, and what they never show. */
class StreamUrlsTest {
    static final String CAMERA = "rtsp://admin:hunter22@127.0.0.1:8554/cam1";
    static final String DESTINATION = "rtmp://127.0.0.1:1935/live/abcd-efgh-ijkl";

    @Test
    void absentUrlsAreUnchangedAndGivenOnesAreKeptAsGiven() {
        StreamUrls urls = StreamUrls.of(CAMERA, null);
        assertEquals(CAMERA, urls.rtspUrl());
        assertNull(urls.rtmpUrl());
        assertTrue(StreamUrls.of(null, null).isEmpty());
        assertEquals(StreamUrls.NONE, StreamUrls.of(null, null));
    }

    @Test
    void everyBadFieldIsNamedAtOnceWithTheContractsWords() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> StreamUrls.of("concat:/a|/b", "-f rtmp://127.0.0.1/live/k"));
        assertEquals(List.of(new FieldError("rtsp_url", "must start with rtsp://, rtsps://"),
                new FieldError("rtmp_url", "must not contain spaces, control or non-ASCII characters "
                        + "(percent-encode them)")), e.errors());
    }

    @Test
    void bothRequiresBothAndSaysWhichIsMissing() {
        ValidationException missing = assertThrows(ValidationException.class, () -> StreamUrls.both(null, null));
        assertEquals(List.of(new FieldError("rtsp_url", "is required"), new FieldError("rtmp_url", "is required")),
                missing.errors());
        ValidationException mixed = assertThrows(ValidationException.class,
                () -> StreamUrls.both(null, "file:/etc/passwd"));
        assertEquals(List.of("rtsp_url", "rtmp_url"), mixed.errors().stream().map(FieldError::field).toList());
        assertEquals(DESTINATION, StreamUrls.both(CAMERA, DESTINATION).rtmpUrl());
    }

    @Test
    void theValuesNeverShowTheirSecrets() {
        String shown = StreamUrls.both(CAMERA, DESTINATION).toString();
        assertFalse(shown.contains("hunter22"), shown);
        assertFalse(shown.contains("abcd-efgh-ijkl"), shown);
        assertTrue(shown.contains("****ijkl"), shown);
        assertEquals("rtsp://admin:***@127.0.0.1:8554/cam1", new RtspUrl(CAMERA).toString());
    }
}
