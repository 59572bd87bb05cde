package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import stream.core.RtspUrl;
import stream.core.SecretMasker;
import stream.core.ValidationException;

/**
 * CameraProbe against real GStreamer RTSP cameras and misbehaving servers on 127.0.0.1. Every probe is started at
 * once in {@link #probeEverythingAtOnce()} (each takes ~6 s of stream time) and the tests read their results.
 */
class CameraProbeRtspTest {
    private static final String FFPROBE = "/usr/bin/ffprobe";
    /** The camera's password holds an '@', written %40 in the URL as users must. */
    private static final String PASSWORD = "Pa@ss-W0rd";
    private static final String WRONG_PASSWORD = "Wr0ng%40Secret";

    private static final List<AutoCloseable> RESOURCES = new ArrayList<>();
    private static final Duration STREAMING_LIMIT = Duration.ofSeconds(45);
    private static ExecutorService streaming;
    private static ExecutorService failing;
    private static int aacPort;
    private static String aacUrl;
    private static String silentUrl;
    private static int refusedPort;
    private static int silentPort;

    private static CompletableFuture<Timed> aac;
    private static CompletableFuture<Timed> noAudio;
    private static CompletableFuture<Timed> longGop;
    private static CompletableFuture<Timed> hevc;
    private static CompletableFuture<Timed> pcmu;
    private static CompletableFuture<Timed> rightPassword;
    private static CompletableFuture<Timed> wrongPath;
    private static CompletableFuture<Timed> wrongPassword;
    private static CompletableFuture<Timed> refused;
    private static CompletableFuture<Timed> silent;
    private static CompletableFuture<Timed> trickling;

    /** A probe's answer and how long it took. */
    record Timed(ProbeResult result, Duration elapsed) {
    }

    @BeforeAll
    static void probeEverythingAtOnce() throws Exception {
        ProbeTestCamera aacCamera = camera("--audio", "aac", "--gop", "2");
        ProbeTestCamera silentCamera = camera("--audio", "none");
        ProbeTestCamera gopCamera = camera("--audio", "aac", "--gop", "6");
        ProbeTestCamera hevcCamera = camera("--codec", "h265", "--audio", "aac");
        ProbeTestCamera pcmuCamera = camera("--audio", "pcmu");
        ProbeTestCamera securedCamera = camera("--audio", "aac", "--user", "admin", "--password", PASSWORD);
        aacPort = aacCamera.port();
        aacUrl = aacCamera.url(null, "/cam");
        silentUrl = silentCamera.url(null, "/cam");
        refusedPort = closedPort();
        silentPort = server(false);
        int tricklePort = server(true);

        CameraProbe probe = new CameraProbe(FFPROBE);
        // The cameras are Python GStreamer pipelines that encode while they are probed, on a shared 2-core machine:
        // at a load average of 6 to 20 a camera took over the appliance's 10 s to answer (seen in full runs), so the
        // probes that must succeed get a generous limit of their own; the 10 s default is tested on its own below.
        CameraProbe patient = new CameraProbe(FFPROBE, STREAMING_LIMIT);
        // Two streaming probes at a time: each camera encodes while it is probed, and this machine has two cores.
        streaming = Executors.newFixedThreadPool(2);
        failing = Executors.newCachedThreadPool();
        aac = probe(streaming, patient, aacCamera.url(null, "/cam"));
        noAudio = probe(streaming, patient, silentCamera.url(null, "/cam"));
        longGop = probe(streaming, patient, gopCamera.url(null, "/cam"));
        hevc = probe(streaming, patient, hevcCamera.url(null, "/cam"));
        pcmu = probe(streaming, patient, pcmuCamera.url(null, "/cam"));
        rightPassword = probe(streaming, patient, securedCamera.url("admin:Pa%40ss-W0rd", "/cam"));
        wrongPath = probe(failing, probe, aacCamera.url(null, "/nope"));
        wrongPassword = probe(failing, probe, securedCamera.url("admin:" + WRONG_PASSWORD, "/cam"));
        refused = probe(failing, probe, "rtsp://127.0.0.1:" + refusedPort + "/cam");
        silent = probe(failing, probe, "rtsp://127.0.0.1:" + silentPort + "/cam");
        trickling = probe(failing, new CameraProbe(FFPROBE, Duration.ofSeconds(3)), "rtsp://127.0.0.1:" + tricklePort + "/cam");
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (streaming != null) {
            streaming.shutdownNow();
            failing.shutdownNow();
        }
        for (AutoCloseable resource : RESOURCES) {
            resource.close();
        }
    }

