package stream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
    void namesEveryBadField() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> UrlValidator.requireValid("file:///x", "pipe:1"));
        assertEquals(List.of("rtsp_url", "rtmp_url"), e.errors().stream().map(FieldError::field).toList());
        UrlValidator.requireValid(null, "rtmp://127.0.0.1/live/k");
    }
}
