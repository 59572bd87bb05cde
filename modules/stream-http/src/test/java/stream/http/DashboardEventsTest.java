package stream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DashboardEventsTest {
    DashboardEvents events = new DashboardEvents();
    HttpApi api;

    @BeforeEach
    void start() throws Exception {
        Routes routes = new Routes().get("/api/events", call -> events.serve(call, List.of(Json.object().add("state", "stopped"))));
        api = new HttpApi(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), routes, List.of(new ErrorFilter()), null);
        api.start();
    }

    @AfterEach
    void stop() {
        events.close();
        api.close();
    }

    void awaitClients(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (events.clientCount() != n) {
            assertTrue(System.nanoTime() < deadline, "expected " + n + " dashboard clients, have " + events.clientCount());
            Thread.sleep(20);
        }
    }

    @Test
    void aStatusHeldBackIsNeverMade() {
        java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
        events.publishStatus(1, "starting", () -> {
            made.incrementAndGet();
            return Json.object().add("state", "starting");
        });
        assertEquals(1, made.get(), "a new state is sent, so made");
        events.publishStatus(1, "starting", () -> {
            made.incrementAndGet();
            return Json.object().add("state", "starting").add("fps", 25);
        });
        assertEquals(1, made.get(), "the same state within a second is held back, and not made");
        events.publishStatus(1, "running", () -> {
            made.incrementAndGet();
            return Json.object().add("state", "running");
        });
        assertEquals(2, made.get());
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 30, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aDashboardGetsTheStatusFirstThenEventsAsTheyHappen() throws Exception {
        HttpResponse<InputStream> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/api/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        awaitClients(1);
        events.publishStatus(1, Json.object().add("state", "starting"));
        events.publishStatus(1, Json.object().add("state", "starting").add("fps", 25)); // same state within 1 s: held
        events.publishStatus(1, Json.object().add("state", "running"));
        events.publish("log", Json.object().add("message", "hello"));
        List<String> lines = new ArrayList<>();
        while (lines.stream().filter(l -> l.startsWith("data:")).count() < 4) {
            lines.add(in.readLine());
        }
        List<String> data = lines.stream().filter(l -> l.startsWith("data:")).toList();
        assertEquals(List.of("data: {\"state\":\"stopped\"}", "data: {\"state\":\"starting\"}",
                "data: {\"state\":\"running\"}", "data: {\"message\":\"hello\"}"), data);
        assertTrue(lines.contains("event: log"));
        assertTrue(lines.contains("retry: 3000"));
        r.body().close();
    }

    @Test
    void aStalledBrowserIsDroppedAndNeverSlowsThePublisher() throws Exception {
        try (Socket s = new Socket("127.0.0.1", api.port())) {
            s.setReceiveBufferSize(4096);
            s.getOutputStream().write("GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            awaitClients(1);
            // never read: the socket buffers fill, the writer blocks, the queue fills, the client is dropped
            String big = "x".repeat(8192);
            long t0 = System.nanoTime();
            for (int i = 0; i < 5000 && events.clientCount() > 0; i++) {
                events.publish("log", Json.object().add("message", big));
            }
            long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            assertEquals(0, events.clientCount(), "the stalled client was dropped");
            assertTrue(ms < 5000, "publishing did not wait for the browser (" + ms + " ms)");
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 30, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aReconnectingDashboardGetsTheLogRowsItMissedThenTheLiveOnes() throws Exception {
        events.close();
        api.close();
        List<Long> asked = new ArrayList<>();
        events = new DashboardEvents(after -> {
            asked.add(after);
            List<com.eclipsesource.json.JsonObject> rows = new ArrayList<>();
            for (long id = after + 1; id <= 12; id++) {
                rows.add(Json.object().add("id", id).add("message", "row " + id));
            }
            return rows;
        });
        start();
        HttpResponse<InputStream> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/api/events"))
                        .header("Last-Event-ID", "10").build(), HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        awaitClients(1);
        events.publishLog(13, Json.object().add("id", 13).add("message", "row 13"));
        List<String> lines = new ArrayList<>();
        while (lines.stream().filter(l -> l.startsWith("id:")).count() < 3) {
            lines.add(in.readLine());
        }
        assertEquals(List.of(10L), asked);
        assertEquals(List.of("id: 11", "id: 12", "id: 13"), lines.stream().filter(l -> l.startsWith("id:")).toList(),
                "the missed rows in order, then the live one, each with its row id as the event id");
        assertTrue(lines.contains("data: {\"id\":11,\"message\":\"row 11\"}"), lines.toString());
        r.body().close();
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 30, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aFirstConnectionOrAMalformedLastEventIdReplaysNothing() throws Exception {
        events.close();
        api.close();
        List<Long> asked = new ArrayList<>();
        events = new DashboardEvents(after -> {
            asked.add(after);
            return List.of();
        });
        start();
        List<InputStream> open = new ArrayList<>();
        for (String header : new String[] {null, "abc", "99999999999999999999999"}) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/api/events"));
            if (header != null) {
                b.header("Last-Event-ID", header);
            }
            open.add(HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofInputStream()).body());
        }
        awaitClients(3);
        assertEquals(List.of(), asked);
        for (InputStream in : open) {
            in.close();
        }
    }
}
