package io.ionclock.core.hostclock;

import io.ionclock.core.ClockStatus;
import io.ionclock.core.LeapIndicator;

/**
 * Disciplines the kernel's CLOCK_REALTIME to ionclock's clock, the way chrony does ({@code sys_timex.c},
 * {@code sys_generic.c}): the kernel PLL off, the frequency set through ADJ_FREQUENCY to
 * {@code base + correction}, where {@code base} is the frequency that makes the system clock run true (a least-squares
 * fit of its free-running phase) and {@code correction = -offset / slewTimeConstant}, bounded by
 * {@code slewRatePpmMax}, slews the offset out. An offset is stepped (ADJ_SETOFFSET) only at the first update that
 * finds ionclock SYNCHRONIZED, and only above {@code stepThresholdNanos}; never afterwards (a later large offset is
 * counted in {@link #stepsRefusedCount()} and slewed). While ionclock is not SYNCHRONIZED the last base frequency is
 * held, no offset is corrected, STA_UNSYNC is set and maxerror/esterror are 16 s (chrony's rule, and what makes
 * {@code timedatectl} say "System clock synchronized: no"); while it is, maxerror is {@code |offset| + bound}, which
 * the kernel then grows by 500 us a second on its own.
 *
 * <p>The free-running phase {@code offset - (integral of the applied frequency) - (steps)} of the system clock grows
 * at its uncorrected rate error whatever the loop does, so the fit sees the oscillator, not the loop's own
 * corrections; the loop's dynamics are then one pole, {@code offset' = -offset / slewTimeConstant}.
 *
 * <p>Sign: {@code offsetNanos = system - ionclock}, positive when the system clock is ahead. Time is passed in
 * ({@code monoNanos}, ionclock's time and the system clock read at that instant). A kernel call that fails is counted
 * and retried at a later update; it never escapes. One thread.
 */
public final class HostClockDiscipline {

    /** What an update did. */
    public enum Action {
        /** Not started (the kernel refused to hand its PLL over); retried at the next update. */
        NOT_STARTED,
        /** ionclock has never been SYNCHRONIZED: the clock is left alone, marked unsynchronized. */
        WAIT_FOR_SYNC,
        /** The first synchronization, offset above the threshold: stepped. */
        STEP,
        /** Frequency set to base + correction. */
        SLEW,
        /** ionclock lost sync: the base frequency held, no offset correction. */
        HOLD
    }

    /**
     * One update's outcome, for metrics and tests.
     *
     * @param action             what was done
     * @param offsetNanos        system - ionclock measured at this update
     * @param stepNanos          the step applied (0 if none)
     * @param baseFrequencyPpb   the frequency estimated to make the system clock run true
     * @param correctionPpb      the slewing correction requested on top of it (|x| <= slewRatePpmMax x 1000)
     * @param frequencyPpb       the frequency the kernel holds after the update
     * @param kernelErrors       kernel calls that failed during this update
     */
    public record Update(Action action, long offsetNanos, long stepNanos, double baseFrequencyPpb,
            double correctionPpb, double frequencyPpb, int kernelErrors) {
    }

    /** Weight of the newest offset in the esterror RMS (an exponential average over about 16 updates). */
    static final double EST_ERROR_WEIGHT = 1.0 / 16;

    private final HostClockDisciplineConfig config;
    private final KernelClock kernel;
    private final double slewRatePpbMax;
    private final double slewTimeConstantSeconds;
    private final double[] fitSeconds;
    private final double[] fitPhaseNanos;
    private int fitCount;
    private int fitNext;

    private boolean started;
    private boolean everSynchronized;
    private boolean haveLast;
    private long originMonoNanos;
    private long lastMonoNanos;
    /** The frequency the kernel holds, ppb, as it reported. */
    private double appliedFrequencyPpb;
    private double baseFrequencyPpb;
    /** Integral of the applied frequency over time, plus the steps: what the loop did to the clock, ns. */
    private double correctionsNanos;
    private double offsetMeanSquareNanos2;
    private long lastOffsetNanos;
    private long updateCount;
    private long kernelErrorCount;
    private String lastKernelError = "";
    private long stepCount;
    private long stepsRefusedCount;

    public HostClockDiscipline(HostClockDisciplineConfig config, KernelClock kernel) {
        this.config = config;
        this.kernel = kernel;
        this.slewRatePpbMax = config.slewRatePpmMax() * 1000.0;
        this.slewTimeConstantSeconds = config.slewTimeConstantNanos() / 1e9;
        this.fitSeconds = new double[config.fitSamplesMax()];
        this.fitPhaseNanos = new double[config.fitSamplesMax()];
    }

