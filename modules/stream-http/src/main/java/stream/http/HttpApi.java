package stream.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The appliance's HTTP server: every request goes through the same filter chain (error mapping first, then
 * authentication, then the route), so no route can be added without them.
 */
public final class HttpApi implements AutoCloseable {
    private final InetSocketAddress address;
    private final Routes routes;
    private final List<Filter> filters;
    private final Handler fallback;
    private HttpServer server;
    private ExecutorService workers;

    /**
     * @param filters applied in order, outermost first, before every route
     * @param fallback answers paths no route claims (the dashboard's static files), also behind the filters
     */
    public HttpApi(InetSocketAddress address, Routes routes, List<Filter> filters, Handler fallback) {
        this.address = address;
        this.routes = routes;
        this.filters = List.copyOf(filters);
        this.fallback = fallback;
    }

    public void start() throws IOException {
        server = HttpServer.create(address, 64);
        AtomicInteger n = new AtomicInteger();
        // up to 16 threads (the dashboard's event streams hold one each), ended after 30 s idle: each idle thread
        // keeps stack and malloc memory that a 1 GB board misses
        ThreadPoolExecutor pool = new ThreadPoolExecutor(16, 16, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        workers = pool;
        server.setExecutor(workers);
        server.createContext("/", exchange -> {
            HttpCall call = new HttpCall(exchange);
            try {
                chain(0).handle(call);
            } catch (IOException | RuntimeException e) {
                // the client went away mid-answer; nothing more can be told to it
            } finally {
                if (!call.answered()) {
                    exchange.close();
                }
            }
        });
        server.start();
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
            server.stop(0);
        }
        if (workers != null) {
            workers.shutdownNow();
            try {
                workers.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
