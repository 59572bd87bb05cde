package stream.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/** A record printed by mistake in a log line or an exception must not carry the secrets its URLs hold. */
class RecordTextTest {
    private static final List<String> SECRETS = List.of("hunter2", "abcd-efgh-ijkl-mnop", "t0k3n", "pa/ss", "s3cret");

    private static void assertNoSecret(String text) {
        for (String secret : SECRETS) {
            assertFalse(text.contains(secret), () -> secret + " in " + text);
        }
    }

    @Test
    void aStreamConfigShowsSchemeAndHostOnly() {
        StreamConfig c = new StreamConfig(7, "cam-7", "rtsp://admin:hunter2@127.0.0.1:554/cam?channel=1",
                "rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop", "-c:v copy -metadata x=s3cret", true, null,
                StreamConfig.DesiredState.RUNNING, Instant.EPOCH, Instant.EPOCH);
        String text = c.toString();
        assertNoSecret(text);
        assertTrue(text.contains("rtsp://(hidden)/(hidden)"), text);
        assertTrue(text.contains("rtmpUrl=rtmp://a.rtmp.youtube.com/(hidden)"), text);
        assertTrue(text.startsWith("StreamConfig[id=7, "), text);
    }

    @Test
    void aUrlChangeShowsSchemeAndHostOnly() {
        UrlChange ch = new UrlChange(1, 7L, "rtsp://admin:pa/ss@127.0.0.1/cam", "rtsp://127.0.0.1/cam;password=hunter2",
                "rtmps://host:443/abcd-efgh-ijkl-mnop", null, ChangeSource.SSE, Instant.EPOCH);
        String text = ch.toString();
        assertNoSecret(text);
        assertTrue(text.contains("newRtspUrl=rtsp://127.0.0.1/(hidden)"), text);
        assertTrue(text.contains("oldRtmpUrl=rtmps://host:443/(hidden)"), text);
        assertTrue(text.contains("newRtmpUrl=null"), text);
    }

    @Test
    void settingsHideTheSseUrlsUserInfoPathAndToken() {
        Settings s = new Settings("https://user:s3cret@events.example/events?token=t0k3n", true, "hunter2", 30);
        assertNoSecret(s.toString());
        assertTrue(s.toString().contains("sseToken=***"), s.toString());
        assertEquals("https://events.example", UrlRedaction.shown("https://events.example"));
        assertEquals("(hidden)", UrlRedaction.shown("not a url hunter2"));
        assertEquals("https://events.example/(hidden)", UrlRedaction.shown("https://events.example?token=t0k3n"));
    }
}
