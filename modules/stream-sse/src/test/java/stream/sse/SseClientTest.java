package stream.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against real HTTP servers on 127.0.0.1 (see {@link TestSseServer}); every wait is on a condition.
 */
class SseClientTest {
    private static final String TOKEN = "tok-secret-123";
    private static final Duration WAIT = Recorder.WAIT;
    private static final TestSseServer.Script SILENT_STREAM = (request, exchange) -> {
        exchange.startStream();
        exchange.awaitClientClose(Duration.ofSeconds(60));
    };

    private final Recorder recorder = new Recorder();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<TestSseServer> servers = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        for (TestSseServer server : servers) {
            assertNull(server.failure(), "a server script failed");
        }
    }

    private TestSseServer server(TestSseServer.Script fallback) throws IOException {
        TestSseServer server = new TestSseServer(fallback);
        toClose.add(server);
        servers.add(server);
        return server;
    }

    private static SseClientConfig config(TestSseServer server) {
        return SseClientConfig.of(server.uri().toString(), TOKEN)
                .withRetry(new SseRetryPolicy(Duration.ofMillis(50), Duration.ofMillis(200), 0))
                .withIdleTimeout(Duration.ofSeconds(30));
    }

    private SseClient start(SseClientConfig config, String lastEventId) {
        return start(config, lastEventId, recorder);
    }

    private SseClient start(SseClientConfig config, String lastEventId, SseListener listener) {
        SseClient client = new SseClient(config, lastEventId, listener, recorder, recorder);
        toClose.add(client);
        client.start();
        return client;
    }

    private static TestSseServer.Request next(TestSseServer server) throws InterruptedException {
        TestSseServer.Request request = server.nextRequest(WAIT);
        assertNotNull(request, "no request within " + WAIT);
        return request;
    }

    @Test
    void receivesEventsAndSendsTheEventStreamHeaders() throws Exception {
        TestSseServer server = server(SILENT_STREAM).then((request, exchange) -> {
            exchange.startStream();
            exchange.send(": welcome\n\nid: 1\nevent: url_update\ndata: {\"rtsp_url\": \"rtsp://cam\"}\n\n");
            exchange.send("data: two\n\n");
            exchange.awaitClientClose(Duration.ofSeconds(60));
        });
        SseClient client = start(config(server), null);

        assertEquals(new SseEvent("url_update", "{\"rtsp_url\": \"rtsp://cam\"}", "1"), recorder.nextEvent());
        assertEquals(new SseEvent("message", "two", "1"), recorder.nextEvent());
        TestSseServer.Request request = next(server);
        assertEquals("GET", request.method());
        assertEquals("/events", request.target());
        assertEquals("text/event-stream", request.header("Accept"));
        assertEquals("no-cache", request.header("Cache-Control"));
        assertEquals("Bearer " + TOKEN, request.header("Authorization"));
        assertNull(request.header("Last-Event-ID"), "nothing to resume from on the first connection");

        Recorder.until(() -> client.status().eventsReceived() == 2, "two events counted");
        SseStatus status = client.status();
        assertEquals(SseConnectionState.CONNECTED, status.state());
        assertEquals("connected", status.state().wire());
        assertEquals("1", status.lastEventId());
        assertNotNull(status.lastEventAt());
        assertEquals(0, status.reconnects());
        assertEquals(server.uri().toString(), status.url());
        assertEquals(List.of(SseConnectionState.CONNECTING, SseConnectionState.CONNECTED), recorder.states());
        recorder.awaitLog("INFO Connected to the control server at " + server.uri());
    }

    @Test
    void sendsTheLastEventIdWhenReconnectingAfterTheServerEndsOrDropsTheStream() throws Exception {
        TestSseServer server = server(SILENT_STREAM).then((request, exchange) -> {
            exchange.startStream();
            exchange.send("id: 7\ndata: first\n\n");
            exchange.end();
        }, (request, exchange) -> {
            exchange.startStream();
            exchange.send("id: 8\ndata: second\n\n");
            // returning closes the socket without the closing chunk: an abrupt drop
        });
        start(config(server), "");

        assertNull(next(server).header("Last-Event-ID"));
        assertEquals(new SseEvent("message", "first", "7"), recorder.nextEvent());
        assertEquals("7", next(server).header("Last-Event-ID"));
        assertEquals(new SseEvent("message", "second", "8"), recorder.nextEvent());
        assertEquals("8", next(server).header("Last-Event-ID"));
        recorder.awaitLog("closed the event stream; reconnecting in");
    }

    @Test
    void resumesFromTheInitialLastEventIdGivenAtConstruction() throws Exception {
        TestSseServer server = server(SILENT_STREAM).then((request, exchange) -> {
            exchange.startStream();
            exchange.send("data: after restart\n\n");
            exchange.awaitClientClose(Duration.ofSeconds(60));
        });
        SseClient client = start(config(server), "42");

        assertEquals("42", next(server).header("Last-Event-ID"));
        assertEquals(new SseEvent("message", "after restart", "42"), recorder.nextEvent());
        assertEquals("42", client.status().lastEventId());
    }

    @Test
    void anIdTheHttpClientCannotSendIsLeftOutWithAWarning() throws Exception {
        // The JDK's HTTP client writes header text as US-ASCII: "é" would arrive as "?", a different id.
        String id = "caf\u00e9-7";
        TestSseServer server = server(SILENT_STREAM).then((request, exchange) -> {
            exchange.startStream();
            exchange.send("id: " + id + "\ndata: x\n\n");
            exchange.end();
        });
        start(config(server), null);

        next(server);
        assertEquals(new SseEvent("message", "x", id), recorder.nextEvent());
        assertNull(next(server).header("Last-Event-ID"), "no id rather than a wrong one");
        recorder.awaitLog("WARN The last event ID \"" + id + "\" holds characters the HTTP client cannot send");
    }

    @Test
    void honoursTheServersRetryAsTheReconnectionDelay() throws Exception {
        TestSseServer server = server(SILENT_STREAM).then((request, exchange) -> {
            exchange.startStream();
            exchange.send("retry: 300\ndata: x\n\n");
            exchange.end();
        });
        // Without the retry field the next try would wait 20 s.
        start(config(server).withRetry(new SseRetryPolicy(Duration.ofSeconds(20), Duration.ofSeconds(60), 0)), null);

        TestSseServer.Request first = next(server);
        recorder.nextEvent();
        TestSseServer.Request second = next(server);
        long gapMillis = TimeUnit.NANOSECONDS.toMillis(second.receivedAtNanos() - first.receivedAtNanos());
        assertTrue(gapMillis >= 300, "waited the reconnection time, not " + gapMillis + " ms");
        assertTrue(gapMillis < 15_000, "used the server's 300 ms, not the 20 s backoff: " + gapMillis + " ms");
        recorder.awaitLog("reconnecting in 0.3 s");
    }

    @Test
    void stopsOn204UntilReconfigured() throws Exception {
        TestSseServer server = server(SILENT_STREAM).then((request, exchange) -> exchange.respond(204));
        SseClient client = start(config(server), null);

        next(server);
        recorder.awaitState(client, SseConnectionState.DISABLED);
        assertEquals("disabled", client.status().state().wire());
        recorder.awaitLog("204 No Content");
        // Any retry would come within 50-200 ms; give it a whole second to show up.
        assertNull(server.nextRequest(Duration.ofSeconds(1)), "no request after 204");

        client.reconfigure(config(server));
        next(server);
        recorder.awaitState(client, SseConnectionState.CONNECTED);
    }

    @Test
    void retriesHttpErrorsWithGrowingBackoff() throws Exception {
        TestSseServer server = server((request, exchange) -> {
            exchange.startStream();
            exchange.send("data: finally\n\n");
            exchange.awaitClientClose(Duration.ofSeconds(60));
        }).then((request, exchange) -> exchange.respond(500),
                (request, exchange) -> exchange.respond(401),
                (request, exchange) -> exchange.respond(503));
        SseClient client = start(config(server).withRetry(new SseRetryPolicy(Duration.ofMillis(200), Duration.ofSeconds(5),
                0)), null);

        long[] at = new long[4];
        for (int i = 0; i < 4; i++) {
            at[i] = next(server).receivedAtNanos();
        }
        assertEquals(new SseEvent("message", "finally", ""), recorder.nextEvent());
        long[] minimum = {200, 400, 800};
        for (int i = 0; i < 3; i++) {
            long gap = TimeUnit.NANOSECONDS.toMillis(at[i + 1] - at[i]);
            assertTrue(gap >= minimum[i], "gap " + i + " was " + gap + " ms, backoff wants " + minimum[i]);
        }
        recorder.awaitLog("WARN The control server at " + server.uri() + " answered HTTP 500; trying again in 0.2 s.");
        recorder.awaitLog("answered HTTP 401 (is the SSE token right?); trying again in 0.4 s.");
        recorder.awaitLog("answered HTTP 503; trying again in 0.8 s.");
        assertEquals(3, client.status().reconnects());
        assertNull(client.status().lastError(), "cleared once connected");
    }

    @Test
    void aWrongContentTypeIsNotParsedButRetried() throws Exception {
        CompletableFuture<Boolean> firstClosedByClient = new CompletableFuture<>();
        TestSseServer server = server((request, exchange) -> {
            exchange.startStream();
            exchange.send("data: real\n\n");
            exchange.awaitClientClose(Duration.ofSeconds(60));
        }).then((request, exchange) -> {
            exchange.startStream("text/html; charset=utf-8");
            exchange.send("data: not for you\n\n");
            firstClosedByClient.complete(exchange.awaitClientClose(WAIT));
        });
        start(config(server), null);

        assertEquals(new SseEvent("message", "real", ""), recorder.nextEvent());
        assertTrue(firstClosedByClient.get(WAIT.toSeconds(), TimeUnit.SECONDS), "the client hung up");
        recorder.awaitLog("answered with content type \"text/html; charset=utf-8\" instead of text/event-stream, "
                + "so its body was not read; trying again in");
    }

    @Test
    void acceptsTheEventStreamContentTypeWithParametersAndAnyCase() {
        assertTrue(SseConnection.isEventStream("text/event-stream"));
        assertTrue(SseConnection.isEventStream("Text/Event-Stream ; charset=UTF-8"));
        assertFalse(SseConnection.isEventStream("text/event-streamx"));
        assertFalse(SseConnection.isEventStream("text/plain"));
    }

    @Test
    void survivesGarbageBytes() throws Exception {
        Random random = new Random(99);
        byte[] garbage = new byte[64 * 1024];
        random.nextBytes(garbage);
        for (int i = 0; i < garbage.length; i += 1 + random.nextInt(60)) {
            garbage[i] = '\n';
        }
        TestSseServer server = server(SILENT_STREAM).then((request, exchange) -> {
            exchange.startStream();
            for (int off = 0; off < garbage.length; off += 4096) {
                exchange.send(Arrays.copyOfRange(garbage, off, off + 4096));
            }
            exchange.send("\n\nevent: ok\ndata: fine\n\n");
            exchange.awaitClientClose(Duration.ofSeconds(60));
        });
        SseClient client = start(config(server), null);

        SseEvent event;
        do {
            event = recorder.nextEvent();
        } while (!event.type().equals("ok"));
        assertEquals("fine", event.data());
        assertEquals(SseConnectionState.CONNECTED, client.status().state());
        assertEquals(0, client.status().reconnects());
    }

    @Test
    void anEndlessLineDropsTheConnectionWhileMemoryStaysBounded() throws Exception {
        int limit = 64 * 1024;
        TestSseServer server = server((request, exchange) -> {
            exchange.startStream();
            exchange.send("data: after\n\n");
            exchange.awaitClientClose(Duration.ofSeconds(60));
        }).then((request, exchange) -> {
            exchange.startStream();
            byte[] chunk = new byte[16 * 1024];
            Arrays.fill(chunk, (byte) 'x');
            exchange.send("data: ");
            for (int i = 0; i < 20 * 64; i++) { // up to 20 MiB; the client hangs up long before
                exchange.send(chunk);
            }
        });
        SseClient client = start(config(server).withMaxEventBytes(limit), null);

        recorder.awaitLog("WARN Dropped the connection to the control server at " + server.uri()
                + ": it sent a line longer than 64 KiB, the most the appliance keeps; trying again in");
        assertEquals(new SseEvent("message", "after", ""), recorder.nextEvent());
        assertTrue(client.peakBufferedBytes() <= limit, "held " + client.peakBufferedBytes() + " bytes");
        assertTrue(client.peakBufferedBytes() > limit / 2, "the test did fill the buffer");
    }

    @Test
    void aSilentServerIsCaughtByTheIdleTimeout() throws Exception {
        CompletableFuture<Boolean> silentClosedByClient = new CompletableFuture<>();
        TestSseServer server = server(SILENT_STREAM).then((request, exchange) -> {
            exchange.startStream();
            exchange.send("data: hi\n\n");
            silentClosedByClient.complete(exchange.awaitClientClose(WAIT));
        });
        start(config(server).withIdleTimeout(Duration.ofSeconds(1)), null);

        TestSseServer.Request first = next(server);
        recorder.nextEvent();
        TestSseServer.Request second = next(server);
        assertTrue(silentClosedByClient.get(WAIT.toSeconds(), TimeUnit.SECONDS), "the dead connection was closed");
        assertTrue(second.receivedAtNanos() - first.receivedAtNanos() >= TimeUnit.SECONDS.toNanos(1));
        recorder.awaitLog("No data from the control server at " + server.uri()
                + " for 1.0 s, so the connection is taken as dead");
    }

    @Test
    void aSlowListenerDoesNotCountAsASilentServer() throws Exception {
        CountDownLatch listenerBusy = new CountDownLatch(1);
        TestSseServer server = server(SILENT_STREAM).then((request, exchange) -> {
            exchange.startStream();
            exchange.send("data: slow\n\n");
            listenerBusy.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            exchange.send("data: next\n\n");
            exchange.awaitClientClose(Duration.ofSeconds(60));
        });
        SseClient client = start(config(server).withIdleTimeout(Duration.ofSeconds(1)), null, event -> {
            if (event.data().equals("slow")) {
                listenerBusy.countDown();
                try {
                    Thread.sleep(1500); // the listener's own work (a slow database) outlasts the idle timeout
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            recorder.onEvent(event);
        });

        assertEquals("slow", recorder.nextEvent().data());
        assertEquals("next", recorder.nextEvent().data());
        assertEquals(0, client.status().reconnects(), "the connection was kept; log: " + recorder.logLines());
    }

    @Test
    void aServerThatNeverAnswersIsCaughtByTheIdleTimeout() throws Exception {
        CompletableFuture<Boolean> closedByClient = new CompletableFuture<>();
        TestSseServer server = server(SILENT_STREAM).then(
                (request, exchange) -> closedByClient.complete(exchange.awaitClientClose(WAIT)));
        SseClient client = start(config(server).withIdleTimeout(Duration.ofSeconds(1)), null);

        next(server);
        next(server);
        assertTrue(closedByClient.get(WAIT.toSeconds(), TimeUnit.SECONDS), "the unanswered request was dropped");
        recorder.awaitLog("did not answer within 1.0 s");
        recorder.awaitState(client, SseConnectionState.CONNECTED);
    }

    @Test
    void reconfiguringToAnotherUrlConnectsThereAtOnceAsANewSource() throws Exception {
        CompletableFuture<Boolean> firstClosed = new CompletableFuture<>();
        TestSseServer a = server(SILENT_STREAM).then((request, exchange) -> {
            exchange.startStream();
            exchange.send("id: 5\nretry: 20000\ndata: from a\n\n");
            firstClosed.complete(exchange.awaitClientClose(WAIT));
        });
        TestSseServer b = server((request, exchange) -> {
            exchange.startStream();
            exchange.send("data: from b\n\n");
            exchange.awaitClientClose(Duration.ofSeconds(60));
        });
        // Any backoff wait would last 30 s: the switch must not wait.
        SseClientConfig config = config(a).withRetry(new SseRetryPolicy(Duration.ofSeconds(30), Duration.ofSeconds(60), 0));
        SseClient client = start(config, null);
        next(a);
        assertEquals(new SseEvent("message", "from a", "5"), recorder.nextEvent());

        client.reconfigure(config.withUrl(b.uri().toString()));
        TestSseServer.Request atB = b.nextRequest(Duration.ofSeconds(10));
        assertNotNull(atB, "connected to the new URL at once");
        assertNull(atB.header("Last-Event-ID"), "a new URL is a new event source");
        assertTrue(firstClosed.get(WAIT.toSeconds(), TimeUnit.SECONDS), "the old connection was dropped");
        assertEquals(new SseEvent("message", "from b", ""), recorder.nextEvent());
        assertEquals(b.uri().toString(), client.status().url());
        assertNull(a.nextRequest(Duration.ZERO), "nothing more went to the old URL");
    }

    @Test
    void reconfiguringTheTokenReconnectsAtOnceAndResumes() throws Exception {
        TestSseServer server = server(SILENT_STREAM).then((request, exchange) -> {
            exchange.startStream();
            exchange.send("id: 5\ndata: x\n\n");
            exchange.awaitClientClose(Duration.ofSeconds(60));
        });
        SseClientConfig config = config(server).withRetry(new SseRetryPolicy(Duration.ofSeconds(30), Duration.ofSeconds(60),
                0));
        SseClient client = start(config, null);
        next(server);
        recorder.nextEvent();

        client.reconfigure(config.withBearerToken("new-token-456"));
        TestSseServer.Request again = server.nextRequest(Duration.ofSeconds(10));
        assertNotNull(again, "reconnected at once");
        assertEquals("Bearer new-token-456", again.header("Authorization"));
        assertEquals("5", again.header("Last-Event-ID"));
        recorder.awaitState(client, SseConnectionState.CONNECTED);
    }

    @Test
    void reconfiguringOtherSettingsKeepsTheConnection() throws Exception {
        TestSseServer server = server(SILENT_STREAM);
        SseClientConfig config = config(server);
        SseClient client = start(config, null);
        next(server);
        recorder.awaitState(client, SseConnectionState.CONNECTED);

        client.reconfigure(config.withIdleTimeout(Duration.ofMinutes(5)));
        assertNull(server.nextRequest(Duration.ofMillis(500)), "no new connection");
        assertEquals(SseConnectionState.CONNECTED, client.status().state());
    }

    @Test
    void disablingDropsTheConnectionAndEnablingReconnects() throws Exception {
        CompletableFuture<Boolean> closed = new CompletableFuture<>();
        TestSseServer server = server(SILENT_STREAM).then((request, exchange) -> {
            exchange.startStream();
            closed.complete(exchange.awaitClientClose(WAIT));
        });
        SseClientConfig config = config(server);
        SseClient client = start(config, null);
        next(server);
        recorder.awaitState(client, SseConnectionState.CONNECTED);

        client.reconfigure(config.withEnabled(false));
        recorder.awaitState(client, SseConnectionState.DISABLED);
        assertTrue(closed.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        recorder.awaitLog("SSE is switched off in the settings");

        client.reconfigure(config);
        next(server);
        recorder.awaitState(client, SseConnectionState.CONNECTED);
    }

    @Test
    void aClientDisabledFromTheStartNeverConnects() throws Exception {
        SseClient client = start(SseClientConfig.disabled(), null);
        recorder.awaitLog("SSE is switched off in the settings");
        assertEquals(SseConnectionState.DISABLED, client.status().state());
        assertNull(client.status().url());
    }

    @Test
    void closeStopsTheThreadPromptlyAndDropsTheConnection() throws Exception {
        CompletableFuture<Boolean> closed = new CompletableFuture<>();
        TestSseServer server = server(SILENT_STREAM).then((request, exchange) -> {
            exchange.startStream();
            closed.complete(exchange.awaitClientClose(WAIT));
        });
        SseClient client = start(config(server), null);
        next(server);
        recorder.awaitState(client, SseConnectionState.CONNECTED);
        Thread thread = client.thread();
        assertEquals("sse-client", thread.getName());

        long startedAt = System.nanoTime();
        client.close();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
        assertTrue(tookMillis < 3000, "close took " + tookMillis + " ms");
        assertFalse(thread.isAlive());
        assertTrue(closed.get(WAIT.toSeconds(), TimeUnit.SECONDS), "the connection was closed");
        assertEquals(SseConnectionState.DISCONNECTED, client.status().state());
    }

    @Test
    void closeDuringABackoffWaitReturnsPromptly() throws Exception {
        TestSseServer server = server((request, exchange) -> exchange.respond(500));
        SseClient client = start(config(server).withRetry(new SseRetryPolicy(Duration.ofSeconds(60), Duration.ofSeconds(60),
                0)), null);
        next(server);
        recorder.awaitLog("answered HTTP 500; trying again in 60 s.");
        recorder.awaitState(client, SseConnectionState.DISCONNECTED);

        long startedAt = System.nanoTime();
        client.close();
        assertTrue(System.nanoTime() - startedAt < TimeUnit.SECONDS.toNanos(3));
        assertFalse(client.thread().isAlive());
    }

    @Test
    void anUnreachableServerIsRetried() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        SseClient client = start(SseClientConfig.of("http://127.0.0.1:" + port + "/events", TOKEN)
                .withRetry(new SseRetryPolicy(Duration.ofMillis(50), Duration.ofMillis(100), 0)), null);

        recorder.awaitLog("WARN Could not reach the control server at http://127.0.0.1:" + port + "/events (");
        Recorder.until(() -> client.status().reconnects() >= 2, "two more tries");
        assertNotNull(client.status().lastError());
    }

    @Test
    void aListenerFailureReconnectsAndTheEventComesAgain() throws Exception {
        TestSseServer server = server(SILENT_STREAM).then((request, exchange) -> {
            exchange.startStream();
            exchange.send("id: 1\ndata: one\n\nid: 2\ndata: two\n\n");
            exchange.awaitClientClose(Duration.ofSeconds(60));
        }, (request, exchange) -> {
            exchange.startStream();
            exchange.send("id: 2\ndata: two\n\n");
            exchange.awaitClientClose(Duration.ofSeconds(60));
        });
        AtomicBoolean failedOnce = new AtomicBoolean();
        start(config(server), null, event -> {
            if (event.data().equals("two") && failedOnce.compareAndSet(false, true)) {
                throw new IllegalStateException("database is locked");
            }
            recorder.onEvent(event);
        });

        next(server);
        assertEquals(new SseEvent("message", "one", "1"), recorder.nextEvent());
        assertEquals("1", next(server).header("Last-Event-ID"), "resumes before the event that failed");
        assertEquals(new SseEvent("message", "two", "2"), recorder.nextEvent());
        recorder.awaitLog("ERROR Could not take in an event from the control server at " + server.uri()
                + " (IllegalStateException: database is locked); reconnecting to receive it again in");
    }

    @Test
    void followsRedirectsButTakesTheTokenOnlyToTheSameOrigin() throws Exception {
        TestSseServer other = server(SILENT_STREAM);
        TestSseServer server = server(SILENT_STREAM).then(
                (request, exchange) -> exchange.respond(307, "Location: /moved"),
                (request, exchange) -> exchange.respond(302, "Location: " + other.uri()));
        SseClient client = start(config(server), "3");

        TestSseServer.Request first = next(server);
        TestSseServer.Request sameOrigin = next(server);
        assertEquals("/moved", sameOrigin.target());
        assertEquals("Bearer " + TOKEN, sameOrigin.header("Authorization"));
        TestSseServer.Request elsewhere = next(other);
        assertNull(elsewhere.header("Authorization"), "no token to another origin");
        assertEquals("3", elsewhere.header("Last-Event-ID"));
        assertEquals("text/event-stream", elsewhere.header("Accept"));
        assertEquals("Bearer " + TOKEN, first.header("Authorization"));
        recorder.awaitState(client, SseConnectionState.CONNECTED);
    }

    @Test
    void neitherTheTokenNorAUrlPasswordShowsInLogsStatusOrToString() throws Exception {
        TestSseServer server = server((request, exchange) -> exchange.respond(401)).then(
                (request, exchange) -> exchange.startStream("text/plain; x=" + TOKEN));
        String url = "http://alice:pa55word@127.0.0.1:" + server.port() + "/events";
        SseClientConfig config = SseClientConfig.of(url, TOKEN)
                .withRetry(new SseRetryPolicy(Duration.ofMillis(50), Duration.ofMillis(100), 0));
        SseClient client = start(config, null);

        next(server);
        next(server);
        recorder.awaitLog("answered HTTP 401");
        recorder.awaitLog("instead of text/event-stream");
        String masked = "http://alice:***@127.0.0.1:" + server.port() + "/events";
        recorder.awaitLog("at " + masked);
        List<String> shown = new ArrayList<>(recorder.logLines());
        shown.add(config.toString());
        shown.add(client.status().toString());
        shown.add(config.withBearerToken("x" + TOKEN).toString());
        for (String text : shown) {
            assertFalse(text.contains(TOKEN), text);
            assertFalse(text.contains("pa55word"), text);
        }
        assertEquals(masked, client.status().url());
    }
}
