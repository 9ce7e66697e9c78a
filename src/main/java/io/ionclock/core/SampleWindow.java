package io.ionclock.core;

/**
 * The samples the discipline fits, and the fit: a weighted least-squares line through
 * {@code x = refEpochNanos - monoNanos} against {@code monoNanos} (chrony's regression on raw samples).
 * Weights are {@code 1/error^2}.
 *
 * <p>The line is the estimate; its error is bounded, not estimated, by two facts (see {@link Fit}):
 * <ul>
 *   <li>at a sample's instant {@code t_j}, true {@code x} lies within {@code |r_j| + e_j} of the line, where
 *       {@code r_j} is the sample's residual and {@code e_j} its declared error: this needs no assumption;</li>
 *   <li>from there the line drifts from the truth no faster than {@code growth}: the slope's error from the
 *       samples' noise plus {@code maxDriftPpb} (the oscillator may wander that far from its mean over the
 *       window: {@link DisciplineConfig}), or the oscillator's whole tolerance when the slope is the prior.</li>
 * </ul>
 * Curvature inside the window (a ramp, a sine) shows in the residuals, so it is in the bound.
 * Not thread-safe: owned by the discipline's single writer.
 */
final class SampleWindow {
    /** Samples kept for the fit; the oldest is dropped past this. */
    static final int SAMPLES_MAX = 64;
    /** Added to every bound: the line's and the published clock's rounding to whole nanoseconds. */
    static final long ROUNDING_NANOS = 2;

    private final long[] monoNanos = new long[SAMPLES_MAX];
    private final long[] refMinusMonoNanos = new long[SAMPLES_MAX];
    private final long[] errorNanos = new long[SAMPLES_MAX];
    private int head; // index of the oldest sample
    private int count;

    int count() {
        return count;
    }

    void clear() {
        head = 0;
        count = 0;
    }

    /** Makes this window a copy of {@code other} (no allocation). */
    void copyFrom(SampleWindow other) {
        System.arraycopy(other.monoNanos, 0, monoNanos, 0, SAMPLES_MAX);
        System.arraycopy(other.refMinusMonoNanos, 0, refMinusMonoNanos, 0, SAMPLES_MAX);
        System.arraycopy(other.errorNanos, 0, errorNanos, 0, SAMPLES_MAX);
        head = other.head;
        count = other.count;
    }

    long newestMonoNanos() {
        assert count > 0;
        return monoNanos[(head + count - 1) % SAMPLES_MAX];
    }

    void add(long sampleMonoNanos, long refEpochNanos, long sampleErrorNanos) {
        assert count == 0 || sampleMonoNanos >= newestMonoNanos() : "samples in mono order";
        int index;
        if (count == SAMPLES_MAX) {
            index = head;
            head = (head + 1) % SAMPLES_MAX;
        } else {
            index = (head + count) % SAMPLES_MAX;
            count++;
        }
        monoNanos[index] = sampleMonoNanos;
        refMinusMonoNanos[index] = refEpochNanos - sampleMonoNanos;
        errorNanos[index] = Math.max(1, sampleErrorNanos);
    }

    /**
     * Fits the window. With one sample (or all at one instant, or a window too short or noisy to beat the
     * prior) the slope is the prior and the line goes through the newest sample.
     *
     * @param priorSlope   x's rate of change to assume when the window cannot give one (a hint: never trusted)
     * @param slopeMax     the largest |slope| the oscillator's tolerance allows
     * @param driftSlope   how far the slope may wander from its mean over the window ({@code maxDriftPpb})
     */
    Fit fit(double priorSlope, double slopeMax, double driftSlope) {
        assert count > 0;
        int newest = (head + count - 1) % SAMPLES_MAX;
        long originMonoNanos = monoNanos[newest];
        long originX = refMinusMonoNanos[newest];
        Regression g = regress(count, originMonoNanos, originX);
        double meanT = g.meanT;
        double meanX = g.meanX;
        double s = g.s;
        double sumW = g.sumW;
        // The prior is never trusted beyond the tolerance: the truth may be anywhere in [-slopeMax, slopeMax].
        double priorGrowth = slopeMax + Math.abs(priorSlope);
        // The samples' weighted variance in time (s / sumW, ns^2) must be real for a slope to exist.
        boolean slopeFromWindow = count >= 2 && s > sumW;
        double slope = priorSlope;
        double slopeNoiseError = 0;
        if (slopeFromWindow) {
            slope = g.sxy / s;
            slopeNoiseError = g.noise;
            // A window too short or too noisy to beat the prior, or an impossible rate: use the prior.
            slopeFromWindow = slopeNoiseError + driftSlope < priorGrowth && Math.abs(slope) <= slopeMax;
        }
        double growth;
        double xAtNewestRelative; // the line at the newest sample, relative to that sample's x
        if (slopeFromWindow) {
            growth = Math.min(slopeNoiseError + driftSlope, slopeMax + Math.abs(slope));
            xAtNewestRelative = meanX - slope * meanT;
        } else {
            slope = priorSlope;
            slopeNoiseError = priorGrowth;
            growth = priorGrowth;
            xAtNewestRelative = 0;
        }
        long xAtNewestNanos = originX + Math.round(xAtNewestRelative);
        double lineAtNewest = xAtNewestNanos - originX;
        // The anchor: the tightest of the samples' own bounds, each carried to the newest instant.
        double anchorNanos = Double.MAX_VALUE;
        double residualSquares = 0;
        for (int k = 0; k < count; k++) {
            int i = (head + k) % SAMPLES_MAX;
            double ageNanos = originMonoNanos - monoNanos[i];
            double residual = (refMinusMonoNanos[i] - originX) - (lineAtNewest - slope * ageNanos);
            residualSquares += residual * residual;
            anchorNanos = Math.min(anchorNanos, Math.abs(residual) + errorNanos[i] + growth * ageNanos);
        }
        return new Fit(originMonoNanos, xAtNewestNanos, slope, anchorNanos + ROUNDING_NANOS, growth * 1e9,
                slopeNoiseError * 1e9, slopeFromWindow, count, Math.sqrt(residualSquares / count));
    }

