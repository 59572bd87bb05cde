package stream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class SecretMaskerTest {
    @Test
    void masksUrlsAsTheContractShowsThem() {
        assertEquals("rtsp://admin:***@127.0.0.1:554/cam?channel=1",
                SecretMasker.maskUrl("rtsp://admin:hunter2@127.0.0.1:554/cam?channel=1"));
        assertEquals("rtmp://a.rtmp.example/live2/****wxyz", SecretMasker.maskUrl("rtmp://a.rtmp.example/live2/abcd-efgh-wxyz"));
        assertEquals("rtmp://127.0.0.1/live/****", SecretMasker.maskUrl("rtmp://127.0.0.1/live/abc"));
        assertEquals("rtmp://127.0.0.1/live/****1234?backup=1", SecretMasker.maskUrl("rtmp://127.0.0.1/live/key-1234?backup=1"));
        assertEquals("rtsp://127.0.0.1/cam", SecretMasker.maskUrl("rtsp://127.0.0.1/cam"));
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
}