    @Test
    void readsAnH264CameraWithAacAudio() {
        Timed timed = aac.join();
        ProbeResult result = timed.result();
        assertTrue(result.ok(), result.toString());
        assertEquals("h264", result.videoCodec());
        assertEquals(640, result.width());
        assertEquals(360, result.height());
        assertEquals(25.0, result.fps());
        assertNotNull(result.keyframeIntervalSeconds(), result.toString());
        assertEquals(2.0, result.keyframeIntervalSeconds(), 0.1);
        assertEquals("aac", result.audioCodec());
        assertNull(result.reason());
        assertEquals(List.of(), result.advice());
        assertWithinLimit(timed);
    }

    @Test
    void aCameraWithoutAudioIsToldASilentTrackWillBeAdded() {
        ProbeResult result = noAudio.join().result();
        assertTrue(result.ok(), result.toString());
        assertNull(result.audioCodec());
        assertEquals(2.0, result.keyframeIntervalSeconds(), 0.1);
        assertEquals(List.of("The camera sends no audio; a silent AAC track will be added, because YouTube requires "
                + "audio."), result.advice());
    }

    @Test
    void aSixSecondGopIsFlaggedAsOverFourSeconds() {
        ProbeResult result = longGop.join().result();
        assertTrue(result.ok(), result.toString());
        assertEquals(1, result.advice().size(), result.advice().toString());
        String advice = result.advice().get(0);
        assertTrue(advice.contains("refuses more than 4 s: set the camera's I-frame interval (GOP) to 2 s"), advice);
        assertTrue(result.keyframeIntervalSeconds() == null || result.keyframeIntervalSeconds() > 4, result.toString());
    }

    @Test
    void anHevcCameraIsToldToTranscodeOrSwitchToH264() {
        ProbeResult result = hevc.join().result();
        assertTrue(result.ok(), result.toString());
        assertEquals("hevc", result.videoCodec());
        assertEquals(List.of("The camera sends H.265/HEVC, which cannot be passed through to RTMP with ffmpeg 5.1 (FLV "
                + "has no HEVC until FFmpeg 6.1); choose a transcoding preset or set the camera to H.264."),
                result.advice());
    }

    @Test
    void pcmuAudioWillBeTranscodedToAac() {
        ProbeResult result = pcmu.join().result();
        assertTrue(result.ok(), result.toString());
        assertEquals("pcm_mulaw", result.audioCodec());
        assertEquals(List.of("The camera's G.711 μ-law audio will be transcoded to AAC, which YouTube requires."),
                result.advice());
    }

    @Test
    void aPercentEncodedPasswordWithAnAtSignIsAccepted() {
        ProbeResult result = rightPassword.join().result();
        assertTrue(result.ok(), result.toString());
        assertEquals("aac", result.audioCodec());
    }

    @Test
    void theStreamsOnlyProbeTellsCodecsAndAudioWithoutTimingKeyframes() {
        ProbeResult withAudio = new CameraProbe(FFPROBE).probeStreams(new RtspUrl(aacUrl));
        assertTrue(withAudio.ok(), withAudio.toString());
        assertEquals("h264", withAudio.videoCodec());
        assertEquals("aac", withAudio.audioCodec());
        assertNull(withAudio.keyframeIntervalSeconds(), "no packets were sampled");
        ProbeResult silentOne = new CameraProbe(FFPROBE).probeStreams(new RtspUrl(silentUrl));
        assertTrue(silentOne.ok(), silentOne.toString());
        assertNull(silentOne.audioCodec());
        ProbeResult notThere = new CameraProbe(FFPROBE).probeStreams(new RtspUrl(aacUrl.replace("/cam", "/nope")));
        assertFalse(notThere.ok());
    }

    @Test
    void aWrongPathIs404() {
        Timed timed = wrongPath.join();
        assertFalse(timed.result().ok());
        assertEquals("The camera has no stream at this path (404 Not Found): check the path after 127.0.0.1:"
                + aacPort + " in the RTSP URL (the camera's manual lists it).", timed.result().reason());
    }

    @Test
    void aWrongPasswordIs401AndThePasswordAppearsNowhere() {
        ProbeResult result = wrongPassword.join().result();
        assertFalse(result.ok());
        assertEquals("The camera refused the user name or password (401 Unauthorized): check the credentials in the "
                + "RTSP URL.", result.reason());
        assertFalse(result.toString().contains(WRONG_PASSWORD), result.toString());
        assertFalse(result.toString().contains("Wr0ng@Secret"), result.toString());
    }

