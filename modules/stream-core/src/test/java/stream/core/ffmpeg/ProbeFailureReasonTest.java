package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Sentences for saved ffprobe 5.1 error output (src/test/resources/probe/err-*.txt). */
class ProbeFailureReasonTest {
    private static final Duration QUICK = Duration.ofMillis(60);
    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final Duration SOCKET = Duration.ofSeconds(5);

    private static String explain(String url, String fixture, Duration elapsed) throws IOException {
        return ProbeFailureReason.explain(url, ProbeReportTest.fixture(fixture), false, elapsed, LIMIT, SOCKET);
    }

    @Test
    void wrongPasswordSaysSoWithoutTheSecret() throws IOException {
        String url = "rtsp://admin:Wrong-Pw-99@127.0.0.1:45511/cam";
        String reason = explain(url, "err-401.txt", QUICK);
        assertEquals("The camera refused the user name or password (401 Unauthorized): check the credentials in the "
                + "RTSP URL.", reason);
        assertFalse(reason.contains("Wrong-Pw-99"));
    }

    @Test
    void missingCredentialsAreAskedFor() throws IOException {
        assertTrue(explain("rtsp://127.0.0.1:45511/cam", "err-401.txt", QUICK)
                .startsWith("The camera needs a user name and password (401 Unauthorized)"));
    }

    @Test
    void wrongPathIsNamed() throws IOException {
        assertEquals("The camera has no stream at this path (404 Not Found): check the path after 127.0.0.1:45511 in "
                + "the RTSP URL (the camera's manual lists it).",
                explain("rtsp://admin:Fixture-Pw-77@127.0.0.1:45511/nope", "err-404.txt", QUICK));
    }

    @Test
    void refusedConnectionNamesHostAndPort() throws IOException {
        assertEquals("Nothing accepts connections at 127.0.0.1:1 (connection refused): check the camera's address and "
                + "RTSP port, and that it is switched on.", explain("rtsp://127.0.0.1:1/cam", "err-refused.txt", QUICK));
    }

    @Test
    void unresolvableHostIsNamed() throws IOException {
        assertEquals("The camera's host name \"no-such-camera.invalid\" cannot be resolved: check its spelling, or use "
                + "the camera's IP address.", explain("rtsp://no-such-camera.invalid/cam", "err-unresolvable.txt", QUICK));
    }

    @Test
    void aSilentServerIsATimeoutOnlyWhenFfprobeWaitedOutItsSocketTimeout() throws IOException {
        assertEquals("No answer from the camera at 127.0.0.1:59379 within 5 s: it accepted the connection but sent no "
                + "RTSP reply (is this its RTSP port?).",
                explain("rtsp://127.0.0.1:59379/cam", "err-silent.txt", Duration.ofMillis(5170)));
        assertTrue(explain("rtsp://127.0.0.1:59379/cam", "err-silent.txt", QUICK)
                .contains("answered with something that is not an RTSP stream"));
    }

    @Test
    void aKilledProbeIsATimeoutAtTheOverallLimit() {
        assertEquals("No answer from the camera at cam.local:554 within 10 s: it may be stuck, or this is not its RTSP "
                + "port.", ProbeFailureReason.explain("rtsp://u:p@cam.local/x", "", true, LIMIT, LIMIT, SOCKET));
    }

    @Test
    void unknownErrorsQuoteFfprobeMasked() {
        String url = "rtsp://admin:Secret-123@127.0.0.9:8554/live";
        String reason = ProbeFailureReason.explain(url, "[rtsp @ 0x5600] something odd\n" + url + ": Protocol error\n",
                false, QUICK, LIMIT, SOCKET);
        assertEquals("ffprobe could not read the camera's stream: rtsp://admin:***@127.0.0.9:8554/live: Protocol error",
                reason);
    }

    @Test
    void addressesAreReadWithoutTheirUserInfo() {
        assertEquals(new ProbeFailureReason.CameraAddress("cam", 554, true),
                ProbeFailureReason.CameraAddress.of("rtsp://a:b@c:d@cam/x"));
        assertEquals(new ProbeFailureReason.CameraAddress("[::1]", 8554, false),
                ProbeFailureReason.CameraAddress.of("rtsp://[::1]:8554/x"));
        assertEquals(new ProbeFailureReason.CameraAddress("cam", 322, false),
                ProbeFailureReason.CameraAddress.of("rtsps://cam?x=1"));
    }
}
