package stream.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Supplier;
import stream.core.StreamController;
import stream.core.StreamState;
import stream.core.StreamStatus;
import stream.core.Streams;
import stream.sse.SseConnectionState;
import stream.sse.SseStatus;
import stream.store.SseEventRecord;

/** {@code GET /metrics}: the Prometheus text format, one series per stream labelled {@code stream="<name>"} (§7). */
final class MetricsRoute {
    private static final java.util.List<String> SOURCES = java.util.List.of("camera", "slate", "switching");
    private final Streams streams;
    private final Stores stores;
    private final Supplier<SseStatus> sse;

    MetricsRoute(Streams streams, Stores stores, Supplier<SseStatus> sse) {
        this.streams = streams;
        this.stores = stores;
        this.sse = sse;
    }

    void handle(HttpCall call) throws IOException {
        StringBuilder out = new StringBuilder();
        header(out, "streamrelay_stream_state", "gauge", "1 for the stream's current state (contract section 3)");
        for (StreamController c : streams.all()) {
            StreamStatus s = c.status();
            for (StreamState st : StreamState.values()) {
                out.append(String.format(Locale.ROOT, "streamrelay_stream_state{stream=\"%s\",state=\"%s\"} %d%n",
                        label(s), st.wire(), s.state() == st ? 1 : 0));
            }
        }
        gauge(out, "streamrelay_stream_uptime_seconds", "seconds since media started flowing", s -> (double) s.uptimeSeconds());
        counter(out, "streamrelay_stream_restarts_total", "ffmpeg restarts in this stream session", s -> (double) s.restarts());
        gauge(out, "streamrelay_stream_fps", "frames per second sent", s -> s.metrics().fps());
        gauge(out, "streamrelay_stream_bitrate_kbps", "output bitrate in kbit/s", s -> s.metrics().bitrateKbps());
        gauge(out, "streamrelay_stream_speed", "encoding speed relative to real time", s -> s.metrics().speed());
        gauge(out, "streamrelay_stream_drop_frames", "frames dropped by ffmpeg", s -> toDouble(s.metrics().dropFrames()));
        gauge(out, "streamrelay_stream_dup_frames", "frames duplicated by ffmpeg", s -> toDouble(s.metrics().dupFrames()));
        header(out, "streamrelay_stream_source", "gauge", "1 for what is on air (contract section 8)");
        for (StreamController c : streams.all()) {
            StreamStatus s = c.status();
            for (String source : SOURCES) {
                out.append(String.format(Locale.ROOT, "streamrelay_stream_source{stream=\"%s\",source=\"%s\"} %d%n",
                        label(s), source, source.equals(s.source()) ? 1 : 0));
            }
        }
        gauge(out, "streamrelay_stream_session_started_timestamp_seconds",
                "when the destination's kept session began (Unix time)",
                s -> s.session() == null ? null : s.session().startedAt().toEpochMilli() / 1000.0);
        counter(out, "streamrelay_stream_session_switches_total", "camera switches since the kept session began",
                s -> s.session() == null ? null : (double) s.session().switches());
        counter(out, "streamrelay_stream_session_slate_seconds_total", "seconds on the slate since the kept session began",
                s -> s.session() == null ? null : s.session().slateSeconds());

        SseStatus status = sse.get();
        header(out, "streamrelay_sse_connection_state", "gauge", "1 for the SSE client's current state");
        for (SseConnectionState st : SseConnectionState.values()) {
            out.append(String.format(Locale.ROOT, "streamrelay_sse_connection_state{state=\"%s\"} %d%n", st.wire(),
                    status != null && status.state() == st ? 1 : 0));
        }
        header(out, "streamrelay_sse_events_received_total", "counter", "SSE events stored");
        out.append("streamrelay_sse_events_received_total ").append(stores.events().countAll()).append('\n');
        for (SseEventRecord.Outcome o : SseEventRecord.Outcome.values()) {
            String name = "streamrelay_sse_events_" + o.sql() + "_total";
            header(out, name, "counter", "SSE events " + o.sql());
            out.append(name).append(' ').append(stores.events().count(o)).append('\n');
        }
        call.send(200, "text/plain; version=0.0.4; charset=utf-8", out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private interface Figure {
        Double of(StreamStatus s);
    }

    private void gauge(StringBuilder out, String name, String help, Figure f) {
        series(out, name, "gauge", help, f);
    }

    private void counter(StringBuilder out, String name, String help, Figure f) {
        series(out, name, "counter", help, f);
    }

    private void series(StringBuilder out, String name, String type, String help, Figure f) {
        header(out, name, type, help);
        for (StreamController c : streams.all()) {
            StreamStatus s = c.status();
            Double v = f.of(s);
            if (v != null && !v.isNaN()) {
                out.append(String.format(Locale.ROOT, "%s{stream=\"%s\"} %s%n", name, label(s), num(v)));
            }
        }
    }

    /** The stream's name: only a-z, 0-9 and '-', so nothing needs escaping in a label value. */
    private static String label(StreamStatus s) {
        return s.name() == null ? Long.toString(s.configId()) : s.name();
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static Double toDouble(Long l) {
        return l == null ? null : l.doubleValue();
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

}
