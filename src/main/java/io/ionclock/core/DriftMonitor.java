package io.ionclock.core;

/**
 * Watches the bound's assumption ({@link DisciplineConfig}: the oscillator's frequency stays within
 * {@code maxDriftPpb} of its mean over the fit window) with the samples themselves, and widens the allowance in force
 * when they prove it broken: a crystal that a heater, a fan or age moves faster than its board's profile says.
 *
 * <p>The evidence, two kinds, both proof rather than estimate. (1) Noise-free, the least-squares slope of any span
 * of samples is a convex combination of the frequency over that span, so the slope of the newest 8 or 16 samples and
 * the slope of the whole window (its mean) differ by at most the allowance while the assumption holds. Each slope's
 * error from the samples' noise is at most {@code sum |c_j| e_j} (their declared errors), so
 * {@code |recent - window| - recentNoise - windowNoise} is a lower bound on how far the frequency moved from its
 * mean. (2) A sample outside the prediction's bound proves the truth left the line faster than the allowance lets
 * it ({@link #onSuspect}). Either can exceed the allowance only when the assumption is broken (or a sample broke its
 * declared error): the monitor never fires on a path inside the allowance.
 *
 * <p>The answer. When the evidence exceeds the allowance in force, the allowance becomes {@value #WIDEN_FACTOR} times
 * the evidence (so a wander up to that is covered once seen); it returns to the configured value, never below, after
 * {@link #HOLD_NANOS} without evidence above the configured value. The discipline refits with the widened allowance
 * at once. Single writer (the discipline's); readers see the allowance and the counts through {@link DriftAllowance}.
 */
final class DriftMonitor {
    /** The newest samples whose slopes are compared with the window's: a short span reacts sooner, a long one is quieter. */
    static final int[] RECENT_SAMPLES = {8, 16};
    /** The window must hold this many samples before the comparison means anything. */
    static final int SAMPLES_MIN = 16;
    /** The allowance in force after evidence: this many times the evidence. */
    static final double WIDEN_FACTOR = 3;
    /** Suspects (samples outside the prediction's bound) that together are evidence ... */
    static final int SUSPECTS_FOR_EVIDENCE = 3;
    /** ... when they fall within this many samples. */
    static final int SUSPECT_SPAN_SAMPLES = 16;
    /** Evidence beyond this many times the configured allowance is a reference that jumped, not an oscillator. */
    static final double PLAUSIBLE_FACTOR = 100;
    /** Back to the configured allowance after this long without evidence above it. */
    static final long HOLD_NANOS = 3_600_000_000_000L;

    private final long configuredPpb;
    private final long inForcePpbMax;
    private final double[] recent = new double[2];
    private final double[] whole = new double[2];
    private long inForcePpb;
    private long lastEvidenceAboveConfiguredMonoNanos = Long.MIN_VALUE;
    private long samplesSeen;
    private final long[] suspectAt = new long[SUSPECTS_FOR_EVIDENCE];
    private final double[] suspectEvidence = new double[SUSPECTS_FOR_EVIDENCE];
    private int suspectNext;
    private double pendingEvidencePpb = Double.NaN;
    private DriftAllowance state;

    DriftMonitor(DisciplineConfig config) {
        java.util.Arrays.fill(suspectAt, Long.MIN_VALUE / 2); // no suspect yet: all far in the past
        this.configuredPpb = config.maxDriftPpb();
        this.inForcePpbMax = Math.max(configuredPpb, Math.min(2 * config.frequencyPpbMax(), DisciplineConfig.RATE_PPB_LIMIT / 10 - 1));
        this.inForcePpb = configuredPpb;
        this.state = new DriftAllowance(configuredPpb, configuredPpb, 0, 0, Long.MIN_VALUE);
    }

