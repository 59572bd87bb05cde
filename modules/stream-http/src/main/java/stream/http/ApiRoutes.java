package stream.http;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import stream.core.SecretMasker;
import stream.store.StreamConfig;
import stream.store.StreamConfigRepository;

/** The contract's REST routes (§4), one small handler each. The seed's routes act on the default stream. */
public final class ApiRoutes {
    private final StreamConfigRepository configs;

    public ApiRoutes(StreamConfigRepository configs) {
        this.configs = configs;
    }

    public Routes routes() {
        return new Routes()
                .get("/healthz", this::health)
                .get("/api/config", this::getConfig);
    }

    private void health(HttpCall call) throws IOException {
        call.json(200, Json.object().add("status", "ok"));
    }

    private void getConfig(HttpCall call) throws IOException {
        boolean reveal = "true".equals(call.query("reveal"));
        call.json(200, configJson(configs.findDefault(), reveal));
    }

    /** A stream_config row as JSON, URLs masked unless {@code reveal}. */
    static JsonObject configJson(StreamConfig c, boolean reveal) {
        return Json.object()
                .add("id", c.id())
                .add("rtsp_url", reveal ? c.rtspUrl() : SecretMasker.maskUrl(c.rtspUrl()))
                .add("rtmp_url", reveal ? c.rtmpUrl() : SecretMasker.maskUrl(c.rtmpUrl()))
                .add("ffmpeg_params", reveal ? c.ffmpegParams() : SecretMasker.forUrls(c.rtspUrl(), c.rtmpUrl()).mask(c.ffmpegParams()))
                .add("preset", c.preset() == null ? Json.NULL : Json.value(c.preset()))
                .add("auto_restart", c.autoRestart())
                .add("desired_state", c.desiredState().name().toLowerCase(java.util.Locale.ROOT))
                .add("created_at", String.valueOf(c.createdAt()))
                .add("updated_at", String.valueOf(c.updatedAt()));
    }
}
