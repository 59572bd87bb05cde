package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the built command with the real ffmpeg: a local file (made here by ffmpeg) stands in for the camera and a
 * local FLV file for the RTMP destination, so no network is needed. Skipped where ffmpeg is not installed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FfmpegCommandRunTest {
    private static final String RTSP = "rtsp://127.0.0.1:8554/cam1";
    private static final String RTMP = "rtmp://127.0.0.1:1935/live/streamkey";
    private static final String X264 = "-c:v libx264 -preset veryfast -b:v 800k -maxrate 800k -bufsize 1600k -g 50"
            + " -pix_fmt yuv420p";
    /** Length of the stand-in camera recordings. */
    private static final int SECONDS = 4;

    @TempDir
    static Path dir;
    static Path withAac;
    static Path withoutAudio;
    static Path withAlaw;

    @BeforeAll
    static void makeCameraRecordings() throws Exception {
        assumeTrue(runs("ffmpeg", "-version") && runs("ffprobe", "-version"), "ffmpeg and ffprobe are needed");
        String video = "testsrc2=size=320x240:rate=25";
        withAac = dir.resolve("camera-h264-aac.mkv");
        withoutAudio = dir.resolve("camera-h264.mkv");
        withAlaw = dir.resolve("camera-h264-alaw.mkv");
        make(withAac, "-f", "lavfi", "-i", video, "-f", "lavfi", "-i", "sine=r=48000", "-t", "" + SECONDS,
                "-c:v", "libx264", "-g", "50", "-c:a", "aac");
        make(withoutAudio, "-f", "lavfi", "-i", video, "-t", "" + SECONDS, "-c:v", "libx264", "-g", "50");
        make(withAlaw, "-f", "lavfi", "-i", video, "-f", "lavfi", "-i", "sine=r=8000", "-t", "" + SECONDS,
                "-c:v", "libx264", "-g", "50", "-c:a", "pcm_alaw", "-ac", "1");
    }

    @Test
    void aCameraWithAacIsTranscodedToH264AndAacAndWritesASnapshot() throws Exception {
        Run run = relay(withAac, X264 + " -c:a aac -b:a 128k", CameraAudio.AAC, true);
        run.assertEndedByItself();
        assertEquals(List.of("video:h264", "audio:aac"), streams(run.flv));
        run.assertSnapshotWritten();
        run.assertProgressReachedTheEnd();
    }

    @Test
    void aCameraWithoutAudioGetsSilentAacAndStillEndsWithItsVideo() throws Exception {
        Run run = relay(withoutAudio, X264, CameraAudio.NONE, false);
        run.assertEndedByItself();
        assertEquals(List.of("video:h264", "audio:aac"), streams(run.flv));
        run.assertProgressReachedTheEnd();
    }

    @Test
    void passthroughWithoutAudioCopiesEveryVideoPacketAndTakesSnapshotsFromKeyframes() throws Exception {
        Run run = relay(withoutAudio, "-c:v copy -c:a copy", CameraAudio.NONE, true);
        assertTrue(run.args.contains("-skip_frame:v"));
        run.assertEndedByItself();
        assertEquals(List.of("video:h264", "audio:aac"), streams(run.flv));
        // -skip_frame nokey only affects decoding (for the snapshot): the copied stream keeps all 25 fps.
        assertEquals(SECONDS * 25, videoPackets(run.flv));
        run.assertSnapshotWritten();
    }

    @Test
    void passthroughOfG711AudioConvertsItToAacWhileTheSnapshotDecodesKeyframes() throws Exception {
        Run run = relay(withAlaw, "-c:v copy -c:a copy", CameraAudio.OTHER, true);
        run.assertEndedByItself();
        assertEquals(List.of("video:h264", "audio:aac"), streams(run.flv));
        // The keyframe-only decoding is for video: all 4 s of audio arrive (44.1 kHz, 1024 samples a packet).
        assertTrue(packets(run.flv, "a:0") >= SECONDS * 44100 / 1024, "audio packets");
        run.assertSnapshotWritten();
    }

    @Test
    void withoutShortestTheSilentInputWouldKeepFfmpegRunning() throws Exception {
        // Why the command has -shortest: anullsrc never ends, and ffmpeg 5.1 keeps the output going on it alone.
        FfmpegCommand command = command("-c:v copy", CameraAudio.NONE, false);
        Path flv = dir.resolve("no-shortest.flv");
        List<String> args = new ArrayList<>(command.argumentsForLocalFiles(withoutAudio, flv));
        assertTrue(args.remove("-shortest"));
        Process process = start(args, dir.resolve("no-shortest"));
        try {
            assertFalse(process.waitFor(SECONDS + 6, TimeUnit.SECONDS), "ffmpeg should still be running");
        } finally {
            process.destroyForcibly().waitFor();
        }
    }

    private static FfmpegCommand command(String params, CameraAudio audio, boolean snapshot) {
        return new FfmpegCommand("ffmpeg", RTSP, RTMP, EncodingArgs.parse(params), audio,
                snapshot ? Optional.of(dir.resolve("snap-" + System.nanoTime() + ".jpg")) : Optional.empty());
    }

    private static Run relay(Path camera, String params, CameraAudio audio, boolean snapshot) throws Exception {
        FfmpegCommand command = command(params, audio, snapshot);
        if (command.snapshot().isPresent()) {
            // As after a restart: the last run's snapshot is there (without -y ffmpeg would ask on stdin and hang).
            Files.writeString(command.snapshot().get(), "old snapshot");
        }
        String name = "run-" + System.nanoTime();
        Path flv = dir.resolve(name + ".flv");
        List<String> args = command.argumentsForLocalFiles(camera, flv);
        Process process = start(args, dir.resolve(name));
        boolean ended = process.waitFor(SECONDS + 30, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor();
        }
        return new Run(args, ended, ended ? process.exitValue() : -1, flv, command.snapshot().orElse(null),
                dir.resolve(name + ".progress"), dir.resolve(name + ".stderr"));
    }

    private static Process start(List<String> args, Path logs) throws IOException {
        return new ProcessBuilder(args)
                .redirectOutput(Path.of(logs + ".progress").toFile())
                .redirectError(Path.of(logs + ".stderr").toFile())
                .start(); // stdin stays an open pipe, as under the supervisor
    }

    private record Run(List<String> args, boolean ended, int exitCode, Path flv, Path snapshot, Path progress,
                       Path stderr) {

        void assertEndedByItself() {
            assertTrue(ended, () -> "ffmpeg did not end by itself: " + args + "\n" + read(stderr));
            assertEquals(0, exitCode, () -> read(stderr));
        }

        void assertSnapshotWritten() throws IOException {
            assertTrue(Files.size(snapshot) > 0, "snapshot written");
            byte[] head = Arrays.copyOf(Files.readAllBytes(snapshot), 2);
            assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xD8}, head, "a JPEG");
            assertFalse(Files.exists(Path.of(snapshot + ".tmp")), "atomic writing leaves no temporary file");
        }

        void assertProgressReachedTheEnd() throws IOException {
            ProgressParser parser = new ProgressParser();
            List<Progress> all = new ArrayList<>();
            for (String line : Files.readAllLines(progress)) {
                parser.accept(line).ifPresent(all::add);
            }
            assertFalse(all.isEmpty());
            Progress last = all.get(all.size() - 1);
            assertTrue(last.ended());
            assertTrue(last.outTimeSeconds() > SECONDS - 0.5, () -> "out time " + last.outTimeSeconds());
        }

        private static String read(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(cannot read " + file + ": " + e + ")";
            }
        }
    }

    /** "type:codec" of each stream of a media file, as ffprobe sees it. */
    private static List<String> streams(Path file) throws Exception {
        return probe("-show_entries", "stream=codec_type,codec_name", "-of", "compact=p=0:nk=1", file.toString())
                .stream().map(line -> {
                    String[] parts = line.split("\\|");
                    return parts[1] + ":" + parts[0];
                }).toList();
    }

    private static int videoPackets(Path file) throws Exception {
        return packets(file, "v:0");
    }

    private static int packets(Path file, String stream) throws Exception {
        return Integer.parseInt(probe("-select_streams", stream, "-count_packets", "-show_entries",
                "stream=nb_read_packets", "-of", "csv=p=0", file.toString()).get(0).strip());
    }

    private static List<String> probe(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ffprobe", "-v", "error"));
        command.addAll(List.of(args));
        // stderr apart from the data on stdout: libgcrypt (linked by ffmpeg's libraries) writes "Warning: using
        // insecure memory!" there when it cannot lock memory, as in a systemd-nspawn container
        Path err = Files.createTempFile(dir, "ffprobe", ".stderr");
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), out + Files.readString(err));
        return out.lines().filter(line -> !line.isBlank()).toList();
    }

    private static void make(Path out, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-y"));
        command.addAll(List.of(args));
        command.add(out.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), log);
    }

    private static boolean runs(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
