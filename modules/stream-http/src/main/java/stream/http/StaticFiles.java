package stream.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Serves the dashboard's files (GET only, no directory listing, nothing outside its folder). */
public final class StaticFiles implements Handler {
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "png", "image/png",
            "ico", "image/x-icon", "json", "application/json; charset=utf-8", "webmanifest", "application/manifest+json");

    private final Path root;

    public StaticFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public void handle(HttpCall call) throws IOException {
        if (!call.method().equals("GET") && !call.method().equals("HEAD")) {
            throw new HttpError(405, call.method() + " is not allowed on " + call.path());
        }
        String path = call.path();
        if (path.equals("/") || path.equals("/configuration") || path.equals("/logs") || path.equals("/settings")) {
            path = "/index.html"; // the dashboard's pages are one document that routes on the client
        }
        Path file = root.resolve(path.substring(1)).normalize();
        if (!file.startsWith(root) || !Files.isRegularFile(file)) {
            throw new HttpError(404, "No such resource: " + call.path());
        }
        String name = file.getFileName().toString();
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
        call.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'");
        call.send(200, TYPES.getOrDefault(ext, "application/octet-stream"), Files.readAllBytes(file));
    }
}
