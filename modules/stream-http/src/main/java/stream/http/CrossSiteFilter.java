package stream.http;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Refuses what another web site can make the admin's browser send while it holds the appliance's credentials: any
 * request whose {@code Origin} is not the appliance's own (browsers send it on every POST, PUT and DELETE; curl and
 * scripts send none), and any body not declared {@code application/json} (a cross-site form can post text/plain or
 * form-encoded bodies without asking first; a JSON body from another site needs a preflight that is never granted).
 */
public final class CrossSiteFilter implements Filter {
    @Override
    public void filter(HttpCall call, Handler next) throws IOException {
        String origin = call.header("Origin");
        if (origin != null && !sameOrigin(origin, call.header("Host"))) {
            throw new HttpError(403, "Requests sent by another web site are refused");
        }
        String method = call.method();
        if (!method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS")) {
            String type = call.header("Content-Type");
            boolean hasBody = call.header("Transfer-Encoding") != null
                    || (call.header("Content-Length") != null && !"0".equals(call.header("Content-Length")));
            if ((type != null || hasBody) && !isJson(type)) {
                throw new HttpError(415, "A request body must be JSON, sent with Content-Type: application/json");
            }
        }
        next.handle(call);
    }

    /** It reads the request's headers only. */
    @Override
    public boolean decidesWithoutWaiting(HttpCall call) {
        return true;
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String media = (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
        return media.equals("application/json");
    }

    /**
     * Whether {@code origin} names the host the request was sent to. Only host and port are compared, so the
     * appliance behind a TLS reverse proxy that passes Host on still knows its own pages.
     */
    static boolean sameOrigin(String origin, String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        URI o;
        try {
            o = new URI(origin);
        } catch (URISyntaxException e) {
            return false;
        }
        String scheme = o.getScheme() == null ? "" : o.getScheme().toLowerCase(Locale.ROOT);
        if (o.getHost() == null || (!scheme.equals("http") && !scheme.equals("https")) || o.getRawPath() != null
                && !o.getRawPath().isEmpty() || o.getRawUserInfo() != null || o.getRawQuery() != null) {
            return false; // includes "null", sent by sandboxed frames and local files
        }
        int originPort = o.getPort() != -1 ? o.getPort() : scheme.equals("https") ? 443 : 80;
        String hostName;
        int hostPort;
        try {
            URI h = new URI("http://" + host.strip());
            if (h.getHost() == null || h.getRawPath() != null && !h.getRawPath().isEmpty() || h.getRawUserInfo() != null) {
                return false;
            }
            hostName = h.getHost();
            hostPort = h.getPort();
        } catch (URISyntaxException e) {
            return false;
        }
        if (!hostName.equalsIgnoreCase(o.getHost())) {
            return false;
        }
        return hostPort == -1 ? originPort == 80 || originPort == 443 : hostPort == originPort;
    }
}
