package io.ionclock.core;

/**
 * The one state every publisher reads (HTTP, MQTT, Clocklink, health, metrics), so they never disagree.
 *
 * @param monoNanos          the local monotonic instant of the snapshot
 * @param epochNanos         the time handed out, ns since the Unix epoch; never goes backwards
 * @param boundNanos         true time lies within {@code epochNanos +- boundNanos}
 * @param status             the clock status at {@code monoNanos}
 * @param source             the source in use ("NONE" before the first sample)
 * @param leap               the leap second announced by the reference
 * @param offsetNanos        {@code local - reference} still being slewed out (positive: we are ahead)
 * @param lastOffsetNanos    {@code local - reference} measured by the last accepted sample
 * @param frequencyPpb       the local timebase's rate error against true time (positive: it runs fast)
 * @param frequencyErrorPpb  bound on {@code frequencyPpb}'s error
 * @param jitterNanos        RMS residual of the samples around the fitted line
 * @param lastSampleAgeNanos time since the last accepted sample; -1 if none
 * @param sampleCount        samples in the current fit
 */
public record ClockSnapshot(
        long monoNanos,
        long epochNanos,
        long boundNanos,
        ClockStatus status,
        String source,
        LeapIndicator leap,
        long offsetNanos,
        long lastOffsetNanos,
        double frequencyPpb,
        double frequencyErrorPpb,
        double jitterNanos,
        long lastSampleAgeNanos,
        int sampleCount) {

    /** {@code epochNanos - boundNanos}, saturated at Long.MIN_VALUE (a bound of "unknown" near the epoch's ends). */
    public long earliestNanos() {
        return Saturating.subtract(epochNanos, boundNanos);
    }

    /** {@code epochNanos + boundNanos}, saturated at Long.MAX_VALUE (2262-04-11: "unknown" past about 2162). */
    public long latestNanos() {
        return Saturating.add(epochNanos, boundNanos);
    }
}
