package stream.http;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows password guessing per client address: a few wrong credentials are free (typing mistakes), then every further
 * attempt must wait twice as long as the one before, up to a minute; while an address waits, its attempts are not
 * even checked. A correct sign-in clears the address; an address forgotten after a quarter of an hour of quiet.
 */
public final class SignInThrottle {
    static final int FREE_FAILURES = 5;
    static final long MAX_WAIT_S = 60;
    private static final long FORGET_NANOS = Duration.ofMinutes(15).toNanos();
    private static final int MAX_ADDRESSES = 4096;

    private record Failures(int count, long lastAt) {
    }

    private final LongSupplier nanoClock;
    /**
     * Whether any address has failures on record. Every authenticated call asks the throttle twice, and almost
     * always nobody has failed: then neither question takes the lock, which eight workers would otherwise contend
     * for on each call. Written under the lock; a call that races with the very first failure is let through, as the
     * first failures are anyway.
     */
    private volatile boolean anyFailures;
    private final Map<InetAddress, Failures> failures = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Failures> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    public SignInThrottle() {
        this(System::nanoTime);
    }

    SignInThrottle(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Seconds {@code address} must still wait before its credentials are checked again; 0 when it may try now. */
    public long waitSeconds(InetAddress address) {
        return anyFailures ? waitSecondsLocked(address) : 0;
    }

    private synchronized long waitSecondsLocked(InetAddress address) {
        Failures f = failures.get(address);
        if (f == null || f.count < FREE_FAILURES) {
            return 0;
        }
        long now = nanoClock.getAsLong();
        if (now - f.lastAt > FORGET_NANOS) {
            failures.remove(address);
            anyFailures = !failures.isEmpty();
            return 0;
        }
        long waitNanos = Duration.ofSeconds(waitAfter(f.count)).toNanos() - (now - f.lastAt);
        return waitNanos <= 0 ? 0 : (waitNanos + 999_999_999L) / 1_000_000_000L;
    }

    /** 1 s after the first failure beyond the free ones, doubling to a minute. */
    static long waitAfter(int count) {
        int beyond = count - FREE_FAILURES;
        return beyond >= 6 ? MAX_WAIT_S : Math.min(MAX_WAIT_S, 1L << beyond);
    }

    public synchronized void failed(InetAddress address) {
        long now = nanoClock.getAsLong();
        Failures f = failures.get(address);
        int count = f == null || now - f.lastAt > FORGET_NANOS ? 1 : f.count + 1;
        failures.put(address, new Failures(count, now));
        anyFailures = true;
    }

    public void succeeded(InetAddress address) {
        if (anyFailures) {
            forget(address);
        }
    }

    private synchronized void forget(InetAddress address) {
        failures.remove(address);
        anyFailures = !failures.isEmpty();
    }
}
