package stream.sse;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What an SSE URL given by a user (launcher option or settings API) must be: http or https with a host, no user
 * info (the token has its own setting, and a password in the URL would be shown), at most 2048 characters, and not
 * this appliance itself (a loopback address or one of this machine's own, on the appliance's own HTTP port), which
 * would make it read its own dashboard feed in a loop.
 */
public final class SseUrlPolicy {
    public static final int MAX_LENGTH = 2048;
    /** How long a host name may take to resolve before the self check gives it the benefit of the doubt. */
    static final Duration RESOLVE_TIMEOUT = Duration.ofSeconds(2);

    private final int ownHttpPort;

    /** @param ownHttpPort the port this appliance's dashboard and API listen on */
    public SseUrlPolicy(int ownHttpPort) {
        this.ownHttpPort = ownHttpPort;
    }

    /** Why the URL is refused, as a sentence that follows the field's name, or empty when it is acceptable. */
    public Optional<String> problem(String url) {
        if (url.length() > MAX_LENGTH) {
            return Optional.of("must be at most " + MAX_LENGTH + " characters long");
        }
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("must be an http:// or https:// URL with a host");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || u.isOpaque() || u.getHost() == null) {
            return Optional.of("must be an http:// or https:// URL with a host");
        }
        if (u.getRawUserInfo() != null) {
            return Optional.of("must not contain a user name or password (user@host); "
                    + "give the control server's token as sse_token instead");
        }
        if (u.getPort() == 0 || u.getPort() > 65535) {
            return Optional.of("must have a port from 1 to 65535");
        }
        int port = u.getPort() != -1 ? u.getPort() : scheme.equals("https") ? 443 : 80;
        if (port == ownHttpPort && isThisMachine(u.getHost())) {
            return Optional.of("leads back to this appliance itself (" + u.getHost() + ":" + port
                    + "); give the control server's address");
        }
        return Optional.empty();
    }

    /** Whether the host is a loopback, wildcard or one of this machine's own addresses. */
    static boolean isThisMachine(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        String lower = h.toLowerCase(Locale.ROOT);
        if (lower.equals("localhost") || lower.endsWith(".localhost")) {
            return true; // RFC 6761: always loopback, whatever a resolver says
        }
        for (InetAddress a : resolve(h)) {
            if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
                return true;
            }
            try {
                if (NetworkInterface.getByInetAddress(a) != null) {
                    return true;
                }
            } catch (SocketException ignored) {
                // an interface that cannot be read is not evidence either way
            }
        }
        return false;
    }

    /**
     * The host's addresses, bounded in time: a literal needs no lookup, a name is resolved on a daemon thread so a
     * slow resolver cannot hold up the caller for long. A name that does not resolve is not this machine.
     */
    private static List<InetAddress> resolve(String host) {
        CompletableFuture<List<InetAddress>> lookup = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                lookup.complete(List.of(InetAddress.getAllByName(host)));
            } catch (UnknownHostException | RuntimeException e) {
                lookup.complete(List.of());
            }
        }, "sse-url-resolve");
        t.setDaemon(true);
        t.start();
        try {
            return lookup.get(RESOLVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
