package stream.core.ffmpeg;

import static stream.core.TestWaits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import stream.core.Backoff;
import stream.core.SecretMasker;
import stream.core.ValidationException;

/** The keeper against real processes (shell scripts standing in for ffmpeg), with no stream around it. */
class FfmpegKeeperTest {
    @TempDir
    Path dir;
    final ScheduledExecutorService owner = Executors.newSingleThreadScheduledExecutor();
    final List<String> events = new CopyOnWriteArrayList<>();
    final MemoryRecords records = new MemoryRecords();
    FfmpegKeeper keeper;

    /** Child records in memory. */
    static final class MemoryRecords implements ChildRecords {
        final List<ChildRecord> rows = new CopyOnWriteArrayList<>();

        @Override
        public void add(ChildRecord child) {
            rows.add(child);
        }

        @Override
        public void remove(ChildRecord child) {
            rows.removeIf(r -> r.role().equals(child.role()) && r.pid() == child.pid());
        }

        @Override
        public List<ChildRecord> all() {
            return List.copyOf(rows);
        }
    }

    final FfmpegKeeper.Listener listener = new FfmpegKeeper.Listener() {
        @Override
        public void launched(long pid) {
            events.add("launched");
        }

        @Override
        public void flowing() {
            events.add("flowing");
        }

        @Override
        public void restarting(String reason, Duration delay) {
            events.add("restarting: " + reason);
        }

        @Override
        public void gaveUp(String reason, boolean byPolicy) {
            events.add("gave up" + (byPolicy ? " by policy" : "") + ": " + reason);
        }

        @Override
        public void cannotLaunch(String reason) {
            events.add("cannot launch: " + reason);
        }
    };

    static FfmpegKeeper.Settings fast(ProcessIo io) {
        return new FfmpegKeeper.Settings("test", io, Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Backoff.of(Duration.ofMillis(100), Duration.ofMillis(400), 0), Duration.ofSeconds(60));
    }