    /**
     * Takes the clock over: reads the kernel's frequency (kept as the starting base, e.g. what chrony or a drift file
     * left), zeroes and turns off the kernel PLL, clears leap bits and sets STA_UNSYNC with maxerror 16 s. Idempotent;
     * {@link #update} calls it until it succeeds.
     *
     * @return whether the kernel accepted
     */
    public boolean start() {
        if (started) {
            return true;
        }
        try {
            KernelClockState state = kernel.read();
            int status = state.status() & ~KernelClockState.STA_KERNEL_DISCIPLINE & ~KernelClockState.STA_RONLY
                    & ~(KernelClockState.STA_INS | KernelClockState.STA_DEL) | KernelClockState.STA_UNSYNC;
            kernel.disablePll(status);
            kernel.setSyncStatus(KernelClockState.MAX_ERROR_MICROS_MAX, KernelClockState.MAX_ERROR_MICROS_MAX, status);
            double frequencyPpb = Math.max(-KernelClock.FREQUENCY_PPB_MAX,
                    Math.min(KernelClock.FREQUENCY_PPB_MAX, state.frequencyPpb()));
            appliedFrequencyPpb = frequencyPpb;
            baseFrequencyPpb = frequencyPpb;
            started = true;
        } catch (KernelClockException e) {
            kernelError(e);
        }
        return started;
    }

    /**
     * One step of the loop, at each update of ionclock's clock (about once a second).
     *
     * @param monoNanos         the instant, on ionclock's monotonic timebase; strictly increasing
     * @param ionclockEpochNanos ionclock's time at that instant, ns since the epoch
     * @param boundNanos        ionclock's bound at that instant, >= 0
     * @param status            ionclock's status at that instant
     * @param systemEpochNanos  CLOCK_REALTIME read at that instant
     */
    public Update update(long monoNanos, long ionclockEpochNanos, long boundNanos, ClockStatus status,
            long systemEpochNanos) {
        return update(monoNanos, ionclockEpochNanos, boundNanos, status, systemEpochNanos, LeapIndicator.NONE);
    }

    /**
     * As {@link #update(long, long, long, ClockStatus, long)}, with the leap second announced for the end of the UTC
     * day: while synchronized it is handed to the kernel (STA_INS or STA_DEL), which inserts or deletes it at midnight
     * itself, as chrony does in its default {@code leapsecmode system}. The caller skips updates within a leap's guard
     * (ionclock's UTC and the kernel's are both inside their leap handling then).
     */
    public Update update(long monoNanos, long ionclockEpochNanos, long boundNanos, ClockStatus status,
            long systemEpochNanos, LeapIndicator leap) {
        if (haveLast && monoNanos - lastMonoNanos <= 0) {
            throw new IllegalArgumentException("mono instants must increase: " + lastMonoNanos + " then " + monoNanos);
        }
        if (boundNanos < 0) {
            throw new IllegalArgumentException("bound " + boundNanos + " ns");
        }
        updateCount++;
        long errorsBefore = kernelErrorCount;
        long offsetNanos = systemEpochNanos - ionclockEpochNanos;
        lastOffsetNanos = offsetNanos;
        if (!haveLast) {
            originMonoNanos = monoNanos;
            haveLast = true;
        } else {
            correctionsNanos += appliedFrequencyPpb * (monoNanos - lastMonoNanos) * 1e-9;
        }
        lastMonoNanos = monoNanos;
        if (!start()) {
            return new Update(Action.NOT_STARTED, offsetNanos, 0, baseFrequencyPpb, 0, appliedFrequencyPpb,
                    (int) (kernelErrorCount - errorsBefore));
        }
        if (status != ClockStatus.SYNCHRONIZED) {
            return unsynchronized(offsetNanos, errorsBefore);
        }

        long stepNanos = 0;
        if (Math.abs(offsetNanos) > config.stepThresholdNanos()) {
            if (everSynchronized) {
                stepsRefusedCount++;
            } else {
                try {
                    kernel.stepNanos(-offsetNanos);
                    stepNanos = -offsetNanos;
                    stepCount++;
                } catch (KernelClockException e) {
                    // Not synchronized yet: the step is tried again at the next update.
                    kernelError(e);
                    return new Update(Action.WAIT_FOR_SYNC, offsetNanos, 0, baseFrequencyPpb, 0,
                            appliedFrequencyPpb, (int) (kernelErrorCount - errorsBefore));
                }
            }
        }
        everSynchronized = true;
        addFitPoint(monoNanos, offsetNanos - correctionsNanos);
        correctionsNanos += stepNanos;
        if (fitCount >= HostClockDisciplineConfig.FIT_SAMPLES_MIN) {
            baseFrequencyPpb = Math.max(-KernelClock.FREQUENCY_PPB_MAX,
                    Math.min(KernelClock.FREQUENCY_PPB_MAX, -fitSlopePpb()));
        }
        long remainingNanos = offsetNanos + stepNanos;
        double correctionPpb = Math.max(-slewRatePpbMax,
                Math.min(slewRatePpbMax, -remainingNanos / slewTimeConstantSeconds));
        double targetPpb = Math.max(-KernelClock.FREQUENCY_PPB_MAX,
                Math.min(KernelClock.FREQUENCY_PPB_MAX, baseFrequencyPpb + correctionPpb));
        setFrequency(targetPpb);

        double remaining = remainingNanos;
        offsetMeanSquareNanos2 += EST_ERROR_WEIGHT * (remaining * remaining - offsetMeanSquareNanos2);
        long maxErrorMicros = ceilMicros(Math.abs(remainingNanos) + (double) boundNanos);
        long estErrorMicros = Math.min(maxErrorMicros, ceilMicros(Math.sqrt(offsetMeanSquareNanos2)));
        int kernelStatus = KernelClockState.STA_UNSYNC;
        if (maxErrorMicros >= KernelClockState.MAX_ERROR_MICROS_MAX) {
            maxErrorMicros = KernelClockState.MAX_ERROR_MICROS_MAX;
        } else if (config.clearUnsyncWhenSynchronized()) {
            kernelStatus = 0;
        }
        kernelStatus |= leap == LeapIndicator.INSERT ? KernelClockState.STA_INS
                : leap == LeapIndicator.DELETE ? KernelClockState.STA_DEL : 0;
        setSyncStatus(maxErrorMicros, Math.min(estErrorMicros, KernelClockState.MAX_ERROR_MICROS_MAX), kernelStatus);
        return new Update(stepNanos != 0 ? Action.STEP : Action.SLEW, offsetNanos, stepNanos, baseFrequencyPpb,
                correctionPpb, appliedFrequencyPpb, (int) (kernelErrorCount - errorsBefore));
    }