    /**
     * After a sample joined the window: compares its newest samples' slope with the window's. Returns true when the
     * allowance in force changed (widened, or back to the configured value).
     */
    boolean observe(SampleWindow window, long nowMonoNanos) {
        long before = inForcePpb;
        if (window.count() >= SAMPLES_MIN && window.slopeOfNewest(window.count(), whole)) {
            double evidencePpb = 0;
            for (int k : RECENT_SAMPLES) {
                if (k < window.count() && window.slopeOfNewest(k, recent)) {
                    evidencePpb = Math.max(evidencePpb, (Math.abs(recent[0] - whole[0]) - recent[1] - whole[1]) * 1e9);
                }
            }
            if (evidence(evidencePpb, nowMonoNanos)) {
                return true;
            }
        }
        if (inForcePpb > configuredPpb && nowMonoNanos - lastEvidenceAboveConfiguredMonoNanos > HOLD_NANOS) {
            inForcePpb = configuredPpb;
            state = new DriftAllowance(configuredPpb, inForcePpb, state.widenings(), state.lastEvidencePpb(),
                    state.lastWideningMonoNanos());
        }
        return inForcePpb != before;
    }

    /** Another sample joined the window (they are counted, to tell how close suspects come). */
    void onAccepted() {
        samplesSeen++;
    }

    /**
     * A sample fell outside the prediction's bound: {@code evidencePpb} is how fast, at least, the truth left the line
     * beyond its own bound (its excess over the sample's error and the line's anchor, per second since the newest
     * sample, less the slope's noise error). Under honest samples that is the oscillator leaving the allowance; it may
     * also be a reference that broke its declared error. One or two are taken for outliers (the discipline rejects
     * them); {@value #SUSPECTS_FOR_EVIDENCE} within {@value #SUSPECT_SPAN_SAMPLES} samples widen the allowance on the
     * least of their evidence, unless that is beyond what an oscillator does ({@value #PLAUSIBLE_FACTOR} times the
     * configured allowance: the reference jumped). When the last of them restarted the discipline's fit, the
     * widening waits until the new fit is confirmed ({@link #onResetConfirmed}; an undone reset was outliers,
     * {@link #onRestore}), so that a burst of outliers cannot open the gate for the next one. Returns true when it
     * widened.
     */
    boolean onSuspect(double evidencePpb, boolean reset, long nowMonoNanos) {
        samplesSeen++;
        suspectAt[suspectNext] = samplesSeen;
        suspectEvidence[suspectNext] = evidencePpb;
        suspectNext = (suspectNext + 1) % SUSPECTS_FOR_EVIDENCE;
        double least = Double.POSITIVE_INFINITY;
        for (int k = 0; k < SUSPECTS_FOR_EVIDENCE; k++) {
            if (samplesSeen - suspectAt[k] >= SUSPECT_SPAN_SAMPLES) {
                return false;
            }
            least = Math.min(least, suspectEvidence[k]);
        }
        if (!(least <= PLAUSIBLE_FACTOR * configuredPpb)) {
            return false;
        }
        if (reset) {
            pendingEvidencePpb = least; // the discipline restarted its fit: wait for the new one to be confirmed
            return false;
        }
        return evidence(least, nowMonoNanos);
    }

    /** The fit restarted by suspects is confirmed (the reference did not come back to the old one): evidence stands. */
    boolean onResetConfirmed(long nowMonoNanos) {
        double e = pendingEvidencePpb;
        pendingEvidencePpb = Double.NaN;
        return e == e && evidence(e, nowMonoNanos);
    }

    /** The discipline undid a reset (the samples after it were the outliers): its suspects were no evidence. */
    void onRestore() {
        pendingEvidencePpb = Double.NaN;
    }

    private boolean evidence(double evidencePpb, long nowMonoNanos) {
        if (evidencePpb > configuredPpb) {
            lastEvidenceAboveConfiguredMonoNanos = nowMonoNanos;
        }
        long widened = Math.min(inForcePpbMax, (long) Math.ceil(WIDEN_FACTOR * evidencePpb));
        if (evidencePpb > inForcePpb && widened > inForcePpb) {
            inForcePpb = widened;
            state = new DriftAllowance(configuredPpb, inForcePpb, state.widenings() + 1, evidencePpb, nowMonoNanos);
            return true;
        }
        return false;
    }

    /** The allowance the bound uses now, ppb. */
    long inForcePpb() {
        return inForcePpb;
    }

    DriftAllowance state() {
        return state;
    }
}
