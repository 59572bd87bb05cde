package stream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretMaskerTest {
    @Test
    void masksUrlsAsTheContractShowsThem() {
        assertEquals("rtsp://admin:***@127.0.0.1:554/cam?channel=1",
                SecretMasker.maskUrl("rtsp://admin:hunter2@127.0.0.1:554/cam?channel=1"));
        assertEquals("rtmp://a.rtmp.example/live2/****wxyz", SecretMasker.maskUrl("rtmp://a.rtmp.example/live2/abcd-efgh-wxyz"));
        assertEquals("rtmp://127.0.0.1/live/****", SecretMasker.maskUrl("rtmp://127.0.0.1/live/abc"));
        assertEquals("rtmp://127.0.0.1/live/****", SecretMasker.maskUrl("rtmp://127.0.0.1/live/abcd"));
        assertEquals("rtmp://127.0.0.1/live/****bcde", SecretMasker.maskUrl("rtmp://127.0.0.1/live/abcde"));
        assertEquals("rtmp://127.0.0.1/live/****1234?backup=1", SecretMasker.maskUrl("rtmp://127.0.0.1/live/key-1234?backup=1"));
        assertEquals("rtsp://127.0.0.1/cam", SecretMasker.maskUrl("rtsp://127.0.0.1/cam"));
        assertNull(SecretMasker.maskUrl(null));
    }

    /** Every shape of URL secret: the URL, then how it must be shown. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // user info
            "rtsp://admin:hunter2@127.0.0.1/cam | rtsp://admin:***@127.0.0.1/cam",
            "rtsps://admin:p%40ss@cam.example:322/s | rtsps://admin:***@cam.example:322/s",
            "rtsp://admin:p@ss@127.0.0.1/cam | rtsp://admin:***@127.0.0.1/cam",
            "rtsp://admin:pa/ss@127.0.0.1/cam | rtsp://admin:***@127.0.0.1/cam",
            "rtsp://admin:@127.0.0.1/cam | rtsp://admin:***@127.0.0.1/cam",
            "rtsp://admin@127.0.0.1/cam | rtsp://admin@127.0.0.1/cam",
            "rtsp://127.0.0.1:8554/cam@2 | rtsp://127.0.0.1:8554/cam@2",
            "rtsp://[::1]:8554/cam | rtsp://[::1]:8554/cam",
            "rtsp://admin:pw@[::1]:8554/cam | rtsp://admin:***@[::1]:8554/cam",
            "https://social.example/@alice | https://social.example/@alice",
            "https://social.example/x?q=a@b | https://social.example/x?q=a@b",
            "https://user:pass@events.example/events?token=abc123 | https://user:***@events.example/events?token=***",
            "https://tok3n-value@events.example/events | https://***@events.example/events",
            "http://alice:s3cret@127.0.0.1:8080/events | http://alice:***@127.0.0.1:8080/events",
            // the stream key, after the application or as the only path segment
            "rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop | rtmp://a.rtmp.youtube.com/live2/****mnop",
            "rtmp://127.0.0.1/sk-0123456789 | rtmp://127.0.0.1/****6789",
            "rtmps://live-api-s.facebook.com:443/FB-1234-0-AbCdEf | rtmps://live-api-s.facebook.com:443/****CdEf",
            "rtmps://host:443/KEY12345/ | rtmps://host:443/****2345/",
            "rtmp://host/app/inst/streamkey99 | rtmp://host/app/****ey99",
            "RTMP://host/live/UPPERKEY1 | RTMP://host/live/****KEY1",
            "rtmpe://host/live/secretkey | rtmpe://host/live/****tkey",
            "rtmp://host | rtmp://host",
            "rtmp://host/ | rtmp://host/",
            // a key after '?' '#' or ';'
            "rtmp://host/app?streamkey123 | rtmp://host/****?****y123",
            "rtmp://host/live#streamkey123 | rtmp://host/****#****y123",
            "rtmp://host/live/k1234567?x=1#frag5678 | rtmp://host/live/****4567?x=1#****5678",
            "rtsp://127.0.0.1/cam;password=hunter2 | rtsp://127.0.0.1/cam;password=***",
            "rtsp://127.0.0.1/cam;user=bob;pwd=hunter2?channel=1 | rtsp://127.0.0.1/cam;user=bob;pwd=***?channel=1",
            "https://h.example/e?a=1;token=zz99;b=2 | https://h.example/e?a=1;token=***;b=2",
            "https://h.example/cb#access_token=abc&state=1 | https://h.example/cb#access_token=***&state=1",
            // credentials in query strings, any case, any position
            "rtsp://127.0.0.1/cam?password=hunter2 | rtsp://127.0.0.1/cam?password=***",
            "rtsp://127.0.0.1/cam?channel=1&pass=hunter2 | rtsp://127.0.0.1/cam?channel=1&pass=***",
            "rtsp://127.0.0.1/cam?PWD=hunter2&channel=1 | rtsp://127.0.0.1/cam?PWD=***&channel=1",
            "rtsp://127.0.0.1/cam?user=admin&Password=hunter2&subtype=0 | rtsp://127.0.0.1/cam?user=admin&Password=***&subtype=0",
            "rtmp://host/app/key5678?token=t0k3n | rtmp://host/app/****5678?token=***",
            "rtmps://ingest.pscp.tv:443/x/?s_sc=abcdefgh | rtmps://ingest.pscp.tv:443/****/?s_sc=***",
            "https://h.example/e?KEY=v1&secret=v2&auth=v3&sig=v4 | https://h.example/e?KEY=***&secret=***&auth=***&sig=***",
            "https://h.example/e?api_key=v1&x-signature=v2&passwd=v3 | https://h.example/e?api_key=***&x-signature=***&passwd=***",
            "srt://127.0.0.1:9000?passphrase=longpassphrase&streamid=live/k | srt://127.0.0.1:9000?passphrase=***&streamid=***",
            "https://h.example/e?token= | https://h.example/e?token=",
            "https://h.example/e?channel=1&subtype=0 | https://h.example/e?channel=1&subtype=0",
            "not a url?password=x | not a url?password=x"})
    void masksEveryShapeOfUrlSecret(String url, String shown) {
        assertEquals(shown, SecretMasker.maskUrl(url));
    }

    @Test
    void masksSecretsInFfmpegOutputEvenOutsideUrls() {
        SecretMasker m = SecretMasker.forUrls("rtsp://admin:p%40ss@127.0.0.1/cam", "rtmp://127.0.0.1/live/sk-abcdef");
        String line = "[rtmp @ 0x5] Cannot open rtmp://127.0.0.1/live/sk-abcdef: key sk-abcdef refused; "
                + "rtsp://admin:p%40ss@127.0.0.1/cam 401, password p@ss";
        String masked = m.mask(line);
        assertFalse(masked.contains("sk-abcdef"), masked);
        assertFalse(masked.contains("p%40ss"), masked);
        assertFalse(masked.contains("p@ss"), masked);
        assertEquals("[rtmp @ 0x5] Cannot open rtmp://127.0.0.1/live/****cdef: key *** refused; "
                + "rtsp://admin:***@127.0.0.1/cam 401, password ***", masked);
    }

    @Test
    void knowsTheQueryAndSingleSegmentSecretsOfItsUrlsInFreeText() {
        SecretMasker m = SecretMasker.forUrls("rtsp://127.0.0.1/cam?user=a&password=camPass1",
                "rtmps://host:443/onlyKey777", "https://events.example/e?token=sseTok3n", null);
        assertEquals("pw *** key *** token ***", m.mask("pw camPass1 key onlyKey777 token sseTok3n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Opening 'rtsp://admin:hunter2@127.0.0.1/cam' for reading",
            "rtmp://127.0.0.1/live/hunter2: Input/output error",
            "(rtmps://host:443/hunter2)",
            "[https @ 0x1] HTTP error 401 https://h.example/events?token=hunter2",
            "srt://127.0.0.1:9000?passphrase=hunter2, connection refused",
            "wss://h.example/socket?auth=hunter2",
            "rtmpt://host/app/hunter2.",
            "option password=hunter2 rejected",
            "retrying with api_key=hunter2&x=1",
            "Authorization: Bearer hunter2",
            "authorization: basic hunter2"})
    void freeTextLosesTheSecretWhateverItsShape(String line) {
        String masked = SecretMasker.forUrls().mask(line);
        assertFalse(masked.contains("hunter2"), masked);
        assertTrue(masked.contains("***"), masked);
    }

    @Test
    void freeTextWithoutSecretsIsKeptAsItIs() {
        String line = "frame=  250 fps= 25 q=28.0 size=    1024kB time=00:00:10.00 bitrate= 838.9kbits/s keyint=50"
                + " rtsp://127.0.0.1/cam?channel=1: 200 OK (monkey=business is not 'key=' alone)";
        String masked = SecretMasker.forUrls().mask(line);
        assertTrue(masked.startsWith("frame=  250 fps= 25 q=28.0 size=    1024kB time=00:00:10.00 bitrate= 838.9kbits/s"
                + " keyint=50 rtsp://127.0.0.1/cam?channel=1: 200 OK"), masked);
        assertTrue(masked.contains("monkey=***"), "a name ending in key counts as a secret name: " + masked);
        assertNull(SecretMasker.forUrls().mask(null));
    }

    @Test
    void literalSecretsAreMaskedLongestFirstAndShortOnesAreLeftAlone() {
        SecretMasker m = SecretMasker.forSecrets(List.of("abc", "tokenvalue", "tokenvalue-longer"));
        assertEquals("x *** y *** z abc", m.mask("x tokenvalue-longer y tokenvalue z abc"));
    }

    @Test
    void combinedMaskersKnowBothSetsOfSecrets() {
        SecretMasker both = SecretMasker.forSecrets(List.of("apiToken99"))
                .and(SecretMasker.forUrls("rtmp://127.0.0.1/live/streamKey1"));
        assertEquals("*** and ***", both.mask("apiToken99 and streamKey1"));
    }

    @ParameterizedTest
    @CsvSource({"abcd-efgh-ijkl-mnop, ****mnop", "abcdefghijkl, ****ijkl", "abcdefghijk, ****", "'', ****"})
    void tokensAreShownInTheStreamKeyForm(String token, String shown) {
        assertEquals(shown, SecretMasker.maskToken(token));
    }

    @Test
    void maskTokenOfNothingIsNothing() {
        assertNull(SecretMasker.maskToken(null));
    }
}
