package stream.core;

import static stream.core.TestWaits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import stream.core.ffmpeg.CameraProbe;
import stream.store.ChangeSource;
import stream.store.ChildProcess;
import stream.store.ChildProcessRepository;
import stream.store.Database;
import stream.store.LogEntry;
import stream.store.StreamConfig;
import stream.store.StreamConfigRepository;
import stream.store.StreamLogRepository;

/**
 * The controller's decisions with a stand-in ffmpeg (a shell script that writes progress like -progress pipe:1 and
 * records its arguments): a real process, a real database, shortened timings.
 */
class StreamControllerTest {
    @TempDir
    Path dir;
    Database db;
    StreamConfigRepository configs;
    StreamLogRepository logs;
    StreamController controller;
    final List<StreamState> states = new CopyOnWriteArrayList<>();

    static final StreamController.Timing FAST = new StreamController.Timing(
            Backoff.of(Duration.ofMillis(200), Duration.ofSeconds(2), 0), Duration.ofSeconds(60), Duration.ofSeconds(5),
            Duration.ofSeconds(1), 0.95, Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(2),
            Duration.ofSeconds(2));

    /** A stand-in ffmpeg: logs its argv, then reports progress at the given speed for the given number of blocks. */
    Path fakeFfmpeg(String speed, int blocks, int exitCode) throws IOException {
        Path p = dir.resolve("ffmpeg");
        Files.writeString(p, """
                #!/bin/sh
                echo "$*" >> %s
                # the snapshot process: reads the relay's copy until it ends
                case "$*" in *"-i pipe:0"*) cat > /dev/null; exit 0 ;; esac
                # the relay: progress on stderr, as with -progress pipe:2; its stdout (the copy for the snapshot
                # process) stays open on fd 3 until it ends, as ffmpeg's does
                exec 3>&1 1>&2
                i=0
                while [ $i -lt %d ]; do
                  i=$((i+1))
                  echo "frame=$i"; echo "fps=25"; echo "out_time_us=$((i*200000))"; echo "speed=%s"
                  echo "progress=continue"; sleep 0.2
                done
                exit %d
                """.formatted(dir.resolve("argv.log"), blocks, speed, exitCode));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    void open(Path ffmpeg) {
        db = Database.open(dir.resolve("streamrelay.db"));
        configs = new StreamConfigRepository(db);
        logs = new StreamLogRepository(db);
        configs.updateEncoding(1, "-c:v copy -c:a aac -f flv", "copy");
        // these tests are about the plain relay: one ffmpeg, restarted on every change (keep_session false, §8)
        configs.updateKeepSession(1, false);
        // the probe meets a closed port on loopback at once: audio unknown, treated as none
        RelayCommands commands = new RelayCommands(ffmpeg.toString(), new CameraProbe("ffprobe"), dir);
        controller = new StreamController(1, configs, logs, new ChildProcessRepository(db), commands, FAST);
        controller.stateMachine().addListener((from, to, why) -> states.add(to));
    }

    @AfterEach
    void close() {
        if (controller != null) {
            controller.close();
        }
        if (db != null) {
            db.close();
        }
    }


    String closedCamera() throws IOException {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return "rtsp://127.0.0.1:" + s.getLocalPort() + "/cam";
        }
    }

    @Test
    void runningOnlyOnceOutputAdvancesThenRestartsWithBackoffAfterAnExit() throws Exception {
        open(fakeFfmpeg("1.00x", 5, 1));
        long id = controller.requestStart(StreamUrls.of(closedCamera(), "rtmp://127.0.0.1:1935/live/k"), ChangeSource.API);
        assertEquals(1, id, "the stream's own id");
        assertNotNull(id);
        await(() -> states.contains(StreamState.RUNNING), "running");
        assertEquals(StreamState.STARTING, states.get(0), "starting comes first: a process is not yet media");
        await(() -> states.stream().filter(s -> s == StreamState.RUNNING).count() >= 2, "running again after a restart");
        assertTrue(states.contains(StreamState.RESTARTING));
        assertTrue(controller.status().restarts() >= 1);
        assertEquals(StreamConfig.DesiredState.RUNNING, configs.findDefault().desiredState());
        controller.requestStop();
        assertEquals(StreamState.STOPPED, controller.status().state());
        assertEquals(StreamConfig.DesiredState.STOPPED, configs.findDefault().desiredState());
    }

