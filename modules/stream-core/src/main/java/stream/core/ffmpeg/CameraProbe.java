package stream.core.ffmpeg;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import stream.core.RtspUrl;
import stream.core.SecretMasker;

/**
 * Asks a camera what it sends (codecs, size, frame rate, keyframe interval, audio) with one bounded ffprobe run, or
 * says in a sentence why it cannot be reached.
 */
public final class CameraProbe {
    /** The whole probe, connection included, ends within this by default. */
    public static final Duration DEFAULT_LIMIT = Duration.ofSeconds(10);
    /** ffprobe's own socket timeout: a silent server makes it give up here, before our overall limit. */
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Seconds of stream read to time the keyframes: long enough to see two keyframes 2-3 s apart and to prove that a
     * gap exceeds 4 s, short enough to fit with the connection in the overall limit (about 6.3 s in all, locally).
     */
    private static final double SAMPLE_SECONDS = 6;
    /** Left for connecting and for ffprobe to settle when the sample window is cut to fit a short limit. */
    private static final double SETUP_SECONDS = 3;

    private final String ffprobe;
    private final Duration limit;

    /** Probes with this ffprobe (a path, or a name found on PATH), within 10 s. */
    public CameraProbe(String ffprobePath) {
        this(ffprobePath, DEFAULT_LIMIT);
    }

    public CameraProbe(String ffprobePath, Duration limit) {
        this.ffprobe = ffprobePath;
        this.limit = limit;
    }

    /** Probes the camera; never throws for a camera problem, and the answer never contains its password. */
    public ProbeResult probe(RtspUrl camera) {
        return probe(camera, true);
    }

    /**
     * Only what the camera sends (codecs, size, audio), without timing keyframes: what the stream needs before it
     * starts, in about the time of a connection rather than the 6 s keyframe sample.
     */
    public ProbeResult probeStreams(RtspUrl camera) {
        return probe(camera, false);
    }

    private ProbeResult probe(RtspUrl camera, boolean timeKeyframes) {
        String rtspUrl = camera.value();
        SecretMasker masker = SecretMasker.forUrls(rtspUrl);
        TimedProcess.Outcome outcome;
        try {
            outcome = TimedProcess.run(timeKeyframes ? command(rtspUrl) : streamsCommand(rtspUrl), limit);
        } catch (IOException e) {
            return ProbeResult.failed("ffprobe cannot be run at " + ffprobe + " (" + e.getMessage() + ").");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeResult.failed("The probe was interrupted.");
        }
        ProbeReport report = outcome.timedOut() ? null : parseQuietly(outcome.stdout());
        if (report == null || (outcome.exitCode() != 0 && !report.hasVideo())) {
            String reason = ProbeFailureReason.explain(rtspUrl, outcome.stderr(), outcome.timedOut(), outcome.elapsed(),
                    limit, socketTimeout());
            return ProbeResult.failed(masker.mask(reason));
        }
        if (!report.hasVideo()) {
            return ProbeResult.failed("The camera answered but sends no video stream.");
        }
        Double interval = report.keyframeInterval();
        return new ProbeResult(true, report.videoCodec(), report.width(), report.height(), report.fps(),
                interval == null ? null : ProbeReport.round(interval), report.audioCodec(), null,
                ProbeAdvice.advise(report).stream().map(masker::mask).toList());
    }

    /** The ffprobe command for this URL: one run gives both the streams and the video packets' keyframe flags. */
    List<String> command(String rtspUrl) {
        return List.of(ffprobe, "-hide_banner", "-v", "error",
                "-rtsp_transport", "tcp", "-timeout", String.valueOf(socketTimeout().toNanos() / 1000),
                "-show_streams", "-show_entries", "packet=stream_index,pts_time,flags",
                // Reading stops by itself once this much stream time has passed, well before our kill.
                "-read_intervals", "%+" + String.format(Locale.ROOT, "%.1f", sampleSeconds()),
                "-of", "json", "-i", rtspUrl);
    }

    List<String> streamsCommand(String rtspUrl) {
        return List.of(ffprobe, "-hide_banner", "-v", "error",
                "-rtsp_transport", "tcp", "-timeout", String.valueOf(socketTimeout().toNanos() / 1000),
                "-show_streams", "-of", "json", "-i", rtspUrl);
    }

    private Duration socketTimeout() {
        return SOCKET_TIMEOUT.compareTo(limit) < 0 ? SOCKET_TIMEOUT : limit;
    }

    private double sampleSeconds() {
        return Math.max(1, Math.min(SAMPLE_SECONDS, limit.toMillis() / 1000.0 - SETUP_SECONDS));
    }

    private static ProbeReport parseQuietly(String json) {
        try {
            return ProbeReport.parse(json);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
