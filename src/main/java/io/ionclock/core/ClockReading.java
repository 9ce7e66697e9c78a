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

    public long earliestNanos() {
        return epochNanos - boundNanos;
    }

    public long latestNanos() {
        return epochNanos + boundNanos;
    }
}
