package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import stream.core.RtmpUrl;
import stream.core.RtspUrl;
import stream.core.StreamUrls;
import stream.core.ValidationException;

class FfmpegCommandTest {
    static final String RTSP = "rtsp://admin:secret%40pw@192.0.2.10:554/Streaming/Channels/101";
    static final String RTMP = "rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop";
    static final RtspUrl CAMERA = new RtspUrl(RTSP);
    static final RtmpUrl DESTINATION = new RtmpUrl(RTMP);
    static final Path SNAPSHOT = Path.of("/var/lib/streamrelay/snapshot.jpg");

    private static List<String> args(String params, CameraAudio audio) {
        return new FfmpegCommand("ffmpeg", CAMERA, DESTINATION, EncodingArgs.parse(params), audio).arguments();
    }

    private static FfmpegCommand withSnapshot(String params, CameraAudio audio) {
        return new FfmpegCommand("ffmpeg", CAMERA, DESTINATION, EncodingArgs.parse(params), audio, Optional.of(SNAPSHOT));
    }

    private static List<String> argsWithSnapshot(String params, CameraAudio audio) {
        return withSnapshot(params, audio).arguments();
    }

    private static List<String> snapshotArgs(String params, CameraAudio audio) {
        return withSnapshot(params, audio).snapshotArguments().orElseThrow();
    }

    /** The value after the last occurrence of {@code option}. */
    private static String valueOf(List<String> args, String option) {
        int i = args.lastIndexOf(option);
        assertTrue(i >= 0 && i + 1 < args.size(), () -> option + " missing in " + args);
        return args.get(i + 1);
    }

    @Test
    void theArchitectureDefaultGivesTheWholeCommand() {
        List<String> args = args(FfmpegParamsPolicyTest.DOCUMENT_DEFAULT, CameraAudio.AAC);
        assertEquals(List.of("ffmpeg",
                "-hide_banner", "-loglevel", "level+info", "-nostats", "-progress", "pipe:2", "-stats_period", "1", "-y",
                "-rtsp_transport", "tcp", "-timeout", "5000000", "-fflags", "+genpts", "-thread_queue_size", "512",
                "-i", RTSP,
                "-map", "0:v:0", "-map", "0:a:0",
                "-c:v", "libx264", "-preset", "veryfast", "-b:v", "4500k", "-maxrate", "5000k", "-bufsize", "10000k",
                "-vf", "scale=1920:1080", "-c:a", "aac", "-b:a", "128k", "-ar", "44100", "-f", "flv",
                "-flvflags", "no_duration_filesize", "-rw_timeout", "10000000",
                RTMP), args);
    }

    @Test
    void urlsAppearOnlyAfterDashIAndAsTheOutput() {
        List<String> args = argsWithSnapshot("-c:v copy", CameraAudio.NONE);
        assertEquals(1, Collections.frequency(args, RTSP));
        assertEquals("-i", args.get(args.indexOf(RTSP) - 1));
        assertEquals(1, Collections.frequency(args, RTMP));
        assertEquals("flv", args.get(args.indexOf(RTMP) - 1), "the RTMP URL ends the main output after -f flv");
    }

    @Test
    void stdinStaysOpenForTheSupervisorsQuitKey() {
        List<String> args = args("", CameraAudio.AAC);
        assertFalse(args.contains("-nostdin"));
        assertEquals("pipe:2", valueOf(args, "-progress"));
    }

    @Test
    void passthroughOfAnAacCameraCopiesBothStreams() {
        List<String> args = args("-c:v copy -c:a copy", CameraAudio.AAC);
        assertEquals("copy", valueOf(args, "-c:v"));
        assertEquals("copy", valueOf(args, "-c:a"));
        assertEquals("0:a:0", args.get(args.lastIndexOf("-map") + 1));
        assertFalse(args.contains("-b:a"), "no audio bitrate for copied audio");
        assertFalse(args.contains("-shortest"));
        assertFalse(args.contains("-skip_frame:v"), "nothing is decoded without a snapshot");
        assertFalse(args.contains("lavfi"));
    }

    @Test
    void anAacCameraIsCopiedWhenTheArgumentsSayNothingAboutAudio() {
        List<String> args = args("-c:v copy", CameraAudio.AAC);
        assertEquals("copy", valueOf(args, "-c:a"));
    }

