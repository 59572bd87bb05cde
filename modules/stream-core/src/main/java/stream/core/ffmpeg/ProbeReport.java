package stream.core.ffmpeg;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What one {@code ffprobe -show_streams -show_entries packet=stream_index,pts_time,flags -of json} run saw: the
 * first video and audio streams and when the video's keyframes came.
 *
 * @param videoCodec ffprobe's codec name (h264, hevc, ...), null without a video stream
 * @param fps frames per second, null when neither the stream nor its packets tell
 * @param audioCodec ffprobe's codec name (aac, pcm_mulaw, ...), null without an audio stream
 * @param keyframeTimes the distinct timestamps (s) of video packets flagged K, ascending
 * @param videoStart the first video packet's timestamp (s), NaN without video packets
 * @param videoEnd the last video packet's timestamp (s), NaN without video packets
 */
record ProbeReport(String videoCodec, Integer width, Integer height, Double fps, String audioCodec,
                   List<Double> keyframeTimes, double videoStart, double videoEnd) {
    /** Frame rates outside this are ffprobe's guesses from a 90 kHz clock, not the camera's rate. */
    private static final double MAX_FPS = 240;

    ProbeReport {
        keyframeTimes = List.copyOf(keyframeTimes);
    }

    /**
     * Parses ffprobe's JSON.
     *
     * @throws IllegalArgumentException when the text is not ffprobe JSON (cut short by a kill, for instance)
     */
    static ProbeReport parse(String json) {
        JsonObject root;
        try {
            JsonValue value = Json.parse(json);
            if (!value.isObject()) {
                throw new IllegalArgumentException("ffprobe output is not a JSON object");
            }
            root = value.asObject();
        } catch (ParseException e) {
            throw new IllegalArgumentException("ffprobe output is not complete JSON: " + e.getMessage(), e);
        }
        JsonObject video = firstStream(root, "video");
        JsonObject audio = firstStream(root, "audio");
        int videoIndex = video == null ? -1 : video.getInt("index", -1);

        TreeSet<Double> keyframes = new TreeSet<>();
        TreeSet<Double> videoTimes = new TreeSet<>();
        for (JsonValue item : array(root, "packets")) {
            if (!item.isObject()) {
                continue;
            }
            JsonObject packet = item.asObject();
            Double pts = number(packet.get("pts_time"));
            // Packets without a timestamp (parameter sets sent ahead of a frame) say nothing about timing.
            if (packet.getInt("stream_index", -2) != videoIndex || pts == null) {
                continue;
            }
            double millis = Math.round(pts * 1000) / 1000.0;
            videoTimes.add(millis);
            if (packet.getString("flags", "").contains("K")) {
                keyframes.add(millis);
            }
        }
        double start = videoTimes.isEmpty() ? Double.NaN : videoTimes.first();
        double end = videoTimes.isEmpty() ? Double.NaN : videoTimes.last();
        Double fps = video == null ? null : frameRate(video, videoTimes);
        return new ProbeReport(
                video == null ? null : video.getString("codec_name", "unknown"),
                video == null ? null : positive(video.get("width")),
                video == null ? null : positive(video.get("height")),
                fps,
                audio == null ? null : audio.getString("codec_name", "unknown"),
                new ArrayList<>(keyframes), start, end);
    }

    boolean hasVideo() {
        return videoCodec != null;
    }

    /** Seconds of video timestamps seen. */
    double videoSpan() {
        return Double.isNaN(videoStart) ? 0 : videoEnd - videoStart;
    }

    /** The longest gap between two keyframes, null with fewer than two. */
    Double keyframeInterval() {
        Double longest = null;
        for (int i = 1; i < keyframeTimes.size(); i++) {
            double gap = keyframeTimes.get(i) - keyframeTimes.get(i - 1);
            longest = longest == null ? gap : Math.max(longest, gap);
        }
        return longest;
    }

    /**
     * The longest stretch of video without a keyframe, the stretches before the first and after the last included:
     * the camera's keyframe interval is at least this long even when fewer than two keyframes were seen.
     */
    double longestWithoutKeyframe() {
        if (Double.isNaN(videoStart)) {
            return 0;
        }
        if (keyframeTimes.isEmpty()) {
            return videoSpan();
        }
        double longest = Math.max(keyframeTimes.get(0) - videoStart, videoEnd - keyframeTimes.get(keyframeTimes.size() - 1));
        Double between = keyframeInterval();
        return between == null ? longest : Math.max(longest, between);
    }

    private static JsonObject firstStream(JsonObject root, String type) {
        for (JsonValue item : array(root, "streams")) {
            if (item.isObject() && type.equals(item.asObject().getString("codec_type", ""))) {
                return item.asObject();
            }
        }
        return null;
    }

    private static JsonArray array(JsonObject root, String name) {
        JsonValue value = root.get(name);
        return value != null && value.isArray() ? value.asArray() : new JsonArray();
    }

    private static Double frameRate(JsonObject video, TreeSet<Double> videoTimes) {
        for (String field : List.of("avg_frame_rate", "r_frame_rate")) {
            Double rate = rational(video.getString(field, ""));
            if (rate != null && rate > 0 && rate <= MAX_FPS) {
                return round(rate);
            }
        }
        // Some cameras announce no usable rate; the packets' own spacing still tells.
        if (videoTimes.size() >= 2) {
            double span = videoTimes.last() - videoTimes.first();
            double rate = (videoTimes.size() - 1) / span;
            return span > 0 && rate <= MAX_FPS ? round(rate) : null;
        }
        return null;
    }

    private static Double rational(String text) {
        int slash = text.indexOf('/');
        try {
            if (slash < 0) {
                return text.isEmpty() ? null : Double.parseDouble(text);
            }
            double den = Double.parseDouble(text.substring(slash + 1));
            return den == 0 ? null : Double.parseDouble(text.substring(0, slash)) / den;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Double number(JsonValue value) {
        if (value == null) {
            return null;
        }
        if (value.isNumber()) {
            return value.asDouble();
        }
        if (value.isString()) {
            try {
                return Double.parseDouble(value.asString());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static Integer positive(JsonValue value) {
        return value != null && value.isNumber() && value.asInt() > 0 ? value.asInt() : null;
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
