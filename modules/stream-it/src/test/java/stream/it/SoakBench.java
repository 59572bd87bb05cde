package stream.it;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import stream.it.harness.NchanServer;
import stream.it.harness.Processes;
import stream.it.harness.RtmpServer;
import stream.it.harness.RtspCamera;
import stream.it.harness.ScratchDir;
import stream.it.harness.TestPorts;
import stream.it.harness.Waits;

/**
 * Benchmark run by bench/soak.sh MINUTES [SEED] (and for 3 minutes by the test command): the jlinked appliance with a
 * kept session (the contract's default) streaming from GStreamer cameras to nginx-rtmp for MINUTES, while {@link
 * SoakPlan} switches cameras by the API and by the control server, takes the camera away, freezes it, kills the
 * session's ingest and publisher ffmpeg, restarts nginx once and kills the appliance with SIGKILL once (and starts it
 * again on the same data and port, as systemd's Restart=always would). Meanwhile a viewer pulls the destination from
 * nginx (a new one when nginx's restart ends it), a headless Chromium stays signed in on the dashboard (its live feed
 * is /api/events), a poller reads the API as a dashboard or a script would, the control server sends a heartbeat event
 * every few seconds and now and then a url_update with a forbidden URL, and bad requests (malformed JSON, file:,
 * concat:, a leading '-', wrong credentials) are sent and their answers checked.
 *
 * <p>Each figure is printed with its bound; any miss fails the test (and so the script and the test command).
 */
class SoakBench {
    static final Duration LONG = Duration.ofSeconds(90);
    static final double MINUTES = Double.parseDouble(System.getProperty("soak.minutes", "3"));
    static final long SEED = Long.getLong("soak.seed", 17L);
    static final Path RESULTS = Path.of(System.getProperty("soak.results",
            ApplianceProcess.ROOT.resolve("bench/results/soak.txt").toString()));

    /** A step that keeps the session may pause the pictures at the viewer this long at most (§8: slate within 2 s). */
    static final long MAX_PAUSE_MS = 2_000;
    /** What a step that ends the RTMP session may cost the viewer in seconds without pictures. */
    static final int SESSION_ENDING_STEP_BUDGET_S = 10;
    /** Growth of the appliance that ran to the end, from 15 s after its start to the end of the run. */
    static final long MAX_RSS_GROWTH_KB = 32 * 1024;
    static final int MAX_THREAD_GROWTH = 6;
    static final int MAX_OPEN_FILE_GROWTH = 10;
    /** The appliance's steady interval between status events on /api/events is 2 s (§6): the browser samples that. */
    static final Duration BROWSER_SAMPLE = Duration.ofSeconds(2);

