package io.ionclock.core.hostclock;

/**
 * The host-clock loop's settings.
 *
 * @param slewRatePpmMax         the largest rate at which an offset is slewed out, ppm: the temporary frequency
 *                               correction on top of the system clock's base frequency never exceeds it. 0 < x <= 500
 *                               (the kernel's ADJ_FREQUENCY range; base + correction is also clamped to +-500 ppm)
 * @param stepThresholdNanos     at the first synchronization only, an offset larger than this is stepped
 *                               (ADJ_SETOFFSET); smaller ones, and every offset afterwards, are slewed. >= 0;
 *                               Long.MAX_VALUE never steps
 * @param slewTimeConstantNanos  the offset is removed with this time constant (correction = -offset / constant),
 *                               bounded by {@code slewRatePpmMax}; at least twice the update interval, >= 2 s
 * @param fitSamplesMax          updates in the least-squares fit of the system clock's free-running frequency, 4..4096
 * @param clearUnsyncWhenSynchronized clear STA_UNSYNC while ionclock is SYNCHRONIZED (adjtimex/ntp_gettime callers
 *                               then see TIME_OK; it also lets the kernel's 11-minute mode write the RTC, if built
 *                               in). maxerror, which timedatectl reads, is kept true either way
 */
public record HostClockDisciplineConfig(double slewRatePpmMax, long stepThresholdNanos, long slewTimeConstantNanos,
        int fitSamplesMax, boolean clearUnsyncWhenSynchronized) {

    /** 500 ppm: the kernel's ADJ_FREQUENCY range and the appliance's own slew default (ARCHITECTURE.md). */
    public static final double SLEW_RATE_PPM_DEFAULT = 500.0;
    /** The largest settable slew: ADJ_FREQUENCY's range (chrony reaches 83333 ppm only by also changing ADJ_TICK). */
    public static final double SLEW_RATE_PPM_LIMIT = KernelClock.FREQUENCY_PPB_MAX / 1000.0;
    /** 100 ms: an offset under it is slewed out at 500 ppm in at most 200 s; above it the first sync steps. */
    public static final long STEP_THRESHOLD_NANOS_DEFAULT = 100_000_000L;
    /**
     * 8 s: at one update a second, a reading error of s RMS moves the clock by about s / sqrt(2 x 8) = s / 4, while a
     * wandering oscillator is followed quickly (with 16 s and a 32-update fit, 20 ppb/sqrt(s) wander gave p99 2.2 us;
     * with 8 s and 16 updates, 0.75 us).
     */
    public static final long SLEW_TIME_CONSTANT_NANOS_DEFAULT = 8_000_000_000L;
    public static final long SLEW_TIME_CONSTANT_NANOS_MIN = 2_000_000_000L;
    /**
     * 16 updates: the fit's frequency error from a reading error s RMS is s x sqrt(12 / n^3) per second (5 ppb for
     * 200 ns), while a wandering oscillator makes a longer fit stale.
     */
    public static final int FIT_SAMPLES_DEFAULT = 16;
    public static final int FIT_SAMPLES_MIN = 4;
    public static final int FIT_SAMPLES_LIMIT = 4096;

    /**
     * The oscillator wander the defaults are stated for: a random walk of the system clock's frequency with steps of
     * this x sqrt(1 s), with ionclock's reading error 200 ns RMS, keeps |offset| p99 <= 2 us (measured in
     * HostClockDisciplineTest).
     */
    public static final double WANDER_PPB_PER_SQRT_SECOND_STATED = 20.0;

    public HostClockDisciplineConfig {
        if (!(slewRatePpmMax > 0 && slewRatePpmMax <= SLEW_RATE_PPM_LIMIT)) {
            throw new IllegalArgumentException("slew rate " + slewRatePpmMax + " ppm: must be in (0, "
                    + SLEW_RATE_PPM_LIMIT + "]");
        }
        if (stepThresholdNanos < 0) {
            throw new IllegalArgumentException("step threshold " + stepThresholdNanos + " ns: must be >= 0");
        }
        if (slewTimeConstantNanos < SLEW_TIME_CONSTANT_NANOS_MIN) {
            throw new IllegalArgumentException("slew time constant " + slewTimeConstantNanos + " ns: must be >= "
                    + SLEW_TIME_CONSTANT_NANOS_MIN);
        }
        if (fitSamplesMax < FIT_SAMPLES_MIN || fitSamplesMax > FIT_SAMPLES_LIMIT) {
            throw new IllegalArgumentException("fit samples " + fitSamplesMax + ": must be in " + FIT_SAMPLES_MIN
                    + ".." + FIT_SAMPLES_LIMIT);
        }
    }

    public static HostClockDisciplineConfig defaults() {
        return new HostClockDisciplineConfig(SLEW_RATE_PPM_DEFAULT, STEP_THRESHOLD_NANOS_DEFAULT,
                SLEW_TIME_CONSTANT_NANOS_DEFAULT, FIT_SAMPLES_DEFAULT, true);
    }

    public HostClockDisciplineConfig withSlewRatePpmMax(double ppm) {
        return new HostClockDisciplineConfig(ppm, stepThresholdNanos, slewTimeConstantNanos, fitSamplesMax,
                clearUnsyncWhenSynchronized);
    }

    public HostClockDisciplineConfig withStepThresholdNanos(long nanos) {
        return new HostClockDisciplineConfig(slewRatePpmMax, nanos, slewTimeConstantNanos, fitSamplesMax,
                clearUnsyncWhenSynchronized);
    }

    public HostClockDisciplineConfig withSlewTimeConstantNanos(long nanos) {
        return new HostClockDisciplineConfig(slewRatePpmMax, stepThresholdNanos, nanos, fitSamplesMax,
                clearUnsyncWhenSynchronized);
    }

    public HostClockDisciplineConfig withFitSamplesMax(int samples) {
        return new HostClockDisciplineConfig(slewRatePpmMax, stepThresholdNanos, slewTimeConstantNanos, samples,
                clearUnsyncWhenSynchronized);
    }
}
