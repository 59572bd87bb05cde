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
import stream.core.RtmpUrl;
import stream.core.RtspUrl;

/**
 * Runs the built command with the real ffmpeg: a local file (made here by ffmpeg) stands in for the camera and a
 * local FLV file for the RTMP destination; the relay runs under {@link FfmpegSupervisor}, which passes its copy of
 * the video on to the snapshot process when there is one. Skipped where ffmpeg is not installed.
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
    /** Longer than the others: 200 frames, so that a relay holding its output back is seen before the end. */
    static Path withoutAudioLong;

    @BeforeAll
    static void makeCameraRecordings() throws Exception {
        assumeTrue(runs("ffmpeg", "-version") && runs("ffprobe", "-version"), "ffmpeg and ffprobe are needed");
        // No B-frames, as IP cameras send: with them the decoder (keyframes only) holds each picture back until two
        // more keyframes have come, and the snapshot would appear at the end of the recording only.
        String video = "testsrc2=size=320x240:rate=25";
        withAac = dir.resolve("camera-h264-aac.mkv");
        withoutAudio = dir.resolve("camera-h264.mkv");
        withAlaw = dir.resolve("camera-h264-alaw.mkv");
        make(withAac, "-f", "lavfi", "-i", video, "-f", "lavfi", "-i", "sine=r=48000", "-t", "" + SECONDS,
                "-c:v", "libx264", "-bf", "0", "-g", "50", "-c:a", "aac");
        make(withoutAudio, "-f", "lavfi", "-i", video, "-t", "" + SECONDS, "-c:v", "libx264", "-bf", "0", "-g", "50");
        make(withAlaw, "-f", "lavfi", "-i", video, "-f", "lavfi", "-i", "sine=r=8000", "-t", "" + SECONDS,
                "-c:v", "libx264", "-bf", "0", "-g", "50", "-c:a", "pcm_alaw", "-ac", "1");
        withoutAudioLong = dir.resolve("camera-h264-8s.mkv");
        make(withoutAudioLong, "-f", "lavfi", "-i", video, "-t", "8", "-c:v", "libx264", "-bf", "0", "-g", "50");
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
        assertFalse(run.args.contains("-skip_frame:v"), "the relay decodes nothing");
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
    void aCameraWithoutAudioIsNotHeldBackWhileASnapshotIsMade() throws Exception {
        // The fault this guards against (ffmpeg 5.1): with the JPEG as a second output of the relay, ffmpeg read only
        // the camera while that sparse output lagged, the silent input waited, and the FLV muxer held every video
        // packet until its 10 s interleaving limit (here: until the end of the 8 s input). ffmpeg's own progress
        // tells both sides: frames handed to the muxer (frame=) against bytes it wrote (total_size=).
        FfmpegCommand command = command("-c:v copy -c:a aac", CameraAudio.NONE, true);
        Path flv = dir.resolve("held-" + System.nanoTime() + ".flv");
        Supervised run = Supervised.start(command.argumentsForLocalFiles(withoutAudioLong, flv),
                command.snapshotArguments().orElseThrow());
        long bytesAtFrame100 = -1;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (bytesAtFrame100 < 0 && System.nanoTime() < deadline) {
                Progress p = run.progress.poll(1, TimeUnit.SECONDS);
                if (p != null && p.frame() >= 100 && !p.ended()) {
                    bytesAtFrame100 = p.totalSize();
                }
            }
        } finally {
            run.supervisor.stop(true);
        }
        assertTrue(bytesAtFrame100 >= 50_000, "bytes written when 100 of 200 frames were muxed: " + bytesAtFrame100);
        assertJpeg(command.snapshot().orElseThrow());
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
        return new FfmpegCommand("ffmpeg", new RtspUrl(RTSP), new RtmpUrl(RTMP), EncodingArgs.parse(params), audio,
                snapshot ? Optional.of(dir.resolve("snap-" + System.nanoTime() + ".jpg")) : Optional.empty());
    }

    private static Run relay(Path camera, String params, CameraAudio audio, boolean snapshot) throws Exception {
        FfmpegCommand command = command(params, audio, snapshot);
        if (command.snapshot().isPresent()) {
            // As after a restart: the last run's snapshot is there (without -y ffmpeg would ask and never write it).
            Files.writeString(command.snapshot().get(), "old snapshot");
        }
        String name = "run-" + System.nanoTime();
        Path flv = dir.resolve(name + ".flv");
        List<String> args = command.argumentsForLocalFiles(camera, flv);
        Supervised run = Supervised.start(args, command.snapshotArguments().orElse(List.of()));
        FfmpegSupervisor.Exit exit = run.exit.poll(SECONDS + 30, TimeUnit.SECONDS);
        boolean ended = exit != null;
        if (!ended) {
            run.supervisor.stop(true);
            exit = run.exit.take();
        }
        Path stderr = dir.resolve(name + ".stderr");
        Files.write(stderr, run.stderr);
        return new Run(args, ended, exit.exitCode(), flv, command.snapshot().orElse(null), List.copyOf(run.progress),
                stderr);
    }

    /** The relay under its supervisor, as the stream runs it: progress and log lines from stderr, the copy passed on. */
    private record Supervised(FfmpegSupervisor supervisor, java.util.concurrent.BlockingQueue<Progress> progress,
                              List<String> stderr, java.util.concurrent.BlockingQueue<FfmpegSupervisor.Exit> exit) {
        static Supervised start(List<String> relay, List<String> snapshot) {
            var progress = new java.util.concurrent.LinkedBlockingQueue<Progress>();
            List<String> stderr = java.util.Collections.synchronizedList(new ArrayList<>());
            var exit = new java.util.concurrent.LinkedBlockingQueue<FfmpegSupervisor.Exit>();
            SupervisorConfig config = new SupervisorConfig("relay", relay, java.time.Duration.ofSeconds(30),
                    java.time.Duration.ofSeconds(3), java.time.Duration.ofSeconds(5), snapshot);
            FfmpegSupervisor supervisor = new FfmpegSupervisor(config, stream.core.SecretMasker.forUrls(RTSP, RTMP),
                    new FfmpegSupervisor.Listener() {
                        @Override
                        public void started(long pid, long startTicks) {
                        }

                        @Override
                        public void progress(Progress p, boolean advanced) {
                            progress.add(p);
                        }

                        @Override
                        public void stderr(String maskedLine) {
                            stderr.add(maskedLine);
                        }

                        @Override
                        public void exited(FfmpegSupervisor.Exit e) {
                            exit.add(e);
                        }
                    });
            supervisor.start();
            return new Supervised(supervisor, progress, stderr, exit);
        }
    }

    /** Waits (up to 30 s: the snapshot process works on its own) until the file is a JPEG. */
    private static void assertJpeg(Path snapshot) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!isJpeg(snapshot)) {
            assertTrue(System.nanoTime() < deadline, "no JPEG at " + snapshot + " within 30 s");
            Thread.sleep(50);
        }
        assertFalse(Files.exists(Path.of(snapshot + ".tmp")), "atomic writing leaves no temporary file");
    }

    private static boolean isJpeg(Path file) throws IOException {
        byte[] head = Files.exists(file) ? Arrays.copyOf(Files.readAllBytes(file), 2) : new byte[2];
        return head[0] == (byte) 0xFF && head[1] == (byte) 0xD8;
    }

    private static Process start(List<String> args, Path logs) throws IOException {
        return new ProcessBuilder(args)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(Path.of(logs + ".stderr").toFile())
                .start(); // stdin stays an open pipe, as under the supervisor
    }

    private record Run(List<String> args, boolean ended, int exitCode, Path flv, Path snapshot,
                       List<Progress> progress, Path stderr) {

        void assertEndedByItself() {
            assertTrue(ended, () -> "ffmpeg did not end by itself: " + args + "\n" + read(stderr));
            assertEquals(0, exitCode, () -> read(stderr));
        }

        void assertSnapshotWritten() throws Exception {
            // written before the relay's end was reported: the supervisor waits for the snapshot process to end
            byte[] head = Arrays.copyOf(Files.readAllBytes(snapshot), 2);
            assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xD8}, head, "a JPEG in place of the old snapshot");
            assertFalse(Files.exists(Path.of(snapshot + ".tmp")), "atomic writing leaves no temporary file");
        }

        void assertProgressReachedTheEnd() throws IOException {
            List<Progress> all = progress;
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
