package io.ionclock.core;

import java.util.SplittableRandom;

/**
 * A local oscillator running off a base timebase: the sim profile's timebase, so the discipline has a real frequency
 * error to learn, and one that moves as a board's crystal does. Its frequency error is {@code frequencyPpb}, plus a
 * seeded random walk (a Gaussian step of {@code wanderPpbPerSqrtSecond x sqrt(1 s)} each second) and a temperature
 * cycle ({@code temperaturePpb x sin(2 pi t / temperaturePeriod)}), piecewise constant over each second of the base.
 * Starts equal to the base at construction.
 *
 * <p>Any thread: each second is an immutable segment published through a volatile field; the thread that first reads
 * past it computes the next under a lock (once a second). Readers never see the timebase go back: segments join
 * exactly.
 */
public final class SimulatedOscillator implements MonoClock {
    static final long STEP_NANOS = 1_000_000_000L;

    /** One second of the oscillator: from {@code baseNanos}, reading {@code monoNanos}, at {@code rate}. */
    private record Segment(long baseNanos, long monoNanos, double rate, int index) {
        long monoAt(long base) {
            return monoNanos + (long) Math.floor((base - baseNanos) * rate);
        }
    }

    private final MonoClock base;
    private final double frequencyPpb;
    private final double stepPpb;
    private final double temperaturePpb;
    private final double temperaturePeriodSeconds;
    private final SplittableRandom random;
    private double walkPpb;
    private volatile Segment segment;

    /** A constant frequency error. */
    public SimulatedOscillator(MonoClock base, double frequencyPpb) {
        this(base, frequencyPpb, 0, 0, 1, 1);
    }

    /**
     * @param wanderPpbPerSqrtSecond   random walk of the frequency: a Gaussian step of this x sqrt(1 s) each second
     * @param temperaturePpb           amplitude of the temperature cycle
     * @param temperaturePeriodSeconds its period
     * @param seed                     the walk's seed
     */
    public SimulatedOscillator(MonoClock base, double frequencyPpb, double wanderPpbPerSqrtSecond, double temperaturePpb,
            double temperaturePeriodSeconds, long seed) {
        double limit = DisciplineConfig.RATE_PPB_LIMIT / 10.0;
        if (!(Math.abs(frequencyPpb) + Math.abs(temperaturePpb) < limit) || !(wanderPpbPerSqrtSecond >= 0)
                || !(wanderPpbPerSqrtSecond < limit) || !(temperaturePeriodSeconds > 0)) {
            throw new IllegalArgumentException("oscillator out of range: " + frequencyPpb + " ppb, wander "
                    + wanderPpbPerSqrtSecond + " ppb/sqrt(s), temperature " + temperaturePpb + " ppb / "
                    + temperaturePeriodSeconds + " s");
        }
        this.base = base;
        this.frequencyPpb = frequencyPpb;
        this.stepPpb = wanderPpbPerSqrtSecond * Math.sqrt(STEP_NANOS / 1e9);
        this.temperaturePpb = temperaturePpb;
        this.temperaturePeriodSeconds = temperaturePeriodSeconds;
        this.random = new SplittableRandom(seed);
        long start = base.monoNanos();
        this.segment = new Segment(start, start, rateOf(0), 0);
    }

    private double rateOf(int index) {
        double ppb = frequencyPpb + walkPpb + temperaturePpb * Math.sin(2 * Math.PI * index / temperaturePeriodSeconds);
        double limit = DisciplineConfig.RATE_PPB_LIMIT / 10.0;
        return 1 + Math.max(-limit, Math.min(limit, ppb)) * 1e-9;
    }

    @Override
    public long monoNanos() {
        long b = base.monoNanos();
        Segment s = segment;
        if (b - s.baseNanos() >= STEP_NANOS) {
            s = advance(b);
        }
        return s.monoAt(Math.max(b, s.baseNanos()));
    }

    private synchronized Segment advance(long b) {
        Segment s = segment;
        while (b - s.baseNanos() >= STEP_NANOS) {
            walkPpb += random.nextGaussian() * stepPpb;
            long nextBase = s.baseNanos() + STEP_NANOS;
            s = new Segment(nextBase, s.monoAt(nextBase), rateOf(s.index() + 1), s.index() + 1);
        }
        segment = s;
        return s;
    }

    /** The frequency error now, ppb (for tests and benches). */
    public double frequencyPpbNow() {
        return (segment.rate() - 1) * 1e9;
    }
}
