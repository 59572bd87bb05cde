package stream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UrlValidatorTest {
    @Test
    void acceptsCameraAndDestinationUrls() {
        for (String ok : List.of("rtsp://127.0.0.1:8554/cam1", "rtsps://cam.example/stream", "rtsp://admin:p%40ss@127.0.0.1/x?channel=1&subtype=1",
                "RTSP://127.0.0.1/upper")) {
            assertTrue(UrlValidator.rtspProblem(ok).isEmpty(), ok);
        }
        for (String ok : List.of("rtmp://127.0.0.1:1935/live/streamkey", "rtmps://a.rtmp.example/live2/abc-def",
                "rtmp://127.0.0.1/live/key?backup=1")) {
            assertTrue(UrlValidator.rtmpProblem(ok).isEmpty(), ok);
        }
    }

    @Test
    void refusesWhatFfmpegCouldReadAsAnOptionOrAnotherProtocol() {
        for (String bad : List.of("file:///etc/passwd", "concat:rtsp://a|rtsp://b", "pipe:0", "-i", "-rtsp://x",
                "rtsp://127.0.0.1/a b", "rtsp://127.0.0.1/a\nb", "rtsp://127.0.0.1/\u0000", "rtsp:///nohost",
                "http://127.0.0.1/", "rtsp://127.0.0.1:99999/x", "rtsp://127.0.0.1/" + "a".repeat(2100), "",
                "rtsp://127.0.0.1/caf\u00e9", "rtmp://127.0.0.1/live/key")) {
            assertTrue(UrlValidator.rtspProblem(bad).isPresent(), bad);
        }
        for (String bad : List.of("rtmp://127.0.0.1", "rtmp://127.0.0.1/", "rtsp://127.0.0.1/live/k", "file:out.flv",
                "rtmp://-host/live/k x")) {
            assertTrue(UrlValidator.rtmpProblem(bad).isPresent(), bad);
        }
    }

    @Test
    void theLimitsAreInclusive() {
        String prefix = "rtsp://127.0.0.1/";
        assertTrue(UrlValidator.rtspProblem(prefix + "a".repeat(UrlValidator.MAX_LENGTH - prefix.length())).isEmpty());
        assertEquals(Optional.of("is longer than 2048 characters"),
                UrlValidator.rtspProblem(prefix + "a".repeat(UrlValidator.MAX_LENGTH - prefix.length() + 1)));
        assertTrue(UrlValidator.rtspProblem("rtsp://127.0.0.1:65535/cam").isEmpty());
        assertTrue(UrlValidator.rtspProblem("rtsp://127.0.0.1:1/cam").isEmpty());
        assertEquals(Optional.of("has an invalid port"), UrlValidator.rtspProblem("rtsp://127.0.0.1:65536/cam"));
        assertEquals(Optional.of("has an invalid port"), UrlValidator.rtspProblem("rtsp://127.0.0.1:0/cam"));
        // the printable ASCII range ends at '!' and '~'; space and DEL are outside it
        assertTrue(UrlValidator.rtspProblem("rtsp://127.0.0.1/!cam~").isEmpty());
        String outside = "must not contain spaces, control or non-ASCII characters (percent-encode them)";
        assertEquals(Optional.of(outside), UrlValidator.rtspProblem("rtsp://127.0.0.1/a\u007f"));
        assertEquals(Optional.of(outside), UrlValidator.rtspProblem("rtsp://127.0.0.1/a b"));
        assertEquals(Optional.of(outside), UrlValidator.rtspProblem("rtsp://127.0.0.1/a\u001f"));
    }

    @Test
    void eachProblemIsSaidWithoutRepeatingTheUrl() {
        assertEquals(Optional.of("is required"), UrlValidator.rtspProblem(null));
        assertEquals(Optional.of("must start with rtsp://, rtsps://"), UrlValidator.rtspProblem("://127.0.0.1/cam"));
        assertEquals(Optional.of("must start with rtmp://, rtmps://"), UrlValidator.rtmpProblem("srt://h/live/k"));
        assertEquals(Optional.of("must not start with '-'"), UrlValidator.rtmpProblem("-rtmp://h/live/k"));
        assertEquals(Optional.of("must name a host (rtsp://host[:port]/...)"),
                UrlValidator.rtspProblem("rtsp://admin:hunter2@/cam"));
        assertEquals(Optional.of("must have an application path (rtmps://host/app/streamkey)"),
                UrlValidator.rtmpProblem("rtmps://h:443//"));
        String malformed = UrlValidator.rtspProblem("rtsp://admin:hunter2@127.0.0.1/cam%zz").orElseThrow();
        assertTrue(malformed.startsWith("is not a valid URL ("), malformed);
        assertFalse(malformed.contains("hunter2"), malformed);
    }

    @Test
    void aStreamKeyAsTheOnlyPathSegmentIsADestination() {
        assertTrue(UrlValidator.rtmpProblem("rtmps://live-api-s.facebook.com:443/FB-123-0-AbCd").isEmpty());
        assertTrue(UrlValidator.rtmpProblem("rtmp://127.0.0.1/onlykey").isEmpty());
    }

    @Test
    void namesEveryBadField() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> UrlValidator.requireValid("file:///x", "pipe:1"));
        assertEquals(List.of("rtsp_url", "rtmp_url"), e.errors().stream().map(FieldError::field).toList());
        UrlValidator.requireValid(null, "rtmp://127.0.0.1/live/k");
    }
}
