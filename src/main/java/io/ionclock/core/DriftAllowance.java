package io.ionclock.core;

/**
 * The oscillator allowance the bound uses ({@link DriftMonitor}), for status and metrics. Immutable.
 *
 * @param configuredPpb         the profile's {@code maxDriftPpb}
 * @param inForcePpb            the allowance the bound uses now: at least the configured one, wider after evidence
 *                              that the oscillator moved faster
 * @param widenings             times the evidence exceeded the allowance in force
 * @param lastEvidencePpb       the evidence at the last widening: a lower bound on how far the frequency had moved from
 *                              its window's mean (0 before any)
 * @param lastWideningMonoNanos when that was (Long.MIN_VALUE before any)
 */
public record DriftAllowance(long configuredPpb, long inForcePpb, long widenings, double lastEvidencePpb,
        long lastWideningMonoNanos) {

    /** Whether the allowance in force is wider than the configured one now. */
    public boolean widened() {
        return inForcePpb > configuredPpb;
    }
}
