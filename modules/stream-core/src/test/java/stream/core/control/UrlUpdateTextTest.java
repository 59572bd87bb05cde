package stream.core.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class UrlUpdateTextTest {
    @Test
    void anUpdatePrintedByMistakeShowsItsUrlsMasked() {
        UrlUpdate u = new UrlUpdate(null, "rtsp://admin:hunter2@127.0.0.1/cam", "rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl",
                Instant.EPOCH, true);
        assertEquals("UrlUpdate[stream=null, rtspUrl=rtsp://admin:***@127.0.0.1/cam, rtmpUrl=rtmp://a.rtmp.youtube.com/live2/****ijkl,"
                + " timestamp=1970-01-01T00:00:00Z, restartRequired=true]", u.toString());
        assertEquals("UrlUpdate[stream=null, rtspUrl=null, rtmpUrl=null, timestamp=null, restartRequired=false]",
                new UrlUpdate(null, null, null, null, false).toString());
    }
}
