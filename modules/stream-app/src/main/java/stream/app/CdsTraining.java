package stream.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

/**
 * One start of the appliance on a scratch data folder and an ephemeral port of 127.0.0.1, one open and one
 * authenticated request to itself, then a clean stop. The launcher's {@code --make-cds} runs this under
 * {@code -XX:DumpLoadedClassList}: the classes it loads are the ones the class-data sharing archive should hold.
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
        var options = new LauncherOptions(Path.of(args[0]), 0, "127.0.0.1", args[1], PASSWORD, null, false);
        try (Appliance appliance = new Appliance(options)) {
            appliance.start();
            String open = get(appliance.port(), "/healthz", null);
            String auth = get(appliance.port(), "/api/stream/status", "admin:" + PASSWORD);
            if (!open.startsWith("HTTP/1.1 200") || !auth.startsWith("HTTP/1.1 200")) {
                throw new IllegalStateException("training requests failed: " + firstLine(open) + ", " + firstLine(auth));
            }
        }
        System.exit(0);
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
