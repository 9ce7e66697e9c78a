package io.ionclock.core;

/**
 * The samples the discipline fits, and the fit: a weighted least-squares line through
 * {@code x = refEpochNanos - monoNanos} against {@code monoNanos} (chrony's regression on raw samples).
 * Weights are {@code 1/error^2}.
 *
 * <p>The fit's prediction error is bounded, not estimated: if every sample's true error is within its
 * {@code errorNanos}, the prediction {@code sum(w_i(t) x_i)} errs by at most {@code sum(|w_i(t)| e_i)}.
 * {@link Fit#boundNanosAt} returns that bound (exact at the newest sample, growing linearly from it).
 * Not thread-safe: owned by the discipline's single writer.
 */
final class SampleWindow {
    /** Samples kept for the fit; the oldest is dropped past this. */
    static final int SAMPLES_MAX = 64;

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

    /** Keeps only the newest sample. */
    void keepNewest() {
        if (count > 1) {
            head = (head + count - 1) % SAMPLES_MAX;
            count = 1;
        }
    }

    /**
     * Fits the window. With one sample (or all at one instant) the slope is the prior and its error
     * bound {@code priorSlopeErrorPpb}.
     *
     * @param priorSlope         x's rate of change to assume when the window cannot give one
     * @param priorSlopeErrorPpb bound on the prior's error, ppb; the window's slope is used only when its
     *                           bound is tighter
     * @param slopePpbMax        rates beyond this are impossible (the oscillator's tolerance)
     */
    Fit fit(double priorSlope, double priorSlopeErrorPpb, double slopePpbMax) {
        assert count > 0;
        int newest = (head + count - 1) % SAMPLES_MAX;
        long originMonoNanos = monoNanos[newest];
        long originX = refMinusMonoNanos[newest];
        double sumW = 0, sumWt = 0, sumWx = 0;
        for (int k = 0; k < count; k++) {
            int i = (head + k) % SAMPLES_MAX;
            double w = 1.0 / ((double) errorNanos[i] * errorNanos[i]);
            sumW += w;
            sumWt += w * (monoNanos[i] - originMonoNanos);
            sumWx += w * (refMinusMonoNanos[i] - originX);
        }
        double meanT = sumWt / sumW;
        double meanX = sumWx / sumW;
        double s = 0, sxy = 0;
        for (int k = 0; k < count; k++) {
            int i = (head + k) % SAMPLES_MAX;
            double w = 1.0 / ((double) errorNanos[i] * errorNanos[i]);
            double dt = (monoNanos[i] - originMonoNanos) - meanT;
            s += w * dt * dt;
            sxy += w * dt * ((refMinusMonoNanos[i] - originX) - meanX);
        }
        // The samples' weighted variance in time (s / sumW, ns^2) must be real for a slope to exist.
        boolean slopeFromWindow = count >= 2 && s > sumW;
        double slope = 0;
        double slopeErrorBound = 0;
        double errorAtNewestNanos = 0;
        double residualSquares = 0;
        if (slopeFromWindow) {
            slope = sxy / s;
            double tNewest = -meanT; // newest is the origin
            for (int k = 0; k < count; k++) {
                int i = (head + k) % SAMPLES_MAX;
                double w = 1.0 / ((double) errorNanos[i] * errorNanos[i]);
                double dt = (monoNanos[i] - originMonoNanos) - meanT;
                errorAtNewestNanos += Math.abs(w / sumW + tNewest * w * dt / s) * errorNanos[i];
                slopeErrorBound += Math.abs(w * dt) * errorNanos[i] / s;
                double residual = (refMinusMonoNanos[i] - originX) - (meanX + slope * dt);
                residualSquares += residual * residual;
            }
            // A window too short or too noisy to beat the prior, or an impossible rate: use the prior.
            slopeFromWindow = slopeErrorBound * 1e9 < priorSlopeErrorPpb && Math.abs(slope) * 1e9 <= slopePpbMax;
        }
        if (!slopeFromWindow) {
            // One point (or a cluster at one instant): the newest sample and the prior slope.
            slope = priorSlope;
            slopeErrorBound = priorSlopeErrorPpb * 1e-9;
            meanT = 0;
            meanX = 0;
            errorAtNewestNanos = errorNanos[newest];
            residualSquares = 0;
        }
        long xAtNewest = originX + Math.round(meanX - slope * meanT);
        return new Fit(originMonoNanos, xAtNewest, slope, errorAtNewestNanos, slopeErrorBound * 1e9,
                slopeFromWindow, count, Math.sqrt(residualSquares / count));
    }

    /**
     * A fitted line: reference time at local instant t is {@code t + xAtNewest + slope*(t - newestMonoNanos)}.
     *
     * @param newestMonoNanos     the newest sample's instant, where the fit is anchored
     * @param xAtNewestNanos      fitted {@code ref - mono} at that instant
     * @param slope               d(ref - mono)/d(mono); the local timebase's frequency error is about -slope
     * @param errorAtNewestNanos  bound on the fit's error at the newest sample
     * @param slopeErrorPpb       bound on the slope's error, ppb
     * @param slopeFromWindow     the slope comes from the samples (false: it is the prior)
     * @param sampleCount         samples in the fit
     * @param jitterNanos         RMS of the samples' residuals from the line
     */
    record Fit(long newestMonoNanos, long xAtNewestNanos, double slope, double errorAtNewestNanos,
            double slopeErrorPpb, boolean slopeFromWindow, int sampleCount, double jitterNanos) {

        long refEpochNanosAt(long monoNanos) {
            return monoNanos + xAtNewestNanos + Math.round(slope * (monoNanos - newestMonoNanos));
        }

        /** Bound on the fit's prediction error at {@code monoNanos}, before any drift allowance. */
        double boundNanosAt(long monoNanos) {
            return errorAtNewestNanos + slopeErrorPpb * 1e-9 * Math.abs(monoNanos - newestMonoNanos);
        }
    }
}
