package stream.http;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import stream.core.ffmpeg.Preset;
import stream.core.ffmpeg.PresetAvailability;

/**
 * {@code GET /api/about}: the appliance's version, the ffmpeg it runs (first line of {@code ffmpeg -version}, read once)
 * and, for each preset's encoder, whether this board can use it, as found by the encoder checks.
 */
public final class AboutRoute implements Handler {
    private static final long VERSION_LIMIT_S = 10;
    private static final int MAX_VERSION_BYTES = 8192;

    private final String version;
    private final String ffmpegPath;
    private final FfmpegTools ffmpeg;
    private volatile String ffmpegVersion;

    public AboutRoute(String version, String ffmpegPath, FfmpegTools ffmpeg) {
        this.version = version;
        this.ffmpegPath = ffmpegPath;
        this.ffmpeg = ffmpeg;
    }

    @Override
    public void handle(HttpCall call) throws IOException {
        JsonArray encoders = new JsonArray();
        for (Preset p : ffmpeg.presets().all()) {
            PresetAvailability a = ffmpeg.encoders().check(p);
            encoders.add(Json.object().add("preset", p.name()).add("encoder", p.encoder())
                    .add("hardware", p.hardware()).add("available", a.available())
                    .add("reason", JsonViews.str(a.reason())));
        }
        call.json(200, Json.object().add("version", JsonViews.str(version))
                .add("ffmpeg_version", JsonViews.str(ffmpegVersion()))
                .add("java_version", Runtime.version().toString())
                .add("encoders", encoders));
    }

    private String ffmpegVersion() {
        String v = ffmpegVersion;
        if (v == null) {
            v = readFfmpegVersion(ffmpegPath);
            if (!v.startsWith("unknown")) { // a slow or failed read is asked again on the next visit
                ffmpegVersion = v;
            }
        }
        return v;
    }

    static String readFfmpegVersion(String ffmpegPath) {
        Process p = null;
        try {
            // stderr apart: where memory locking is limited (containers, some service units) a linked library prints
            // "Warning: using insecure memory!" there before ffmpeg's first line
            p = new ProcessBuilder(List.of(ffmpegPath, "-hide_banner", "-version"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(MAX_VERSION_BYTES);
            }
            if (!p.waitFor(VERSION_LIMIT_S, TimeUnit.SECONDS)) {
                return "unknown (ffmpeg -version did not finish)";
            }
            List<String> lines = new String(out, StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty()).toList();
            return lines.stream().filter(l -> l.startsWith("ffmpeg version")).findFirst()
                    .orElse(lines.isEmpty() ? "unknown" : lines.get(0));
        } catch (IOException e) {
            return "unknown (ffmpeg could not be started)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }
}
