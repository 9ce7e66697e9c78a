package io.ionclock.core;

/**
 * A reusable holder for one read of the clock: the allocation-free path ({@link DisciplinedClock#read}).
 * Owned by one thread.
 */
public final class ClockReading {
    /** The local monotonic instant the reading is for. */
    public long monoNanos;
    /** The time handed out, ns since the Unix epoch; never less than any earlier reading's. */
    public long epochNanos;
    /** True time lies within {@code [epochNanos - boundNanos, epochNanos + boundNanos]}. */
    public long boundNanos;
    public ClockStatus status;

    /** {@code epochNanos - boundNanos}, saturated at Long.MIN_VALUE (a bound of "unknown" near the epoch's ends). */
    public long earliestNanos() {
        return Saturating.subtract(epochNanos, boundNanos);
    }

    /** {@code epochNanos + boundNanos}, saturated at Long.MAX_VALUE (2262-04-11: "unknown" past about 2162). */
    public long latestNanos() {
        return Saturating.add(epochNanos, boundNanos);
    }
}
