package stream.it.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Safety net: whatever a test forgot to close (or could not, because it was aborted) is closed
 * when the JVM exits, so no camera, nginx or ffmpeg outlives the test run. close() remains the
 * normal way; it unregisters.
 */
final class ShutdownHook {

    private static final Set<AutoCloseable> OPEN = ConcurrentHashMap.newKeySet();
    private static boolean installed;

    private ShutdownHook() {}

    static synchronized void register(AutoCloseable resource) {
        if (!installed) {
            Runtime.getRuntime().addShutdownHook(new Thread(ShutdownHook::closeAll, "stream-it-harness-cleanup"));
            installed = true;
        }
        OPEN.add(resource);
    }

    static void unregister(AutoCloseable resource) {
        OPEN.remove(resource);
    }

    private static void closeAll() {
        for (AutoCloseable resource : new ArrayList<>(OPEN)) {
            try {
                resource.close();
            } catch (Exception | Error e) {
                System.err.println("stream-it harness: cleanup of " + resource + " failed: " + e);
            }
        }
    }

    /** For tests of the harness itself. */
    static List<AutoCloseable> stillOpen() {
        return List.copyOf(OPEN);
    }
}
