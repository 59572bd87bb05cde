package stream.core.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import stream.core.SecretMasker;

/**
 * The supervisor against real processes: small shell scripts that behave like ffmpeg in the ways that matter
 * (progress and log lines on stderr, as ffmpeg with {@code -progress pipe:2}, obeying or ignoring q and SIGTERM, hanging).
 */
class FfmpegSupervisorTest {
    @TempDir
    Path dir;

    final BlockingQueue<FfmpegSupervisor.Exit> exits = new LinkedBlockingQueue<>();
    final List<String> stderr = new CopyOnWriteArrayList<>();
    final List<Progress> progress = new CopyOnWriteArrayList<>();

    FfmpegSupervisor.Listener listener = new FfmpegSupervisor.Listener() {
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
        public void exited(FfmpegSupervisor.Exit exit) {
            exits.add(exit);
        }
    };

    Path script(String body) throws IOException {
        Path p = dir.resolve("fake-ffmpeg-" + System.nanoTime());
        // everything on stderr, where ffmpeg writes its progress (-progress pipe:2) and its log
        Files.writeString(p, "#!/bin/sh\nexec 1>&2\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    FfmpegSupervisor supervisor(Path script, Duration stale, Duration quit, Duration term, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        return new FfmpegSupervisor(new SupervisorConfig("relay", cmd, stale, quit, term),
                SecretMasker.forUrls("rtmp://127.0.0.1/live/secret-key-1234"), listener);
    }

    FfmpegSupervisor.Exit nextExit() throws InterruptedException {
        FfmpegSupervisor.Exit e = exits.poll(30, TimeUnit.SECONDS);
        assertTrue(e != null, "the end is reported");
        return e;
    }

    /** Progress blocks with out_time advancing every 0.2 s, like -progress pipe:2. */
    static final String PROGRESS_LOOP = """
            i=0
            while true; do
              i=$((i+1))
              echo "frame=$i"; echo "fps=25.0"; echo "bitrate= 100.0kbits/s"; echo "out_time_us=$((i*200000))"
              echo "speed=1.00x"; echo "progress=continue"
              sleep 0.2
            done
            """;

    @Test
    void stopsWithQWhenFfmpegObeysIt() throws Exception {
        Path s = script("echo 'rtmp://127.0.0.1/live/secret-key-1234: starting' >&2\n"
                + "while read -r k; do [ \"$k\" = q ] && exit 0; done; exit 0");
        FfmpegSupervisor sup = supervisor(s, Duration.ofSeconds(60), Duration.ofSeconds(3), Duration.ofSeconds(5));
        sup.start();
        long t0 = System.nanoTime();
        sup.stop();
        FfmpegSupervisor.Exit exit = nextExit();
        assertEquals(FfmpegSupervisor.Ending.STOPPED, exit.ending());
        assertEquals(0, exit.exitCode(), "ended by q, not by a signal");
        assertTrue((System.nanoTime() - t0) < 2_500_000_000L, "no waiting for the grace period");
        assertFalse(String.join("\n", stderr).contains("secret-key-1234"), "stderr is masked: " + stderr);
    }

