package stream.http;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The routing table: method and path to handler. Reads like the contract's route list. A path segment written
 * {@code {name}} matches any one non-empty segment, which the handler reads with {@link HttpCall#pathParam}.
 */
public final class Routes {
    private record Route(String method, String path, Handler handler) {
        /** The path parameters when {@code actual} matches this route's path, else null. */
        java.util.Map<String, String> match(String actual) {
            if (path.indexOf('{') < 0) {
                return path.equals(actual) ? java.util.Map.of() : null;
            }
            String[] want = path.split("/", -1);
            String[] got = actual.split("/", -1);
            if (want.length != got.length) {
                return null;
            }
            java.util.Map<String, String> params = new java.util.HashMap<>();
            for (int i = 0; i < want.length; i++) {
                if (want[i].startsWith("{") && want[i].endsWith("}")) {
                    if (got[i].isEmpty()) {
                        return null;
                    }
                    params.put(want[i].substring(1, want[i].length() - 1), got[i]);
                } else if (!want[i].equals(got[i])) {
                    return null;
                }
            }
            return params;
        }
    }

    private final List<Route> routes = new ArrayList<>();
    /** "METHOD path" of the routes declared non-blocking (HEAD with GET's). */
    private final Set<String> nonBlocking = new java.util.HashSet<>();

    public Routes get(String path, Handler h) {
        return add("GET", path, h);
    }

    /**
     * A GET route whose handler answers from memory alone: never the database, never a password hash, no lock held by
     * slow work. The server may run it on its selector thread, where every client waits while it runs; a fixed path
     * only.
     */
    public Routes getNonBlocking(String path, Handler h) {
        if (path.indexOf('{') >= 0) {
            throw new IllegalArgumentException("a non-blocking route has a fixed path: " + path);
        }
        nonBlocking.add("GET " + path);
        nonBlocking.add("HEAD " + path);
        return add("GET", path, h);
    }

    /** Whether the route of this method and path was declared with {@link #getNonBlocking}. */
    boolean nonBlocking(String method, String path) {
        return nonBlocking.contains(method + " " + path);
    }

    public Routes post(String path, Handler h) {
        return add("POST", path, h);
    }

    public Routes put(String path, Handler h) {
        return add("PUT", path, h);
    }

    public Routes delete(String path, Handler h) {
        return add("DELETE", path, h);
    }

    public Routes add(String method, String path, Handler h) {
        routes.add(new Route(method, path, h));
        return this;
    }

    /** The handler for a call: 404 for an unknown path, 405 for a known path with another method. */
    Handler resolve(String method, String path) {
        Set<String> allowed = new LinkedHashSet<>();
        for (Route r : routes) {
            java.util.Map<String, String> params = r.match(path);
            if (params != null) {
                if (r.method.equals(method) || ("HEAD".equals(method) && "GET".equals(r.method))) {
                    return params.isEmpty() ? r.handler : call -> {
                        call.pathParams(params);
                        r.handler.handle(call);
                    };
                }
                allowed.add(r.method);
            }
        }
        if (allowed.isEmpty()) {
            return null;
        }
        return call -> {
            call.setHeader("Allow", String.join(", ", allowed));
            throw new HttpError(405, method + " is not allowed on " + path + " (allowed: " + String.join(", ", allowed) + ")");
        };
    }
}
