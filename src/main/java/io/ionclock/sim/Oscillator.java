package io.ionclock.sim;

import java.util.SplittableRandom;

/**
 * One simulated node's oscillator: mono(t) = integral of (1 + f) over true time, f = f0 + a random walk stepped every
 * {@link #WANDER_STEP_NANOS}. Evaluated lazily in time order (queries move forward with the simulation), so the same
 * calls in the same order give the same readings and the same draws from its random.
 */
final class Oscillator {
    /** The frequency takes one random-walk step this often. */
    static final long WANDER_STEP_NANOS = 1_000_000_000L;

    private long segTrueNanos;
    private long segMonoNanos;
    private double fracMonoNanos;
    private double frequencyPpb;
    private final double stepPpb;
    private final SplittableRandom r;

    /**
     * @param monoStartNanos the reading at true time 0
     * @param f0Ppb          the frequency offset at true time 0
     * @param r              the random walk's steps (this oscillator's own)
     */
    Oscillator(long monoStartNanos, double f0Ppb, double wanderPpbPerSqrtSecond, SplittableRandom r) {
        this.segMonoNanos = monoStartNanos;
        this.frequencyPpb = f0Ppb;
        this.stepPpb = wanderPpbPerSqrtSecond * Math.sqrt(WANDER_STEP_NANOS / 1e9);
        this.r = r;
    }

    private void advance(long trueNanos) {
        while (trueNanos >= segTrueNanos + WANDER_STEP_NANOS) {
            double adv = WANDER_STEP_NANOS * (1 + frequencyPpb * 1e-9) + fracMonoNanos;
            long whole = (long) Math.floor(adv);
            fracMonoNanos = adv - whole;
            segMonoNanos += whole;
            segTrueNanos += WANDER_STEP_NANOS;
            if (stepPpb > 0) {
                frequencyPpb += r.nextGaussian() * stepPpb;
            }
        }
    }

    /** The oscillator's reading at true instant {@code trueNanos} (ns since the simulation's start). */
    long mono(long trueNanos) {
        advance(trueNanos);
        return segMonoNanos + (long) Math.floor((trueNanos - segTrueNanos) * (1 + frequencyPpb * 1e-9) + fracMonoNanos);
    }

    /** The true instant the oscillator reads {@code monoNanos} (at the current frequency; exact within a step). */
    long trueAt(long monoNanos) {
        return segTrueNanos + (long) Math.ceil((monoNanos - segMonoNanos - fracMonoNanos) / (1 + frequencyPpb * 1e-9));
    }

    double frequencyPpb() {
        return frequencyPpb;
    }
}
