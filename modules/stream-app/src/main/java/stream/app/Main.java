package stream.app;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/** The launcher: {@code streamrelay [--data DIR] [--port N] ...}; exits 2 on a bad option, 0 after SIGTERM. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        LauncherOptions options;
        try {
            options = LauncherOptions.parse(args, System.getenv());
        } catch (LauncherOptions.UsageException e) {
            System.err.println("streamrelay: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(LauncherOptions.usage());
            return;
        }
        CountDownLatch stop = new CountDownLatch(1);
        // Handling TERM ourselves: the JVM's default exits 143, and systemd and the contract expect 0 after a clean stop.
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        Appliance appliance = new Appliance(options);
        Runtime.getRuntime().addShutdownHook(new Thread(appliance::close, "shutdown"));
        try {
            appliance.start();
        } catch (Exception e) {
            System.err.println("streamrelay: cannot start: " + e.getMessage());
            appliance.close();
            System.exit(1);
            return;
        }
        CdsArchiveCheck.removeIfUnused(System.getProperty("streamrelay.cds.archive"), System.getProperty("java.vm.info"),
                System.getLogger("stream.app"));
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        appliance.close();
        System.exit(0);
    }
}