    @Test
    void escalatesToSigtermThenSigkillWhenIgnored() throws Exception {
        Path s = script("trap '' TERM\nwhile true; do sleep 0.1; done");
        FfmpegSupervisor sup = supervisor(s, Duration.ofSeconds(60), Duration.ofMillis(300), Duration.ofMillis(300));
        sup.start();
        long pid = sup.pid();
        sup.stop();
        FfmpegSupervisor.Exit exit = nextExit();
        assertEquals(FfmpegSupervisor.Ending.STOPPED, exit.ending());
        assertEquals(137, exit.exitCode(), "SIGKILL was needed: q and SIGTERM were ignored");
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void sigtermIsEnoughForAProcessThatHonoursIt() throws Exception {
        Path s = script("while true; do sleep 0.1; done");
        FfmpegSupervisor sup = supervisor(s, Duration.ofSeconds(60), Duration.ofMillis(300), Duration.ofSeconds(5));
        sup.start();
        sup.stop();
        assertEquals(143, nextExit().exitCode(), "ended by SIGTERM after q went unanswered");
    }

    @Test
    void watchdogKillsAProcessWhoseOutputTimeStopsAdvancing() throws Exception {
        // advances for about a second, then keeps reporting the same out_time (a frozen camera)
        Path s = script("""
                i=0
                while true; do
                  [ $i -lt 5 ] && i=$((i+1))
                  echo "out_time_us=$((i*200000))"; echo "progress=continue"; sleep 0.2
                done
                """);
        FfmpegSupervisor sup = supervisor(s, Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(5));
        long t0 = System.nanoTime();
        sup.start();
        FfmpegSupervisor.Exit exit = nextExit();
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(FfmpegSupervisor.Ending.STALLED, exit.ending());
        assertTrue(seconds >= 2.5 && seconds < 10, "killed about 2 s after the last advance, took " + seconds);
        assertTrue(progress.size() >= 5);
    }

    @Test
    void watchdogCountsFromLaunchSoAHungConnectIsCaught() throws Exception {
        Path s = script("sleep 60");
        FfmpegSupervisor sup = supervisor(s, Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(5));
        sup.start();
        assertEquals(FfmpegSupervisor.Ending.STALLED, nextExit().ending());
    }

    @Test
    void theMuxersTimestampRepairsAreNotLogLinesButEverythingElseIs() throws Exception {
        Path s = script("""
                echo '[mpegts @ 0x556dc9ae1340] Non-monotonous DTS in output stream 0:0; previous: 91120, current: 91120; changing to 91121. This may result in incorrect timestamps in the output file.'
                echo '[nut @ 0x5581] Non-monotonous DTS in output stream 1:0; previous: 20, current: 20; changing to 21. This may result in incorrect timestamps in the output file.'
                echo '[mpegts @ 0x556dc9ae1340] Timestamps are unset in a packet for stream 0.'
                echo 'Conversion failed!'
                exit 1""");
        FfmpegSupervisor sup = supervisor(s, Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofSeconds(5));
        sup.start();
        nextExit();
        assertEquals(List.of("[mpegts @ 0x556dc9ae1340] Timestamps are unset in a packet for stream 0.",
                "Conversion failed!"), stderr);
    }

    @Test
    void progressKeepsAHealthyProcessAliveAndAnExitIsReported() throws Exception {
        Path s = script(PROGRESS_LOOP.replace("while true", "while [ $i -lt 15 ]") + "\necho 'Conversion failed!' >&2\nexit 1");
        FfmpegSupervisor sup = supervisor(s, Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(5));
        sup.start();
        FfmpegSupervisor.Exit exit = nextExit();
        assertEquals(FfmpegSupervisor.Ending.EXITED, exit.ending(), "3 s of advancing output outlives a 1 s watchdog");
        assertEquals(1, exit.exitCode());
        assertTrue(stderr.contains("Conversion failed!"), "the last stderr line arrives before the exit: " + stderr);
        assertEquals(15, progress.size());
        assertEquals(3_000_000L, progress.get(14).outTimeUs());
    }

    @Test
    void aMissingProgramIsReportedAsFailedToStart() throws Exception {
        FfmpegSupervisor sup = supervisor(dir.resolve("no-such-ffmpeg"), Duration.ofSeconds(10), Duration.ofSeconds(3),
                Duration.ofSeconds(5));
        sup.start();
        FfmpegSupervisor.Exit exit = nextExit();
        assertEquals(FfmpegSupervisor.Ending.FAILED_TO_START, exit.ending());
        assertTrue(exit.message().contains("cannot start"), exit.message());
    }

    /** A relay stand-in: progress on stderr as above, and a numbered line on stdout (its copy for the snapshot). */
    Path relayWithCopy() throws IOException {
        Path p = dir.resolve("fake-relay-" + System.nanoTime());
        Files.writeString(p, """
                #!/bin/sh
                i=0
                while true; do
                  i=$((i+1))
                  echo "copy $i"
                  echo "out_time_us=$((i*200000))" >&2; echo "progress=continue" >&2
                  sleep 0.2
                done
                """);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    FfmpegSupervisor withReader(Path relay, List<String> reader) {
        return new FfmpegSupervisor(new SupervisorConfig("relay", List.of(relay.toString()), Duration.ofSeconds(5),
                Duration.ofMillis(300), Duration.ofSeconds(5), reader),
                SecretMasker.forUrls("rtmp://127.0.0.1/live/secret-key-1234"), listener);
    }

    /** Pids of the processes whose command line contains {@code marker}. */
    static List<Long> processesWith(String marker) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .map(ProcessHandle::pid).toList();
    }

    @Test
    void theCopyOnStdoutReachesTheReaderWhichEndsWithTheRelay() throws Exception {
        Path copy = dir.resolve("copy-" + System.nanoTime() + ".txt");
        String marker = "reader-" + System.nanoTime();
        FfmpegSupervisor sup = withReader(relayWithCopy(),
                List.of("/bin/sh", "-c", "cat > \"$0\"", copy.toString(), marker));
        sup.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(Files.exists(copy) && Files.readString(copy).contains("copy 5\n"))) {
            assertTrue(System.nanoTime() < deadline, "the copy reaches the reader");
            Thread.sleep(50);
        }
        assertTrue(progress.size() >= 3, "progress is read from stderr: " + progress);
        assertTrue(stderr.isEmpty(), "progress lines are not log lines: " + stderr);
        sup.stop();
        nextExit();
        assertEquals(List.of(), processesWith(marker), "the reader has ended when the relay's end is reported");
        assertTrue(Files.readString(copy).startsWith("copy 1\ncopy 2\n"), "in order, from the start");
    }

