package io.ionclock.core.mqtt;

/**
 * A token bucket: {@code ratePerSecond} tokens a second, at most {@code burst} saved up. Time is passed
 * in. Owned by one thread (one client's connection).
 */
public final class RateLimiter {
    static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The longest saved-up time a bucket holds (a day): rate x burst past it is capped. */
    static final long BURST_NANOS_MAX = 86_400L * NANOS_PER_SECOND;
    private final long nanosPerToken;
    private final long burstNanos;
    /** The instant the bucket is empty at; tokens = (now - emptyAtMonoNanos) / nanosPerToken, capped. */
    private long emptyAtMonoNanos;

    /**
     * @param ratePerSecond tokens a second, 1..1e9
     * @param burst         tokens that may be saved up, >= 1
     */
    public RateLimiter(long ratePerSecond, long burst, long nowMonoNanos) {
        if (ratePerSecond < 1 || ratePerSecond > NANOS_PER_SECOND || burst < 1) {
            throw new IllegalArgumentException("rate " + ratePerSecond + "/s, burst " + burst);
        }
        nanosPerToken = NANOS_PER_SECOND / ratePerSecond;
        burstNanos = nanosPerToken > BURST_NANOS_MAX / burst ? BURST_NANOS_MAX : nanosPerToken * burst;
        emptyAtMonoNanos = nowMonoNanos - burstNanos; // starts full
    }

    /** Takes one token if there is one. */
    public boolean tryAcquire(long nowMonoNanos) {
        long floor = nowMonoNanos - burstNanos;
        if (emptyAtMonoNanos < floor) {
            emptyAtMonoNanos = floor;
        }
        long next = emptyAtMonoNanos + nanosPerToken;
        if (next > nowMonoNanos) {
            return false;
        }
        emptyAtMonoNanos = next;
        return true;
    }
}
