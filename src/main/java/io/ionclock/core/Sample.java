package io.ionclock.core;

/**
 * One measurement of a reference against the local timebase: every source (simulated GNSS, NMEA, PPS,
 * Clocklink peers) produces this one type, and the discipline consumes only this type.
 *
 * <p>The sample says: at local monotonic instant {@code monoNanos}, the reference's time was
 * {@code refEpochNanos}, within {@code refBoundNanos + measurementErrorNanos}.
 *
 * @param sourceName            which source produced it ("SIM", "GNSS+PPS", "GNSS", "PPS", a peer id)
 * @param monoNanos             when the reference time applies, on the local monotonic clock
 * @param refEpochNanos         the reference's time at {@code monoNanos}, ns since the Unix epoch (UTC)
 * @param refBoundNanos         the reference's own error bound (0 for a primary GNSS reference;
 *                              an upstream node's published bound for a Clocklink peer)
 * @param measurementErrorNanos the error this measurement adds: half the round trip for a network
 *                              exchange, the timestamping jitter bound for PPS or NMEA
 * @param leap                  the leap second the reference announces
 */
public record Sample(
        String sourceName,
        long monoNanos,
        long refEpochNanos,
        long refBoundNanos,
        long measurementErrorNanos,
        LeapIndicator leap) {

    /** Larger than any honest sample error: one hour. A sample claiming more is useless for sync. */
    public static final long ERROR_NANOS_MAX = 3_600_000_000_000L;

    public Sample {
        if (sourceName == null || sourceName.isEmpty()) {
            throw new IllegalArgumentException("sourceName is required");
        }
        if (leap == null) {
            throw new IllegalArgumentException("leap is required");
        }
        if (refBoundNanos < 0 || measurementErrorNanos < 0) {
            throw new IllegalArgumentException("negative error: ref " + refBoundNanos + " ns, meas "
                    + measurementErrorNanos + " ns");
        }
        if (refBoundNanos > ERROR_NANOS_MAX || measurementErrorNanos > ERROR_NANOS_MAX - refBoundNanos) {
            throw new IllegalArgumentException("sample error over " + ERROR_NANOS_MAX + " ns");
        }
    }

    /** The total error of this sample: true reference time lies within this of {@code refEpochNanos}. */
    public long errorNanos() {
        return refBoundNanos + measurementErrorNanos;
    }

    /** {@code offsetNanos = local - reference} for a local clock reading {@code localEpochNanos} at {@link #monoNanos}. */
    public long offsetNanos(long localEpochNanos) {
        return localEpochNanos - refEpochNanos;
    }
}
