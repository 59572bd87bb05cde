package stream.core.ffmpeg;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Decides whether this machine's ffmpeg can run a preset, once per preset for the life of the object.
 *
 * <p>Copy always can; a software encoder can when {@code ffmpeg -encoders} lists it; a hardware encoder is tried
 * for real on one second of {@code testsrc2}, as go2rtc does, because being listed proves nothing: Debian's ffmpeg
 * lists h264_v4l2m2m on a Pi 5, which has no H.264 encoder, and h264_nvenc on machines without an NVIDIA card.
 * Checks run on background threads, each bounded in time; callers may wait or peek.
 */
public final class EncoderAvailability implements AutoCloseable {
    /** How long one trial encode or the encoder listing may take before it is killed. */
    public static final Duration DEFAULT_LIMIT = Duration.ofSeconds(10);
    /** Encoders that need a device; the suffixes are ffmpeg's own naming for its hardware wrappers. */
    private static final Pattern HARDWARE =
            Pattern.compile(".+_(v4l2m2m|nvenc|vaapi|qsv|omx|amf|videotoolbox|mediacodec|rkmpp|mmal|cuvid)");
    private static final Pattern ENCODER_LINE = Pattern.compile("^\\s*[VAS][A-Z.]{5}\\s+(\\S+)");
    private static final int MAX_DETAIL = 160;

    private final String ffmpeg;
    private final Duration limit;
    private final ExecutorService executor;
    private final ConcurrentHashMap<Preset, CompletableFuture<PresetAvailability>> results = new ConcurrentHashMap<>();
    private final Object encodersLock = new Object();
    private CompletableFuture<EncoderList> encoders;

    /** Checks with this ffmpeg binary (a path, or a name found on PATH), each step bounded to 10 s. */
    public EncoderAvailability(String ffmpegPath) {
        this(ffmpegPath, DEFAULT_LIMIT);
    }

    public EncoderAvailability(String ffmpegPath, Duration limit) {
        this.ffmpeg = ffmpegPath;
        this.limit = limit;
        this.executor = Executors.newCachedThreadPool(daemonThreads());
    }

    /** Starts checking these presets in the background, so that later calls find the answers ready. */
    public void checkInBackground(Collection<Preset> presets) {
        presets.forEach(this::availability);
    }

    /** The answer for this preset, computed once (in the background) and then cached. */
    public CompletableFuture<PresetAvailability> availability(Preset preset) {
        return results.computeIfAbsent(preset, p -> {
            try {
                return CompletableFuture.supplyAsync(() -> evaluate(p), executor);
            } catch (RejectedExecutionException e) {
                return CompletableFuture.completedFuture(new PresetAvailability(p.name(), false, "checker is closed"));
            }
        });
    }

