package stream.it.harness;

/** Closing a test class's servers at its end. */
public final class Resources {
    private Resources() {}

    /** Closes each one that is not null; one that fails to close does not keep the next from closing. */
    public static void closeAll(AutoCloseable... resources) {
        for (AutoCloseable c : resources) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the next one still closes
            }
        }
    }
}
