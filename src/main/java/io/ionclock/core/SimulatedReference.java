package io.ionclock.core;

import java.util.SplittableRandom;

/**
 * The sim profile's GNSS+PPS reference: tells the time of a truth clock (the host's clock in the
 * appliance) with seeded Gaussian noise, clipped at {@link #NOISE_SIGMAS_MAX} sigma so the declared error
 * is a true bound. Pure: the caller reads the clocks and passes the readings in.
 */
public final class SimulatedReference {
    public static final String SOURCE_NAME = "SIM";
    /** Noise is clipped here, so {@code NOISE_SIGMAS_MAX x sigma} bounds it. */
    public static final double NOISE_SIGMAS_MAX = 3.0;

    private final SplittableRandom random;
    private final long noiseSigmaNanos;
    private long samples;

    public SimulatedReference(long seed, long noiseSigmaNanos) {
        if (noiseSigmaNanos < 0 || noiseSigmaNanos > Sample.ERROR_NANOS_MAX / 4) {
            throw new IllegalArgumentException("noiseSigmaNanos out of range: " + noiseSigmaNanos);
        }
        this.random = new SplittableRandom(seed);
        this.noiseSigmaNanos = noiseSigmaNanos;
    }

    /**
     * One sample: the truth clock read {@code truthEpochNanos} somewhere within
     * {@code [monoBeforeNanos, monoAfterNanos]} on the local timebase.
     */
    public Sample sample(long monoBeforeNanos, long truthEpochNanos, long monoAfterNanos) {
        if (monoAfterNanos < monoBeforeNanos) {
            throw new IllegalArgumentException("clock readings out of order");
        }
        samples++;
        long halfBracketNanos = (monoAfterNanos - monoBeforeNanos + 1) / 2;
        long monoNanos = monoBeforeNanos + halfBracketNanos;
        double gaussian = Math.max(-NOISE_SIGMAS_MAX, Math.min(NOISE_SIGMAS_MAX, random.nextGaussian()));
        long noiseNanos = Math.round(gaussian * noiseSigmaNanos);
        long errorNanos = (long) Math.ceil(NOISE_SIGMAS_MAX * noiseSigmaNanos) + halfBracketNanos;
        return new Sample(SOURCE_NAME, monoNanos, truthEpochNanos + noiseNanos, 0, errorNanos, LeapIndicator.NONE);
    }

    public long samples() {
        return samples;
    }
}
