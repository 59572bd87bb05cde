package stream.http;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import stream.core.Encoding;
import stream.core.FieldError;
import stream.core.NewStream;
import stream.core.RtspUrl;
import stream.core.StreamChange;
import stream.core.StreamController;
import stream.core.StreamName;
import stream.core.StreamStatus;
import stream.core.StreamUrls;
import stream.core.Streams;
import stream.core.ValidationException;
import stream.core.ffmpeg.ArgsTokenizer;
import stream.core.ffmpeg.FfmpegParamsPolicy;
import stream.core.ffmpeg.Preset;
import stream.core.ffmpeg.PresetAvailability;
import stream.sse.SseStatus;
import stream.sse.SseUrlPolicy;
import stream.store.ChangeSource;
import stream.store.LogEntry;
import stream.store.LogStatus;
import stream.store.Settings;

/**
 * The contract's REST routes (§4, §7), one small handler each. Each stream route exists twice: the seed's path acting
 * on the default stream, and {@code /api/streams/{ref}/...} acting on the stream named by id or name. Handlers turn
 * input into checked values and hand them to the stream; none writes a repository.
 */
public final class ApiRoutes {
    private final Streams streams;
    private final Stores stores;
    private final FfmpegTools ffmpeg;
    private final Supplier<SseStatus> sseStatus;
    private final ApiTokens tokens;
    private final DashboardEvents dashboard;
    private final SseUrlPolicy sseUrls;
    /**
     * The last status answer, as bytes: the status changes about once a second while status calls may come thousands
     * of times a second, and writing the JSON was a fifth of such a call's time.
     */
    private volatile StatusAnswer lastStatus;

    /** A status answer and what it was made from; the uptime is in whole seconds, as the answer shows it. */
    private record StatusAnswer(StreamStatus stream, SseStatus sse, long uptimeSeconds, byte[] json) {
        boolean answers(StreamStatus stream, SseStatus sse, long uptimeSeconds) {
            return this.uptimeSeconds == uptimeSeconds && this.stream.equals(stream) && java.util.Objects.equals(this.sse, sse);
        }
    }

    public ApiRoutes(Streams streams, Stores stores, FfmpegTools ffmpeg, Supplier<SseStatus> sseStatus, ApiTokens tokens,
                     DashboardEvents dashboard, SseUrlPolicy sseUrls) {
        this.streams = streams;
        this.stores = stores;
        this.ffmpeg = ffmpeg;
        this.sseStatus = sseStatus;
        this.tokens = tokens;
        this.dashboard = dashboard;
        this.sseUrls = sseUrls;
    }

    /** A handler of one stream's route, given the stream the path names. */
    private interface StreamHandler {
        void handle(HttpCall call, StreamController stream) throws IOException;
    }

