package io.ionclock.core.mqtt;

/**
 * When the next tick is due: the next whole second of the disciplined clock. Pure arithmetic; the
 * publisher reads the clock and sleeps.
 */
public final class TickSchedule {
    public static final long NANOS_PER_SECOND = 1_000_000_000L;

    private TickSchedule() {
    }

    /** The first whole second strictly after {@code epochNanos}. */
    public static long nextSecondEpochNanos(long epochNanos) {
        return Math.floorDiv(epochNanos, NANOS_PER_SECOND) * NANOS_PER_SECOND + NANOS_PER_SECOND;
    }

    /**
     * How long to wait on the local timebase for the disciplined clock to move {@code epochDeltaNanos},
     * given that it may run up to {@code rateErrorPpbMax} fast against the local timebase: the wait that
     * never overshoots.
     */
    public static long waitMonoNanos(long epochDeltaNanos, long rateErrorPpbMax) {
        if (epochDeltaNanos <= 0) {
            return 0;
        }
        long marginNanos = (long) Math.ceil((double) epochDeltaNanos * rateErrorPpbMax / 1e9);
        return Math.max(0, epochDeltaNanos - marginNanos);
    }
}
