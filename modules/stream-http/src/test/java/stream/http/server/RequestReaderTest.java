package stream.http.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestReaderTest {
    static final ServerLimits LIMITS = new ServerLimits(1024, 10, 100, Duration.ofSeconds(30), Duration.ofSeconds(10),
            Duration.ofSeconds(10), Duration.ofSeconds(30), 64, 8, 2, 8, 4096);

    /** Feeds the bytes in pieces of {@code step} and returns the last progress. */
    static RequestReader.Progress feed(RequestReader r, String text, int step) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        RequestReader.Progress p = RequestReader.Progress.NEED_MORE;
        for (int i = 0; i < bytes.length; i += step) {
            int n = Math.min(step, bytes.length - i);
            int done = 0;
            while (done < n) {
                byte[] buf = r.buffer();
                int k = Math.min(n - done, r.free());
                System.arraycopy(bytes, i + done, buf, r.writeOffset(), k);
                r.wrote(k);
                done += k;
                do {
                    p = r.advance();
                } while (p == RequestReader.Progress.HEAD_DONE);
                if (p == RequestReader.Progress.REFUSED || p == RequestReader.Progress.COMPLETE) {
                    return p;
                }
            }
        }
        return p;
    }

    @Test
    void aRequestArrivingOneByteAtATimeIsReadWhole() {
        RequestReader r = new RequestReader(LIMITS);
        String req = "POST /api/x?a=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
        assertEquals(RequestReader.Progress.COMPLETE, feed(r, req, 1));
        Request q = r.take();
        assertEquals("POST", q.head().method());
        assertEquals("/api/x", q.head().uri().getPath());
        assertEquals("a=1", q.head().uri().getRawQuery());
        assertEquals("h", q.head().headers().getFirst("host"));
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), q.body());
        assertTrue(q.head().keepAlive());
        assertFalse(r.midRequest());
    }

    @Test
    void chunkedBodiesAreDecodedWithExtensionsAndTrailers() {
        RequestReader r = new RequestReader(LIMITS);
        String req = "PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nT: v\r\n\r\n";
        for (int step : new int[] {1, 7, 1000}) {
            r = new RequestReader(LIMITS);
            assertEquals(RequestReader.Progress.COMPLETE, feed(r, req, step), "step " + step);
            assertEquals("abc0123456789", new String(r.take().body(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void pipelinedRequestsAreReadOneAfterTheOther() {
        RequestReader r = new RequestReader(LIMITS);
        String two = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.0\r\n\r\n";
        assertEquals(RequestReader.Progress.COMPLETE, feed(r, two, two.length()));
        assertEquals("/a", r.take().head().uri().getPath());
        assertTrue(r.midRequest());
        assertEquals(RequestReader.Progress.COMPLETE, r.advance());
        Request b = r.take();
        assertEquals("/b", b.head().uri().getPath());
        assertFalse(b.head().keepAlive(), "HTTP/1.0 closes unless asked to keep alive");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad request line|GET /\\r\\n\\r\\n|400",
        "two spaces|GET  / HTTP/1.1\\r\\n\\r\\n|400",
        "HTTP/2|GET / HTTP/2.0\\r\\n\\r\\n|505",
        "not HTTP|GET / FOO/1.1\\r\\n\\r\\n|400",
        "absolute form|GET http://x/ HTTP/1.1\\r\\n\\r\\n|400",
        "asterisk|OPTIONS * HTTP/1.1\\r\\n\\r\\n|400",
        "NUL in path|GET /a%00b HTTP/1.1\\r\\n\\r\\n|400",
        "raw control in target|GET /a\\tb HTTP/1.1\\r\\n\\r\\n|400",
        "backslash|GET /a%5c..%5cetc HTTP/1.1\\r\\n\\r\\n|400",
        "bad percent|GET /a%zz HTTP/1.1\\r\\n\\r\\n|400",
        "bad method|G(T / HTTP/1.1\\r\\n\\r\\n|400",
        "folded header|GET / HTTP/1.1\\r\\nA: b\\r\\n c\\r\\n\\r\\n|400",
        "space before colon|GET / HTTP/1.1\\r\\nHost : x\\r\\n\\r\\n|400",
        "no colon|GET / HTTP/1.1\\r\\nHost\\r\\n\\r\\n|400",
        "control in value|GET / HTTP/1.1\\r\\nA: b\\x01c\\r\\n\\r\\n|400",
        "CL and TE|POST / HTTP/1.1\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400",
        "two different CL|POST / HTTP/1.1\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\n|400",
        "negative CL|POST / HTTP/1.1\\r\\nContent-Length: -1\\r\\n\\r\\n|400",
        "CL not a number|POST / HTTP/1.1\\r\\nContent-Length: 1e3\\r\\n\\r\\n|400",
        "CL over the limit|POST / HTTP/1.1\\r\\nContent-Length: 101\\r\\n\\r\\n|413",
        "huge CL|POST / HTTP/1.1\\r\\nContent-Length: 99999999999999999999\\r\\n\\r\\n|400",
        "gzip TE|POST / HTTP/1.1\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n|501",
        "unknown expectation|POST / HTTP/1.1\\r\\nExpect: magic\\r\\n\\r\\n|417",
        "chunk over the limit|POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n65\\r\\n|413",
        "endless chunk size|POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n000000001\\r\\n|413",
        "chunk size not hex|POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\n|400",
        "chunk without CRLF|POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n1\\r\\naXY|400",
    })
    void malformedOrOversizedRequestsAreRefusedWithTheRightStatus(String name, String request, int status) {
        RequestReader r = new RequestReader(LIMITS);
        String req = request.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").replace("\\x01", "\u0001");
        assertEquals(RequestReader.Progress.REFUSED, feed(r, req, 3), name);
        assertEquals(status, r.refusalStatus(), name + ": " + r.refusalMessage());
    }

    @Test
    void headersOverTheSizeOrCountLimitAreRefused() {
        RequestReader big = new RequestReader(LIMITS);
        assertEquals(RequestReader.Progress.REFUSED, feed(big, "GET / HTTP/1.1\r\nA: " + "x".repeat(2000), 100));
        assertEquals(431, big.refusalStatus());
        RequestReader many = new RequestReader(LIMITS);
        assertEquals(RequestReader.Progress.REFUSED,
                feed(many, "GET / HTTP/1.1\r\n" + "A: b\r\n".repeat(11) + "\r\n", 1000));
        assertEquals(431, many.refusalStatus());
        RequestReader trailer = new RequestReader(LIMITS);
        assertEquals(RequestReader.Progress.REFUSED, feed(trailer,
                "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + "T: v\r\n".repeat(2000), 500));
        assertEquals(431, trailer.refusalStatus());
    }

    @Test
    void aSlowlorisHeadNeverGrowsTheBufferBeyondTheLimit() {
        RequestReader r = new RequestReader(LIMITS);
        RequestReader.Progress p = feed(r, "GET / HTTP/1.1\r\n" + "X-a: b\r\n".repeat(3), 1);
        assertEquals(RequestReader.Progress.NEED_MORE, p);
        assertTrue(r.midRequest());
        assertTrue(r.buffer().length <= LIMITS.maxHeadBytes() + 8 * 1024);
    }

    @Test
    void expectContinueAndConnectionCloseAreRecognised() {
        RequestReader r = new RequestReader(LIMITS);
        assertEquals(RequestReader.Progress.COMPLETE,
                feed(r, "POST / HTTP/1.1\r\nExpect: 100-Continue\r\nConnection: Close\r\nContent-Length: 1\r\n\r\nx", 100));
        Request q = r.take();
        assertTrue(q.head().expectContinue());
        assertFalse(q.head().keepAlive());
        RequestReader ka = new RequestReader(LIMITS);
        assertEquals(RequestReader.Progress.COMPLETE,
                feed(ka, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 100));
        assertTrue(ka.take().head().keepAlive());
    }
}