    @Test
    void withoutAutoRestartAnExitIsFailed() throws Exception {
        open(fakeFfmpeg("1.00x", 2, 1));
        configs.updateAutoRestart(1, false);
        controller.requestStart(StreamUrls.of(closedCamera(), null), ChangeSource.API);
        await(() -> controller.status().state() == StreamState.FAILED, "failed");
        assertTrue(controller.status().lastError().contains("auto restart is off"), controller.status().lastError());
    }

    @Test
    void sustainedSlowSpeedIsWarnedOnceAndShown() throws Exception {
        open(fakeFfmpeg("0.50x", 100, 0));
        controller.requestStart(StreamUrls.of(closedCamera(), null), ChangeSource.API);
        await(() -> controller.status().warning() != null, "a speed warning");
        assertTrue(controller.status().warning().contains("0.50x"), controller.status().warning());
        await(() -> logs.page(100, null, "slow_stream", null).size() == 1, "one warning row");
        Thread.sleep(1500); // the condition persists: still a single row
        List<LogEntry> rows = logs.page(100, null, "slow_stream", null);
        assertEquals(1, rows.size(), "logged once, not at every progress block");
    }

    @Test
    void aBurstOfUrlChangesEndsOnTheLastWithAtMostTwoRestarts() throws Exception {
        open(fakeFfmpeg("1.00x", 1000, 0));
        controller.requestStart(StreamUrls.of(closedCamera(), "rtmp://127.0.0.1:1935/live/k0"), ChangeSource.API);
        await(() -> controller.status().state() == StreamState.RUNNING, "running");
        long before = controller.status().restarts();
        // A pause longer than the quiet time between two changes ends a burst by definition; on a loaded machine an
        // SQLite write can stall that long (seen at load 12-20), and each such pause may add one switch.
        int pausesEndingABurst = 0;
        long last = System.nanoTime();
        for (int i = 1; i <= 200; i++) {
            StreamChange change = StreamChange.urls(StreamUrls.of(null, "rtmp://127.0.0.1:1935/live/k" + i), true);
            controller.save(change, ChangeSource.SSE);
            long now = System.nanoTime();
            if (now - last >= FAST.burstQuiet().toNanos()) {
                pausesEndingABurst++;
            }
            last = now;
            controller.takeEffect(change);
        }
        await(() -> {
            try {
                List<String> lines = relayCommandLines();
                return lines.get(lines.size() - 1).contains("live/k200 ");
            } catch (IOException e) {
                return false;
            }
        }, "ffmpeg started on the last URL");
        await(() -> controller.status().state() == StreamState.RUNNING, "running on the last URL");
        Thread.sleep(3000); // longer than the coalescing window: no further restart may follow
        long restarts = controller.status().restarts() - before;
        assertTrue(restarts >= 1 && restarts <= 2 + pausesEndingABurst, "restarts for the burst: " + restarts
                + " (pauses over the quiet time within it: " + pausesEndingABurst + ")");
        assertEquals(1 + restarts, relayCommandLines().size(), "one relay ffmpeg per start");
    }

    @Test
    void settingsChangeThroughTheOneApplyPathAndOnlyANewEncodingRestartsARunningStream() throws Exception {
        open(fakeFfmpeg("1.00x", 1000, 0));
        controller.requestStart(StreamUrls.of(closedCamera(), "rtmp://127.0.0.1:1935/live/k"), ChangeSource.API);
        await(() -> controller.status().state() == StreamState.RUNNING, "running");
        long firstPid = controller.status().pid();

        controller.apply(StreamChange.settings(null, false), ChangeSource.API);
        assertFalse(configs.findDefault().autoRestart(), "saved before apply returns");
        controller.apply(StreamChange.settings(new Encoding("-c:v copy -c:a aac -b:a 64k -f flv", null), null),
                ChangeSource.MANUAL);
        assertEquals("-c:v copy -c:a aac -b:a 64k -f flv", configs.findDefault().ffmpegParams());
        assertEquals(null, configs.findDefault().preset(), "typed parameters belong to no preset");
        await(() -> controller.status().state() == StreamState.RUNNING && controller.status().pid() != null
                && controller.status().pid() != firstPid, "running again on the new encoding");
        // the stream's thread took the two changes in order: the auto restart alone did not restart ffmpeg
        List<String> relays = relayCommandLines();
        assertEquals(2, relays.size(), "the first start and one restart for the new encoding: " + relays);
        assertTrue(relays.get(1).contains("-b:a 64k"), relays.get(1));
        assertFalse(configs.findDefault().autoRestart(), "the encoding change kept the auto restart setting");
        List<String> changes = logs.page(100, null, "config_change", null).stream().map(LogEntry::message).toList();
        assertTrue(changes.contains("Auto restart turned off") && changes.contains("ffmpeg parameters changed"),
                changes.toString());
    }

