package stream.core.session;

import java.util.concurrent.locks.LockSupport;

/**
 * Plays a {@link SlateClip} into the splicer, over and over, at its frame rate by the wall clock. While the output
 * timeline is behind the wall clock by more than two frames (the moments before the slate came on air, a camera
 * whose clock ran slow), it plays at double speed until it has caught up, so that outages do not pile up delay at
 * the destination. A new clip (e.g. the one showing when the camera was lost) takes over at the start of the next
 * loop, which is a keyframe.
 */
public final class SlateLoop implements AutoCloseable {
    private final Splicer splicer;
    private final Splicer.Input input;
    private volatile SlateClip next;
    private volatile boolean running = true;
    private final Thread thread;

    public SlateLoop(Splicer splicer, Splicer.Input input, SlateClip clip, String threadName) {
        this.splicer = splicer;
        this.input = input;
        this.next = clip;
        this.thread = new Thread(this::play, threadName);
        this.thread.setDaemon(true);
    }

    public SlateLoop start() {
        thread.start();
        return this;
    }

    public Splicer.Input input() {
        return input;
    }

    /** Plays {@code clip} from the next loop on. */
    public void replace(SlateClip clip) {
        next = clip;
    }

    private void play() {
        long loopBase = 0;
        long due = System.nanoTime();
        while (running) {
            SlateClip clip = next;
            long frameNanos = clip.frameTicks() * 1_000_000_000L / Ts.TICKS_PER_SECOND;
            for (MediaFrame f : clip.frames()) {
                if (!running) {
                    return;
                }
                long wait;
                while (running && (wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                input.frame(f.shifted(loopBase));
                boolean behind = splicer.active() == input && splicer.lagTicks() > 2 * clip.frameTicks();
                due += behind ? frameNanos / 2 : frameNanos;
                due = Math.max(due, System.nanoTime() - frameNanos); // after a stall of this thread: no burst
            }
            loopBase += clip.loopTicks();
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