    public Routes routes() {
        Routes r = new Routes()
                .getNonBlocking("/healthz", this::health)
                .get("/api/streams", this::listStreams)
                .post("/api/streams", this::createStream)
                .delete("/api/streams/{ref}", call -> deleteStream(call, named(call)));
        // the status is a snapshot in memory, and polled the most
        r.getNonBlocking("/api/stream/status", call -> status(call, streams.defaultStream()));
        r.add("GET", "/api/streams/{ref}/status", call -> status(call, named(call)));
        streamRoute(r, "POST", "/api/stream/start", "/start", (call, s) -> start(call, s, call.jsonBody()));
        streamRoute(r, "POST", "/api/stream/stop", "/stop", this::stop);
        streamRoute(r, "POST", "/api/stream/restart", "/restart", this::restart);
        streamRoute(r, "POST", "/api/stream/control", "/control", this::control);
        streamRoute(r, "GET", "/api/stream/snapshot.jpg", "/snapshot.jpg", this::snapshot);
        streamRoute(r, "GET", "/api/config", "/config", this::getConfig);
        streamRoute(r, "PUT", "/api/config/urls", "/config/urls", this::putUrls);
        streamRoute(r, "PUT", "/api/config", "/config", this::putConfig);
        // the seed's /api/logs and /api/history act on the default stream (contract §7), its logs together with the
        // appliance's own rows as before there were several; ?all=true lists every stream's (the dashboard's log page)
        r.get("/api/logs", call -> logs(call, allStreams(call) ? LogScope.ALL : LogScope.seed(stream().id())));
        r.get("/api/history", call -> history(call, allStreams(call) ? null : stream().id()));
        r.get("/api/streams/{ref}/logs", call -> logs(call, LogScope.of(recordsOf(call))));
        r.get("/api/streams/{ref}/history", call -> history(call, recordsOf(call)));
        return r
                .get("/api/presets", this::presets)
                .post("/api/probe", this::probe)
                .get("/api/sse/events", this::sseEvents)
                .get("/api/settings", this::getSettings)
                .put("/api/settings", this::putSettings)
                .post("/api/settings/token", this::newToken)
                .get("/api/events", call -> dashboard.serve(call, streams.all().stream()
                        .map(c -> JsonViews.status(c.status(), sseStatus.get())).toList()))
                .get("/metrics", new MetricsRoute(streams, stores, sseStatus)::handle);
    }

    private StreamController stream() {
        return streams.defaultStream();
    }

    /** Registers a stream route twice: the seed's path on the default stream, and the same under /api/streams/{ref}. */
    private void streamRoute(Routes r, String method, String seedPath, String suffix, StreamHandler h) {
        r.add(method, seedPath, call -> h.handle(call, streams.defaultStream()));
        r.add(method, "/api/streams/{ref}" + suffix, call -> h.handle(call, named(call)));
    }

    /** The live stream the path's {ref} names (id or name); 404 in the contract's shape when there is none. */
    private StreamController named(HttpCall call) {
        String ref = call.pathParam("ref");
        return streams.resolve(ref).orElseThrow(() -> unknownStream(ref));
    }

    /** The stream whose logs or history the path's {ref} names, deleted ones included. */
    private Long recordsOf(HttpCall call) {
        String ref = call.pathParam("ref");
        return streams.resolveEvenDeleted(ref).orElseThrow(() -> unknownStream(ref));
    }

    private static HttpError unknownStream(String ref) {
        String shown = ref.length() > 40 ? ref.substring(0, 40) + "…" : ref;
        return new HttpError(404, "No stream with the id or name '" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "'");
    }

    private void listStreams(HttpCall call) throws IOException {
        JsonArray list = new JsonArray();
        for (StreamController c : streams.all()) {
            stores.configs().find(c.id()).ifPresent(row -> list.add(JsonViews.streamSummary(row, c.status())));
        }
        call.json(200, Json.object().add("streams", list));
    }

