package stream.http;

import com.eclipsesource.json.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /api/events}: the dashboard's live feed (contract §6) as text/event-stream: {@code status},
 * {@code log} and {@code config} events, each naming its {@code stream_id} (§7), a comment every 15 s so proxies keep it open. No thread waits on a browser:
 * a frame is handed to each client's connection without blocking, the server keeps what the browser has not read
 * yet, bounded, and drops the browser when it falls that far behind. At most {@link #MAX_CLIENTS} at once.
 */
public final class DashboardEvents {
    static final int MAX_CLIENTS = 32;
    static final long KEEPALIVE_MS = 15_000;

    /** One connected browser: frames are written whole, one at a time. */
    private record Client(HttpExchange exchange, OutputStream out) {
        synchronized boolean write(String frame) {
            try {
                out.write(frame.getBytes(StandardCharsets.UTF_8));
                out.flush();
                return true;
            } catch (IOException | RuntimeException e) {
                exchange.close();
                return false;
            }
        }
    }

    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final java.util.function.LongFunction<java.util.List<JsonObject>> logsAfter;
    private final java.util.Map<Long, String> lastState = new ConcurrentHashMap<>();
    private final java.util.Map<Long, Long> lastSent = new ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService heartbeat =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dashboard-heartbeat");
                t.setDaemon(true);
                return t;
            });

    /** Without a log to replay from: a reconnecting browser gets no missed rows. */
    public DashboardEvents() {
        this(id -> java.util.List.of());
    }

    /**
     * @param logsAfter the log rows (as sent in {@code log} events) with an id above the given one, oldest first and
     *                  bounded: what a browser reconnecting with {@code Last-Event-ID} has missed
     */
    public DashboardEvents(java.util.function.LongFunction<java.util.List<JsonObject>> logsAfter) {
        this.logsAfter = logsAfter;
    }

    /**
     * Re-sends each stream's status every 2 s while dashboards are connected, so a running stream whose figures
     * stopped moving still shows it is alive (or that it is not). A status is made only when it is sent: a running
     * stream publishes every second, so the heartbeat rarely sends one.
     */
    public void start(java.util.function.Supplier<java.util.Map<Long, java.util.function.Supplier<JsonObject>>> statuses) {
        heartbeat.scheduleWithFixedDelay(() -> {
            if (!clients.isEmpty()) {
                statuses.get().forEach((id, status) -> {
                    if (System.nanoTime() - lastSent.getOrDefault(id, 0L) >= 2_000_000_000L) {
                        sendStatus(id, status.get());
                    }
                });
            }
        }, 2, 2, TimeUnit.SECONDS);
        heartbeat.scheduleWithFixedDelay(() -> broadcast(": keepalive\n\n"), KEEPALIVE_MS, KEEPALIVE_MS,
                TimeUnit.MILLISECONDS);
    }

    public void close() {
        heartbeat.shutdownNow();
        for (Client c : clients) {
            c.exchange().close();
        }
        clients.clear();
    }

    /** A stream's status changed: sent at once when its state changed, otherwise at most once a second. */
    public void publishStatus(long streamId, JsonObject status) {
        publishStatus(streamId, status.getString("state", ""), () -> status);
    }

    /**
     * As {@link #publishStatus(long, JsonObject)}, with the status in {@code state} made only when it is sent: a kept
     * session publishes twice a second, and without a dashboard nothing is sent at all.
     */
    public void publishStatus(long streamId, String state, java.util.function.Supplier<JsonObject> status) {
        boolean stateChanged = !state.equals(lastState.get(streamId));
        if (stateChanged || System.nanoTime() - lastSent.getOrDefault(streamId, 0L) >= 1_000_000_000L) {
            sendStatus(streamId, status.get());
        }
    }

    private void sendStatus(long streamId, JsonObject status) {
        lastState.put(streamId, status.getString("state", ""));
        lastSent.put(streamId, System.nanoTime());
        publish("status", status);
    }

    /** Sends an event to every connected dashboard; returns at once whatever the browsers do. */
    public void publish(String type, JsonObject data) {
        broadcast("event: " + type + "\ndata: " + data + "\n\n");
    }

    /**
     * A new log row, sent with the row's id as the event id: a browser that reconnects sends the last one it saw as
     * {@code Last-Event-ID} and gets the rows it missed.
     */
    public void publishLog(long rowId, JsonObject row) {
        broadcast("id: " + rowId + "\nevent: log\ndata: " + row + "\n\n");
    }

    private void broadcast(String frame) {
        // under the lock that serve() takes around a new browser's first frame: see there
        synchronized (clients) {
            for (Client c : clients) {
                if (!c.write(frame)) {
                    clients.remove(c); // gone, or too far behind: it reconnects by itself
                }
            }
        }
    }

    private static long lastEventId(String header) {
        if (header == null || header.isEmpty() || header.length() > 19) {
            return -1;
        }
        try {
            return Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public int clientCount() {
        return clients.size();
    }

    /** Starts one dashboard's stream and returns: the stream lives on without the request's thread. */
    void serve(HttpCall call, java.util.List<JsonObject> initialStatuses) throws IOException {
        if (clients.size() >= MAX_CLIENTS) {
            call.setHeader("Retry-After", "10");
            throw new HttpError(503, "Too many open dashboards (at most " + MAX_CLIENTS + ")");
        }
        HttpExchange ex = call.exchange();
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Accel-Buffering", "no");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(200, 0);
        Client c = new Client(ex, ex.getResponseBody());
        StringBuilder first = new StringBuilder("retry: 3000\n\n");
        for (JsonObject status : initialStatuses) {
            first.append("event: status\ndata: ").append(status).append("\n\n");
        }
        // The first frame, joining the list and the replay of missed rows are one step for the broadcasts (which take
        // the same lock; every write under it goes to a bounded queue and never blocks): a change published after the
        // browser read its first statuses but before it joined was lost (a config and a log event right after
        // connecting, found by ImageTest under load), and a live row published during the replay was sent before the
        // rows it follows (about a third of the time). The page ignores a row it already shows.
        synchronized (clients) {
            if (c.write(first.toString())) {
                clients.add(c);
                long lastSeen = lastEventId(call.header("Last-Event-ID"));
                if (lastSeen >= 0) {
                    for (JsonObject row : logsAfter.apply(lastSeen)) {
                        if (!c.write("id: " + row.getLong("id", 0) + "\nevent: log\ndata: " + row + "\n\n")) {
                            clients.remove(c);
                            break;
                        }
                    }
                }
            }
        }
    }
}