    private Update unsynchronized(long offsetNanos, long errorsBefore) {
        // The fit restarts when ionclock is back: a stale fit would carry the old frequency into the new one.
        fitCount = 0;
        fitNext = 0;
        Action action = Action.WAIT_FOR_SYNC;
        if (everSynchronized) {
            action = Action.HOLD;
            if (appliedFrequencyPpb != baseFrequencyPpb) {
                setFrequency(baseFrequencyPpb);
            }
        }
        setSyncStatus(KernelClockState.MAX_ERROR_MICROS_MAX, KernelClockState.MAX_ERROR_MICROS_MAX,
                KernelClockState.STA_UNSYNC);
        return new Update(action, offsetNanos, 0, baseFrequencyPpb, 0, appliedFrequencyPpb,
                (int) (kernelErrorCount - errorsBefore));
    }

    private void setFrequency(double targetPpb) {
        try {
            appliedFrequencyPpb = kernel.setFrequencyPpb(targetPpb);
        } catch (KernelClockException e) {
            kernelError(e);
        }
    }

    private void setSyncStatus(long maxErrorMicros, long estErrorMicros, int status) {
        try {
            kernel.setSyncStatus(maxErrorMicros, estErrorMicros, status);
        } catch (KernelClockException e) {
            kernelError(e);
        }
    }

    private void kernelError(KernelClockException e) {
        kernelErrorCount++;
        lastKernelError = e.getMessage();
    }

    private static long ceilMicros(double nanos) {
        return (long) Math.min(KernelClockState.MAX_ERROR_MICROS_MAX, Math.ceil(nanos / 1000.0));
    }

    private void addFitPoint(long monoNanos, double phaseNanos) {
        fitSeconds[fitNext] = (monoNanos - originMonoNanos) * 1e-9;
        fitPhaseNanos[fitNext] = phaseNanos;
        fitNext = (fitNext + 1) % fitSeconds.length;
        fitCount = Math.min(fitCount + 1, fitSeconds.length);
    }

    /** Least-squares slope of the free-running phase, ns/s = ppb. */
    private double fitSlopePpb() {
        double meanSeconds = 0;
        double meanPhaseNanos = 0;
        for (int i = 0; i < fitCount; i++) {
            meanSeconds += fitSeconds[i];
            meanPhaseNanos += fitPhaseNanos[i];
        }
        meanSeconds /= fitCount;
        meanPhaseNanos /= fitCount;
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < fitCount; i++) {
            double dx = fitSeconds[i] - meanSeconds;
            sxy += dx * (fitPhaseNanos[i] - meanPhaseNanos);
            sxx += dx * dx;
        }
        return sxx > 0 ? sxy / sxx : 0;
    }

    /** The kernel accepted the takeover (PLL off). */
    public boolean started() {
        return started;
    }

    /** The first synchronization happened: no step will ever be made again by this instance. */
    public boolean everSynchronized() {
        return everSynchronized;
    }

    /** The frequency estimated to make the system clock run true, ppb (held while ionclock is not synchronized). */
    public double baseFrequencyPpb() {
        return baseFrequencyPpb;
    }

    /** The frequency the kernel holds, ppb. */
    public double frequencyPpb() {
        return appliedFrequencyPpb;
    }

    /** system - ionclock at the last update, ns. */
    public long lastOffsetNanos() {
        return lastOffsetNanos;
    }

    public long updateCount() {
        return updateCount;
    }

    /** Kernel calls that failed (EPERM without CAP_SYS_TIME, EINVAL). */
    public long kernelErrorCount() {
        return kernelErrorCount;
    }

    /** The last failure's text ("" if none). */
    public String lastKernelError() {
        return lastKernelError;
    }

    public long stepCount() {
        return stepCount;
    }

    /** Updates after the first synchronization whose offset was above the step threshold: slewed, not stepped. */
    public long stepsRefusedCount() {
        return stepsRefusedCount;
    }
}
