package stream.http;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The routing table's matching of exact paths and {name} segments. */
class RoutesTest {
    final Handler h = call -> { };

    @Test
    void aParameterMatchesOneNonEmptySegmentOnly() {
        Routes r = new Routes().get("/api/streams/{ref}/status", h).delete("/api/streams/{ref}", h);
        assertNotNull(r.resolve("GET", "/api/streams/yard/status"));
        assertNotNull(r.resolve("GET", "/api/streams/2/status"));
        assertNotNull(r.resolve("DELETE", "/api/streams/2"));
        assertNull(r.resolve("GET", "/api/streams//status"));
        assertNull(r.resolve("GET", "/api/streams/a/b/status"));
        assertNull(r.resolve("GET", "/api/streams/yard/status/"));
        assertNull(r.resolve("GET", "/api/streams"));
    }

    @Test
    void aKnownPathWithAnotherMethodIsAnswered405() {
        Routes r = new Routes().delete("/api/streams/{ref}", h);
        // the 405 handler, not null (which would be a 404)
        assertNotNull(r.resolve("POST", "/api/streams/yard"));
    }
}