    @Test
    void aReaderThatNeverReadsDoesNotHoldTheRelayBack() throws Exception {
        // sleep never reads its stdin: a direct pipe would fill after 64 kB and block the relay's writes
        String marker = "sleep 600." + System.nanoTime(); // unique: exec leaves only sleep's own command line
        Path relay = dir.resolve("fast-relay-" + System.nanoTime());
        Files.writeString(relay, """
                #!/bin/sh
                i=0
                while true; do
                  i=$((i+1))
                  head -c 65536 /dev/zero
                  echo "out_time_us=$((i*100000))" >&2; echo "progress=continue" >&2
                  sleep 0.05
                done
                """);
        Files.setPosixFilePermissions(relay, PosixFilePermissions.fromString("rwx------"));
        FfmpegSupervisor sup = withReader(relay, List.of("/bin/sh", "-c", "exec " + marker));
        sup.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (progress.size() < 60) { // 60 x 64 kB written, far beyond a pipe's and the queue's capacity
            assertTrue(System.nanoTime() < deadline, "the relay kept writing: " + progress.size() + " blocks");
            Thread.sleep(50);
        }
        sup.stop();
        assertEquals(FfmpegSupervisor.Ending.STOPPED, nextExit().ending());
        assertEquals(List.of(), processesWith(marker), "the stuck reader is killed with the relay");
    }

    @Test
    void aReaderThatDiesLeavesTheRelayRunning() throws Exception {
        FfmpegSupervisor sup = withReader(relayWithCopy(), List.of("/bin/sh", "-c", "exit 3"));
        sup.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (progress.size() < 15) { // 3 s of progress after the reader is gone
            assertTrue(System.nanoTime() < deadline, "progress goes on: " + progress.size());
            Thread.sleep(50);
        }
        assertTrue(sup.isAlive());
        assertTrue(exits.isEmpty(), "no exit reported: " + exits);
        sup.stop();
        assertEquals(FfmpegSupervisor.Ending.STOPPED, nextExit().ending());
    }
}
