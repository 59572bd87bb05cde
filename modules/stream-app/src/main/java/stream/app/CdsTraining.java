package stream.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One start of the appliance through {@link Main#main} on a scratch data folder and a free port of 127.0.0.1, one open
 * and one authenticated request to itself, then a clean stop by SIGTERM, as systemd stops it. The launcher's
 * {@code --make-cds} runs this under {@code -XX:DumpLoadedClassList}: the classes it loads are the ones the
 * class-data sharing archive should hold. Going through {@code Main} matters: a lambda the training never links is
 * spun at every start (its class and method-handle forms), about 40 ms of the start-up for Main's signal handlers
 * and shutdown hooks alone (measured with -Xlog:class+load).
 * usage: CdsTraining DATA_DIR FFMPEG
 */
final class CdsTraining {
    private static final String PASSWORD = "cds-training-password";

    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: CdsTraining DATA_DIR FFMPEG");
            System.exit(2);
        }
        int port = freePort();
        Thread appliance = new Thread(() -> Main.main(new String[] {"--data", args[0], "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--ffmpeg", args[1], "--admin-password", PASSWORD}), "main");
        appliance.start();
        try {
            String open = getWhenListening(port, "/healthz", null);
            String auth = get(port, "/api/stream/status", "admin:" + PASSWORD);
            if (!open.startsWith("HTTP/1.1 200") || !auth.startsWith("HTTP/1.1 200")) {
                throw new IllegalStateException("training requests failed: " + firstLine(open) + ", " + firstLine(auth));
            }
        } catch (Exception | Error e) {
            e.printStackTrace();
            Runtime.getRuntime().halt(1);
        }
        // Main stops the appliance and exits 0, as after systemd's stop
        sun.misc.Signal.raise(new sun.misc.Signal("TERM"));
        appliance.join();
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            return probe.getLocalPort();
        }
    }

    /** The first request, once the appliance listens (it starts in the other thread; 60 s is ample on a slow board). */
    private static String getWhenListening(int port, String path, String basic) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try {
                return get(port, path, basic);
            } catch (ConnectException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(20);
            }
        }
    }

    private static String get(int port, String path, String basic) throws IOException {
        try (Socket socket = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port)) {
            socket.setSoTimeout(30_000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (basic == null ? "" : "Authorization: Basic "
                    + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)) + "\r\n")
                    + "\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String firstLine(String response) {
        int end = response.indexOf('\r');
        return end < 0 ? response : response.substring(0, end);
    }
}
