package stream.http.server;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A jdk.httpserver {@link HttpServer} built for a device on a shared LAN. The JDK's own server hands a connection to
 * a worker thread as soon as one byte arrives and then reads the request with blocking calls, so a few clients that
 * send a byte and stall hold every worker (and the health check with them). Here one selector thread reads every
 * request whole, under size and time limits, before any worker sees it; answers and event streams are written
 * without blocking; connections are bounded per client address and in all, the oldest idle or unfinished one giving
 * way to a new one. Handlers, filters and exchanges are jdk.httpserver's own types.
 */
public final class GuardedHttpServer extends HttpServer {
    /** The longest time between two looks at the deadlines while connections are open. */
    private static final long MAX_SWEEP_NANOS = 1_000_000_000L;
    private static final long LINGER_NANOS = 2_000_000_000L;
    private static final long LINGER_BYTES = 1024 * 1024;

    private final ServerLimits limits;
    private final List<Context> contexts = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Selector thread only: open connections in the order they were accepted, and how many per address. */
    private final LinkedHashSet<Connection> open = new LinkedHashSet<>();
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private final AtomicInteger openCount = new AtomicInteger();

    private ServerSocketChannel listener;
    private Selector selector;
    private Thread loop;
    private Executor executor;
    private ExecutorService ownExecutor;
    private volatile boolean running;
    private volatile Predicate<HttpExchange> handledOnSelector = exchange -> false;
    private volatile String date = "";
    private volatile long dateSecond = -1;
    private long lastSweep;
    private final long sweepNanos;

    private GuardedHttpServer(ServerLimits limits) {
        this.limits = limits;
        this.sweepNanos = sweepInterval(limits);
    }

    /**
     * Deadlines are looked at twice within the shortest of them, at most once a second: they bound what a
     * client may hold, where a second more or less does no harm, and a board that streams for months should not wake
     * four times a second for nothing (the selector was the busiest JVM thread while streaming).
     */
    static long sweepInterval(ServerLimits limits) {
        long shortest = Math.min(LINGER_NANOS, Math.min(Math.min(limits.idleTimeout().toNanos(),
                limits.headTimeout().toNanos()), Math.min(limits.bodyTimeout().toNanos(),
                limits.writeTimeout().toNanos())));
        return Math.max(10_000_000L, Math.min(MAX_SWEEP_NANOS, shortest / 2));
    }

    /** A server bound to {@code address}; {@link #start} begins serving. */
    public static GuardedHttpServer create(InetSocketAddress address, int backlog, ServerLimits limits)
            throws IOException {
        GuardedHttpServer s = new GuardedHttpServer(limits);
        s.bind(address, backlog);
        return s;
    }

    ServerLimits limits() {
        return limits;
    }

    boolean running() {
        return running;
    }

    /** Connections open now (for tests and metrics). */
    public int openConnections() {
        return openCount.get();
    }

    String date() {
        long sec = System.currentTimeMillis() / 1000;
        if (sec != dateSecond) {
            date = HttpDate.format(sec);
            dateSecond = sec;
        }
        return date;
    }

    @Override
    public void bind(InetSocketAddress addr, int backlog) throws IOException {
        if (listener != null) {
            throw new java.net.BindException("already bound");
        }
        selector = Selector.open();
        listener = ServerSocketChannel.open();
        listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        listener.bind(addr, backlog);
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
    }