    @Test
    void anAacCameraIsReencodedWhenTheArgumentsAskForAac() {
        List<String> args = args("-c:v copy -c:a aac -b:a 96k", CameraAudio.AAC);
        assertEquals("aac", valueOf(args, "-c:a"));
        assertEquals("96k", valueOf(args, "-b:a"));
    }

    @Test
    void otherCameraAudioIsConvertedToAacEvenWhenCopyIsAsked() {
        List<String> args = args("-c:v copy -c:a copy", CameraAudio.OTHER);
        assertEquals(1, Collections.frequency(args, "-c:a"));
        assertEquals("aac", valueOf(args, "-c:a"));
        assertEquals("128k", valueOf(args, "-b:a"));
        assertEquals("44100", valueOf(args, "-ar"));
        assertEquals("0:a:0", args.get(args.lastIndexOf("-map") + 1));
        assertFalse(args.contains("-shortest"));
    }

    @Test
    void thePresetsAudioBitrateIsKeptWhenAudioIsConverted() {
        List<String> args = args("-c:v copy -acodec copy -ab 64k -ar 48000", CameraAudio.OTHER);
        assertEquals("aac", valueOf(args, "-acodec"));
        assertEquals("64k", valueOf(args, "-ab"));
        assertEquals("48000", valueOf(args, "-ar"));
        assertFalse(args.contains("-b:a"));
    }

