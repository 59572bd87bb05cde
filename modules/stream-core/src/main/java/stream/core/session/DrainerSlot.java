package stream.core.session;

/**
 * Which thread drains a feed into its process's stdin. A kept process's stdin thread runs for one launch; when the
 * keeper starts the next, the new launch's thread takes over, and the old one, whose process is gone, is ended
 * first, so that two threads never take from the same queue.
 */
final class DrainerSlot {
    private Thread drainer;

    /** Makes the calling thread the drainer, after interrupting the previous one and waiting a while for its end. */
    void takeOver() {
        Thread me = Thread.currentThread();
        Thread previous;
        synchronized (this) {
            previous = drainer;
            drainer = me;
        }
        if (previous != null) {
            previous.interrupt(); // its process is gone: it waits in take() or fails on its pipe at once
            try {
                previous.join(2_000);
            } catch (InterruptedException e) {
                me.interrupt();
            }
        }
    }

    /** Whether {@code t} drains now. */
    synchronized boolean isHeldBy(Thread t) {
        return drainer == t;
    }

    /** The drainer now, or null. */
    synchronized Thread holder() {
        return drainer;
    }

    /** The calling thread stops draining (unless another has taken over already). */
    synchronized void release() {
        if (drainer == Thread.currentThread()) {
            drainer = null;
        }
    }
}
