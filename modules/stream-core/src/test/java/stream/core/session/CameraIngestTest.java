package stream.core.session;

import static stream.core.TestWaits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import stream.core.Backoff;
import stream.core.ffmpeg.ChildRecord;
import stream.core.ffmpeg.ChildRecords;

/**
 * A camera's ingest kept by its keeper, with a stand-in for ffmpeg (a script that runs a moment and fails): each
 * launch is recorded under the ingest's role while it runs, a failed one is started again with growing delays and a
 * fresh splicer input, and a close ends the keeping for good.
 */
class CameraIngestTest {

    @Test
    void aCameraSettledOnAirIsReadLessOftenThanOneAroundACut() {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
        Splicer splicer = new Splicer(new TsMuxer(OutputStream.nullOutputStream()), TestMedia.adts(44100, 6, 1),
                clock::get, null);
        Splicer.Input camera = splicer.newInput("camera", false, false);
        long frameRate = 40_000_000L * 5 / 4; // 25 fps until measured: a quarter more than a frame interval
        assertEquals(-1, camera.nanosOnAirAlone());
        assertEquals(frameRate, CameraIngest.readIntervalNanos(camera), "waiting to be cut in");
        splicer.arm(camera);
        camera.frame(MediaFrame.video(0, 0, TestMedia.keyframe(TestMedia.SPS_640x360, 100)));
        assertEquals(camera, splicer.active());
        clock.addAndGet(CameraIngest.SETTLED_AFTER_NANOS - 1);
        assertEquals(frameRate, CameraIngest.readIntervalNanos(camera), "just cut to");
        clock.addAndGet(1);
        assertEquals(CameraIngest.SETTLED_READ_INTERVAL_NANOS, CameraIngest.readIntervalNanos(camera),
                "settled on air");
        // another camera armed to be cut in: the one on air is read at its frame rate until the cut
        Splicer.Input next = splicer.newInput("next", false, false);
        splicer.arm(next);
        assertEquals(frameRate, CameraIngest.readIntervalNanos(camera), "a cut is near");
        assertEquals(frameRate, CameraIngest.readIntervalNanos(next), "waiting to be cut in");
        splicer.disarm(next);
        assertEquals(CameraIngest.SETTLED_READ_INTERVAL_NANOS, CameraIngest.readIntervalNanos(camera),
                "alone on air again");
        // a camera that stops sending finds its reader waiting in a read before the stall timeout runs out
        assertTrue(CameraIngest.SETTLED_READ_INTERVAL_NANOS
                < KeptSession.Settings.defaults("s", "rtmp://127.0.0.1/live/k", Path.of("/tmp")).stallTimeout().toNanos());
    }
    private static final byte[] SILENCE = TestMedia.adts(44100, 6, 0x01);

    @TempDir
    Path dir;

    /** Child records kept in memory, with every role and pid ever added. */
    static final class MemoryRecords implements ChildRecords {
        final List<ChildRecord> rows = new ArrayList<>();
        final Set<Long> pidsSeen = new HashSet<>();

        @Override
        public synchronized void add(ChildRecord child) {
            rows.add(child);
            pidsSeen.add(child.pid());
        }

        @Override
        public synchronized void remove(ChildRecord child) {
            rows.removeIf(r -> r.role().equals(child.role()) && r.pid() == child.pid());
        }

        @Override
        public synchronized List<ChildRecord> all() {
            return List.copyOf(rows);
        }

        synchronized int launches() {
            return pidsSeen.size();
        }
    }


