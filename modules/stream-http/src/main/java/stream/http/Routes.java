package stream.http;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The routing table: method and exact path to handler. Reads like the contract's route list. */
public final class Routes {
    private record Route(String method, String path, Handler handler) {
    }

    private final List<Route> routes = new ArrayList<>();

    public Routes get(String path, Handler h) {
        return add("GET", path, h);
    }

    public Routes post(String path, Handler h) {
        return add("POST", path, h);
    }

    public Routes put(String path, Handler h) {
        return add("PUT", path, h);
    }

    public Routes add(String method, String path, Handler h) {
        routes.add(new Route(method, path, h));
        return this;
    }

    /** The handler for a call: 404 for an unknown path, 405 for a known path with another method. */
    Handler resolve(String method, String path) {
        Set<String> allowed = new LinkedHashSet<>();
        for (Route r : routes) {
            if (r.path.equals(path)) {
                if (r.method.equals(method) || ("HEAD".equals(method) && "GET".equals(r.method))) {
                    return r.handler;
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