    /** The answer for this preset, waiting for it if needed (at most two bounded ffmpeg runs, usually far less). */
    public PresetAvailability check(Preset preset) {
        try {
            return availability(preset).get(limit.multipliedBy(2).plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PresetAvailability(preset.name(), false, "check interrupted");
        } catch (TimeoutException e) {
            return new PresetAvailability(preset.name(), false, preset.encoder() + ": still being checked");
        } catch (ExecutionException e) {
            return new PresetAvailability(preset.name(), false, preset.encoder() + ": check failed (" + e.getCause() + ")");
        }
    }

    /** The answer if it is already known, without waiting. */
    public Optional<PresetAvailability> ifKnown(Preset preset) {
        CompletableFuture<PresetAvailability> future = results.get(preset);
        return future == null || !future.isDone() ? Optional.empty() : Optional.ofNullable(future.getNow(null));
    }

    /** Stops the background threads; interrupting them kills a trial that is still running. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    private PresetAvailability evaluate(Preset preset) {
        String encoder = preset.encoder();
        if (preset.copiesVideo()) {
            return available(preset, "copy: no video encoding needed");
        }
        EncoderList list = encoderList().join();
        if (list.problem() != null) {
            return unavailable(preset, encoder + ": " + list.problem());
        }
        if (!list.names().contains(encoder)) {
            return unavailable(preset, encoder + ": this ffmpeg has no such encoder");
        }
        if (!HARDWARE.matcher(encoder).matches()) {
            return available(preset, encoder + ": software encoder, listed by ffmpeg");
        }
        return trial(preset);
    }

    private CompletableFuture<EncoderList> encoderList() {
        synchronized (encodersLock) {
            if (encoders == null) {
                encoders = CompletableFuture.supplyAsync(this::listEncoders, executor);
            }
            return encoders;
        }
    }

    private EncoderList listEncoders() {
        try {
            TimedProcess.Outcome outcome = TimedProcess.run(List.of(ffmpeg, "-hide_banner", "-encoders"), limit);
            if (!outcome.succeeded()) {
                return new EncoderList(Set.of(), outcome.timedOut()
                        ? "ffmpeg -encoders did not finish within " + limit.toSeconds() + " s"
                        : "ffmpeg -encoders failed (" + lastLine(outcome.stderr()) + ")");
            }
            return new EncoderList(parseEncoders(outcome.stdout()), null);
        } catch (IOException e) {
            return new EncoderList(Set.of(), "ffmpeg cannot be run at " + ffmpeg + " (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new EncoderList(Set.of(), "encoder listing interrupted");
        }
    }

    /** The encoder names of {@code ffmpeg -encoders} output (the lines after its "------" legend separator). */
    static Set<String> parseEncoders(String listing) {
        int start = listing.indexOf("------");
        String body = start < 0 ? listing : listing.substring(start + 6);
        return body.lines().map(ENCODER_LINE::matcher).filter(Matcher::find).map(m -> m.group(1))
                .collect(Collectors.toUnmodifiableSet());
    }

    /** The command that encodes one second of a test picture with the preset's own video arguments. */
    List<String> trialCommand(Preset preset) {
        List<String> command = new ArrayList<>(List.of(ffmpeg, "-hide_banner", "-nostdin", "-v", "error"));
        command.addAll(preset.inputArgs());
        command.addAll(List.of("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", "1"));
        command.addAll(preset.args());
        // The preset's own -f flv is overridden: the last -f before the output wins.
        command.addAll(List.of("-an", "-f", "null", "-"));
        return command;
    }

    private PresetAvailability trial(Preset preset) {
        String encoder = preset.encoder();
        try {
            TimedProcess.Outcome outcome = TimedProcess.run(trialCommand(preset), limit);
            if (outcome.timedOut()) {
                return unavailable(preset, encoder + ": trial encode did not finish within " + limit.toSeconds() + " s");
            }
            if (outcome.exitCode() == 0) {
                return available(preset, encoder + ": trial encode succeeded");
            }
            return unavailable(preset, encoder + ": " + explainTrialFailure(preset, outcome.stderr()));
        } catch (IOException e) {
            return unavailable(preset, encoder + ": ffmpeg cannot be run at " + ffmpeg + " (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable(preset, encoder + ": trial interrupted");
        }
    }

    /** Turns the trial's stderr into words; the first ffmpeg line stays in brackets for whoever debugs it. */
    static String explainTrialFailure(Preset preset, String stderr) {
        String lower = stderr.toLowerCase(Locale.ROOT);
        String detail = firstLine(stderr);
        String cause;
        if (lower.contains("libcuda") || lower.contains("cuda_error") || lower.contains("no nvenc capable")
                || lower.contains("cuinit")) {
            cause = "no NVIDIA GPU or driver";
        } else if (lower.contains("could not find a valid device")) {
            cause = "no V4L2 hardware H.264 encoder (a Raspberry Pi 5 has none)";
        } else if (lower.contains("vaapi") || lower.contains("va display") || lower.contains("device creation failed")) {
            cause = "no usable VAAPI device" + preset.vaapiDevice().map(d -> " at " + d).orElse("");
        } else {
            cause = "trial encode failed";
        }
        return detail.isEmpty() ? cause : cause + " (" + detail + ")";
    }

    private static String firstLine(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().map(EncoderAvailability::clip)
                .orElse("");
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return lines.isEmpty() ? "no output" : clip(lines.get(lines.size() - 1));
    }

    private static String clip(String line) {
        // ffmpeg prefixes lines with "[h264_nvenc @ 0x55...]": the address only adds noise.
        String cleaned = line.replaceAll("\\[([^\\]@]+) @ 0x[0-9a-f]+\\]", "[$1]");
        return cleaned.length() <= MAX_DETAIL ? cleaned : cleaned.substring(0, MAX_DETAIL) + "…";
    }

    private static PresetAvailability available(Preset preset, String reason) {
        return new PresetAvailability(preset.name(), true, reason);
    }

    private static PresetAvailability unavailable(Preset preset, String reason) {
        return new PresetAvailability(preset.name(), false, reason);
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "encoder-check-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The encoders this ffmpeg lists, or why they could not be listed. */
    private record EncoderList(Set<String> names, String problem) {
    }
}
