package stream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's files over a real socket: request lines are sent byte for byte, as an attacker would. */
class StaticFilesTest {
    @TempDir
    Path tmp;
    Path web;
    Path outside;
    HttpApi api;

    @BeforeEach
    void start() throws IOException {
        web = Files.createDirectory(tmp.resolve("web"));
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(web.resolve("index.html"), "<h1>dashboard</h1>");
        Files.createDirectory(web.resolve("css"));
        Files.writeString(web.resolve("css/app.css"), "body{}");
        Files.writeString(web.resolve(".env"), "SECRET=dotfile");
        Files.createDirectory(web.resolve(".git"));
        Files.writeString(web.resolve(".git/config"), "[core] secret-git");
        Files.writeString(outside.resolve("secret.txt"), "outside-secret");
        Files.createSymbolicLink(web.resolve("passwd.txt"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(web.resolve("ext"), outside);
        Files.createSymbolicLink(web.resolve("escape.txt"), Path.of("../outside/secret.txt"));
        Files.createSymbolicLink(web.resolve("root-link"), Path.of("/"));
        Files.createSymbolicLink(web.resolve("alias.css"), Path.of("css/app.css"));
        api = new HttpApi(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new Routes(),
                List.of(new ErrorFilter()), new StaticFiles(web));
        api.start();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    record Answer(int status, String text) {
    }

    /** One request with this exact request target, on its own connection. */
    Answer raw(String target) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), api.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String statusLine = text.lines().findFirst().orElse("");
            return new Answer(Integer.parseInt(statusLine.split(" ")[1]), text);
        }
    }

    @Test
    void filesInsideTheRootAreServed() throws Exception {
        assertTrue(raw("/").text().endsWith("<h1>dashboard</h1>"));
        assertTrue(raw("/css/app.css").text().endsWith("body{}"));
        Answer alias = raw("/alias.css");
        assertEquals(200, alias.status(), "a link to a file inside the root is fine");
        assertTrue(alias.text().endsWith("body{}"));
    }

    @Test
    void symlinksLeadingOutOfTheRootAreRefused() throws Exception {
        for (String target : List.of("/passwd.txt", "/ext/secret.txt", "/escape.txt", "/root-link/etc/passwd",
                "/ext/", "/root-link/etc/hostname")) {
            Answer a = raw(target);
            assertEquals(404, a.status(), target + ": " + a.text());
            assertFalse(a.text().contains("root:"), target);
            assertFalse(a.text().contains("outside-secret"), target);
        }
    }

    @Test
    void dotfilesAndDotSegmentsAreRefusedEvenPercentEncoded() throws Exception {
        for (String target : List.of("/.env", "/.git/config", "/css/../.env", "/%2eenv", "/%2e%2e/outside/secret.txt",
                "/css/%2e%2e/%2e%2e/outside/secret.txt", "/../outside/secret.txt", "/./index.html")) {
            Answer a = raw(target);
            assertTrue(a.status() == 404 || a.status() == 400, target + ": " + a.text());
            assertFalse(a.text().contains("SECRET=dotfile") || a.text().contains("secret-git")
                    || a.text().contains("outside-secret"), target);
        }
    }

    @Test
    void nulAndBackslashAreRefused() throws Exception {
        for (String target : List.of("/index.html%00.png", "/%00", "/css%5capp.css", "/..%5c..%5coutside%5csecret.txt")) {
            Answer a = raw(target);
            assertEquals(400, a.status(), target + ": " + a.text());
            assertTrue(a.text().contains("{\"success\":false,\"message\":"), a.text()); // refused by the server or by StaticFiles
        }
    }

    @Test
    void pagesComeWithTheirTypeSecurityHeadersEtagAndGzipWhenAsked() throws Exception {
        String js = "export const x = 1;\n".repeat(100);
        Files.createDirectory(web.resolve("js"));
        Files.writeString(web.resolve("js/app.js"), js);
        Files.writeString(web.resolve("login.html"), "<h1>sign in</h1>");
        var client = java.net.http.HttpClient.newHttpClient();
        java.util.function.Function<String, java.net.http.HttpRequest.Builder> get = path ->
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + api.port() + path));
        var plain = client.send(get.apply("/js/app.js").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, plain.statusCode());
        assertEquals(js, plain.body());
        assertEquals("text/javascript; charset=utf-8", plain.headers().firstValue("Content-Type").orElse(""));
        assertEquals("nosniff", plain.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals("DENY", plain.headers().firstValue("X-Frame-Options").orElse(""));
        assertTrue(plain.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"));
        assertEquals("no-cache", plain.headers().firstValue("Cache-Control").orElse(""));
        assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty(), "no gzip unless asked");
        String etag = plain.headers().firstValue("ETag").orElseThrow();

        var zipped = client.send(get.apply("/js/app.js").header("Accept-Encoding", "gzip, deflate").build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals("gzip", zipped.headers().firstValue("Content-Encoding").orElse(""));
        assertTrue(zipped.body().length < js.length() / 4, "compressed: " + zipped.body().length + " bytes");
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body()))) {
            assertEquals(js, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        var refused = client.send(get.apply("/js/app.js").header("Accept-Encoding", "gzip;q=0").build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(js, refused.body(), "gzip;q=0 means not gzip");

        var again = client.send(get.apply("/js/app.js").header("If-None-Match", etag).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(304, again.statusCode(), "unchanged: 304 without a body");
        assertEquals("", again.body());

        var login = client.send(get.apply("/login").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals("<h1>sign in</h1>", login.body());
        assertEquals("text/html; charset=utf-8", login.headers().firstValue("Content-Type").orElse(""));
    }
}