    @Test
    void closingWhileANewCameraIsProbedCutsTheProbeShortAndMakesNoSwitch() throws Exception {
        open(fakeFfmpeg("1.00x", 1000, 0));
        controller.requestStart(StreamUrls.of(closedCamera(), "rtmp://127.0.0.1:1935/live/k"), ChangeSource.API);
        await(() -> controller.status().state() == StreamState.RUNNING, "running");
        long oldPid = controller.status().pid();
        // a camera that accepts the connection and never answers: ffprobe would wait seconds on it
        try (var silent = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            String silentCamera = "rtsp://127.0.0.1:" + silent.getLocalPort() + "/cam";
            controller.apply(StreamChange.urls(StreamUrls.of(silentCamera, null), true), ChangeSource.API);
            try (var probeConnection = silent.accept()) {
                assertEquals(StreamState.RUNNING, controller.status().state(), "on air while the probe waits");
                controller.close();
                controller = null;
            }
            assertFalse(ProcessHandle.of(oldPid).map(ProcessHandle::isAlive).orElse(false), "the old ffmpeg ended");
            assertTrue(ProcessHandle.current().children().noneMatch(h -> h.info().command().orElse("")
                    .endsWith("ffprobe")), "the probe was killed, not left to time out");
            assertTrue(relayCommandLines().stream().noneMatch(l -> l.contains(silentCamera)),
                    "no ffmpeg was started on the new camera after the stop was asked: " + relayCommandLines());
            assertTrue(new ChildProcessRepository(db).all().isEmpty(), "no record left");
        }
    }

    @Test
    void theSnapshotProcessRunsBesideTheRelayAndEndsWithIt() throws Exception {
        open(fakeFfmpeg("1.00x", 1000, 0));
        controller.requestStart(StreamUrls.of(closedCamera(), "rtmp://127.0.0.1:1935/live/k"), ChangeSource.API);
        await(() -> controller.status().state() == StreamState.RUNNING, "running");
        ChildProcessRepository children = new ChildProcessRepository(db);
        List<ProcessHandle> snapshots = ProcessHandle.current().children()
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains("image2")).orElse(false)).toList();
        assertEquals(1, snapshots.size(), "one snapshot process, a child of the appliance");
        long pid = snapshots.get(0).pid();
        await(() -> snapshotCommandLine() != null, "the snapshot process's command line logged by the stand-in");
        String snapshotLine = snapshotCommandLine();
        assertTrue(snapshotLine.contains("-i pipe:0 "), "it reads the relay's copy from its stdin: " + snapshotLine);
        assertEquals(List.of(StreamController.ROLE), children.all().stream().map(ChildProcess::role).toList(),
                "only the relay is recorded: the snapshot process cannot outlive the appliance (its stdin ends)");
        controller.requestStop();
        await(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), "the snapshot process gone");
        await(() -> children.all().isEmpty(), "no child left recorded (the relay's record goes when it has ended)");
    }

    String snapshotCommandLine() {
        try {
            return Files.readAllLines(dir.resolve("argv.log")).stream().filter(l -> l.contains("image2")).findFirst()
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** The stand-in's argv log without the snapshot processes' lines (the relay's alone names the destination). */
    List<String> relayCommandLines() throws IOException {
        return Files.readAllLines(dir.resolve("argv.log")).stream().filter(l -> l.contains("rtmp://")).toList();
    }

    @Test
    void theDesiredStateSurvivesARestartOfTheAppliance() throws Exception {
        open(fakeFfmpeg("1.00x", 1000, 0));
        controller.requestStart(StreamUrls.of(closedCamera(), null), ChangeSource.API);
        await(() -> controller.status().state() == StreamState.RUNNING, "running");
        controller.close();
        controller = new StreamController(1, configs, logs, new ChildProcessRepository(db),
                new RelayCommands(dir.resolve("ffmpeg").toString(), new CameraProbe("ffprobe"), dir), FAST);
        assertEquals(StreamState.STOPPED, controller.status().state());
        controller.start();
        await(() -> controller.status().state() == StreamState.RUNNING, "resumed by itself");
    }
}
