package io.streamlearn.ingest.produce;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Paces a loop to at most {@code perSecond} iterations a second on average, against an injected clock:
 * the n-th permit is due at {@code start + n / perSecond}; a late loop catches up without bursts beyond
 * that schedule. The one pacing of streamlearn: ingest runs and the demo's traffic use it.
 */
public final class RateLimiter {
    private final double nanosPerPermit;
    private final LongSupplier nanoClock;
    private final LongConsumer sleeper;
    private long start = Long.MIN_VALUE;
    private long permits;

    /**
     * @param perSecond permits per second, > 0
     * @param nanoClock monotonic nanoseconds (System::nanoTime in production)
     * @param sleeper   waits the given nanoseconds (LockSupport::parkNanos in production)
     */
    public RateLimiter(double perSecond, LongSupplier nanoClock, LongConsumer sleeper) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("rate " + perSecond + " must be a positive number of records per second");
        }
        this.nanosPerPermit = 1e9 / perSecond;
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
    }

    /** A limiter on the system's monotonic clock, parking the calling thread. */
    public static RateLimiter perSecond(double perSecond) {
        return new RateLimiter(perSecond, System::nanoTime, LockSupport::parkNanos);
    }

    /** Waits until the next permit is due. */
    public void acquire() {
        long now = nanoClock.getAsLong();
        if (start == Long.MIN_VALUE) {
            start = now;
        }
        long due = start + (long) (permits++ * nanosPerPermit);
        if (due > now) {
            sleeper.accept(due - now);
        }
    }
}
