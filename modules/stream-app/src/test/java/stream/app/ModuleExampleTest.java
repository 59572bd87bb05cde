package stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The usage example of module-info.java, as code the compiler checks (on a free loopback port rather than 8080: the
 * launcher takes 1 to 65535 only). If this stops compiling, the example in module-info.java needs the same change.
 */
class ModuleExampleTest {
    @TempDir
    Path dataDir;

    @Test
    void theModuleExampleStartsAnApplianceThatAnswersAndStopsIt() throws Exception {
        String adminPassword = "module-example-password";
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Appliance appliance = new Appliance(LauncherOptions.parse(new String[] {"--data", dataDir.toString(),
                "--bind", "127.0.0.1", "--port", Integer.toString(port), "--admin-password", adminPassword}, System.getenv()));
        try {
            appliance.start();   // /healthz answers; each stream resumes by its desired state
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + appliance.port() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals("{\"status\":\"ok\"}", health.body());
        } finally {
            appliance.close();   // every ffmpeg stopped gracefully, the database closed
        }
    }
}