    Path script(String body) throws IOException {
        Path p = dir.resolve("fake-ffmpeg-" + System.nanoTime());
        Files.writeString(p, "#!/bin/bash\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    FfmpegKeeper.CommandSource run(Path script) {
        return () -> new FfmpegKeeper.Launch(List.of(script.toString()), SecretMasker.forUrls());
    }

    <T> T on(Callable<T> work) throws Exception {
        return owner.submit(work).get(30, TimeUnit.SECONDS);
    }


    @AfterEach
    void close() throws Exception {
        if (keeper != null) {
            on(() -> {
                keeper.close();
                return null;
            });
        }
        owner.shutdownNow();
    }

    long count(String prefix) {
        return events.stream().filter(e -> e.startsWith(prefix)).count();
    }

    @Test
    void restartsAfterBackoffWhenFfmpegExitsAndGivesUpWhenThePolicySaysNo() throws Exception {
        Path ffmpeg = script("""
                echo "frame=1" >&2; echo "out_time_us=100000" >&2; echo "progress=continue" >&2
                echo "[error] Connection refused" >&2
                exit 1""");
        AtomicBoolean wanted = new AtomicBoolean(true);
        keeper = new FfmpegKeeper(fast(ProcessIo.NONE), run(ffmpeg), wanted::get, records, owner, listener);
        on(keeper::start);
        await(() -> count("launched") >= 3, "three launches");
        assertTrue(count("flowing") >= 1, events.toString());
        assertTrue(count("restarting: ffmpeg exited with status 1") >= 2, events.toString());
        assertTrue(on(keeper::restarts) >= 2);
        wanted.set(false);
        await(() -> count("gave up by policy") == 1, "giving up once the policy says no");
        long launches = count("launched");
        Thread.sleep(600); // longer than the largest backoff: nothing more starts
        assertEquals(launches, count("launched"));
        assertFalse(on(keeper::isActive));
        assertTrue(records.all().isEmpty(), "no record outlives its process: " + records.all());
    }

    @Test
    void recordsTheProcessWhileItRunsAndStopsItOnQ() throws Exception {
        Path ffmpeg = script("""
                i=0
                while [ $i -lt 200 ]; do
                  i=$((i+1)); echo "frame=$i" >&2; echo "out_time_us=$((i*100000))" >&2; echo "progress=continue" >&2
                  if read -t 0.1 c; then exit 0; fi
                done""");
        keeper = new FfmpegKeeper(fast(ProcessIo.NONE), run(ffmpeg), () -> true, records, owner, listener);
        on(keeper::start);
        await(() -> count("flowing") == 1, "output flowing");
        long pid = on(keeper::pid);
        assertEquals(List.of(new ChildRecord("test", pid, records.all().get(0).startTicks())), records.all());
        on(() -> {
            keeper.stop();
            return null;
        });
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertTrue(records.all().isEmpty());
        assertEquals(0, count("restarting"), "a stop is not an exit to recover from");
    }

    @Test
    void aProcessWhoseOutputNeverAdvancedIsStoppedWithSigtermNotQ() throws Exception {
        // like ffmpeg still opening a camera that does not answer: it reads no q, and nothing of it is on air yet
        Path signal = dir.resolve("signal");
        Path ready = dir.resolve("ready");
        Path ffmpeg = script("""
                trap 'echo TERM > %s; exit 0' TERM
                touch %s
                echo "[info] Opening the input" >&2
                while true; do sleep 0.05; done""".formatted(signal, ready));
        FfmpegKeeper.Settings longQuitGrace = new FfmpegKeeper.Settings("test", ProcessIo.NONE, Duration.ofSeconds(30),
                Duration.ofSeconds(20), Duration.ofSeconds(5), Backoff.of(Duration.ofMillis(100), Duration.ofMillis(400), 0),
                Duration.ofSeconds(60));
        keeper = new FfmpegKeeper(longQuitGrace, run(ffmpeg), () -> true, records, owner, listener);
        on(keeper::start);
        await(() -> count("launched") == 1 && Files.exists(ready), "launched, its signal handler set");
        long pid = on(keeper::pid);
        long started = System.nanoTime();
        on(() -> {
            keeper.stop();
            return null;
        });
        assertEquals("TERM", Files.readString(signal).strip(), "ended by SIGTERM");
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(20).toNanos(), "before the quit grace ran out");
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertTrue(records.all().isEmpty());
        assertEquals(0, count("flowing"));
    }