    record Footprint(long rssKb, int threads, int openFiles) {
        static Footprint of(long pid) {
            try {
                long rss = -1;
                int threads = -1;
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss = Long.parseLong(line.replaceAll("\\D", ""));
                    } else if (line.startsWith("Threads:")) {
                        threads = Integer.parseInt(line.replaceAll("\\D", ""));
                    }
                }
                int fds;
                try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                    fds = (int) s.count();
                }
                return new Footprint(rss, threads, fds);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read /proc of the appliance " + pid, e);
            }
        }
    }

    /** One step as it went: when it started and when the stream was back on the camera. */
    record Done(SoakPlan.Kind kind, long startNanos, long endNanos) {}

    /** A switch slower than this gets the appliance's log printed (one took 19 s once, for no known reason). */
    static final Duration SLOW_SWITCH = Duration.ofSeconds(8);

    final List<String> misses = Collections.synchronizedList(new ArrayList<>());
    final List<String> report = new ArrayList<>();
    final Random traffic = new Random(SEED ^ 0x5eed);
    final Object publishLock = new Object();

    RtspCamera open;
    RtspCamera guarded;
    RtspCamera onAir;
    RtmpServer rtmp;
    NchanServer nchan;
    volatile ApplianceProcess app;
    volatile ApiClient api;
    Path data;
    int port;
    String key;
    String channel;
    final List<Done> done = new ArrayList<>();

    /** Every event published on the control channel, by nchan id: its type and whether it was a valid url_update. */
    final Map<String, String> published = Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    volatile String lastPublishedId;

    /** Stat-page publisher ids, per nginx run (ids start over when nginx restarts). */
    final Set<String> publisherIds = Collections.synchronizedSet(new LinkedHashSet<>());
    volatile int nginxRun = 1;

    final AtomicLong polls = new AtomicLong();
    final AtomicLong pollErrors = new AtomicLong();
    final List<String> pollErrorSamples = Collections.synchronizedList(new ArrayList<>());
    long badRequests;
    long badRequestsAnsweredRight;
    final List<String> badAnswers = new ArrayList<>();

    @Test
    void soak() throws Exception {
        Duration length = Duration.ofMillis(Math.round(MINUTES * 60_000));
        SoakPlan plan = SoakPlan.draw(SEED, length);
        System.out.printf("soak: seed %d (set another with bench/soak.sh MINUTES SEED), %.1f minutes, %d steps: %s%n",
                SEED, MINUTES, plan.steps().size(), plan.steps());
        String loadAtStart = loadAverage();
        Path tmp = ScratchDir.create("soak");
        data = tmp.resolve("data");
        port = TestPorts.freePort();
        String unique = Long.toString(System.nanoTime(), 36);
        key = "soak" + unique;
        channel = "soak-" + unique;
        open = RtspCamera.builder().port(TestPorts.freePort()).path("/yard").audio(RtspCamera.Audio.AAC).start();
        guarded = RtspCamera.builder().port(TestPorts.freePort()).path("/gate").auth("viewer", "s0ak:pw")
                .size(320, 240).audio(RtspCamera.Audio.NONE).start();
        rtmp = new RtmpServer().start();
        nchan = new NchanServer().start();
        ViewerChain viewer = null;
        DashboardWatcher browser = null;
        List<Thread> background = new ArrayList<>();
        Footprint firstStart = null;
        Footprint firstBeforeKill = null;
        Footprint lastStart = null;
        Footprint end = null;
        long lastStartedNanos;
        long runStart = 0;
        long runEnd = 0;
        String ended = "all steps done";
        try {
            startAppliance();
            api.preset("copy");
            api.setUrls(open.url(), rtmp.rtmpUrl(key), false);
            api.start();
            onAir = open;
            awaitOnAir("the first start");
            rtmp.waitForPublishing(key, LONG);
            viewer = new ViewerChain(rtmp.rtmpUrl(key));
            ViewerChain v = viewer;
            Waits.waitUntil(() -> v.videoFrames() >= 25, LONG, "the viewer's first pictures");
            browser = new DashboardWatcher();
            background.add(daemon("soak-api-poller", this::pollApi));
            background.add(daemon("soak-control-server", this::sendHeartbeats));
            background.add(daemon("soak-stat-page", this::watchStatPage));
            api.waitForSseState("connected", LONG);
            nchan.waitForSubscribers(channel, 1, LONG);

            firstStart = Footprint.of(app.pid());
            lastStartedNanos = System.nanoTime();
            runStart = System.nanoTime();
            long lastBad = 0;
            for (SoakPlan.Step step : plan.steps()) {
                long due = runStart + step.at().toNanos();
                while (System.nanoTime() < due) {
                    if (System.nanoTime() - lastBad > Duration.ofSeconds(2).toNanos()) {
                        badRequestRound();
                        lastBad = System.nanoTime();
                    }
                    if (lastStart == null && System.nanoTime() - lastStartedNanos > Duration.ofSeconds(15).toNanos()
                            && firstBeforeKill != null) {
                        lastStart = Footprint.of(app.pid());
                    }
                    Thread.sleep(Math.max(1, Math.min(250, (due - System.nanoTime()) / 1_000_000)));
                }
                System.out.printf("soak: %5.1f s %s%n", (System.nanoTime() - runStart) / 1e9, step.kind());
                long started = System.nanoTime();
                if (step.kind() == SoakPlan.Kind.KILL_APPLIANCE) {
                    firstBeforeKill = Footprint.of(app.pid());
                }
                run(step.kind());
                if (step.kind() == SoakPlan.Kind.KILL_APPLIANCE) {
                    lastStartedNanos = System.nanoTime();
                }
                done.add(new Done(step.kind(), started, System.nanoTime()));
                System.out.printf("soak: %5.1f s %s done in %d ms%n", (System.nanoTime() - runStart) / 1e9,
                        step.kind(), (System.nanoTime() - started) / 1_000_000);
                if ((step.kind() == SoakPlan.Kind.SWITCH_BY_API || step.kind() == SoakPlan.Kind.SWITCH_BY_SSE)
                        && System.nanoTime() - started > SLOW_SWITCH.toNanos()) {
                    // what the appliance said meanwhile is the only trace of why: its data folder goes with the run
                    System.out.printf("soak: a slow switch; the appliance's last log lines: %s%n",
                            api.logMessages(12));
                }
            }
            long due = runStart + length.toNanos();
            while (System.nanoTime() < due) {
                if (lastStart == null && System.nanoTime() - lastStartedNanos > Duration.ofSeconds(15).toNanos()) {
                    lastStart = Footprint.of(app.pid());
                }
                badRequestRound();
                Thread.sleep(Math.max(1, Math.min(2000, (due - System.nanoTime()) / 1_000_000)));
            }
            if (lastStart == null) {
                lastStart = Footprint.of(app.pid());
            }
            runEnd = System.nanoTime();
            end = Footprint.of(app.pid());
        } catch (AssertionError | RuntimeException e) {
            ended = "stopped early: " + e.getMessage();
            misses.add("the run " + ended);
            e.printStackTrace(System.out);
            runEnd = System.nanoTime();
            if (app != null && app.process().isAlive()) {
                end = Footprint.of(app.pid());
            }
        }

        // the figures
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "# %s soak: seed %d, %.1f minutes (run %.0f s), load average %s at the"
                        + " start and %s at the end (%d cores), %d steps done of %d (%s): %s", Instant.now(), SEED,
                MINUTES, (runEnd - runStart) / 1e9, loadAtStart, loadAverage(),
                Runtime.getRuntime().availableProcessors(), done.size(), plan.steps().size(), ended, counts()));
        if (viewer != null && runStart > 0) {
            mediaFigures(lines, viewer, runStart, runEnd);
        }
        sessionFigures(lines);
        sseFigures(lines);
        lines.add(check("soak_bad_requests", badRequests == badRequestsAnsweredRight && badRequests > 0,
                "sent=%d answered_4xx_and_nothing_changed=%d (bound: all; wrong: %s)", badRequests,
                badRequestsAnsweredRight, badAnswers.subList(0, Math.min(5, badAnswers.size()))));
        lines.add(check("soak_api_polls", pollErrors.get() == 0 && polls.get() > 0,
                "requests=%d answered_not_2xx=%d (bound: 0; %s)", polls.get(), pollErrors.get(),
                pollErrorSamples.subList(0, Math.min(3, pollErrorSamples.size()))));
        if (browser != null) {
            lines.add(browser.figures());
        }
        if (firstStart != null) {
            lines.add(String.format(Locale.ROOT, "soak_first_appliance rss_kb=%d threads=%d open_files=%d at its start,"
                            + " %s before its kill -9 (not bounded: it was killed)", firstStart.rssKb(),
                    firstStart.threads(), firstStart.openFiles(), firstBeforeKill));
        }
        if (lastStart != null && end != null) {
            lines.add(check("soak_appliance_rss_kb", end.rssKb() - lastStart.rssKb() <= MAX_RSS_GROWTH_KB,
                    "start=%d end=%d growth=%d (bound: growth <= %d)", lastStart.rssKb(), end.rssKb(),
                    end.rssKb() - lastStart.rssKb(), MAX_RSS_GROWTH_KB));
            lines.add(check("soak_appliance_threads", end.threads() - lastStart.threads() <= MAX_THREAD_GROWTH,
                    "start=%d end=%d growth=%d (bound: growth <= %d)", lastStart.threads(), end.threads(),
                    end.threads() - lastStart.threads(), MAX_THREAD_GROWTH));
            lines.add(check("soak_appliance_open_files", end.openFiles() - lastStart.openFiles() <= MAX_OPEN_FILE_GROWTH,
                    "start=%d end=%d growth=%d (bound: growth <= %d)", lastStart.openFiles(), end.openFiles(),
                    end.openFiles() - lastStart.openFiles(), MAX_OPEN_FILE_GROWTH));
        } else {
            misses.add("no footprint of the appliance at the end");
        }
        if (app != null && app.process().isAlive()) {
            processFigures(lines);
        }

        // tear down: the browser, the viewer, the appliance; nothing of the stream may be left running
        for (Thread t : background) {
            t.interrupt();
        }
        if (browser != null) {
            browser.close();
        }
        if (viewer != null) {
            viewer.close();
        }
        if (app != null) {
            try {
                api.stop();
            } catch (IOException | AssertionError e) {
                misses.add("stop at the end: " + e.getMessage());
            }
            app.close();
            keepLog(app, "soak-appliance.log");
            keepStreamLogs();
        }
        try {
            Processes.awaitNoneMatching("ffmpeg", key, Duration.ofSeconds(20));
            for (RtspCamera cam : List.of(open, guarded)) {
                Processes.awaitNoneMatching("ffmpeg", "127.0.0.1:" + cam.port() + "/", Duration.ofSeconds(20));
            }
            lines.add(check("soak_after_stop", true, "ffmpeg_left=0 (bound: 0)"));
        } catch (AssertionError e) {
            lines.add(check("soak_after_stop", false, "ffmpeg left after the stop: %s", e.getMessage()));
        }
        for (AutoCloseable c : new AutoCloseable[] {open, guarded, rtmp, nchan}) {
            c.close();
        }
        lines.add(String.format(Locale.ROOT, "soak_result %s (%d misses)", misses.isEmpty() ? "PASS" : "FAIL",
                misses.size()));
        for (String l : lines) {
            System.out.println(l);
        }
        Files.createDirectories(RESULTS.getParent());
        Files.write(RESULTS, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (!misses.isEmpty()) {
            if (app != null) {
                System.out.println("appliance log (tail): " + tail(app.log(), 6000));
            }
            System.out.println("nginx log (tail): " + tail(rtmp.log(), 3000));
            throw new AssertionError("soak missed " + misses.size() + " bound(s): " + misses);
        }
        ScratchDir.delete(tmp);
    }

    // ------------------------------------------------------------------------------------------------------ steps

    void run(SoakPlan.Kind kind) throws Exception {
        switch (kind) {
            case SWITCH_BY_API -> {
                RtspCamera to = other();
                long before = switches();
                api.setUrls(to.url(), rtmp.rtmpUrl(key), true);
                awaitSwitch(before, to);
            }
            case SWITCH_BY_SSE -> {
                RtspCamera to = other();
                long before = switches();
                JsonObject update = Json.object().add("rtsp_url", to.url()).add("timestamp", Instant.now().toString())
                        .add("restart_required", true);
                // both forms of §5: a named event, or a default message wrapping it
                if (traffic.nextBoolean()) {
                    publish("url_update", update.toString(), "url_update");
                } else {
                    publish(null, Json.object().add("event", "url_update").add("data", update).toString(),
                            "url_update");
                }
                awaitSwitch(before, to);
            }
            case CAMERA_OUTAGE -> {
                long stopped = System.nanoTime();
                onAir.stop();
                Waits.waitUntil(() -> "slate".equals(source()), LONG, "the slate for the camera gone");
                Waits.waitUntil(() -> System.nanoTime() - stopped >= Duration.ofSeconds(8).toNanos(), LONG,
                        "8 s of outage");
                onAir.start();
                awaitOnAir("the camera back after its outage");
            }
            case CAMERA_FREEZE -> {
                long frozen = System.nanoTime();
                onAir.freeze();
                Waits.waitUntil(() -> "slate".equals(source()), LONG, "the slate for the frozen camera");
                Waits.waitUntil(() -> System.nanoTime() - frozen >= Duration.ofSeconds(8).toNanos(), LONG,
                        "8 s of freeze");
                onAir.thaw();
                awaitOnAir("the camera back after its freeze");
            }
            case KILL_INGEST -> {
                long ingest = Waits.waitFor(() -> ingestPid() > 0 ? ingestPid() : null, LONG, "the ingest");
                Processes.sigkill(ingest);
                Waits.waitUntil(() -> ingestPid() > 0 && ingestPid() != ingest && "camera".equals(source()), LONG,
                        "a new ingest on air");
                Processes.awaitGone(ingest, Duration.ofSeconds(20));
            }
            case KILL_SNAPSHOT -> {
                long snapshot = Waits.waitFor(() -> snapshotPid() > 0 ? snapshotPid() : null, LONG,
                        "the snapshot maker");
                Processes.sigkill(snapshot);
                Waits.waitUntil(() -> snapshotPid() > 0 && snapshotPid() != snapshot, LONG,
                        "a new snapshot maker, started by its keeper");
                Processes.awaitGone(snapshot, Duration.ofSeconds(20));
            }
            case RESTART_RTMP_SERVER -> {
                nginxRun++;
                rtmp.restart();
                rtmp.waitForPublishing(key, LONG);
                awaitOnAir("the camera after nginx's restart");
                rtmp.waitForBytesGrowing(key, LONG);
            }
            case KILL_APPLIANCE -> {
                List<Processes.ProcessInfo> children = Processes.find(p -> p.parentPid() == app.pid()
                        && p.executableName().contains("ffmpeg"));
                app.kill();
                keepLog(app, "soak-appliance-before-kill.log");
                // stdin EOF ends the publisher, EPIPE the ingest: none may outlive the appliance for long
                for (Processes.ProcessInfo p : children) {
                    try {
                        Processes.awaitGone(p.pid(), Duration.ofSeconds(20));
                    } catch (AssertionError e) {
                        misses.add("ffmpeg " + p.pid() + " outlived the appliance's kill -9 by 20 s: " + p.commandLine());
                    }
                }
                startAppliance();
                api.waitForState("running", LONG);
                awaitOnAir("the camera after the appliance's restart");
                rtmp.waitForBytesGrowing(key, LONG);
            }
        }
    }

    void startAppliance() throws IOException {
        // the same data and port, as systemd's Restart=always restarts it
        app = new ApplianceProcess(data, port).start(null, "--sse-url", nchan.subscribeUrl(channel));
        api = new ApiClient(app);
    }

    RtspCamera other() {
        return onAir == open ? guarded : open;
    }

    void awaitSwitch(long switchesBefore, RtspCamera to) {
        Waits.waitUntil(() -> switches() > switchesBefore && "camera".equals(source()), LONG,
                "the switch to " + to);
        onAir = to;
    }

    void awaitOnAir(String what) {
        Waits.waitUntil(() -> {
            try {
                JsonObject s = api.status();
                return "running".equals(s.getString("state", "")) && !s.get("source").isNull()
                        && "camera".equals(s.getString("source", ""));
            } catch (IOException e) {
                return false;
            }
        }, LONG, what);
    }

    String source() {
        try {
            JsonObject s = api.status();
            return s.get("source").isNull() ? null : s.getString("source", null);
        } catch (IOException e) {
            return null;
        }
    }

    long switches() {
        try {
            JsonObject s = api.status();
            return s.get("session").isObject() ? s.get("session").asObject().getLong("switches", -1) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** The session's snapshot ffmpeg (it reads the session's output and writes the dashboard's JPEG), or -1. */
    long snapshotPid() {
        List<Processes.ProcessInfo> found = Processes.find(p -> p.parentPid() == app.pid()
                && p.argv().contains("image2"));
        return found.isEmpty() ? -1 : found.get(0).pid();
    }

    long ingestPid() {
        List<Processes.ProcessInfo> found = Processes.find(p -> p.parentPid() == app.pid()
                && p.commandLine().contains("127.0.0.1:" + onAir.port() + "/") && p.commandLine().contains("mpegts"));
        return found.isEmpty() ? -1 : found.get(0).pid();
    }

    String counts() {
        Map<SoakPlan.Kind, Integer> n = new java.util.EnumMap<>(SoakPlan.Kind.class);
        for (Done d : done) {
            n.merge(d.kind(), 1, Integer::sum);
        }
        return n.toString();
    }

    // ---------------------------------------------------------------------------------------------- traffic

    /** Control-server traffic besides the switches: a heartbeat every 3 to 6 s, every fifth a forbidden url_update. */
    void sendHeartbeats() {
        Random r = new Random(SEED ^ 0xbeef);
        int n = 0;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(3000 + r.nextInt(3000));
                n++;
                if (n % 5 == 0) {
                    String bad = r.nextBoolean() ? "file:///etc/passwd" : "concat:/dev/zero|/dev/zero";
                    publish("url_update", Json.object().add("rtsp_url", bad).add("timestamp", Instant.now().toString())
                            .add("restart_required", true).toString(), "rejected");
                } else {
                    publish("heartbeat", Json.object().add("seq", n).toString(), "ignored");
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                System.out.println("control server: " + e);
            }
        }
    }

    /** Publishes on the control channel; {@code expected} is the outcome the appliance should record. */
    void publish(String type, String json, String expected) {
        synchronized (publishLock) {
            String id = nchan.publish(channel, type, json);
            if (id == null) {
                throw new IllegalStateException("nchan gave no message id");
            }
            published.put(id, expected);
            lastPublishedId = id;
        }
    }

    /** What a dashboard or a monitoring script reads: status every second, logs, metrics and history now and then. */
    void pollApi() {
        int n = 0;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(1000);
                n++;
                List<String> paths = new ArrayList<>(List.of("/api/stream/status"));
                if (n % 5 == 0) {
                    paths.addAll(List.of("/metrics", "/api/logs?limit=20", "/api/sse/events?limit=5",
                            "/api/history?limit=5", "/api/streams"));
                }
                for (String p : paths) {
                    ApplianceProcess a = app;
                    HttpResponse<String> r;
                    try {
                        r = a.get(p, true);
                    } catch (IOException e) {
                        continue; // the appliance is being restarted: nobody answers, which is not a wrong answer
                    }
                    polls.incrementAndGet();
                    if (r.statusCode() / 100 != 2) {
                        pollErrors.incrementAndGet();
                        pollErrorSamples.add(p + " -> " + r.statusCode() + " " + tail(r.body(), 200));
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Every publisher id the stat page shows for the key, twice a second (nginx numbers its clients per run). */
    void watchStatPage() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(500);
                int run = nginxRun;
                rtmp.stats().publisherClientId(key).ifPresent(id -> publisherIds.add(run + ":" + id));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // nginx is being restarted
            }
        }
    }

    record BadRequest(String what, String method, String path, String body, String authorization, int expected) {}

    List<BadRequest> badRequests() {
        String rtmpUrl = rtmp.rtmpUrl(key);
        String wrongBasic = "Basic " + Base64.getEncoder().encodeToString("admin:wrong".getBytes(StandardCharsets.UTF_8));
        String rightBasic = "Basic " + Base64.getEncoder().encodeToString(
                ("admin:" + ApplianceProcess.PASSWORD).getBytes(StandardCharsets.UTF_8));
        String other = other().url();
        return List.of(
                new BadRequest("malformed JSON", "PUT", "/api/config/urls", "{\"rtsp_url\": \"rtsp://127.0.0.1/x\",",
                        rightBasic, 400),
                new BadRequest("file: camera", "PUT", "/api/config/urls", urls("file:///etc/passwd", rtmpUrl),
                        rightBasic, 400),
                new BadRequest("concat: camera", "PUT", "/api/config/urls", urls("concat:/dev/zero|/dev/zero", rtmpUrl),
                        rightBasic, 400),
                new BadRequest("leading '-' camera", "PUT", "/api/config/urls", urls("-i /etc/passwd", rtmpUrl),
                        rightBasic, 400),
                new BadRequest("leading '-' destination", "PUT", "/api/config/urls", urls(other, "-f flv /tmp/x"),
                        rightBasic, 400),
                new BadRequest("space in destination", "PUT", "/api/config/urls",
                        urls(other, rtmpUrl + " -f null"), rightBasic, 400),
                new BadRequest("file: by start", "POST", "/api/stream/start",
                        Json.object().add("rtsp_url", "file:/etc/shadow").toString(), rightBasic, 400),
                new BadRequest("unknown action", "POST", "/api/stream/control", "{\"action\":\"explode\"}",
                        rightBasic, 400),
                new BadRequest("keep_session not a boolean", "PUT", "/api/config", "{\"keep_session\":\"yes\"}",
                        rightBasic, 400),
                new BadRequest("wrong password", "PUT", "/api/config/urls", urls(other, rtmpUrl), wrongBasic, 401),
                new BadRequest("wrong token", "POST", "/api/stream/stop", "{}", "Bearer not-a-token", 401),
                new BadRequest("no credentials", "POST", "/api/stream/restart", "{}", null, 401));
    }

    static String urls(String rtsp, String rtmp) {
        return Json.object().add("rtsp_url", rtsp).add("rtmp_url", rtmp).add("restart_stream", true).toString();
    }

    /** Three bad requests drawn from the seed; each must get its 4xx and leave the configuration and stream as they were. */
    void badRequestRound() {
        List<BadRequest> all = badRequests();
        try {
            String before = observable();
            for (int i = 0; i < 3; i++) {
                BadRequest b = all.get(traffic.nextInt(all.size()));
                HttpRequest.Builder rb = HttpRequest.newBuilder(app.uri(b.path()))
                        .method(b.method(), HttpRequest.BodyPublishers.ofString(b.body()))
                        .header("Content-Type", "application/json");
                if (b.authorization() != null) {
                    rb.header("Authorization", b.authorization());
                }
                HttpResponse<String> r = app.send(rb, false);
                badRequests++;
                boolean shaped = r.body().contains("\"success\":false") || r.body().contains("\"success\": false");
                if (r.statusCode() == b.expected() && shaped) {
                    badRequestsAnsweredRight++;
                } else {
                    badAnswers.add(b.what() + " -> " + r.statusCode() + " " + tail(r.body(), 160));
                    misses.add("bad request '" + b.what() + "' answered " + r.statusCode() + ": " + tail(r.body(), 160));
                }
            }
            String after = observable();
            if (!before.equals(after)) {
                badRequestsAnsweredRight = Math.max(0, badRequestsAnsweredRight - 3);
                badAnswers.add("something changed: " + before + " -> " + after);
                misses.add("bad requests changed something: " + before + " -> " + after);
            }
        } catch (IOException e) {
            // the appliance is being restarted (only between steps, so this does not happen); not a bad answer
            System.out.println("bad request round: " + e);
        }
    }

    /** What a bad request must not change: the configuration in clear, the newest URL history row, the state. */
    String observable() throws IOException {
        JsonObject c = api.revealedConfig();
        List<JsonObject> history = api.history(1);
        JsonObject s = api.status();
        return c.getString("rtsp_url", "?") + " " + c.getString("rtmp_url", "?") + " " + c.get("preset") + " "
                + c.get("keep_session") + " " + c.get("ffmpeg_params") + " history#"
                + (history.isEmpty() ? "-" : history.get(0).get("id")) + " " + s.getString("state", "?") + " switches "
                + (s.get("session").isObject() ? s.get("session").asObject().get("switches") : "-");
    }

    // ---------------------------------------------------------------------------------------------- figures

    void mediaFigures(List<String> lines, ViewerChain viewer, long runStart, long runEnd) {
        List<Long> arrivals = viewer.videoArrivals();
        long totalS = Math.max(1, (runEnd - runStart) / 1_000_000_000L);
        Set<Long> secondsWithPictures = new TreeSet<>();
        for (long a : arrivals) {
            if (a >= runStart && a < runStart + totalS * 1_000_000_000L) {
                secondsWithPictures.add((a - runStart) / 1_000_000_000L);
            }
        }
        long ending = done.stream().filter(d -> d.kind().endsTheSession).count();
        long others = done.size() - ending;
        double share = (double) secondsWithPictures.size() / totalS;
        double bound = 1.0 - (double) (SESSION_ENDING_STEP_BUDGET_S * ending + 2 * others) / totalS;
        lines.add(check("soak_media_share", share >= bound,
                "value=%.4f seconds_with_pictures=%d of %d (bound: >= %.4f = 1 - (%d s x %d steps ending the session"
                        + " + 2 s x %d other steps) / %d s; viewer sessions %d)", share, secondsWithPictures.size(),
                totalS, bound, SESSION_ENDING_STEP_BUDGET_S, ending, others, totalS, viewer.sessions()));

        // the longest pause between two pictures outside the steps that end the session (and 5 s after each)
        long longest = 0;
        long longestAt = 0;
        for (int i = 1; i < arrivals.size(); i++) {
            long a = arrivals.get(i - 1);
            long b = arrivals.get(i);
            if (a < runStart || b > runEnd) {
                continue;
            }
            boolean excused = done.stream().anyMatch(d -> d.kind().endsTheSession
                    && b >= d.startNanos() && a <= d.endNanos() + Duration.ofSeconds(5).toNanos());
            if (!excused && b - a > longest) {
                longest = b - a;
                longestAt = a;
            }
        }
        stepFigures(lines, arrivals);
        String during = "-";
        for (Done d : done) {
            if (longestAt >= d.startNanos() - Duration.ofSeconds(1).toNanos() && longestAt <= d.endNanos()) {
                during = d.kind().toString();
            }
        }
        lines.add(check("soak_longest_pause_ms", longest / 1_000_000 <= MAX_PAUSE_MS,
                "value=%d at %.1f s (during %s) outside the steps that end the session (bound: <= %d ms, the slate's"
                        + " deadline)", longest / 1_000_000, (longestAt - runStart) / 1e9, during, MAX_PAUSE_MS));
    }

    /**
     * Per kind of step, not bounded by itself (the two figures above are): how long the longest one took until the
     * camera was on air again, and the longest pause at the viewer from its start to 5 s after.
     */
    void stepFigures(List<String> lines, List<Long> arrivals) {
        for (SoakPlan.Kind kind : SoakPlan.Kind.values()) {
            List<Done> of = done.stream().filter(d -> d.kind() == kind).toList();
            if (of.isEmpty()) {
                continue;
            }
            List<Long> pauses = new ArrayList<>();
            List<Long> took = new ArrayList<>();
            for (Done d : of) {
                long windowEnd = d.endNanos() + Duration.ofSeconds(5).toNanos();
                long pause = 0;
                for (int i = 1; i < arrivals.size(); i++) {
                    long a = arrivals.get(i - 1);
                    long b = arrivals.get(i);
                    if (b >= d.startNanos() && a <= windowEnd) {
                        pause = Math.max(pause, b - a);
                    }
                }
                pauses.add(pause / 1_000_000);
                took.add((d.endNanos() - d.startNanos()) / 1_000_000);
            }
            lines.add(String.format(Locale.ROOT, "soak_step %s n=%d longest_pause_ms=%d took_ms=%d (each pause: %s;"
                    + " each took: %s)", kind, of.size(), Collections.max(pauses), Collections.max(took), pauses, took));
        }
    }

    void sessionFigures(List<String> lines) {
        Pattern publish = Pattern.compile("publish: name='" + Pattern.quote(key) + "'");
        Matcher m = publish.matcher(rtmp.log());
        int opened = 0;
        while (m.find()) {
            opened++;
        }
        long restarts = done.stream().filter(d -> d.kind() == SoakPlan.Kind.RESTART_RTMP_SERVER).count();
        long kills = done.stream().filter(d -> d.kind() == SoakPlan.Kind.KILL_APPLIANCE).count();
        long bound = 1 + restarts + kills;
        lines.add(check("soak_rtmp_sessions_opened", opened <= bound && opened >= 1,
                "value=%d (nginx log 'publish' commands for the key; bound: <= %d = 1 + %d nginx restart + %d appliance"
                        + " kill -9; publisher ids on the stat page, run:id: %s)", opened, bound, restarts, kills,
                publisherIds));
    }

    void sseFigures(List<String> lines) {
        String last = lastPublishedId;
        if (last == null || app == null || !app.process().isAlive()) {
            misses.add("no control events to check");
            return;
        }
        try {
            Waits.waitUntil(() -> {
                try {
                    return last.equals(api.sseStatus().getString("last_event_id", null));
                } catch (IOException e) {
                    return false;
                }
            }, LONG, "the appliance at the control server's last event " + last);
        } catch (AssertionError e) {
            misses.add(e.getMessage());
        }
        ApplianceDb db = new ApplianceDb(data);
        Map<String, Integer> stored = new HashMap<>();
        Map<String, Integer> applied = new HashMap<>();
        Map<String, String> outcome = new HashMap<>();
        int unknown = 0;
        int unprocessed = 0;
        for (JsonObject row : db.query("SELECT last_event_id, processed, outcome FROM sse_events")) {
            String id = row.get("last_event_id").isNull() ? null : row.getString("last_event_id", null);
            if (id == null || !published.containsKey(id)) {
                unknown++;
                continue;
            }
            stored.merge(id, 1, Integer::sum);
            String o = row.get("outcome").isNull() ? "none" : row.getString("outcome", "none");
            outcome.put(id, o);
            if ("applied".equals(o)) {
                applied.merge(id, 1, Integer::sum);
            }
            if (row.get("processed").asInt() != 1) {
                unprocessed++;
            }
        }
        Map<String, String> sent;
        synchronized (published) {
            sent = new java.util.LinkedHashMap<>(published);
        }
        long once = sent.keySet().stream().filter(id -> stored.getOrDefault(id, 0) == 1).count();
        List<String> wrong = sent.keySet().stream().filter(id -> stored.getOrDefault(id, 0) != 1)
                .map(id -> id + "x" + stored.getOrDefault(id, 0)).limit(5).toList();
        lines.add(check("soak_sse_events_stored_once", once == sent.size() && unknown == 0 && unprocessed == 0,
                "sent=%d stored_exactly_once=%d rows_not_sent=%d unprocessed=%d (bound: every one once, none other;"
                        + " wrong: %s)", sent.size(), once, unknown, unprocessed, wrong));

        long switchesSent = sent.values().stream().filter("url_update"::equals).count();
        long switchesApplied = sent.entrySet().stream().filter(e -> e.getValue().equals("url_update"))
                .filter(e -> "applied".equals(outcome.get(e.getKey()))).count();
        long badSent = sent.values().stream().filter("rejected"::equals).count();
        long badRejected = sent.entrySet().stream().filter(e -> e.getValue().equals("rejected"))
                .filter(e -> "rejected".equals(outcome.get(e.getKey()))).count();
        long heartbeats = sent.values().stream().filter("ignored"::equals).count();
        long heartbeatsIgnored = sent.entrySet().stream().filter(e -> e.getValue().equals("ignored"))
                .filter(e -> "ignored".equals(outcome.get(e.getKey()))).count();
        long appliedTwice = applied.values().stream().filter(n -> n > 1).count();
        long historyFromSse = db.count("SELECT count(*) FROM url_history WHERE change_source = 'sse'");
        lines.add(check("soak_sse_events_applied", appliedTwice == 0 && switchesApplied == switchesSent
                        && historyFromSse == switchesApplied && badRejected == badSent && heartbeatsIgnored == heartbeats,
                "url_updates=%d applied=%d url_history_rows_from_sse=%d applied_twice=%d; forbidden_urls=%d rejected=%d;"
                        + " heartbeats=%d ignored=%d (bound: each url_update applied once and at most once, one history"
                        + " row each, every forbidden one rejected)", switchesSent, switchesApplied, historyFromSse,
                appliedTwice, badSent, badRejected, heartbeats, heartbeatsIgnored));
    }

    void processFigures(List<String> lines) {
        long self = ProcessHandle.current().pid();
        long appPid = app.pid();
        List<Processes.ProcessInfo> ours = Processes.find(p -> p.executableName().contains("ffmpeg")
                && (p.commandLine().contains(key) || p.commandLine().contains("127.0.0.1:" + open.port() + "/")
                || p.commandLine().contains("127.0.0.1:" + guarded.port() + "/")));
        long publishers = ours.stream().filter(p -> p.parentPid() == appPid && p.commandLine().contains(key)).count();
        long ingests = ours.stream().filter(p -> p.parentPid() == appPid && p.commandLine().contains("mpegts")
                && !p.commandLine().contains(key)).count();
        List<String> strays = ours.stream().filter(p -> p.parentPid() != appPid && p.parentPid() != self)
                .map(p -> p.pid() + "(ppid " + p.parentPid() + ") " + p.commandLine()).toList();
        lines.add(check("soak_processes_at_end", publishers == 1 && ingests == 1 && strays.isEmpty(),
                "publishers=%d ingests=%d left_over=%d (bound: 1, 1, 0; %s)", publishers, ingests, strays.size(),
                strays));
    }

    String check(String name, boolean ok, String format, Object... args) {
        String line = name + " " + String.format(Locale.ROOT, format, args) + " " + (ok ? "PASS" : "MISS");
        if (!ok) {
            misses.add(line);
        }
        return line;
    }

    /** The appliance's own log, kept beside the test's reports (the next start on the same data overwrites it). */
    static void keepLog(ApplianceProcess a, String name) {
        try {
            Path target = ApplianceProcess.ROOT.resolve("modules/stream-it/target").resolve(name);
            Files.createDirectories(target.getParent());
            Files.writeString(target, a.log());
        } catch (IOException e) {
            System.out.println("cannot keep the appliance's log: " + e);
        }
    }

    /** The stream's log rows (what the dashboard's log page shows), kept beside the test's reports. */
    void keepStreamLogs() {
        try {
            List<String> rows = new ApplianceDb(data).query("SELECT id, timestamp, event_type, status, message"
                    + " FROM stream_logs ORDER BY id").stream().map(JsonObject::toString).toList();
            Files.write(ApplianceProcess.ROOT.resolve("modules/stream-it/target/soak-stream-logs.txt"), rows);
        } catch (IOException | RuntimeException e) {
            System.out.println("cannot keep the stream's logs: " + e);
        }
    }

    /** The one-minute load average: the machine is shared, and a soak's pauses depend on it. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    static String tail(String s, int n) {
        return s.length() <= n ? s : s.substring(s.length() - n);
    }

    static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    // ---------------------------------------------------------------------------------------------- the viewer

    /** A viewer of the destination for the whole run: when nginx's restart ends one, the next one connects. */
    static final class ViewerChain implements AutoCloseable {
        private final String url;
        private final List<RtmpViewer> viewers = Collections.synchronizedList(new ArrayList<>());
        private final Thread keeper;
        private volatile boolean closed;

        ViewerChain(String url) {
            this.url = url;
            viewers.add(new RtmpViewer(url));
            keeper = daemon("soak-viewer", this::keep);
        }

        private void keep() {
            while (!closed) {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                RtmpViewer current = viewers.get(viewers.size() - 1);
                if (!current.isAlive() && !closed) {
                    current.close();
                    viewers.add(new RtmpViewer(url));
                }
            }
        }

        long videoFrames() {
            return viewers.get(viewers.size() - 1).videoFrames();
        }

        /** Every picture's arrival (System.nanoTime) over all the viewers, in order. */
        List<Long> videoArrivals() {
            List<Long> all = new ArrayList<>();
            synchronized (viewers) {
                for (RtmpViewer v : viewers) {
                    v.video().forEach(a -> all.add(a.nanos()));
                }
            }
            Collections.sort(all);
            return all;
        }

        /** Viewer sessions that received pictures (a viewer started while nginx was down gets none). */
        long sessions() {
            synchronized (viewers) {
                return viewers.stream().filter(v -> !v.video().isEmpty()).count();
            }
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            keeper.interrupt();
            keeper.join(5000);
            synchronized (viewers) {
                viewers.forEach(RtmpViewer::close);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- the browser

    /**
     * Headless Chromium signed in on the dashboard's home page, as an operator leaves it open: it holds /api/events
     * (the page's live feed) across everything, signs in again when the appliance's restart forgot its session, and
     * every 2 s notes whether the page says it is live and the stream is running.
     */
    final class DashboardWatcher implements AutoCloseable {
        private final WebDriver driver;
        private final Thread thread;
        private volatile boolean closed;
        private int samples;
        private int liveAndRunning;
        private int signIns;
        private String lastSeen = "-";
        private String failure;

        DashboardWatcher() {
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build();
            ChromeOptions options = new ChromeOptions();
            options.setBinary("/usr/lib/chromium/chromium");
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--user-data-dir=" + ScratchDir.create("soak-chromium"), "--window-size=1440,1000", "--lang=en-GB");
            driver = new ChromeDriver(service, options);
            signIn();
            thread = daemon("soak-browser", this::watch);
        }

        private void signIn() {
            driver.get(app.uri("/login").toString());
            WebElement password = Waits.waitFor(() -> first(By.id("password")), LONG, "the sign-in form");
            password.sendKeys(ApplianceProcess.PASSWORD);
            driver.findElement(By.id("sign-in")).click();
            Waits.waitUntil(() -> first(By.cssSelector("article.card")) != null, LONG, "the home page with its cards");
            signIns++;
        }

        private WebElement first(By by) {
            List<WebElement> l = driver.findElements(by);
            return l.isEmpty() ? null : l.get(0);
        }

        private String seen() {
            WebElement live = first(By.id("live"));
            WebElement state = first(By.cssSelector("article.card .card-head [data-state]"));
            return (live == null ? "?" : live.getAttribute("data-state")) + "/"
                    + (state == null ? "?" : state.getAttribute("data-state"));
        }

        private void watch() {
            while (!closed) {
                try {
                    Thread.sleep(BROWSER_SAMPLE.toMillis());
                    synchronized (this) {
                        if (closed) {
                            return;
                        }
                        if (driver.getCurrentUrl().contains("/login")) {
                            signIn();
                        }
                        lastSeen = seen();
                        samples++;
                        if ("connected/running".equals(lastSeen)) {
                            liveAndRunning++;
                        }
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException | AssertionError e) {
                    // the page is being reloaded or the appliance restarted; the next sample tells
                    lastSeen = "error: " + e.getMessage().lines().findFirst().orElse("");
                }
            }
        }

        /** At the end the page must be live and show the stream running; it signs in again at most once (kill -9). */
        String figures() {
            boolean endOk;
            try {
                Waits.waitUntil(() -> {
                    synchronized (this) {
                        return "connected/running".equals(seen());
                    }
                }, LONG, "the dashboard live and showing running");
                endOk = true;
            } catch (AssertionError | RuntimeException e) {
                endOk = false;
                failure = e.getMessage();
            }
            long kills = done.stream().filter(d -> d.kind() == SoakPlan.Kind.KILL_APPLIANCE).count();
            synchronized (this) {
                return check("soak_browser", endOk && signIns <= 1 + kills,
                        "samples=%d live_and_running=%d sign_ins=%d end=%s (bound: live and running at the end,"
                                + " sign-ins <= 1 + %d appliance restart%s)", samples, liveAndRunning, signIns,
                        endOk ? "connected/running" : lastSeen, kills, failure == null ? "" : "; " + failure);
            }
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.interrupt();
            thread.join(10_000);
            synchronized (this) {
                driver.quit();
            }
        }
    }
}
