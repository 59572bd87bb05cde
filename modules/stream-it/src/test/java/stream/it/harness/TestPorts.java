package stream.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Free ports on 127.0.0.1 and checks whether a port accepts connections. Never touches any other address. */
public final class TestPorts {

    /** 127.0.0.1 as an address literal, so no resolver or IPv6 preference can change it. */
    public static final InetAddress LOOPBACK;

    static {
        try {
            LOOPBACK = InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Ports already handed out by this JVM: the kernel may offer a just-closed port again,
    // and two servers of one test must not both get it.
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private TestPorts() {}

    /**
     * A port that was free a moment ago. Another process may still take it before we bind,
     * so every server retries with a new port when its bind fails.
     */
    public static int freePort() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(LOOPBACK, 0));
                int port = socket.getLocalPort();
                if (HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot bind 127.0.0.1:0", e);
            }
        }
        throw new IllegalStateException("no fresh free port on 127.0.0.1 after 50 attempts");
    }

    /** True when something on 127.0.0.1:port accepts a TCP connection right now. */
    public static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static void awaitAccepting(int port, Duration timeout) {
        Waits.waitUntil(() -> accepts(port), timeout, "127.0.0.1:" + port + " accepting connections");
    }

    public static void awaitRefusing(int port, Duration timeout) {
        Waits.waitUntil(() -> !accepts(port), timeout, "127.0.0.1:" + port + " refusing connections");
    }
}
