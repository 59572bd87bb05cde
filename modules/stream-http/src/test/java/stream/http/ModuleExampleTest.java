package stream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.eclipsesource.json.Json;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The usage example of module-info.java, as code the compiler checks (on port 0 rather than 8080: the system picks a
 * free one on loopback). If this stops compiling, the example in module-info.java needs the same change.
 */
class ModuleExampleTest {
    @TempDir
    Path webDir;

    @Test
    void theModuleExampleCompilesAndAnswers() throws Exception {
        String adminPassword = "correct horse";
        String adminHash = SecretHash.of(adminPassword);   // PBKDF2: once, not per request
        Routes routes = new Routes()
                .get("/healthz", call -> call.json(200, Json.object().add("status", "ok")))
                .get("/api/whoami", call -> call.json(200, Json.object().add("who", call.principal())));
        HttpApi api = new HttpApi(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), routes,
                List.of(new ErrorFilter(), new AuthFilter(() -> adminHash, () -> null)),
                new StaticFiles(webDir));
        api.start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            URI whoami = URI.create("http://127.0.0.1:" + api.port() + "/api/whoami");
            assertEquals(401, client.send(HttpRequest.newBuilder(whoami).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            String basic = "Basic " + Base64.getEncoder()
                    .encodeToString(("admin:" + adminPassword).getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> signedIn = client.send(HttpRequest.newBuilder(whoami).header("Authorization", basic)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("{\"who\":\"basic\"}", signedIn.body());
            assertEquals(401, client.send(HttpRequest.newBuilder(whoami).header("Authorization", "Bearer guess")
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "no API token set: none works");
        } finally {
            api.close();
        }
    }
}
