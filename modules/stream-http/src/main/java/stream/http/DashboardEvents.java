package stream.http;

import com.eclipsesource.json.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /api/events}: the dashboard's live feed (contract §6) as text/event-stream: {@code status},
 * {@code log} and {@code config} events, a comment every 15 s so proxies keep it open. Publishing never waits for a
 * browser: each client has a bounded queue and is dropped when it is full.
 */
public final class DashboardEvents {
    /** Events a client may be behind before it is dropped. */
    static final int QUEUE = 256;
    static final long KEEPALIVE_MS = 15_000;

    private static final String CLOSE = "";
    private final Set<BlockingQueue<String>> clients = ConcurrentHashMap.newKeySet();
    private final java.util.Map<Long, String> lastState = new ConcurrentHashMap<>();
    private final java.util.Map<Long, Long> lastSent = new ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService heartbeat =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dashboard-heartbeat");
                t.setDaemon(true);
                return t;
            });

    /**
     * Re-sends each stream's status every 2 s while dashboards are connected, so a running stream whose figures
     * stopped moving still shows it is alive (or that it is not).
     */
    public void start(java.util.function.Supplier<java.util.Map<Long, JsonObject>> statuses) {
        heartbeat.scheduleWithFixedDelay(() -> {
            if (!clients.isEmpty()) {
                statuses.get().forEach((id, status) -> {
                    if (System.nanoTime() - lastSent.getOrDefault(id, 0L) >= 2_000_000_000L) {
                        sendStatus(id, status);
                    }
                });
            }
        }, 2, 2, TimeUnit.SECONDS);
    }

    public void close() {
        heartbeat.shutdownNow();
        for (BlockingQueue<String> q : clients) {
            q.clear();
            q.offer(CLOSE);
        }
    }

    /** A stream's status changed: sent at once when its state changed, otherwise at most once a second. */
    public void publishStatus(long streamId, JsonObject status) {
        String state = status.getString("state", "");
        boolean stateChanged = !state.equals(lastState.get(streamId));
        if (stateChanged || System.nanoTime() - lastSent.getOrDefault(streamId, 0L) >= 1_000_000_000L) {
            sendStatus(streamId, status);
        }
    }

    private void sendStatus(long streamId, JsonObject status) {
        lastState.put(streamId, status.getString("state", ""));
        lastSent.put(streamId, System.nanoTime());
        publish("status", status);
    }

    /** Sends an event to every connected dashboard; returns at once whatever the browsers do. */
    public void publish(String type, JsonObject data) {
        String frame = "event: " + type + "\ndata: " + data + "\n\n";
        for (BlockingQueue<String> q : clients) {
            if (!q.offer(frame)) {
                // a stalled browser: drop it rather than hold anything up; it reconnects by itself
                clients.remove(q);
                q.clear();
                q.offer(CLOSE);
            }
        }
    }

    public int clientCount() {
        return clients.size();
    }

    /** Serves one dashboard until it goes away or falls behind; holds an HTTP worker thread meanwhile. */
    void serve(HttpCall call, JsonObject initialStatus) throws IOException {
        HttpExchange ex = call.exchange();
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Accel-Buffering", "no");
        ex.sendResponseHeaders(200, 0);
        BlockingQueue<String> q = new ArrayBlockingQueue<>(QUEUE);
        clients.add(q);
        try (OutputStream out = ex.getResponseBody()) {
            write(out, "retry: 3000\n\n");
            write(out, "event: status\ndata: " + initialStatus + "\n\n");
            while (true) {
                String frame = q.poll(KEEPALIVE_MS, TimeUnit.MILLISECONDS);
                if (frame == CLOSE) {
                    return;
                }
                write(out, frame == null ? ": keepalive\n\n" : frame);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the browser went away
        } finally {
            clients.remove(q);
            ex.close();
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
