package io.ionclock.adapter.clock;

/**
 * One CLOCK_REALTIME reading bracketed by two CLOCK_MONOTONIC readings. Reusable, not thread-safe.
 */
public final class ClockPair {

    private long monoBeforeNanos;
    private long realtimeNanos;
    private long monoAfterNanos;

    /**
     * @param monoBeforeNanos CLOCK_MONOTONIC before the realtime read
     * @param realtimeNanos   CLOCK_REALTIME, nanoseconds since the Unix epoch
     * @param monoAfterNanos  CLOCK_MONOTONIC after the realtime read, >= monoBeforeNanos
     */
    public void set(long monoBeforeNanos, long realtimeNanos, long monoAfterNanos) {
        if (monoAfterNanos < monoBeforeNanos) {
            throw new IllegalArgumentException(
                    "monoAfterNanos " + monoAfterNanos + " < monoBeforeNanos " + monoBeforeNanos);
        }
        this.monoBeforeNanos = monoBeforeNanos;
        this.realtimeNanos = realtimeNanos;
        this.monoAfterNanos = monoAfterNanos;
    }

    public long monoBeforeNanos() {
        return monoBeforeNanos;
    }

    public long realtimeNanos() {
        return realtimeNanos;
    }

    public long monoAfterNanos() {
        return monoAfterNanos;
    }

    /** Width of the bracket: the realtime reading happened at some monotonic time inside it. */
    public long bracketNanos() {
        return monoAfterNanos - monoBeforeNanos;
    }

    /** Midpoint of the bracket, CLOCK_MONOTONIC. */
    public long monoMidNanos() {
        return monoBeforeNanos + (monoAfterNanos - monoBeforeNanos) / 2;
    }

    /** CLOCK_REALTIME minus CLOCK_MONOTONIC, taking the realtime reading at the bracket midpoint. */
    public long realtimeMinusMonoNanos() {
        return realtimeNanos - monoMidNanos();
    }
}
