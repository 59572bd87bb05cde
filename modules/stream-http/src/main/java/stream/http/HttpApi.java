package stream.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import stream.http.server.GuardedHttpServer;
import stream.http.server.NeedsWorkerThread;
import stream.http.server.ServerLimits;

/**
 * The appliance's HTTP server: every request goes through the same filter chain (error mapping first, then
 * authentication, then the route), so no route can be added without them.
 */
public final class HttpApi implements AutoCloseable {
    private final InetSocketAddress address;
    private final Routes routes;
    private final List<Filter> filters;
    private final Handler fallback;
    private final ServerLimits limits;
    private GuardedHttpServer server;

    /**
     * @param filters applied in order, outermost first, before every route
     * @param fallback answers paths no route claims (the dashboard's static files), also behind the filters
     */
    public HttpApi(InetSocketAddress address, Routes routes, List<Filter> filters, Handler fallback) {
        this(address, routes, filters, fallback, ServerLimits.appliance());
    }

    HttpApi(InetSocketAddress address, Routes routes, List<Filter> filters, Handler fallback, ServerLimits limits) {
        this.limits = limits;
        this.address = address;
        this.routes = routes;
        this.filters = List.copyOf(filters);
        this.fallback = fallback;
    }

    public void start() throws IOException {
        // requests are read whole by one selector thread before a worker (8 at most, ended after 30 s idle) runs them
        server = GuardedHttpServer.create(address, 128, limits);
        server.createContext("/", exchange -> {
            HttpCall call = new HttpCall(exchange);
            try {
                chain(0).handle(call);
            } catch (NeedsWorkerThread e) {
                throw e; // nothing answered: the server runs the call again on a worker
            } catch (IOException | RuntimeException e) {
                // the client went away mid-answer; nothing more can be told to it
            }
            if (!call.answered()) {
                exchange.close();
            }
        });
        // routes declared non-blocking, behind filters that decide at once, skip the hand-over to a worker
        server.handleOnSelectorWhen(exchange -> {
            HttpCall call = new HttpCall(exchange);
            if (!routes.nonBlocking(call.method(), call.path())) {
                return false;
            }
            for (Filter f : filters) {
                if (!f.decidesWithoutWaiting(call)) {
                    return false;
                }
            }
            return true;
        });
        server.start();
    }

    /** Connections open now. */
    public int openConnections() {
        return server.openConnections();
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private Handler chain(int index) {
        if (index == filters.size()) {
            return call -> {
                Handler h = routes.resolve(call.method(), call.path());
                if (h == null) {
                    h = fallback;
                }
                if (h == null) {
                    throw new HttpError(404, "No such resource: " + call.path());
                }
                h.handle(call);
            };
        }
        Filter f = filters.get(index);
        Handler next = chain(index + 1);
        return call -> f.filter(call, next);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(1);
        }
    }
}
