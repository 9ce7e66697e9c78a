package io.ionclock.core;

/**
 * Limits of the discipline. Validated here (TigerStyle preconditions); the app maps configuration keys
 * onto this and reports a violation with the key's name.
 *
 * <p><b>The assumption the bound honours.</b> True time lies in {@code [earliest, latest]} on every read
 * provided that
 * <ol>
 *   <li>every sample's true error is within its declared error ({@link Sample#errorNanos()});</li>
 *   <li>at every instant of the fit window (the last {@value SampleWindow#SAMPLES_MAX} samples) and since the
 *       newest of them, the oscillator's frequency stays within {@code maxDriftPpb} of its mean over the
 *       window (the frequency a noise-free fit of the window would find); and</li>
 *   <li>the frequency error never exceeds {@code frequencyPpbMax}.</li>
 * </ol>
 * The fit weights samples by {@code 1/error^2}, so the window's mean frequency is the frequency at some instant in
 * the window, which precise samples pull toward themselves. For example, with samples each second (a window of
 * 63 s), a frequency ramp of {@code r} ppb/s stays inside while {@code r x (63 s + time since the newest sample)
 * <= maxDriftPpb} whatever the samples declare, and while {@code r x (32 s + time since the newest sample) <=
 * maxDriftPpb} when they all declare the same error; a temperature swing of amplitude {@code A} ppb always does
 * while {@code 2A <= maxDriftPpb} (all three checked by {@code DisciplineBoundTest}). The drift file is only a starting estimate: until
 * the samples measure the frequency the bound allows for the whole tolerance, so a wrong drift file costs
 * convergence, not honesty. Outside the assumption (a reference that lies, an oscillator that jumps) samples
 * disagree with the bound; they are suspects, their disagreement widens the bound, and repeated ones restart
 * the fit (see {@link DisciplinedClock}).
 *
 * @param slewRatePpbMax      fastest correction of the published clock once synchronized (chrony maxslewrate)
 * @param maxDriftPpb         how far the oscillator's frequency may wander from its mean over the fit window;
 *                            the bound grows at least this fast while coasting (ClockBound max_drift_ppb)
 * @param frequencyPpbMax     the oscillator's tolerance: a larger frequency error is impossible, and the
 *                            frequency is known to this accuracy before any measurement
 * @param holdoverAfterNanos  sample age past which a synchronized clock is in holdover
 * @param boundNanosMax       bound past which the clock is free running
 */
public record DisciplineConfig(
        long slewRatePpbMax,
        long maxDriftPpb,
        long frequencyPpbMax,
        long holdoverAfterNanos,
        long boundNanosMax) {

    /** Rates are fractions of a second per second: 1e9 ppb would stop the clock. */
    public static final long RATE_PPB_LIMIT = 1_000_000_000L;

    public static DisciplineConfig defaults() {
        return new DisciplineConfig(500_000, 15_000, 500_000, 5_000_000_000L, 1_000_000_000L);
    }

    public DisciplineConfig {
        check(slewRatePpbMax > 0, "slewRatePpbMax must be > 0: " + slewRatePpbMax);
        check(maxDriftPpb > 0, "maxDriftPpb must be > 0: " + maxDriftPpb);
        check(frequencyPpbMax > 0, "frequencyPpbMax must be > 0: " + frequencyPpbMax);
        check(slewRatePpbMax + frequencyPpbMax < RATE_PPB_LIMIT / 10,
                "slewRatePpbMax + frequencyPpbMax must stay under 10% (1e8 ppb), or time could run backwards");
        check(maxDriftPpb < RATE_PPB_LIMIT / 10, "maxDriftPpb must be under 1e8: " + maxDriftPpb);
        check(holdoverAfterNanos > 0, "holdoverAfterNanos must be > 0: " + holdoverAfterNanos);
        check(boundNanosMax > 0, "boundNanosMax must be > 0: " + boundNanosMax);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
