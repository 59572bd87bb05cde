package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import stream.core.SecretMasker;

class FailureClassifierTest {

    private static Failure classifyFixture(String name) {
        Optional<Failure> failure = FailureClassifier.classify(Fixtures.lines(name));
        assertTrue(failure.isPresent(), () -> name + " should be recognised");
        return failure.get();
    }

    /** Each real ffmpeg 5.1 stderr capture is recognised as the failure it was made to show. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "stderr-rtsp-connection-refused.txt, CAMERA_UNREACHABLE",
            "stderr-rtsp-host-unknown.txt, CAMERA_HOST_UNKNOWN",
            "stderr-rtsp-401.txt, CAMERA_UNAUTHORIZED",
            "stderr-rtsp-404.txt, CAMERA_STREAM_NOT_FOUND",
            "stderr-rtsp-no-answer.txt, CAMERA_BAD_ANSWER",
            "stderr-rtsp-stalled-midstream.txt, CAMERA_TIMEOUT",
            "stderr-rtsp-no-audio-track.txt, CAMERA_STREAM_MISSING",
            "stderr-rtmp-connection-refused.txt, DESTINATION_UNREACHABLE",
            "stderr-rtmp-host-unknown.txt, DESTINATION_HOST_UNKNOWN",
            "stderr-rtmp-handshake-timeout.txt, DESTINATION_TIMEOUT",
            "stderr-rtmp-already-publishing.txt, DESTINATION_REJECTED",
            "stderr-rtmp-publish-refused-on-publish.txt, DESTINATION_REJECTED",
            "stderr-rtmp-app-not-found.txt, DESTINATION_REJECTED",
            "stderr-rtmp-publish-denied.txt, DESTINATION_CONNECTION_LOST",
            "stderr-hevc-passthrough-flv.txt, CODEC_NOT_SUPPORTED_BY_FLV",
            "stderr-opus-copy-flv.txt, CODEC_NOT_SUPPORTED_BY_FLV",
            "stderr-encoder-v4l2m2m-no-device.txt, HARDWARE_ENCODER_FAILED",
            "stderr-encoder-nvenc-no-cuda.txt, HARDWARE_ENCODER_FAILED",
            "stderr-encoder-vaapi-no-device.txt, HARDWARE_ENCODER_FAILED",
            "stderr-encoder-unknown.txt, ENCODER_NOT_FOUND",
            "stderr-option-stimeout.txt, INVALID_PARAMETERS",
            "stderr-filter-with-copy.txt, INVALID_PARAMETERS",
            "stderr-snapshot-dir-missing.txt, SNAPSHOT_WRITE_FAILED"})
    void recognisesRealFfmpegFailures(String fixture, FailureKind expected) {
        assertEquals(expected, classifyFixture(fixture).kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {"stderr-ok-libx264-5s.txt", "stderr-ok-copy-rtmp-snapshot.txt",
            "stderr-ok-libx264-anullsrc-rtmp.txt", "stderr-rtsp-camera-gone-midstream.txt"})
    void healthyRunsAndACleanEndAreNotFailures(String fixture) {
        // A camera that vanishes mid-stream makes ffmpeg 5.1 end with status 0 and no error line at all.
        assertEquals(Optional.empty(), FailureClassifier.classify(Fixtures.lines(fixture)));
    }

    @Test
    void theSameLowLevelErrorIsPlacedOnTheSideTheFollowingLinesName() {
        // Both start with "[tcp @ ...] ... Connection refused"; only the next line says whose connection it was.
        assertEquals(FailureKind.Side.CAMERA, classifyFixture("stderr-rtsp-connection-refused.txt").side());
        assertEquals(FailureKind.Side.DESTINATION, classifyFixture("stderr-rtmp-connection-refused.txt").side());
    }

    @Test
    void aLineWithoutAnySideIsNotGuessed() {
        assertEquals(Optional.empty(), FailureClassifier.classify(
                "[tcp @ 0x55faf5daf840] [error] Connection to tcp://127.0.0.9:554?timeout=5000000 failed: Connection refused"));
    }

    @Test
    void codecAndSettingFailuresArePermanentNetworkOnesTransient() {
        assertTrue(classifyFixture("stderr-hevc-passthrough-flv.txt").permanent());
        assertTrue(classifyFixture("stderr-rtsp-401.txt").permanent());
        assertTrue(classifyFixture("stderr-rtsp-404.txt").permanent());
        assertTrue(classifyFixture("stderr-encoder-v4l2m2m-no-device.txt").permanent());
        assertFalse(classifyFixture("stderr-rtsp-connection-refused.txt").permanent());
        assertFalse(classifyFixture("stderr-rtmp-connection-refused.txt").permanent());
        assertFalse(classifyFixture("stderr-rtsp-stalled-midstream.txt").permanent());
    }

    @Test
    void theMessageIsThePlainSentenceWithFfmpegsWords() {
        Failure failure = classifyFixture("stderr-rtmp-already-publishing.txt");
        assertEquals(FailureKind.DESTINATION_REJECTED.sentence() + " (ffmpeg: Server error: Already publishing)",
                failure.message());
        assertEquals("[rtmp @ 0x55f0f06bd5c0] [error] Server error: Already publishing", failure.line());
    }

    @Test
    void theMessageLeavesOutTheUrlAndItsSecrets() {
        Failure refused = FailureClassifier.classify(
                "[error] rtmp://127.0.0.1:1/live2/mysecretkey123: Connection refused").orElseThrow();
        assertEquals(FailureKind.DESTINATION_UNREACHABLE.sentence() + " (ffmpeg: Connection refused)",
                refused.message());
        Failure lost = FailureClassifier.classify(
                "[error] Error writing trailer of rtmp://h/live2/mysecretkey123: Broken pipe").orElseThrow();
        assertFalse(lost.message().contains("mysecretkey123"), lost.message());
        assertTrue(lost.message().contains("rtmp://h/live2/****"), lost.message());
    }

    @Test
    void maskedLinesAreRecognisedTheSame() {
        SecretMasker masker = SecretMasker.forUrls("rtsp://admin:secretpw@camera.invalid:554/cam1",
                "rtmp://127.0.0.1:1/live2/mysecretkey123");
        for (String fixture : List.of("stderr-rtsp-host-unknown.txt", "stderr-rtmp-connection-refused.txt")) {
            List<String> masked = Fixtures.lines(fixture).stream().map(masker::mask).toList();
            assertEquals(classifyFixture(fixture).kind(), FailureClassifier.classify(masked).orElseThrow().kind());
        }
    }

    @ParameterizedTest(name = "{1}: {0}")
    @CsvSource(delimiter = '|', value = {
            "[rtsp @ 0x1] [error] method DESCRIBE failed: 403 Forbidden | CAMERA_UNAUTHORIZED",
            "[error] rtsp://cam/x: Server returned 403 Forbidden (access denied) | CAMERA_UNAUTHORIZED",
            "[rtsp @ 0x1] [error] method SETUP failed: 461 Unsupported transport | CAMERA_BAD_ANSWER",
            "[error] rtsp://cam/x: Server returned 5XX Server Error reply | CAMERA_BAD_ANSWER",
            "[error] rtsp://cam/x: Connection reset by peer | CAMERA_CONNECTION_LOST",
            "[error] rtsp://cam/x: No route to host | CAMERA_UNREACHABLE",
            "[error] rtmp://a.rtmp.youtube.com/live2/****abcd: Network is unreachable | DESTINATION_UNREACHABLE",
            "[error] av_interleaved_write_frame(): Connection reset by peer | DESTINATION_CONNECTION_LOST",
            "[rtmp @ 0x1] [error] Server error: NetStream.Publish.BadName | DESTINATION_REJECTED",
            "[fatal] Encoder (codec hevc) not found for output stream #0:0 | ENCODER_NOT_FOUND",
            "[h264_nvenc @ 0x1] [error] No capable devices found | HARDWARE_ENCODER_FAILED",
            "[h264_vaapi @ 0x1] [error] Failed to initialise VAAPI connection: -1 (unknown libva error). | HARDWARE_ENCODER_FAILED",
            "[error] Could not write header for output file #0 (incorrect codec parameters ?): codec not currently supported in container | CODEC_NOT_SUPPORTED_BY_FLV",
            "[error] Error while opening encoder for output stream #0:0 - maybe incorrect parameters | ENCODER_FAILED"})
    void recognisesFfmpegMessagesTakenFromItsSource(String line, FailureKind expected) {
        assertEquals(expected, FailureClassifier.classify(line.strip()).orElseThrow().kind());
    }

    @Test
    void warningsOfAHealthyStreamAreIgnored() {
        for (String line : List.of(
                "[flv @ 0x1] [warning] Timestamps are unset in a packet for stream 0. This is deprecated",
                "[flv @ 0x1] [warning] Invalid DTS: 120 PTS: 85 in output stream 0:0, replacing by guess",
                "[flv @ 0x1] [warning] Failed to update header with correct duration.",
                "[rtsp @ 0x1] [warning] Thread message queue blocking; consider raising the thread_queue_size option",
                "[swscaler @ 0x1] [warning] deprecated pixel format used, make sure you did set range correctly")) {
            assertEquals(Optional.empty(), FailureClassifier.classify(line), line);
        }
    }
}