    private void createStream(HttpCall call) throws IOException {
        JsonObject body = call.jsonBody();
        List<FieldError> errors = new ArrayList<>();
        for (JsonObject.Member m : body) {
            if (!List.of("name", "rtsp_url", "rtmp_url", "preset", "ffmpeg_params", "auto_restart").contains(m.getName())) {
                errors.add(new FieldError(m.getName(), "is not a setting of a new stream"));
            }
        }
        StreamName name = null;
        try {
            String n = requiredString(body, "name", errors);
            if (n != null) {
                name = StreamName.of(n);
            }
        } catch (ValidationException e) {
            errors.addAll(e.errors());
        }
        StreamUrls urls = null;
        String rtsp = body.get("rtsp_url") == null || body.get("rtsp_url").isNull() ? null : optionalStringInto(body, "rtsp_url", errors);
        String rtmp = body.get("rtmp_url") == null || body.get("rtmp_url").isNull() ? null : optionalStringInto(body, "rtmp_url", errors);
        try {
            urls = StreamUrls.both(rtsp, rtmp);
        } catch (ValidationException e) {
            errors.addAll(e.errors().stream().filter(fe -> errors.stream().noneMatch(x -> x.field().equals(fe.field())))
                    .toList());
        }
        Encoding encoding = encodingOf(body, errors);
        if (encoding == null && body.get("preset") == null && body.get("ffmpeg_params") == null) {
            encoding = defaultEncoding();
        }
        boolean autoRestart = true;
        if (body.get("auto_restart") != null && !body.get("auto_restart").isNull()) {
            if (!body.get("auto_restart").isBoolean()) {
                errors.add(new FieldError("auto_restart", "must be true or false"));
            } else {
                autoRestart = body.get("auto_restart").asBoolean();
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        StreamController c = streams.create(new NewStream(name, urls, encoding, autoRestart));
        call.json(201, Json.object().add("success", true).add("id", c.id()).add("name", name.value()));
    }

    /** A new stream without preset or ffmpeg_params passes H.264 through: a few % of a core per camera. */
    private Encoding defaultEncoding() {
        return ffmpeg.presets().find("copy").map(p -> new Encoding(p.ffmpegParams(), p.name()))
                .orElseGet(() -> new Encoding(stores.configs().findDefault().ffmpegParams(), null));
    }

    private void deleteStream(HttpCall call, StreamController s) throws IOException {
        streams.delete(s);
        call.json(200, Json.object().add("success", true).add("message", "Stream deleted; its logs and URL history "
                + "stay readable"));
    }

    /** Basic/Bearer callers are scripts ("api"); the dashboard's session is a person ("manual"). */
    private static ChangeSource source(HttpCall call) {
        return "session".equals(call.principal()) ? ChangeSource.MANUAL : ChangeSource.API;
    }

    private void health(HttpCall call) throws IOException {
        call.json(200, Json.object().add("status", "ok"));
    }

    private void status(HttpCall call, StreamController s) throws IOException {
        StreamStatus stream = s.status();
        SseStatus sse = sseStatus.get();
        long uptime = stream.uptimeSeconds();
        StatusAnswer answer = lastStatus;
        if (answer == null || !answer.answers(stream, sse, uptime)) {
            answer = new StatusAnswer(stream, sse, uptime,
                    JsonViews.status(stream, sse).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            lastStatus = answer;
        }
        call.send(200, HttpCall.JSON, answer.json());
    }

    private void start(HttpCall call, StreamController s, JsonObject body) throws IOException {
        StreamUrls urls = StreamUrls.of(optionalString(body, "rtsp_url"), optionalString(body, "rtmp_url"));
        long id = s.requestStart(urls, source(call));
        call.json(200, Json.object().add("success", true).add("stream_id", id).add("message", "Stream starting"));
    }

    private void stop(HttpCall call, StreamController s) throws IOException {
        s.requestStop();
        call.json(200, Json.object().add("success", true).add("message", "Stream stopped"));
    }

    private void restart(HttpCall call, StreamController s) throws IOException {
        long id = s.requestRestart();
        call.json(200, Json.object().add("success", true).add("stream_id", id).add("message", "Stream restarting"));
    }

    private void control(HttpCall call, StreamController s) throws IOException {
        JsonObject body = call.jsonBody();
        String action = optionalString(body, "action");
        if (action == null) {
            throw new ValidationException("action", "is required: start, stop or restart");
        }
        switch (action) {
            case "start" -> start(call, s, body);
            case "stop" -> stop(call, s);
            case "restart" -> restart(call, s);
            default -> throw new ValidationException("action", "must be start, stop or restart");
        }
    }

    private void snapshot(HttpCall call, StreamController s) throws IOException {
        Optional<Path> jpeg = s.snapshot();
        if (jpeg.isEmpty()) {
            throw new HttpError(404, "No snapshot: the stream is not running or has not produced one yet");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(jpeg.get());
        } catch (IOException e) {
            throw new HttpError(404, "No snapshot available right now");
        }
        call.send(200, "image/jpeg", bytes);
    }

    private void getConfig(HttpCall call, StreamController s) throws IOException {
        boolean reveal = "true".equals(call.query("reveal"));
        call.json(200, JsonViews.config(stores.configs().find(s.id())
                .orElseThrow(() -> unknownStream(String.valueOf(s.id()))), reveal));
    }

    private void putUrls(HttpCall call, StreamController s) throws IOException {
        JsonObject body = call.jsonBody();
        List<FieldError> errors = new ArrayList<>();
        String rtsp = requiredString(body, "rtsp_url", errors);
        String rtmp = requiredString(body, "rtmp_url", errors);
        boolean restart = optionalBoolean(body, "restart_stream", true);
        StreamUrls urls = null;
        try {
            // a missing one is already an error above; the given ones are checked
            urls = StreamUrls.of(rtsp, rtmp);
        } catch (ValidationException e) {
            errors.addAll(e.errors());
        }
        if (!errors.isEmpty()) {
            JsonObject answer = HttpError.body("Invalid URLs: nothing was changed", errors).add("validated", false);
            call.json(400, answer);
            return;
        }
        s.apply(StreamChange.urls(urls, restart), source(call));
        call.json(200, Json.object().add("success", true).add("validated", true).add("errors", new JsonArray()));
    }

    private void putConfig(HttpCall call, StreamController s) throws IOException {
        JsonObject body = call.jsonBody();
        List<FieldError> errors = new ArrayList<>();
        for (JsonObject.Member m : body) {
            if (!List.of("ffmpeg_params", "preset", "auto_restart", "keep_session").contains(m.getName())) {
                errors.add(new FieldError(m.getName(), "is not a setting of PUT /api/config"));
            }
        }
        Encoding encoding = encodingOf(body, errors);
        Boolean autoRestart = null;
        if (body.get("auto_restart") != null) {
            if (!body.get("auto_restart").isBoolean()) {
                errors.add(new FieldError("auto_restart", "must be true or false"));
            } else {
                autoRestart = body.get("auto_restart").asBoolean();
            }
        }
        Boolean keepSession = null;
        if (body.get("keep_session") != null) {
            if (!body.get("keep_session").isBoolean()) {
                errors.add(new FieldError("keep_session", "must be true or false"));
            } else {
                keepSession = body.get("keep_session").asBoolean();
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        s.apply(StreamChange.settings(encoding, autoRestart, keepSession), source(call));
        call.json(200, Json.object().add("success", true).add("errors", new JsonArray()));
    }

    /**
     * The encoding a body asks for, from {@code preset} (which must exist and run here) or {@code ffmpeg_params}
     * (which must pass the policy); null when it asks for none or is wrong (the reasons are added to errors).
     */
    private Encoding encodingOf(JsonObject body, List<FieldError> errors) {
        int before = errors.size();
        String params = null;
        String presetName = null;
        if (body.get("preset") != null && body.get("ffmpeg_params") != null) {
            errors.add(new FieldError("preset", "give either preset or ffmpeg_params, not both"));
        } else if (body.get("preset") != null) {
            presetName = optionalString(body, "preset");
            Optional<Preset> preset = presetName == null ? Optional.empty() : ffmpeg.presets().find(presetName);
            if (preset.isEmpty()) {
                errors.add(new FieldError("preset", "no preset named '" + presetName + "' (see GET /api/presets)"));
            } else {
                PresetAvailability a = ffmpeg.encoders().check(preset.get());
                if (!a.available()) {
                    errors.add(new FieldError("preset", "cannot run on this machine: " + a.reason()));
                }
                params = preset.get().ffmpegParams();
            }
        } else if (body.get("ffmpeg_params") != null) {
            params = optionalString(body, "ffmpeg_params");
            if (params == null || params.isBlank()) {
                errors.add(new FieldError("ffmpeg_params", "must not be empty"));
            } else {
                try {
                    FfmpegParamsPolicy.check(ArgsTokenizer.tokenize(params));
                } catch (ValidationException e) {
                    errors.addAll(e.errors());
                }
            }
        }
        return errors.size() > before || params == null ? null : new Encoding(params, presetName);
    }

    private void presets(HttpCall call) throws IOException {
        JsonArray list = new JsonArray();
        for (Preset p : ffmpeg.presets().all()) {
            JsonArray args = new JsonArray();
            p.args().forEach(args::add);
            PresetAvailability a = ffmpeg.encoders().check(p);
            list.add(Json.object()
                    .add("name", p.name())
                    .add("description", p.description())
                    .add("hardware", p.hardware())
                    .add("encoder", p.encoder())
                    .add("arguments", args)
                    .add("ffmpeg_params", p.ffmpegParams())
                    .add("available", a.available())
                    .add("reason", JsonViews.str(a.reason())));
        }
        call.json(200, Json.object().add("presets", list));
    }

    private void probe(HttpCall call) throws IOException {
        JsonObject body = call.jsonBody();
        List<FieldError> errors = new ArrayList<>();
        String url = requiredString(body, "rtsp_url", errors);
        RtspUrl camera = null;
        if (url != null) {
            try {
                camera = new RtspUrl(url);
            } catch (ValidationException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        call.json(200, JsonViews.probe(ffmpeg.probe().probe(camera)));
    }

    /** Whose log rows a logs route lists: every stream's (configId null), one stream's, or the seed route's. */
    private record LogScope(Long configId, boolean withApplianceRows) {
        static final LogScope ALL = new LogScope(null, false);

        static LogScope of(long configId) {
            return new LogScope(configId, false);
        }

        static LogScope seed(long defaultId) {
            return new LogScope(defaultId, true);
        }
    }

    private static boolean allStreams(HttpCall call) {
        String all = call.query("all");
        if (all != null && !all.equals("true") && !all.equals("false")) {
            throw new ValidationException("all", "must be true or false");
        }
        return "true".equals(all);
    }

    private void logs(HttpCall call, LogScope scope) throws IOException {
        int limit = intParam(call, "limit", 100, 1, 1000);
        Long before = call.query("before_id") == null ? null : (long) intParam(call, "before_id", 0, 1, Integer.MAX_VALUE);
        String status = call.query("status");
        LogStatus st = null;
        if (status != null) {
            st = LogStatus.parse(status);
            if (st == null) {
                throw new ValidationException("status", "must be success, error, warning or info");
            }
        }
        List<LogEntry> page = scope.withApplianceRows()
                ? stores.logs().pageWithApplianceRows(scope.configId(), limit, before, call.query("event_type"), st)
                : stores.logs().page(scope.configId(), limit, before, call.query("event_type"), st);
        JsonValue next = page.size() == limit ? Json.value(page.get(page.size() - 1).id()) : Json.NULL;
        call.json(200, Json.object().add("logs", JsonViews.array(page.stream().map(JsonViews::log).toList()))
                .add("next_before_id", next));
    }

    private void history(HttpCall call, Long configId) throws IOException {
        int limit = intParam(call, "limit", 50, 1, 1000);
        call.json(200, Json.object().add("history",
                JsonViews.array(stores.history().recent(configId, limit).stream().map(JsonViews::history).toList())));
    }

    private void sseEvents(HttpCall call) throws IOException {
        int limit = intParam(call, "limit", 50, 1, 1000);
        String p = call.query("processed");
        Boolean processed = null;
        if (p != null) {
            if (!p.equals("true") && !p.equals("false")) {
                throw new ValidationException("processed", "must be true or false");
            }
            processed = Boolean.valueOf(p);
        }
        call.json(200, Json.object().add("events",
                JsonViews.array(stores.events().recent(limit, processed).stream().map(JsonViews::sseEvent).toList())));
    }

    private void getSettings(HttpCall call) throws IOException {
        Settings s = stores.settings().load();
        call.json(200, Json.object()
                .add("sse_url", JsonViews.str(s.sseUrl() == null ? null : stream.core.SecretMasker.maskUrl(s.sseUrl())))
                .add("sse_enabled", s.sseEnabled())
                .add("sse_token_set", s.sseToken() != null)
                .add("log_retention_days", s.logRetentionDays())
                .add("api_token_set", tokens.isSet()));
    }

    private void putSettings(HttpCall call) throws IOException {
        JsonObject body = call.jsonBody();
        List<FieldError> errors = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        for (JsonObject.Member m : body) {
            JsonValue v = m.getValue();
            switch (m.getName()) {
                case "sse_url" -> {
                    if (v.isNull() || (v.isString() && v.asString().isEmpty())) {
                        values.put(Settings.SSE_URL, "");
                    } else if (!v.isString()) {
                        errors.add(new FieldError("sse_url", "must be an http:// or https:// URL with a host"));
                    } else {
                        Optional<String> problem = sseUrls.problem(v.asString());
                        if (problem.isPresent()) {
                            errors.add(new FieldError("sse_url", problem.get()));
                        } else {
                            values.put(Settings.SSE_URL, v.asString());
                        }
                    }
                }
                case "sse_enabled" -> {
                    if (!v.isBoolean()) {
                        errors.add(new FieldError("sse_enabled", "must be true or false"));
                    } else {
                        values.put(Settings.SSE_ENABLED, v.asBoolean() ? "1" : "0");
                    }
                }
                case "sse_token" -> {
                    if (v.isNull()) {
                        values.put(Settings.SSE_TOKEN, "");
                    } else if (!v.isString() || v.asString().length() > 4096
                            || v.asString().chars().anyMatch(ch -> ch < 0x21 || ch > 0x7e)) {
                        errors.add(new FieldError("sse_token", "must be printable ASCII without spaces, at most 4096 characters"));
                    } else {
                        values.put(Settings.SSE_TOKEN, v.asString());
                    }
                }
                case "log_retention_days" -> {
                    if (!v.isNumber() || v.asDouble() != Math.floor(v.asDouble()) || v.asDouble() < 1 || v.asDouble() > 3650) {
                        errors.add(new FieldError("log_retention_days", "must be a whole number of days from 1 to 3650"));
                    } else {
                        values.put(Settings.LOG_RETENTION_DAYS, Integer.toString((int) v.asDouble()));
                    }
                }
                default -> errors.add(new FieldError(m.getName(), "is not a setting"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        if (!values.isEmpty()) {
            stores.settings().putAll(values);
        }
        call.json(200, Json.object().add("success", true).add("errors", new JsonArray()));
    }

    private void newToken(HttpCall call) throws IOException {
        String token = tokens.rotate();
        // the one place the contract shows a secret on purpose: the new token, once
        call.json(200, Json.object().add("success", true).add("token", token)
                .add("message", "Store this token now; it is not shown again"));
    }

    private static String optionalString(JsonObject body, String name) {
        JsonValue v = body.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw new ValidationException(name, "must be a string");
        }
        return v.asString();
    }

    private static String optionalStringInto(JsonObject body, String name, List<FieldError> errors) {
        try {
            return optionalString(body, name);
        } catch (ValidationException e) {
            errors.addAll(e.errors());
            return null;
        }
    }

    private static String requiredString(JsonObject body, String name, List<FieldError> errors) {
        JsonValue v = body.get(name);
        if (v == null || v.isNull()) {
            errors.add(new FieldError(name, "is required"));
            return null;
        }
        if (!v.isString()) {
            errors.add(new FieldError(name, "must be a string"));
            return null;
        }
        return v.asString();
    }

    private static boolean optionalBoolean(JsonObject body, String name, boolean dflt) {
        JsonValue v = body.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new ValidationException(name, "must be true or false");
        }
        return v.asBoolean();
    }

    private static int intParam(HttpCall call, String name, int dflt, int min, int max) {
        String s = call.query(name);
        if (s == null) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(s);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ValidationException(name, "must be a whole number from " + min + " to " + max);
    }
}
