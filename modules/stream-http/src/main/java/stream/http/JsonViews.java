package stream.http;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import stream.core.SecretMasker;
import stream.core.StreamMetrics;
import stream.core.StreamStatus;
import stream.core.ffmpeg.ProbeResult;
import stream.sse.SseStatus;
import stream.store.LogEntry;
import stream.store.SseEventRecord;
import stream.store.StreamConfig;
import stream.store.UrlChange;

/** The JSON shapes of the contract's answers; every URL and free text that may hold a secret is masked here. */
public final class JsonViews {
    private JsonViews() {
    }

    static JsonValue str(String s) {
        return s == null ? Json.NULL : Json.value(s);
    }

    static JsonValue num(Double d) {
        return d == null || d.isNaN() || d.isInfinite() ? Json.NULL : Json.value(d);
    }

    static JsonValue num(Long l) {
        return l == null ? Json.NULL : Json.value(l);
    }

    static JsonValue time(Instant t) {
        return t == null ? Json.NULL : Json.value(instantText(t));
    }

    /** An instant and how it is written. */
    private record InstantText(Instant instant, String text) {
    }

    /**
     * The last instants written, by a slot their value picks: a status names the same few instants (the start, the
     * session's start, the last SSE event) every time it is made, once or twice a second, and {@link Instant#toString}
     * runs java.time's whole formatter.
     */
    private static final java.util.concurrent.atomic.AtomicReferenceArray<InstantText> INSTANT_TEXTS =
            new java.util.concurrent.atomic.AtomicReferenceArray<>(8);

    static String instantText(Instant t) {
        int slot = (int) (t.getEpochSecond() ^ t.getNano()) & (INSTANT_TEXTS.length() - 1);
        InstantText known = INSTANT_TEXTS.get(slot);
        if (known != null && known.instant().equals(t)) {
            return known.text();
        }
        String text = t.toString();
        INSTANT_TEXTS.set(slot, new InstantText(t, text));
        return text;
    }

    public static JsonObject config(StreamConfig c, boolean reveal) {
        SecretMasker masker = SecretMasker.forUrls(c.rtspUrl(), c.rtmpUrl());
        return Json.object()
                .add("id", c.id())
                .add("stream_id", c.id())
                .add("name", str(c.name()))
                .add("rtsp_url", reveal ? c.rtspUrl() : SecretMasker.maskUrl(c.rtspUrl()))
                .add("rtmp_url", reveal ? c.rtmpUrl() : SecretMasker.maskUrl(c.rtmpUrl()))
                .add("ffmpeg_params", reveal ? c.ffmpegParams() : masker.mask(c.ffmpegParams()))
                .add("preset", str(c.preset()))
                .add("auto_restart", c.autoRestart())
                .add("keep_session", c.keepSession())
                .add("desired_state", c.desiredState().name().toLowerCase(Locale.ROOT))
                .add("created_at", time(c.createdAt()))
                .add("updated_at", time(c.updatedAt()));
    }

    /** One entry of GET /api/streams (contract §7), URLs masked. */
    static JsonObject streamSummary(StreamConfig c, StreamStatus s) {
        return Json.object()
                .add("id", c.id())
                .add("name", str(c.name()))
                .add("state", s.state().wire())
                .add("rtsp_url", SecretMasker.maskUrl(c.rtspUrl()))
                .add("rtmp_url", SecretMasker.maskUrl(c.rtmpUrl()))
                .add("preset", str(c.preset()))
                .add("auto_restart", c.autoRestart());
    }