    /** A stand-in for ffmpeg in the test's folder: a shell script running {@code body}, whatever it is given. */
    private Path fakeFfmpeg(String body) throws IOException {
        Path script = dir.resolve("ffmpeg");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void aFailingIngestIsStartedAgainByItsKeeperWithGrowingDelaysAndAFreshInputEachTime() throws Exception {
        // runs a moment (long enough to be seen recorded), writes nothing, fails
        Path fakeFfmpeg = fakeFfmpeg("sleep 0.3\necho 'camera went away' >&2\nexit 1");
        Splicer splicer = new Splicer(new TsMuxer(OutputStream.nullOutputStream()), SILENCE, System::nanoTime, null);
        MemoryRecords records = new MemoryRecords();
        List<String> log = new ArrayList<>();
        CameraIngest.Keeping keeping = new CameraIngest.Keeping("session-ingest-1-1", records,
                Backoff.of(Duration.ofMillis(100), Duration.ofSeconds(10), 0), Duration.ofSeconds(10), () -> { },
                line -> {
                    synchronized (log) {
                        log.add(line);
                    }
                });
        CameraIngest ingest = CameraIngest.start("rtsp://admin:s3cret@127.0.0.1:8554/cam1", Optional.empty(),
                new SessionCommands(fakeFfmpeg.toString()), splicer, "camera one", keeping);
        try {
            await(() -> ingest.pid() > 0, "the first launch");
            long first = ingest.pid();
            List<ChildRecord> running = records.all();
            assertEquals(1, running.size(), running.toString());
            assertEquals("session-ingest-1-1", running.get(0).role());
            assertEquals(first, running.get(0).pid());
            // (the placeholder input before the first launch cannot be caught here: the launch replaces it on the
            // ingest's thread as soon as start() returns, sometimes before a look of this thread)
            Splicer.Input firstInput = ingest.input();

            await(() -> {
                synchronized (log) {
                    return log.size() >= 3;
                }
            }, "three failed launches told");
            assertNotSame(firstInput, ingest.input(), "a new launch gets a fresh input");
            List<Long> delays = new ArrayList<>();
            synchronized (log) {
                for (String line : log) {
                    assertTrue(line.startsWith("camera one failed ("), line);
                    assertTrue(!line.contains("s3cret"), "the camera's password is masked: " + line);
                    Matcher m = Pattern.compile("next try in (\\d+) ms").matcher(line);
                    assertTrue(m.find(), line);
                    delays.add(Long.parseLong(m.group(1)));
                }
            }
            assertEquals(List.of(100L, 200L, 400L), delays.subList(0, 3), "the keeper's backoff, doubling");
        } finally {
            ingest.close();
        }
        int launches = records.launches();
        assertTrue(records.all().isEmpty(), "no record left after the close: " + records.all());
        assertEquals(-1, ingest.pid());
        Thread.sleep(1_000); // longer than the next backoff would have been: nothing is started after the close
        assertEquals(launches, records.launches(), "a launch after the close");
    }

    /**
     * While nothing has been on air in the session, a launch keeps what ffmpeg reads while it probes the camera (the
     * splicer puts the session's first source on air backlog and all, as a plain relay would be); once a picture is
     * on air, a launch drops it (a backlog behind pictures on air only delays the cut).
     */
    @Test
    void onlyALaunchWhileNothingIsOnAirKeepsWhatTheProbeRead() throws Exception {
        Path launches = dir.resolve("launches");
        Path fakeFfmpeg = fakeFfmpeg("echo \"$*\" >> '" + launches + "'\nsleep 0.2\nexit 1");
        Splicer splicer = new Splicer(new TsMuxer(OutputStream.nullOutputStream()), SILENCE, System::nanoTime, null);
        CameraIngest ingest = CameraIngest.start("rtsp://127.0.0.1:8554/cam1", Optional.empty(),
                new SessionCommands(fakeFfmpeg.toString()), splicer, "camera one", new CameraIngest.Keeping(
                        "session-ingest-1-3", new MemoryRecords(), Backoff.of(Duration.ofMillis(100),
                        Duration.ofMillis(100), 0), Duration.ofSeconds(10), () -> { }, line -> { }));
        try {
            await(() -> launchLines(launches).size() >= 1, "the first launch");
            assertTrue(launchLines(launches).get(0).contains("-fflags +genpts -analyzeduration"),
                    "nothing on air yet: the probe's packets are kept: " + launchLines(launches).get(0));

            Splicer.Input other = splicer.newInput("other", false, false);
            splicer.arm(other);
            other.frame(MediaFrame.video(0, 0, TestMedia.keyframe(TestMedia.SPS_320x240, 300)));
            assertTrue(splicer.hasOutput(), "a picture is on air");
            int before = launchLines(launches).size();
            await(() -> launchLines(launches).size() >= before + 2, "two launches after the picture went on air");
            List<String> lines = launchLines(launches);
            String last = lines.get(lines.size() - 1);
            assertTrue(last.contains("-fflags +genpts+nobuffer -analyzeduration"),
                    "behind pictures on air the probe's packets are dropped: " + last);
        } finally {
            ingest.close();
        }
    }

    private static List<String> launchLines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Test
    void aCloseWhileTheIngestRunsEndsItPromptly() throws Exception {
        Path fakeFfmpeg = fakeFfmpeg("exec sleep 60");
        Splicer splicer = new Splicer(new TsMuxer(OutputStream.nullOutputStream()), SILENCE, System::nanoTime, null);
        MemoryRecords records = new MemoryRecords();
        CameraIngest ingest = CameraIngest.start("rtsp://127.0.0.1:8554/cam1", Optional.empty(),
                new SessionCommands(fakeFfmpeg.toString()), splicer, "camera one", new CameraIngest.Keeping(
                        "session-ingest-1-2", records, Backoff.of(Duration.ofMillis(100), Duration.ofSeconds(1), 0),
                        Duration.ofSeconds(10), () -> { }, line -> { }));
        await(() -> ingest.pid() > 0 && !records.all().isEmpty(), "the launch recorded");
        long pid = ingest.pid();
        assertTrue(ingest.alive(), "its output is open while it runs");
        long start = System.nanoTime();
        ingest.close();
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), "the ingest is gone after the close");
        assertTrue(records.all().isEmpty(), "its record went with it: " + records.all());
        // -nostdin: no q to wait for; SIGTERM at once
        assertTrue(tookMillis < 2_000, "the close took " + tookMillis + " ms");
    }
}