    /**
     * The weighted least-squares slope of the newest {@code k} samples (ns per ns) and its worst-case error from their
     * declared errors ({@code sum |c_j| e_j}, where the slope is {@code sum c_j x_j}), into {@code out[0]} and
     * {@code out[1]}. Noise-free, the slope of any span is a convex combination of the oscillator's frequency over
     * that span, which is what makes two of them comparable ({@link DriftMonitor}). False (out untouched) when the
     * samples have no spread in time.
     */
    boolean slopeOfNewest(int k, double[] out) {
        assert k >= 2 && k <= count;
        int first = (head + count - k) % SAMPLES_MAX;
        Regression g = regress(k, monoNanos[first], refMinusMonoNanos[first]);
        if (!(g.s > g.sumW)) {
            return false;
        }
        out[0] = g.sxy / g.s;
        out[1] = g.noise;
        return true;
    }

    /** A weighted least-squares regression's sums, reused by one owner (no allocation). */
    private static final class Regression {
        double sumW;
        double meanT;
        double meanX;
        double s;
        double sxy;
        /** {@code sum |c_j| e_j}: the slope's worst-case error from the declared errors; 0 without a slope. */
        double noise;
    }

    private final Regression regression = new Regression();

    /**
     * Regresses x on mono over the newest {@code k} samples, weights 1/e^2, times and x taken from an origin (the
     * differences stay exact in longs before they become doubles).
     */
    private Regression regress(int k, long originMonoNanos, long originX) {
        int first = (head + count - k) % SAMPLES_MAX;
        double sumW = 0, sumWt = 0, sumWx = 0;
        for (int m = 0; m < k; m++) {
            int i = (first + m) % SAMPLES_MAX;
            double w = 1.0 / ((double) errorNanos[i] * errorNanos[i]);
            sumW += w;
            sumWt += w * (monoNanos[i] - originMonoNanos);
            sumWx += w * (refMinusMonoNanos[i] - originX);
        }
        double meanT = sumWt / sumW;
        double meanX = sumWx / sumW;
        double s = 0, sxy = 0;
        for (int m = 0; m < k; m++) {
            int i = (first + m) % SAMPLES_MAX;
            double w = 1.0 / ((double) errorNanos[i] * errorNanos[i]);
            double dt = (monoNanos[i] - originMonoNanos) - meanT;
            s += w * dt * dt;
            sxy += w * dt * ((refMinusMonoNanos[i] - originX) - meanX);
        }
        double noise = 0;
        if (k >= 2 && s > sumW) {
            for (int m = 0; m < k; m++) {
                int i = (first + m) % SAMPLES_MAX;
                double w = 1.0 / ((double) errorNanos[i] * errorNanos[i]);
                noise += Math.abs(w * ((monoNanos[i] - originMonoNanos) - meanT)) * errorNanos[i] / s;
            }
        }
        Regression g = regression;
        g.sumW = sumW;
        g.meanT = meanT;
        g.meanX = meanX;
        g.s = s;
        g.sxy = sxy;
        g.noise = noise;
        return g;
    }

    /**
     * A fitted line: reference time at local instant t is {@code t + xAtNewest + slope*(t - newestMonoNanos)},
     * within {@link #boundNanosAt} of the truth.
     *
     * @param newestMonoNanos     the newest sample's instant, where the fit is anchored
     * @param xAtNewestNanos      fitted {@code ref - mono} at that instant
     * @param slope               d(ref - mono)/d(mono); the local timebase's frequency error is about -slope
     * @param anchorBoundNanos    bound on the line's error at the newest sample
     * @param growthPpb           bound on how fast the line's error grows away from the newest sample, ppb
     * @param slopeErrorPpb       bound on the slope's error from the samples' noise, ppb (the prior's
     *                            whole tolerance when the slope is the prior)
     * @param slopeFromWindow     the slope comes from the samples (false: it is the prior)
     * @param sampleCount         samples in the fit
     * @param jitterNanos         RMS of the samples' residuals from the line
     */
    record Fit(long newestMonoNanos, long xAtNewestNanos, double slope, double anchorBoundNanos, double growthPpb,
            double slopeErrorPpb, boolean slopeFromWindow, int sampleCount, double jitterNanos) {

        long refEpochNanosAt(long monoNanos) {
            return monoNanos + xAtNewestNanos + Math.round(slope * (monoNanos - newestMonoNanos));
        }

        /** Bound on the line's error at {@code monoNanos}: the anchor, grown at {@code growthPpb} both ways. */
        double boundNanosAt(long monoNanos) {
            return anchorBoundNanos + growthPpb * 1e-9 * Math.abs((double) (monoNanos - newestMonoNanos));
        }
    }
}