    @Test
    void aProcessWhoseStdoutCarriesMediaReportsProgressFromStderrAndIsFedOnStdin() throws Exception {
        // like an ingest or a publisher: media in on stdin, media out on stdout, -progress pipe:2
        Path ffmpeg = script("""
                echo "[info] Input #0, rtsp" >&2
                echo "frame=1" >&2; echo "out_time_us=100000" >&2; echo "speed= 1.0x" >&2; echo "progress=continue" >&2
                head -c 5 | tr a-z A-Z
                echo "frame=2" >&2; echo "out_time_us=200000" >&2; echo "progress=continue" >&2
                exec sleep 30""");
        ByteArrayOutputStream media = new ByteArrayOutputStream();
        ProcessIo io = ProcessIo.stdoutTo((InputStream out) -> {
            try {
                out.transferTo(media);
            } catch (IOException ignored) {
                // ends with the process
            }
        }).withStdinFrom((OutputStream in) -> {
            try {
                in.write("hello".getBytes(StandardCharsets.US_ASCII));
                in.flush();
            } catch (IOException ignored) {
                // the process ended first
            }
        });
        List<String> stderr = new CopyOnWriteArrayList<>();
        List<Progress> progress = new CopyOnWriteArrayList<>();
        keeper = new FfmpegKeeper(fast(io), run(ffmpeg), () -> true, records, owner, new FfmpegKeeper.Listener() {
            @Override
            public void progress(Progress p, boolean advanced) {
                progress.add(p);
            }

            @Override
            public void stderr(String line) {
                stderr.add(line);
            }
        });
        on(keeper::start);
        await(() -> media.toString(StandardCharsets.US_ASCII).equals("HELLO"), "the fed bytes coming back on stdout");
        await(() -> progress.size() >= 2, "two progress blocks from stderr");
        assertEquals(200_000, progress.get(1).outTimeUs());
        assertEquals(List.of("[info] Input #0, rtsp"), stderr, "progress lines are not log lines");
        long pid = on(keeper::pid);
        long started = System.nanoTime();
        on(() -> {
            keeper.stop();
            return null;
        });
        // no q can be written into a media stream: SIGTERM ends it at once, not after the quit grace
        assertTrue(System.nanoTime() - started < Duration.ofMillis(900).toNanos());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void aListenerThatDoesNotFollowProgressGetsItOnlyUntilTheOutputFirstAdvanced() throws Exception {
        Path ffmpeg = script("""
                echo "frame=0" >&2; echo "progress=continue" >&2
                echo "frame=1" >&2; echo "out_time_us=100000" >&2; echo "progress=continue" >&2
                echo "frame=2" >&2; echo "out_time_us=200000" >&2; echo "progress=continue" >&2
                echo "frame=3" >&2; echo "out_time_us=300000" >&2; echo "progress=continue" >&2
                echo "[info] after the progress" >&2
                exec sleep 30""");
        List<Long> frames = new CopyOnWriteArrayList<>();
        List<String> told = new CopyOnWriteArrayList<>();
        keeper = new FfmpegKeeper(fast(ProcessIo.NONE), run(ffmpeg), () -> true, records, owner,
                new FfmpegKeeper.Listener() {
                    @Override
                    public void progress(Progress p, boolean advanced) {
                        frames.add(p.frame());
                    }

                    @Override
                    public boolean followsProgress() {
                        return false;
                    }

                    @Override
                    public void flowing() {
                        told.add("flowing");
                    }

                    @Override
                    public void stderr(String line) {
                        told.add(line);
                    }
                });
        on(keeper::start);
        // the owner gets the reports in the order of the lines: the last line comes after every report it got
        await(() -> told.contains("[info] after the progress"), "the line after the progress");
        assertEquals(List.of(0L, 1L), frames, "the reports up to the first advance, none after it");
        assertEquals(List.of("flowing", "[info] after the progress"), told);
        assertTrue(on(() -> keeper.flowingSince() != null), "the keeper knows the output flows");
    }

    @Test
    void aCommandThatCannotBeBuiltIsReportedAndNothingRuns() throws Exception {
        keeper = new FfmpegKeeper(fast(ProcessIo.NONE), () -> {
            throw new ValidationException("ffmpeg_params", "refused");
        }, () -> true, records, owner, listener);
        assertFalse(on(keeper::start));
        assertEquals(List.of("cannot launch: ffmpeg_params: refused"), events);
        assertFalse(on(keeper::isActive));
    }

    @Test
    void aLeftoverOfAnEarlierRunIsEndedOnlyWhenItIsStillOurFfmpeg() throws Exception {
        // this JVM is not an ffmpeg: its record is forgotten and it is left alone
        records.add(new ChildRecord("test", ProcessHandle.current().pid(), 1));
        records.add(new ChildRecord("other-role", ProcessHandle.current().pid(), 1));
        keeper = new FfmpegKeeper(fast(ProcessIo.NONE), run(script("exit 0")), () -> false, records,
                owner, listener);
        on(() -> {
            keeper.endLeftovers();
            return null;
        });
        assertEquals(List.of("other-role"), records.all().stream().map(ChildRecord::role).toList());
        assertTrue(ProcessHandle.current().isAlive());
    }
}