    @ParameterizedTest
    @EnumSource(value = CameraAudio.class, names = {"NONE", "UNKNOWN"})
    void withoutUsableCameraAudioSilenceIsAddedAsAacAndEndsWithTheVideo(CameraAudio audio) {
        List<String> args = args("-c:v copy -c:a copy", audio);
        int silence = args.indexOf(FfmpegCommand.SILENCE);
        assertEquals(List.of("-f", "lavfi", "-i"), args.subList(silence - 3, silence));
        assertTrue(silence > args.indexOf(RTSP), "the camera stays input 0");
        List<String> maps = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("-map")) {
                maps.add(args.get(i + 1));
            }
        }
        assertEquals(List.of("0:v:0", "1:a:0"), maps);
        assertEquals("aac", valueOf(args, "-c:a"));
        assertTrue(args.indexOf("-shortest") < args.indexOf(RTMP), "-shortest belongs to the RTMP output");
    }

    @Test
    void missingVideoCodecAndFormatAreFilledIn() {
        List<String> args = args("-b:v 2500k", CameraAudio.AAC);
        assertEquals("libx264", valueOf(args, "-c:v"));
        assertEquals(1, Collections.frequency(args, "-f"));
        assertEquals("flv", valueOf(args, "-f"));
    }

    @Test
    void aFormatInTheArgumentsIsNotRepeated() {
        assertEquals(1, Collections.frequency(args("-c:v copy -f flv", CameraAudio.AAC), "-f"));
    }

    @ParameterizedTest
    @EnumSource(CameraAudio.class)
    void theRelayWritesACopyOfTheCameraVideoToStdoutAndDecodesNothingForIt(CameraAudio audio) {
        for (String params : List.of("-c:v copy", "-c:v libx264")) {
            List<String> args = argsWithSnapshot(params, audio);
            int rtmp = args.indexOf(RTMP);
            assertEquals(List.of("-map", "0:v:0", "-c:v", "copy", "-flush_packets", "0", "-f", "nut", "pipe:1"),
                    args.subList(rtmp + 1, args.size()));
            assertEquals("pipe:2", valueOf(args, "-progress"), "progress on stderr: stdout carries the copy");
            assertFalse(args.contains("image2"), "no JPEG output in the relay: " + args);
            assertFalse(args.contains(FfmpegCommand.SNAPSHOT_FILTER));
            assertFalse(args.contains("-skip_frame:v"), "the relay decodes nothing for the preview");
        }
    }

    @Test
    void theSnapshotProcessReadsTheCopyAndKeepsAJpeg() {
        assertEquals(List.of("ffmpeg", "-hide_banner", "-loglevel", "level+error", "-nostats", "-nostdin", "-y",
                "-skip_frame:v", "nokey", "-analyzeduration", "1000000",
                "-f", "nut", "-i", "pipe:0",
                "-map", "0:v:0", "-vf", FfmpegCommand.SNAPSHOT_FILTER, "-fps_mode", "vfr", "-q:v", "5",
                "-threads", "1", "-update", "1", "-atomic_writing", "1", "-f", "image2", SNAPSHOT.toString()),
                snapshotArgs("-c:v copy", CameraAudio.NONE));
    }

    @Test
    void theSnapshotProcessSeesNoSecretAndReadsOnlyItsStdin() {
        String line = String.join(" ", snapshotArgs("-c:v copy", CameraAudio.AAC));
        assertFalse(line.contains("secret"), line);
        assertFalse(line.contains("rtsp://"), line);
        assertFalse(line.contains("rtmp://"), line);
        assertTrue(line.contains("-i pipe:0 "), line);
        assertFalse(line.contains("udp:"), line);
    }

    @Test
    void withoutASnapshotThereIsNoSnapshotProcess() {
        assertTrue(new FfmpegCommand("ffmpeg", CAMERA, DESTINATION, EncodingArgs.parse(""), CameraAudio.AAC)
                .snapshotArguments().isEmpty());
    }

    @Test
    void aDurationLimitAlsoEndsTheCopyForTheSnapshot() {
        List<String> args = argsWithSnapshot("-c:v libx264 -t 18:00:00", CameraAudio.AAC);
        List<String> copyPart = args.subList(args.indexOf(RTMP) + 1, args.size());
        assertEquals("18:00:00", valueOf(copyPart, "-t"));
    }

    @Test
    void theVaapiDeviceIsPlacedWithTheGlobalOptionsBeforeTheInputs() {
        List<String> args = args("-vaapi_device /dev/dri/renderD128 -vf format=nv12,hwupload -c:v h264_vaapi",
                CameraAudio.AAC);
        assertEquals(1, Collections.frequency(args, "-vaapi_device"));
        assertEquals("/dev/dri/renderD128", valueOf(args, "-vaapi_device"));
        assertTrue(args.indexOf("-vaapi_device") < args.indexOf("-i"));
    }

    @Test
    void withoutASnapshotNothingFollowsTheRtmpUrl() {
        List<String> args = args("-c:v libx264", CameraAudio.AAC);
        assertEquals(RTMP, args.get(args.size() - 1));
        assertFalse(args.contains("image2"));
    }

    @Test
    void theExecutableComesFirst() {
        List<String> args = new FfmpegCommand("/opt/ffmpeg/bin/ffmpeg", CAMERA, DESTINATION, EncodingArgs.parse(""),
                CameraAudio.AAC).arguments();
        assertEquals("/opt/ffmpeg/bin/ffmpeg", args.get(0));
    }

    @Test
    void badUrlsAreFieldErrorsAndCannotReachACommand() {
        // a command takes only the checked values, so a bad URL stops where the value is made
        ValidationException e = assertThrows(ValidationException.class,
                () -> StreamUrls.of("-i /etc/passwd", "file:/tmp/x"));
        assertEquals(List.of("rtsp_url", "rtmp_url"), e.errors().stream().map(f -> f.field()).toList());
        assertThrows(ValidationException.class, () -> new RtspUrl("concat:/a|/b"));
        assertThrows(ValidationException.class, () -> new RtmpUrl("-rtmp://127.0.0.1/live/k"));
    }

    @Test
    void aRelativeSnapshotPathIsRefused() {
        assertThrows(ValidationException.class, () -> new FfmpegCommand("ffmpeg", CAMERA, DESTINATION,
                EncodingArgs.parse(""), CameraAudio.AAC, Optional.of(Path.of("-snap.jpg"))));
    }

    @Test
    void encodingArgumentsThePolicyRefusesCannotBeMade() {
        assertThrows(ValidationException.class, () -> EncodingArgs.of(List.of("-i", "/etc/passwd")));
    }

    @Test
    void logsShowNoSecrets() {
        FfmpegCommand command = new FfmpegCommand("ffmpeg", CAMERA, DESTINATION, EncodingArgs.parse(""), CameraAudio.AAC);
        for (String text : List.of(command.toString(), command.maskedCommandLine())) {
            assertFalse(text.contains("secret%40pw"), text);
            assertFalse(text.contains("abcd-efgh-ijkl-mnop"), text);
            assertTrue(text.contains("****mnop"), text);
        }
    }
}