    @Test
    void aClosedPortIsConnectionRefused() {
        Timed timed = refused.join();
        assertEquals("Nothing accepts connections at 127.0.0.1:" + refusedPort + " (connection refused): check the "
                + "camera's address and RTSP port, and that it is switched on.", timed.result().reason());
        // told by ffprobe at once, not by our limit; how fast depends on the machine's load (4.6 s at load 8)
        assertTrue(timed.elapsed().compareTo(CameraProbe.DEFAULT_LIMIT) < 0, timed.elapsed().toString());
    }

    @Test
    void aServerThatAcceptsButNeverAnswersTimesOutWithinElevenSeconds() {
        Timed timed = silent.join();
        assertFalse(timed.result().ok());
        assertTrue(timed.result().reason().startsWith("No answer from the camera at 127.0.0.1:" + silentPort + " within"),
                timed.result().reason());
        // ended by the 10 s limit (the reason says so), with room for a loaded machine to end and report ffprobe
        assertTrue(timed.elapsed().compareTo(CameraProbe.DEFAULT_LIMIT.plusSeconds(5)) < 0, timed.elapsed().toString());
    }

    @Test
    void aServerThatKeepsFfprobeWaitingIsKilledAtTheProbesLimit() {
        // One byte every 200 ms keeps ffprobe's socket timeout from ever firing: only our own limit ends it.
        Timed timed = trickling.join();
        assertFalse(timed.result().ok());
        assertTrue(timed.result().reason().startsWith("No answer from the camera at 127.0.0.1:"), timed.result().reason());
        assertTrue(timed.result().reason().contains("within 3 s"), timed.result().reason());
        assertTrue(timed.elapsed().compareTo(Duration.ofSeconds(3 + 5)) < 0, timed.elapsed().toString());
    }

    @Test
    void anUnusableUrlCannotBeMadeIntoACameraToProbe() {
        // the probe takes only the checked value, so ffprobe never sees it
        ValidationException e = assertThrows(ValidationException.class, () -> new RtspUrl("file:/etc/passwd"));
        assertEquals("rtsp_url", e.errors().get(0).field());
        assertEquals("must start with rtsp://, rtsps://", e.errors().get(0).message());
    }

    @Test
    void aMissingFfprobeIsReportedNotThrown() {
        ProbeResult result = new CameraProbe("/nonexistent/ffprobe").probe(new RtspUrl("rtsp://127.0.0.1:1/cam"));
        assertFalse(result.ok());
        assertTrue(result.reason().startsWith("ffprobe cannot be run at /nonexistent/ffprobe"), result.reason());
    }

    private static void assertWithinLimit(Timed timed) {
        assertTrue(timed.elapsed().compareTo(STREAMING_LIMIT) < 0, timed.elapsed().toString());
    }

    private static ProbeTestCamera camera(String... options) throws Exception {
        ProbeTestCamera camera = ProbeTestCamera.start(options);
        RESOURCES.add(camera);
        return camera;
    }

    private static CompletableFuture<Timed> probe(ExecutorService executor, CameraProbe probe, String url) {
        return CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            ProbeResult result = probe.probe(new RtspUrl(url));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            System.out.println("probe " + SecretMasker.maskUrl(url) + " took " + elapsed.toMillis() + " ms: " + result);
            return new Timed(result, elapsed);
        }, executor);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A TCP server that accepts and then says nothing, or only trickles spaces, never an RTSP reply. */
    private static int server(boolean trickle) throws IOException {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        RESOURCES.add(socket);
        Thread acceptor = new Thread(() -> {
            List<Socket> held = new ArrayList<>();
            try {
                while (!socket.isClosed()) {
                    Socket client = socket.accept();
                    held.add(client);
                    if (trickle) {
                        Thread writer = new Thread(() -> trickle(client), "trickle");
                        writer.setDaemon(true);
                        writer.start();
                    }
                }
            } catch (IOException closed) {
                held.forEach(CameraProbeRtspTest::closeQuietly);
            }
        }, trickle ? "trickle-server" : "silent-server");
        acceptor.setDaemon(true);
        acceptor.start();
        return socket.getLocalPort();
    }

    private static void trickle(Socket client) {
        try {
            OutputStream out = client.getOutputStream();
            while (!client.isClosed()) {
                out.write(' ');
                out.flush();
                Thread.sleep(200);
            }
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
