package stream.core.control;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import stream.core.JsonNesting;
import stream.core.SecretMasker;

/**
 * A url_update as contract §5 defines it, from either form: {@code event: url_update} with the fields as data, or a
 * default {@code message} whose data is {@code {"event": "url_update", "data": {...}}}. Either URL may be null
 * (unchanged); {@code timestamp} may be null (unordered); {@code stream} names the stream by id or name (contract
 * §7), null for the default stream.
 */
public record UrlUpdate(String stream, String rtspUrl, String rtmpUrl, Instant timestamp, boolean restartRequired) {
    /** The URLs masked: an event's URLs carry the camera's password and the stream key. */
    @Override
    public String toString() {
        return "UrlUpdate[stream=" + stream + ", rtspUrl=" + SecretMasker.maskUrl(rtspUrl) + ", rtmpUrl=" + SecretMasker.maskUrl(rtmpUrl)
                + ", timestamp=" + timestamp + ", restartRequired=" + restartRequired + "]";
    }

    /** The type of an event that names none (WHATWG). */
    static final String DEFAULT_TYPE = "message";

    /** Fixed width, so that stored timestamps order as text. */
    private static final DateTimeFormatter SORTABLE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** A url_update event whose data is not usable; the message says why, for the log. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    /**
     * Reads an event: empty when it is not a url_update at all (another type, or a message that is not wrapping one),
     * {@link Invalid} when it claims to be one but its data is wrong.
     */
    public static Optional<UrlUpdate> from(String type, String data) throws Invalid {
        boolean mayBeOurs = "url_update".equals(type) || DEFAULT_TYPE.equals(type);
        if (mayBeOurs && JsonNesting.deeperThan(data, JsonNesting.MAX_DEPTH)) {
            throw new Invalid("the data nests deeper than " + JsonNesting.MAX_DEPTH + " levels");
        }
        if ("url_update".equals(type)) {
            return Optional.of(fields(parseObject(data)));
        }
        if (!DEFAULT_TYPE.equals(type)) {
            return Optional.empty();
        }
        JsonObject wrapper;
        try {
            JsonValue v = Json.parse(data);
            if (!v.isObject()) {
                return Optional.empty();
            }
            wrapper = v.asObject();
        } catch (ParseException e) {
            return Optional.empty();
        }
        JsonValue event = wrapper.get("event");
        if (event == null || !event.isString() || !"url_update".equals(event.asString())) {
            return Optional.empty();
        }
        JsonValue inner = wrapper.get("data");
        if (inner == null || !inner.isObject()) {
            throw new Invalid("a url_update message needs a \"data\" object");
        }
        return Optional.of(fields(inner.asObject()));
    }

    /** The timestamp in a form that sorts as text, or null. */
    public String sortableTimestamp() {
        return timestamp == null ? null : SORTABLE.format(timestamp);
    }

    private static JsonObject parseObject(String data) throws Invalid {
        try {
            JsonValue v = Json.parse(data);
            if (!v.isObject()) {
                throw new Invalid("url_update data must be a JSON object");
            }
            return v.asObject();
        } catch (ParseException e) {
            throw new Invalid("url_update data is not valid JSON (" + e.getMessage() + ")");
        }
    }

    private static UrlUpdate fields(JsonObject o) throws Invalid {
        String rtsp = optionalString(o, "rtsp_url");
        String rtmp = optionalString(o, "rtmp_url");
        if (rtsp == null && rtmp == null) {
            throw new Invalid("url_update has neither rtsp_url nor rtmp_url");
        }
        String ts = optionalString(o, "timestamp");
        Instant timestamp = null;
        if (ts != null) {
            try {
                timestamp = OffsetDateTime.parse(ts).toInstant();
            } catch (DateTimeParseException e) {
                throw new Invalid("timestamp is not an ISO-8601 date and time with offset, e.g. 2024-01-15T10:30:00Z");
            }
        }
        JsonValue restart = o.get("restart_required");
        boolean restartRequired = true;
        if (restart != null && !restart.isNull()) {
            if (!restart.isBoolean()) {
                throw new Invalid("restart_required must be true or false");
            }
            restartRequired = restart.asBoolean();
        }
        JsonValue streamRef = o.get("stream");
        String stream = null;
        if (streamRef != null && !streamRef.isNull()) {
            if (streamRef.isString()) {
                stream = streamRef.asString();
            } else if (streamRef.isNumber() && streamRef.asDouble() == Math.rint(streamRef.asDouble())
                    && streamRef.asDouble() >= 0 && streamRef.asDouble() < 1e15) {
                stream = Long.toString((long) streamRef.asDouble());
            } else {
                throw new Invalid("stream must be a stream's id or name");
            }
        }
        return new UrlUpdate(stream, rtsp, rtmp, timestamp, restartRequired);
    }

    private static String optionalString(JsonObject o, String name) throws Invalid {
        JsonValue v = o.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw new Invalid(name + " must be a string");
        }
        return v.asString();
    }
}