    @Override
    public void start() {
        if (listener == null || loop != null) {
            throw new IllegalStateException(listener == null ? "not bound" : "already started");
        }
        if (executor == null) {
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(limits.workers(), limits.workers(), 30, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(limits.workQueue()), r -> {
                        Thread t = new Thread(r, "http-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            ownExecutor = pool;
            executor = pool;
        }
        running = true;
        loop = new SelectorThread(this::run);
        loop.setDaemon(true);
        loop.start();
    }

    /**
     * Requests for which {@code test} is true are handled on the selector thread itself instead of a worker: the
     * hand-over to a worker and back costs two thread switches a request, more than a route that answers from memory.
     * {@code test} and everything the request runs through must never wait (no database, no password hashing, no
     * lock held by slow work): every client waits while it runs. Whatever finds it would have to wait throws
     * {@link NeedsWorkerThread}, and the request goes to a worker as any other.
     */
    public void handleOnSelectorWhen(Predicate<HttpExchange> test) {
        handledOnSelector = test;
    }

    /** Whether the calling thread is a server's selector thread, which must never wait. */
    public static boolean onSelectorThread() {
        return Thread.currentThread() instanceof SelectorThread;
    }

    private static final class SelectorThread extends Thread {
        SelectorThread(Runnable loop) {
            super(loop, "http-selector");
        }
    }

    @Override
    public void setExecutor(Executor executor) {
        if (loop != null) {
            throw new IllegalStateException("server already started");
        }
        this.executor = executor;
    }

    @Override
    public Executor getExecutor() {
        return executor;
    }

    @Override
    public void stop(int delaySeconds) {
        running = false;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(0, delaySeconds));
        while (delaySeconds > 0 && System.nanoTime() < until && busy()) {
            try {
                Thread.sleep(20); // lets answers under way finish; an idle server stops at once
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (selector != null) {
            selector.wakeup();
        }
        if (loop != null) {
            try {
                loop.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ownExecutor != null) {
            ownExecutor.shutdownNow();
        }
    }

    private boolean busy() {
        return ownExecutor instanceof ThreadPoolExecutor p && p.getActiveCount() > 0;
    }

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        HttpContext c = createContext(path);
        c.setHandler(handler);
        return c;
    }

    @Override
    public HttpContext createContext(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("a context path starts with /");
        }
        for (Context c : contexts) {
            if (c.path.equals(path)) {
                throw new IllegalArgumentException("context " + path + " already exists");
            }
        }
        Context c = new Context(path);
        contexts.add(c);
        return c;
    }

    @Override
    public void removeContext(String path) {
        if (!contexts.removeIf(c -> c.path.equals(path))) {
            throw new IllegalArgumentException("no context " + path);
        }
    }

    @Override
    public void removeContext(HttpContext context) {
        contexts.remove(context);
    }

    @Override
    public InetSocketAddress getAddress() {
        try {
            return (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("listener closed", e);
        }
    }

    private Context contextFor(String path) {
        Context best = null;
        for (Context c : contexts) {
            if (path.startsWith(c.path) && (best == null || c.path.length() > best.path.length())) {
                best = c;
            }
        }
        return best;
    }

    // ---- the selector thread ----

    private void run() {
        try {
            while (running) {
                // no connection, no deadline: sleep until a client or a task comes (both wake the selector)
                selector.select(open.isEmpty() ? 0 : Math.max(1, sweepNanos / 1_000_000));
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        try {
                            accept();
                        } catch (IOException e) {
                            // out of file descriptors, say: the connections already open go on being served
                        }
                        continue;
                    }
                    Connection conn = (Connection) key.attachment();
                    try {
                        if (key.isWritable()) {
                            writable(conn);
                        }
                        if (key.isValid() && key.isReadable()) {
                            readable(conn);
                        }
                    } catch (IOException | RuntimeException e) {
                        drop(conn);
                    }
                }
                long now = System.nanoTime();
                if (now - lastSweep >= sweepNanos) {
                    lastSweep = now;
                    sweep(now);
                }
            }
        } catch (IOException e) {
            System.getLogger("stream.http").log(System.Logger.Level.ERROR, "HTTP server stopped: " + e);
        } finally {
            for (Connection c : new ArrayList<>(open)) {
                drop(c);
            }
            try {
                listener.close();
                selector.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = listener.accept()) != null) {
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                long now = System.nanoTime();
                Connection conn = new Connection(ch, new RequestReader(limits), now);
                if (perAddress.getOrDefault(conn.address, 0) >= limits.maxConnectionsPerAddress()
                        && !evictOldest(conn.address)) {
                    ch.close();
                    continue;
                }
                if (open.size() >= limits.maxConnections() && !evictOldest(null)) {
                    ch.close();
                    continue;
                }
                conn.key = ch.register(selector, SelectionKey.OP_READ, conn);
                open.add(conn);
                openCount.incrementAndGet();
                perAddress.merge(conn.address, 1, Integer::sum);
            } catch (IOException e) {
                ch.close();
            }
        }
    }

    /** Closes the oldest connection (of {@code address}, or any) that is idle or still sending its request. */
    private boolean evictOldest(InetAddress address) {
        for (Connection c : open) {
            if ((c.phase == Connection.Phase.READ || c.phase == Connection.Phase.LINGER)
                    && (address == null || c.address.equals(address))) {
                drop(c);
                return true;
            }
        }
        return false;
    }

    private void readable(Connection conn) throws IOException {
        if (conn.phase == Connection.Phase.LINGER) {
            ByteBuffer sink = ByteBuffer.allocate(8192);
            int n = conn.channel.read(sink);
            conn.lingerBytes += Math.max(0, n);
            if (n < 0 || conn.lingerBytes > LINGER_BYTES) {
                drop(conn);
            }
            return;
        }
        if (conn.phase == Connection.Phase.STREAM) {
            // an event stream's client has nothing more to say; reading tells when it goes away
            ByteBuffer sink = ByteBuffer.allocate(512);
            if (conn.channel.read(sink) < 0) {
                drop(conn);
            }
            return;
        }
        if (conn.phase != Connection.Phase.READ && conn.pauseReading()) {
            return;
        }
        RequestReader reader = conn.reader;
        boolean wasMid = reader.midRequest();
        byte[] buf = reader.buffer();
        int free = reader.free();
        if (free == 0) {
            refuse(conn, 431, "The request's headers are too large");
            return;
        }
        int n = conn.channel.read(ByteBuffer.wrap(buf, reader.writeOffset(), free));
        if (n < 0) {
            drop(conn);
            return;
        }
        if (n > 0) {
            if (!wasMid) {
                conn.requestStartedAt = System.nanoTime();
            }
            reader.wrote(n);
            process(conn);
        }
    }

    private void process(Connection conn) throws IOException {
        while (true) {
            switch (conn.reader.advance()) {
                case NEED_MORE -> {
                    return;
                }
                case HEAD_DONE -> {
                    conn.bodyStartedAt = System.nanoTime();
                    if (conn.reader.head().expectContinue()) {
                        conn.channel.write(ByteBuffer.wrap("HTTP/1.1 100 Continue\r\n\r\n"
                                .getBytes(StandardCharsets.ISO_8859_1)));
                    }
                }
                case REFUSED -> {
                    refuse(conn, conn.reader.refusalStatus(), conn.reader.refusalMessage());
                    return;
                }
                case COMPLETE -> {
                    dispatch(conn, conn.reader.take());
                    return;
                }
            }
        }
    }

    private void dispatch(Connection conn, Request request) {
        Context ctx = contextFor(request.head().uri().getPath());
        if (ctx == null || ctx.handler == null) {
            refuse(conn, 404, "No such resource");
            return;
        }
        // the selector keeps watching for input while the handler runs: input then is rare (pipelining), and not
        // switching the interest off and on again saves two system calls and a wake-up of this thread per request
        conn.phase = Connection.Phase.HANDLE;
        GuardedExchange exchange = new GuardedExchange(this, ctx, conn, request);
        if (handledOnSelector.test(exchange)) {
            try {
                handle(ctx, exchange, conn);
                return;
            } catch (NeedsWorkerThread e) {
                exchange = new GuardedExchange(this, ctx, conn, request); // afresh: nothing was answered
            }
        }
        GuardedExchange forWorker = exchange;
        try {
            executor.execute(() -> handle(ctx, forWorker, conn));
        } catch (RejectedExecutionException e) {
            conn.phase = Connection.Phase.READ;
            refuse(conn, 503, "The appliance is busy; try again in a moment");
        }
    }

    private void handle(Context ctx, GuardedExchange exchange, Connection conn) {
        try {
            new Filter.Chain(ctx.filters, ctx.handler).doFilter(exchange);
        } catch (NeedsWorkerThread e) {
            if (onSelectorThread() && exchange.getResponseCode() == -1) {
                throw e; // dispatch hands it to a worker; the connection stays as it is
            }
            // thrown on a worker, or after an answer began: a handler's mistake
            conn.closeQuietly();
            forget(conn);
        } catch (IOException | RuntimeException e) {
            if (exchange.getResponseCode() == -1) {
                conn.closeQuietly();
            }
        }
        if (exchange.getResponseCode() == -1) {
            // a handler that answered nothing: the client would otherwise wait for ever
            conn.closeQuietly();
            forget(conn);
        }
    }

    /** An answer of the server's own, in the contract's error shape, after which the connection closes. */
    private void refuse(Connection conn, int status, String message) {
        String body = "{\"success\":false,\"message\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\",\"errors\":[]}";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + Reason.of(status) + "\r\nDate: " + date()
                + "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " + b.length
                + "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY"
                + "\r\nContent-Security-Policy: frame-ancestors 'none'"
                + (status == 503 ? "\r\nRetry-After: 1" : "") + "\r\nConnection: close\r\n\r\n";
        try {
            conn.phase = Connection.Phase.HANDLE;
            conn.lingerAfterAnswer = true;
            Connection.Sent sent = conn.send(new ByteBuffer[] {
                    ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1)), ByteBuffer.wrap(b)}, true, false,
                    Long.MAX_VALUE);
            afterAnswer(conn, sent);
        } catch (IOException e) {
            drop(conn);
        }
    }

    private void writable(Connection conn) throws IOException {
        if (!conn.writePending()) {
            return;
        }
        if (conn.phase == Connection.Phase.STREAM && !conn.answerWritten()) {
            conn.key.interestOps(SelectionKey.OP_READ);
            return;
        }
        afterAnswer(conn, Connection.Sent.DONE);
    }

    /** Selector thread: what follows an answer that was queued (DONE: fully written). */
    private void afterAnswer(Connection conn, Connection.Sent sent) throws IOException {
        if (conn.closed()) {
            forget(conn);
            return;
        }
        if (sent == Connection.Sent.PENDING) {
            conn.key.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        if (!conn.keepAlive() || !running) {
            if (conn.lingerAfterAnswer && running) {
                // the client may still be sending the body we refused; closing now would reset the connection and
                // could destroy the answer before it reads it (what nginx calls lingering close)
                conn.phase = Connection.Phase.LINGER;
                conn.lingerUntil = System.nanoTime() + LINGER_NANOS;
                conn.channel.shutdownOutput();
                conn.key.interestOps(SelectionKey.OP_READ);
            } else {
                drop(conn);
            }
            return;
        }
        conn.nextRequest(System.nanoTime());
        conn.key.interestOps(SelectionKey.OP_READ);
        if (conn.reader.midRequest()) {
            process(conn); // the client sent its next request without waiting (pipelining)
        }
    }

    private void sweep(long now) {
        List<Connection> expired = new ArrayList<>();
        for (Connection c : open) {
            if (c.closed()) {
                expired.add(c);
            } else if (c.phase == Connection.Phase.LINGER) {
                if (now - c.lingerUntil >= 0) {
                    expired.add(c);
                }
            } else if (c.phase == Connection.Phase.READ) {
                RequestReader r = c.reader;
                long deadline = !r.midRequest() ? c.idleSince + limits.idleTimeout().toNanos()
                        : r.readingBody() ? c.bodyStartedAt + limits.bodyTimeout().toNanos()
                        : c.requestStartedAt + limits.headTimeout().toNanos();
                if (now - deadline >= 0) {
                    expired.add(c);
                }
            } else if (c.writeStalledFor(now) > limits.writeTimeout().toNanos()) {
                expired.add(c);
            }
        }
        for (Connection c : expired) {
            if (!c.closed() && c.phase == Connection.Phase.READ && c.reader.midRequest()) {
                refuse(c, 408, "The request took too long to arrive");
            } else {
                drop(c);
            }
        }
    }

    private void drop(Connection conn) {
        conn.closeQuietly();
        if (open.remove(conn)) {
            openCount.decrementAndGet();
            perAddress.computeIfPresent(conn.address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    // ---- called from workers and event publishers ----

    /**
     * An answer was queued by a worker. A keep-alive answer written whole with nothing of the next request read yet
     * (the usual case) goes back to reading at once; anything else goes to the selector thread.
     */
    void answered(Connection conn, Connection.Sent sent) {
        if (sent == Connection.Sent.DONE && running && !conn.reader.midRequest()
                && conn.readAgain(System.nanoTime())) {
            return;
        }
        submit(() -> {
            try {
                afterAnswer(conn, sent);
            } catch (IOException | RuntimeException e) {
                drop(conn);
            }
        });
    }

    /** An event stream started: watch it for the client going away. */
    void streaming(Connection conn) {
        submit(() -> {
            if (!conn.closed()) {
                conn.key.interestOps(SelectionKey.OP_READ | (conn.hasPending() ? SelectionKey.OP_WRITE : 0));
            } else {
                drop(conn);
            }
        });
    }

    void wantWrite(Connection conn) {
        submit(() -> {
            if (conn.closed()) {
                drop(conn);
            } else {
                conn.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        });
    }

    /** A connection closed by another thread leaves the books on the selector thread. */
    void forget(Connection conn) {
        submit(() -> drop(conn));
    }

    private void submit(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** The one kind of context this server has: a path prefix with a handler and jdk.httpserver filters. */
    private final class Context extends HttpContext {
        private final String path;
        private final Map<String, Object> attributes = new java.util.concurrent.ConcurrentHashMap<>();
        private final List<Filter> filters = new CopyOnWriteArrayList<>();
        private volatile HttpHandler handler;
        private Authenticator authenticator;

        Context(String path) {
            this.path = path;
        }

        @Override
        public HttpHandler getHandler() {
            return handler;
        }

        @Override
        public void setHandler(HttpHandler h) {
            if (handler != null) {
                throw new IllegalArgumentException("handler already set");
            }
            handler = h;
        }

        @Override
        public String getPath() {
            return path;
        }

        @Override
        public HttpServer getServer() {
            return GuardedHttpServer.this;
        }

        @Override
        public Map<String, Object> getAttributes() {
            return attributes;
        }

        @Override
        public List<Filter> getFilters() {
            return filters;
        }

        @Override
        public Authenticator setAuthenticator(Authenticator auth) {
            Authenticator old = authenticator;
            authenticator = auth;
            return old;
        }

        @Override
        public Authenticator getAuthenticator() {
            return authenticator;
        }
    }
}
