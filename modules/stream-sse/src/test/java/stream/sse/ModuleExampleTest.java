package stream.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The usage example of module-info.java, as code the compiler checks (with a loopback URL: tests never leave
 * 127.0.0.1). If this stops compiling, the example in module-info.java needs the same change.
 */
class ModuleExampleTest {
    @Test
    void theModuleExampleCompilesAndRuns() throws InterruptedException {
        String token = null;
        String lastEventId = "";
        SseClient client = new SseClient(SseClientConfig.of("http://127.0.0.1:9/events", token), lastEventId,
                event -> System.out.println(event.type() + ": " + event.data()), SseLog.NONE);
        client.start();
        client.reconfigure(SseClientConfig.disabled());
        SseStatus status = client.status();
        // the client's own thread takes the new settings: wait for it, within a generous deadline
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (status.state() != SseConnectionState.DISABLED && System.nanoTime() < deadline) {
            Thread.sleep(20);
            status = client.status();
        }
        client.close();
        assertEquals(SseConnectionState.DISABLED, status.state(), String.valueOf(status));
    }
}
