package stream.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Serves the dashboard's files (GET only, no directory listing, nothing outside its folder). A path is refused when
 * it has a NUL or a backslash, or a segment starting with a dot (dotfiles, and "..", even percent-encoded); a file is
 * served only if its real path, with every symlink resolved, is inside the real path of the root, so a symlink placed
 * in the web folder cannot lead to /etc/passwd or to a folder outside.
 */
public final class StaticFiles implements Handler {
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "png", "image/png",
            "ico", "image/x-icon", "json", "application/json; charset=utf-8", "webmanifest", "application/manifest+json");

    private static final java.util.Set<String> COMPRESSIBLE = java.util.Set.of("html", "js", "css", "svg", "json",
            "webmanifest");

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
        } else if (path.equals("/login")) {
            path = "/login.html";
        }
        if (path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
            throw new HttpError(400, "A path may not contain a NUL character or a backslash");
        }
        Path file = resolve(path).orElseThrow(() -> new HttpError(404, "No such resource: " + call.path()));
        String name = file.getFileName().toString();
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
        byte[] bytes;
        try {
            // the real path, read without following a link that might have replaced it since the check
            try (var in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                bytes = in.readAllBytes();
            }
        } catch (IOException e) {
            throw new HttpError(404, "No such resource: " + call.path());
        }
        call.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
        // revalidated on every load (an upgrade replaces the files under the same names), answered by a 304 when unchanged
        String etag = "\"" + HexFormat.of().formatHex(sha256(bytes), 0, 12) + "\"";
        call.setHeader("ETag", etag);
        call.setHeader("Cache-Control", "no-cache");
        call.setHeader("Vary", "Accept-Encoding");
        String type = TYPES.getOrDefault(ext, "application/octet-stream");
        if (etag.equals(call.header("If-None-Match"))) {
            call.send(304, type, new byte[0]);
            return;
        }
        if (COMPRESSIBLE.contains(ext) && bytes.length > 512 && acceptsGzip(call.header("Accept-Encoding"))) {
            call.setHeader("Content-Encoding", "gzip");
            bytes = gzip(bytes);
        }
        call.send(200, type, bytes);
    }

    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String part : acceptEncoding.split(",")) {
            String[] p = part.strip().split(";");
            if (p[0].strip().equalsIgnoreCase("gzip")) {
                return !(p.length > 1 && p[1].replace(" ", "").matches("q=0(\\.0*)?"));
            }
        }
        return false;
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        var buffer = new java.io.ByteArrayOutputStream(bytes.length / 3 + 64);
        try (var out = new java.util.zip.GZIPOutputStream(buffer)) {
            out.write(bytes);
        }
        return buffer.toByteArray();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The real path of the requested file, if it is a regular file inside the root and no segment is hidden. */
    private Optional<Path> resolve(String path) {
        for (String segment : path.split("/")) {
            if (segment.startsWith(".")) {
                return Optional.empty();
            }
        }
        try {
            Path file = root.resolve(path.substring(1)).normalize();
            if (!file.startsWith(root)) {
                return Optional.empty();
            }
            Path realRoot = root.toRealPath();
            Path real = file.toRealPath();
            if (!real.startsWith(realRoot) || real.equals(realRoot)
                    || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            return Optional.of(real);
        } catch (IOException | InvalidPathException e) {
            return Optional.empty();
        }
    }
}
