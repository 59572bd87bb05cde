package stream.it.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Server-Sent-Events hub: nginx with libnginx-mod-nchan on 127.0.0.1:{@link #port()}.
 * POST /pub/CHANNEL publishes (nchan_publisher), GET /sub/CHANNEL streams as EventSource
 * (nchan_subscriber eventsource). Messages are buffered, so a subscriber reconnecting with
 * {@code Last-Event-ID} gets what it missed. The buffer lives in nginx's shared memory: a
 * stop()/restart() loses it, and ids start over from the restart's time.
 *
 * <p>nchan answers 403 to a subscriber that does not send {@code Accept: text/event-stream}.
 */
public final class NchanServer implements AutoCloseable {

    /** Channel ids the locations accept. */
    public static final Pattern CHANNEL = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern LAST_ID = Pattern.compile("\"last_message_id\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern SUBSCRIBERS = Pattern.compile("\"subscribers\"\\s*:\\s*(\\d+)");
    /**
     * How long a subscriber of {@link #droppingSubscribeUrl} may go without a message before nchan itself closes its
     * connection (with a {@code :408} comment). The channel and its buffer stay, so a reconnect with
     * {@code Last-Event-ID} gets what was published meanwhile.
     */
    public static final Duration DROPPING_SUBSCRIBER_IDLE = Duration.ofSeconds(3);

    private final boolean portGiven;
    private final int bufferLength;
    private final Duration messageTimeout;
    private int port;
    private Path dir;
    private Nginx nginx;

    /** Free port picked at start(), kept across restarts; buffer of 200 messages kept 10 minutes. */
    public NchanServer() {
        this(0, 200, Duration.ofMinutes(10));
    }

    public NchanServer(int port, int bufferLength, Duration messageTimeout) {
        this.portGiven = port != 0;
        this.port = port;
        this.bufferLength = bufferLength;
        this.messageTimeout = messageTimeout;
    }

    public synchronized NchanServer start() {
        if (dir == null) {
            dir = ScratchDir.create("nchan");
            nginx = new Nginx("nginx-nchan", dir);
            ShutdownHook.register(this);
        }
        boolean mayRepick = !portGiven && port == 0;
        for (int attempt = 1; ; attempt++) {
            if (port == 0) {
                port = TestPorts.freePort();
            }
            nginx.writeConfig(List.of("ngx_nchan_module.so"), "", serverBlock());
            try {
                nginx.start(List.of(port));
                return this;
            } catch (Nginx.PortInUseException e) {
                if (!mayRepick || attempt >= 5) {
                    throw e;
                }
                port = 0;
            }
        }
    }

    private String serverBlock() {
        return """
                  server {
                    listen 127.0.0.1:%d;
                    # Buffer settings apply where messages are stored, i.e. at publish time.
                    nchan_message_buffer_length %d;
                    nchan_message_timeout %ds;
                    location ~ ^/pub/([A-Za-z0-9_.-]+)$ {
                      nchan_publisher;
                      nchan_channel_id $1;
                    }
                    location ~ ^/sub/([A-Za-z0-9_.-]+)$ {
                      nchan_subscriber eventsource;
                      nchan_channel_id $1;
                    }
                    # The same channels, but nchan drops a subscriber that got no message for a while.
                    location ~ ^/sub-dropping/([A-Za-z0-9_.-]+)$ {
                      nchan_subscriber eventsource;
                      nchan_channel_id $1;
                      nchan_subscriber_timeout %ds;
                    }
                  }
                """.formatted(port, bufferLength, Math.max(1, messageTimeout.toSeconds()),
                DROPPING_SUBSCRIBER_IDLE.toSeconds());
    }

    public synchronized void stop() {
        if (nginx == null || !nginx.isRunning()) {
            return;
        }
        nginx.stop();
        TestPorts.awaitRefusing(port, Duration.ofSeconds(10));
    }

    /** Stop, then start on the same port (buffered messages are lost). */
    public synchronized NchanServer restart() {
        stop();
        return start();
    }

    public synchronized boolean isRunning() {
        return nginx != null && nginx.isRunning();
    }

    public int port() {
        if (port == 0) {
            throw new IllegalStateException("NchanServer never started");
        }
        return port;
    }

    /** http://127.0.0.1:PORT/sub/CHANNEL (send Accept: text/event-stream). */
    public String subscribeUrl(String channel) {
        return "http://127.0.0.1:" + port() + "/sub/" + checked(channel);
    }

    /**
     * http://127.0.0.1:PORT/sub-dropping/CHANNEL: the channel of {@link #subscribeUrl}, but nchan closes the
     * connection after {@link #DROPPING_SUBSCRIBER_IDLE} without a message (the buffer is kept).
     */
    public String droppingSubscribeUrl(String channel) {
        return "http://127.0.0.1:" + port() + "/sub-dropping/" + checked(channel);
    }

    /** http://127.0.0.1:PORT/pub/CHANNEL */
    public String publishUrl(String channel) {
        return "http://127.0.0.1:" + port() + "/pub/" + checked(channel);
    }

    /** Publishes a default ("message") event; returns the id nchan assigned, e.g. "1795595260:0". */
    public String publish(String channel, String data) {
        return publish(channel, null, data);
    }

    /**
     * Publishes an event named {@code eventType} (nchan sends it as the EventSource {@code event:}
     * field, taken from the X-EventSource-Event header). Multi-line data becomes several
     * {@code data:} lines. Returns the message id (nchan's "last_message_id" of the channel right
     * after this publish: ours unless someone published concurrently).
     */
    public String publish(String channel, String eventType, String data) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json");
        headers.put("Content-Type", "text/plain");
        if (eventType != null) {
            headers.put("X-EventSource-Event", eventType);
        }
        LocalHttp.Reply reply = LocalHttp.request("POST", publishUrl(channel), headers, data, HTTP_TIMEOUT);
        // 201: delivered to subscribers; 202: queued, nobody listening.
        if (reply.status() != 201 && reply.status() != 202) {
            throw new IllegalStateException("publish to " + channel + " answered " + reply.status() + ": " + reply.body());
        }
        Matcher m = LAST_ID.matcher(reply.body());
        return m.find() ? m.group(1) : null;
    }

    /** Subscribers currently connected to {@code channel} (0 when the channel does not exist yet). */
    public int subscribers(String channel) {
        LocalHttp.Reply reply = LocalHttp.request("GET", publishUrl(channel), Map.of("Accept", "application/json"), null, HTTP_TIMEOUT);
        if (reply.status() == 404) {
            return 0;
        }
        Matcher m = SUBSCRIBERS.matcher(reply.body());
        if (reply.status() != 200 || !m.find()) {
            throw new IllegalStateException("channel info of " + channel + " answered " + reply.status() + ": " + reply.body());
        }
        return Integer.parseInt(m.group(1));
    }

    public void waitForSubscribers(String channel, int atLeast, Duration timeout) {
        Waits.waitUntil(() -> subscribers(channel) >= atLeast, timeout,
                atLeast + " subscriber(s) on nchan channel " + channel);
    }

    public synchronized List<Long> pids() {
        return nginx == null ? List.of() : nginx.pids();
    }

    public Path logFile() {
        if (nginx == null) {
            throw new IllegalStateException("NchanServer never started");
        }
        return nginx.logFile();
    }

    public String log() {
        return nginx == null ? "" : nginx.log();
    }

    private static String checked(String channel) {
        if (!CHANNEL.matcher(channel).matches()) {
            throw new IllegalArgumentException("channel must match " + CHANNEL + ": " + channel);
        }
        return channel;
    }

    @Override
    public synchronized void close() {
        try {
            stop();
        } finally {
            ScratchDir.delete(dir);
            ShutdownHook.unregister(this);
        }
    }

    @Override
    public String toString() {
        return "NchanServer[127.0.0.1:" + port + (isRunning() ? "" : ", stopped") + "]";
    }
}
