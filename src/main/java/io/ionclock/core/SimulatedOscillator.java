package io.ionclock.core;

/**
 * A local oscillator running {@code frequencyPpb} off a base timebase: the sim profile's timebase, so
 * the discipline has a real frequency error to learn. Starts equal to the base at construction.
 */
public final class SimulatedOscillator implements MonoClock {
    private final MonoClock base;
    private final long startBaseNanos;
    private final double rate;

    public SimulatedOscillator(MonoClock base, double frequencyPpb) {
        if (!(Math.abs(frequencyPpb) < DisciplineConfig.RATE_PPB_LIMIT / 10)) {
            throw new IllegalArgumentException("oscillator frequency out of range: " + frequencyPpb + " ppb");
        }
        this.base = base;
        this.startBaseNanos = base.monoNanos();
        this.rate = 1 + frequencyPpb * 1e-9;
    }

    @Override
    public long monoNanos() {
        long elapsedNanos = base.monoNanos() - startBaseNanos;
        return startBaseNanos + Math.round(elapsedNanos * rate);
    }
}