    public static JsonObject status(StreamStatus s, SseStatus sse) {
        StreamMetrics m = s.metrics();
        JsonObject metrics = Json.object()
                .add("fps", num(m.fps()))
                .add("bitrate_kbps", num(m.bitrateKbps()))
                .add("speed", num(m.speed()))
                .add("frames", num(m.frames()))
                .add("drop_frames", num(m.dropFrames()))
                .add("dup_frames", num(m.dupFrames()))
                .add("out_time_s", num(m.outTimeS()));
        return Json.object()
                .add("state", s.state().wire())
                .add("stream_id", s.configId())
                .add("id", s.configId())
                .add("name", str(s.name()))
                .add("pid", num(s.pid()))
                .add("started_at", time(s.startedAt()))
                .add("uptime_s", s.uptimeSeconds())
                .add("rtsp_url", str(s.rtspUrl()))
                .add("rtmp_url", str(s.rtmpUrl()))
                .add("preset", str(s.preset()))
                .add("metrics", metrics)
                .add("restarts", s.restarts())
                .add("last_error", str(s.lastError()))
                .add("warning", str(s.warning()))
                .add("source", str(s.source()))
                .add("session", s.session() == null ? Json.NULL : Json.object()
                        .add("started_at", time(s.session().startedAt()))
                        .add("switches", s.session().switches())
                        .add("slate_s", s.session().slateSeconds()))
                .add("sse", sse(sse));
    }

    static JsonObject sse(SseStatus sse) {
        if (sse == null) {
            return Json.object().add("state", "disabled").add("url", Json.NULL).add("last_event_id", Json.NULL)
                    .add("last_event_at", Json.NULL);
        }
        return Json.object()
                .add("state", sse.state().wire())
                .add("url", str(sse.url()))
                .add("last_event_id", str(sse.lastEventId() == null || sse.lastEventId().isEmpty() ? null : sse.lastEventId()))
                .add("last_event_at", time(sse.lastEventAt()));
    }

    public static JsonObject log(LogEntry e) {
        return Json.object()
                .add("id", e.id())
                .add("config_id", num(e.configId()))
                .add("stream_id", num(e.configId()))
                .add("event_type", e.eventType())
                .add("message", str(SecretMasker.forUrls().mask(e.message())))
                .add("status", e.status() == null ? Json.NULL : Json.value(e.status().sql()))
                .add("timestamp", time(e.timestamp()));
    }

    static JsonObject history(UrlChange h) {
        return Json.object()
                .add("id", h.id())
                .add("config_id", num(h.configId()))
                .add("old_rtsp_url", str(SecretMasker.maskUrl(h.oldRtspUrl())))
                .add("new_rtsp_url", str(SecretMasker.maskUrl(h.newRtspUrl())))
                .add("old_rtmp_url", str(SecretMasker.maskUrl(h.oldRtmpUrl())))
                .add("new_rtmp_url", str(SecretMasker.maskUrl(h.newRtmpUrl())))
                .add("change_source", h.source() == null ? Json.NULL : Json.value(h.source().sql()))
                .add("changed_at", time(h.changedAt()));
    }

    static JsonObject sseEvent(SseEventRecord e) {
        return Json.object()
                .add("id", e.id())
                .add("event_type", e.eventType())
                .add("event_data", str(SecretMasker.forUrls().mask(e.eventData())))
                .add("last_event_id", str(e.lastEventId()))
                .add("processed", e.processed())
                .add("config_id", num(e.configId()))
                .add("outcome", e.outcome() == null ? Json.NULL : Json.value(e.outcome().sql()))
                .add("outcome_reason", str(SecretMasker.forUrls().mask(e.outcomeReason())))
                .add("received_at", time(e.receivedAt()));
    }

    static JsonObject probe(ProbeResult r) {
        JsonArray advice = new JsonArray();
        r.advice().forEach(advice::add);
        JsonObject o = Json.object().add("success", r.ok()).add("ok", r.ok());
        if (r.ok()) {
            o.add("video", Json.object()
                            .add("codec", str(r.videoCodec()))
                            .add("width", r.width() == null ? Json.NULL : Json.value(r.width()))
                            .add("height", r.height() == null ? Json.NULL : Json.value(r.height()))
                            .add("fps", num(r.fps()))
                            .add("keyframe_interval_s", num(r.keyframeIntervalSeconds())))
                    .add("audio", r.audioCodec() == null ? Json.NULL : Json.object().add("codec", r.audioCodec()));
        } else {
            o.add("message", str(r.reason()));
        }
        return o.add("advice", advice);
    }

    static JsonArray array(List<JsonObject> items) {
        JsonArray a = new JsonArray();
        items.forEach(a::add);
        return a;
    }
}
