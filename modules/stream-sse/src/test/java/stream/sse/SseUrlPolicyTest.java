package stream.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SseUrlPolicyTest {
    final SseUrlPolicy policy = new SseUrlPolicy(8080);

    String refusal(String url) {
        Optional<String> p = policy.problem(url);
        assertTrue(p.isPresent(), url + " should be refused");
        return p.get();
    }

    @Test
    void httpAndHttpsControlServersAreAccepted() {
        for (String url : List.of("https://control.example/events", "http://control.example:8080/sub?id=1",
                "HTTPS://control.example/events", "http://127.0.0.1:9000/sub/channel", "http://[::1]:9000/events",
                "https://control.example/" + "a".repeat(SseUrlPolicy.MAX_LENGTH - 24))) {
            assertEquals(Optional.empty(), policy.problem(url), url);
        }
    }

    @Test
    void otherSchemesAndUrlsWithoutAHostAreRefusedAsBefore() {
        for (String url : List.of("file:///etc/passwd", "ftp://control.example/x", "javascript:alert(1)",
                "mailto:a@b.c", "http:///events", "http:events", "control.example/events", "//control.example/x",
                "http://control .example/", "http://control.example/\u0000", "http://a_b/events", "",
                // the JDK's URI gives no host for this short form of 127.0.0.1 (and its HTTP client refuses it)
                "http://127.1:8080/")) {
            assertTrue(refusal(url).contains("http:// or https://"), url);
        }
        assertTrue(refusal("http://control.example:99999/").contains("port"));
    }

    @Test
    void userInfoIsRefusedWithoutRepeatingIt() {
        for (String url : List.of("https://bob:s3cr3t-pw@control.example/events", "http://bob@control.example/",
                "http://:s3cr3t-pw@control.example/")) {
            String message = refusal(url);
            assertTrue(message.contains("user name or password") && message.contains("sse_token"), message);
            assertFalse(message.contains("s3cr3t"), message);
        }
    }

    @Test
    void overLongUrlsAreRefused() {
        String url = "https://control.example/" + "a".repeat(SseUrlPolicy.MAX_LENGTH);
        assertTrue(refusal(url).contains("at most 2048"));
    }

    @Test
    void thisApplianceItselfIsRefusedInEverySpelling() {
        for (String url : List.of("http://127.0.0.1:8080/api/events", "http://localhost:8080/api/events",
                "http://LOCALHOST:8080/", "http://dashboard.localhost:8080/", "https://127.0.0.1:8080/",
                "http://127.1.2.3:8080/", "http://2130706433:8080/",
                "http://[::1]:8080/", "http://[0:0:0:0:0:0:0:1]:8080/", "http://[::ffff:127.0.0.1]:8080/",
                "http://0.0.0.0:8080/", "http://[::]:8080/")) {
            assertTrue(refusal(url).contains("this appliance itself"), url);
        }
    }

    @Test
    void theDefaultPortOfTheSchemeCountsAsTheUrlsPort() {
        assertTrue(new SseUrlPolicy(80).problem("http://127.0.0.1/events").isPresent());
        assertTrue(new SseUrlPolicy(443).problem("https://localhost/events").isPresent());
        assertEquals(Optional.empty(), new SseUrlPolicy(80).problem("https://127.0.0.1/events"));
    }

    @Test
    void anAddressOfThisMachinesOwnInterfacesIsThisAppliance() throws Exception {
        InetAddress own = null;
        for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
            for (InetAddress a : nic.inetAddresses().toList()) {
                if (!a.isLoopbackAddress() && !(a instanceof Inet6Address && a.isLinkLocalAddress())) {
                    own = a;
                }
            }
        }
        assumeTrue(own != null, "this machine has no address besides loopback");
        // only checked, never connected to
        String host = own instanceof Inet6Address ? "[" + own.getHostAddress() + "]" : own.getHostAddress();
        assertTrue(refusal("http://" + host + ":8080/events").contains("this appliance itself"), host);
        assertEquals(Optional.empty(), policy.problem("http://" + host + ":8081/events"));
    }
}
