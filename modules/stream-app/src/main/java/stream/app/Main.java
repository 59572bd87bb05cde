package stream.app;

import java.util.concurrent.CountDownLatch;
import stream.store.Database;
import sun.misc.Signal;

/** The launcher: {@code streamrelay [--data DIR] [--port N] ...}; exits 2 on a bad option, 0 after SIGTERM. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // SQLite's driver and native library, a good part of a start, load beside the rest of it (Appliance.start's
        // open of the store then finds them loaded, or waits for them)
        Thread driver = new Thread(Database::loadDriver, "store-driver");
        driver.setDaemon(true);
        driver.start();
        CdsArchiveCheck cds = CdsArchiveCheck.fromProperties(System::getProperty);
        // every exit through the JVM's shutdown counts as clean for the archive; a crash leaves the marker
        Runtime.getRuntime().addShutdownHook(new Thread(cds::cleanStop, "cds-marker"));
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
        options.warnings().forEach(w -> System.err.println("streamrelay: warning: " + w));
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
        cds.afterStart(System.getProperty("java.vm.info"), System.getLogger("stream.app"));
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        appliance.close();
        System.exit(0);
    }
}
