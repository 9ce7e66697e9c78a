package io.ionclock.core.hostclock;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A Linux kernel clock on a manual timeline, for testing the host-clock loop without touching a real clock (chrony's
 * clknetsim in miniature). The caller advances true time; CLOCK_REALTIME advances at
 * {@code (1 + oscillator) x (1 + frequency correction)}, where the oscillator error is {@code oscillatorPpb} plus a
 * seeded random walk (a Gaussian step of {@code wanderPpbPerSqrtSecond x sqrt(1 s)} at each second of true time).
 * Like the kernel it rounds frequencies to 2^-16 ppm, grows maxerror by 500 us a second and sets STA_UNSYNC past 16 s,
 * and answers TIME_ERROR while STA_UNSYNC is set.
 *
 * <p>Every write is recorded with the true time it happened at ({@link #frequencySets()}, {@link #steps()},
 * {@link #statusSets()}), up to {@link #RECORDS_MAX} each. {@link #rejectWrites(int)} makes every write fail with that
 * errno (EPERM = 1 is what an unprivileged process gets); reads always succeed, as {@code modes = 0} needs no
 * privilege. One thread.
 */
public final class SimulatedKernelClock implements KernelClock {

    /** Recorded calls kept per kind; later ones are counted in {@link #recordsDropped()}. */
    public static final int RECORDS_MAX = 1_000_000;
    /** The kernel's frequency unit: 2^-16 ppm, in ppb. */
    public static final double FREQUENCY_PPB_PER_UNIT = 1000.0 / 65536.0;
    /** The simulated oscillator's error is limited to this, ppb (a crystal, not a broken one). */
    public static final double OSCILLATOR_PPB_MAX = 200_000.0;
    static final long SECOND_NANOS = 1_000_000_000L;
    static final long TICK_MICROS = 10_000L;

    /** A frequency set: when (true time), what was asked, what the kernel applied. */
    public record FrequencySet(long trueEpochNanos, double requestedPpb, double appliedPpb) {
    }

    /** A step of CLOCK_REALTIME by {@code deltaNanos} at a true time. */
    public record Step(long trueEpochNanos, long deltaNanos) {
    }

    /** A write of maxerror, esterror and status at a true time. */
    public record StatusSet(long trueEpochNanos, long maxErrorMicros, long estErrorMicros, int status) {
    }

    private final double oscillatorPpb;
    private final double wanderPpbPerSqrtSecond;
    private final SplittableRandom random;
    private double walkPpb;
    private long trueEpochNanos;
    private long secondPhaseNanos;
    private long systemEpochNanos;
    private double systemFractionNanos;
    private double frequencyPpb;
    private long pllOffsetNanos;
    private long maxErrorMicros = KernelClockState.MAX_ERROR_MICROS_MAX;
    private long estErrorMicros = KernelClockState.MAX_ERROR_MICROS_MAX;
    private int status;
    private int rejectErrno;
    private long rejectedCount;
    private long recordsDropped;
    private final List<FrequencySet> frequencySets = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private final List<StatusSet> statusSets = new ArrayList<>();

    /**
     * @param trueEpochNanos         true time at the start, ns since the epoch
     * @param initialOffsetNanos     CLOCK_REALTIME - true time at the start
     * @param oscillatorPpb          the uncorrected clock's rate error (positive: fast), |value| <= OSCILLATOR_PPB_MAX
     * @param wanderPpbPerSqrtSecond random walk of that rate, >= 0
     * @param seed                   the walk's seed
     */
    public SimulatedKernelClock(long trueEpochNanos, long initialOffsetNanos, double oscillatorPpb,
            double wanderPpbPerSqrtSecond, long seed) {
        if (!(Math.abs(oscillatorPpb) <= OSCILLATOR_PPB_MAX) || !(wanderPpbPerSqrtSecond >= 0)
                || !(wanderPpbPerSqrtSecond <= OSCILLATOR_PPB_MAX)) {
            throw new IllegalArgumentException("oscillator out of range: " + oscillatorPpb + " ppb, wander "
                    + wanderPpbPerSqrtSecond + " ppb/sqrt(s)");
        }
        this.oscillatorPpb = oscillatorPpb;
        this.wanderPpbPerSqrtSecond = wanderPpbPerSqrtSecond;
        this.random = new SplittableRandom(seed);
        this.trueEpochNanos = trueEpochNanos;
        this.systemEpochNanos = trueEpochNanos + initialOffsetNanos;
        this.status = KernelClockState.STA_UNSYNC;
    }

    /** Starts the kernel in a given state, as another daemon might have left it (PLL on, a pending offset). */
    public SimulatedKernelClock withKernelState(double frequencyPpb, int status, long pllOffsetNanos) {
        this.frequencyPpb = frequencyPpb;
        this.status = status;
        this.pllOffsetNanos = pllOffsetNanos;
        return this;
    }

    /** Advances true time by {@code elapsedNanos} (>= 0); CLOCK_REALTIME follows at its current rate. */
    public void advanceNanos(long elapsedNanos) {
        if (elapsedNanos < 0) {
            throw new IllegalArgumentException("time runs forward: " + elapsedNanos);
        }
        long leftNanos = elapsedNanos;
        while (leftNanos > 0) {
            long chunkNanos = Math.min(leftNanos, SECOND_NANOS - secondPhaseNanos);
            double systemNanos = chunkNanos * (1 + rateErrorPpb() * 1e-9) + systemFractionNanos;
            long wholeNanos = (long) Math.floor(systemNanos);
            systemEpochNanos += wholeNanos;
            systemFractionNanos = systemNanos - wholeNanos;
            trueEpochNanos += chunkNanos;
            secondPhaseNanos += chunkNanos;
            leftNanos -= chunkNanos;
            if (secondPhaseNanos == SECOND_NANOS) {
                secondPhaseNanos = 0;
                walkPpb += random.nextGaussian() * wanderPpbPerSqrtSecond;
                maxErrorMicros += KernelClockState.MAX_ERROR_GROWTH_MICROS_PER_SECOND;
                if (maxErrorMicros > KernelClockState.MAX_ERROR_MICROS_MAX) {
                    maxErrorMicros = KernelClockState.MAX_ERROR_MICROS_MAX;
                    status |= KernelClockState.STA_UNSYNC;
                }
            }
        }
    }

    /** The uncorrected oscillator's rate error now, ppb. */
    public double oscillatorPpbNow() {
        double ppb = oscillatorPpb + walkPpb;
        return Math.max(-OSCILLATOR_PPB_MAX, Math.min(OSCILLATOR_PPB_MAX, ppb));
    }

    /** CLOCK_REALTIME's rate error against true time now, ppb: what programs on the host experience. */
    public double rateErrorPpb() {
        return ((1 + oscillatorPpbNow() * 1e-9) * (1 + frequencyPpb * 1e-9) - 1) * 1e9;
    }

    /** True time, ns since the epoch. */
    public long trueEpochNanos() {
        return trueEpochNanos;
    }

    /** CLOCK_REALTIME - true time, ns (positive: the system clock is ahead). */
    public long offsetNanos() {
        return systemEpochNanos - trueEpochNanos;
    }

    /** Makes every later write fail with {@code errno} (0 accepts again). */
    public void rejectWrites(int errno) {
        this.rejectErrno = errno;
    }

    public long rejectedCount() {
        return rejectedCount;
    }

    public long recordsDropped() {
        return recordsDropped;
    }

    public List<FrequencySet> frequencySets() {
        return Collections.unmodifiableList(frequencySets);
    }

    public List<Step> steps() {
        return Collections.unmodifiableList(steps);
    }

    public List<StatusSet> statusSets() {
        return Collections.unmodifiableList(statusSets);
    }

    @Override
    public KernelClockState read() {
        int clockState = (status & KernelClockState.STA_UNSYNC) != 0 ? KernelClockState.TIME_ERROR
                : KernelClockState.TIME_OK;
        return new KernelClockState(clockState, frequencyPpb, pllOffsetNanos, maxErrorMicros, estErrorMicros,
                status | KernelClockState.STA_NANO, TICK_MICROS, 0);
    }

    @Override
    public double setFrequencyPpb(double requestedPpb) throws KernelClockException {
        KernelClock.requireFrequencyInRange(requestedPpb);
        checkWrite("clock_adjtime(ADJ_FREQUENCY)");
        frequencyPpb = Math.round(requestedPpb / FREQUENCY_PPB_PER_UNIT) * FREQUENCY_PPB_PER_UNIT;
        record(frequencySets, new FrequencySet(trueEpochNanos, requestedPpb, frequencyPpb));
        return frequencyPpb;
    }

    @Override
    public void stepNanos(long deltaNanos) throws KernelClockException {
        checkWrite("clock_adjtime(ADJ_SETOFFSET)");
        systemEpochNanos += deltaNanos;
        record(steps, new Step(trueEpochNanos, deltaNanos));
    }

    @Override
    public void setSyncStatus(long maxErrorMicros, long estErrorMicros, int status) throws KernelClockException {
        KernelClock.requireErrorsInRange(maxErrorMicros, estErrorMicros);
        checkWrite("clock_adjtime(ADJ_MAXERROR|ADJ_ESTERROR|ADJ_STATUS)");
        this.maxErrorMicros = maxErrorMicros;
        this.estErrorMicros = estErrorMicros;
        this.status = (this.status & KernelClockState.STA_RONLY) | (status & ~KernelClockState.STA_RONLY);
        record(statusSets, new StatusSet(trueEpochNanos, maxErrorMicros, estErrorMicros, this.status));
    }

    @Override
    public void disablePll(int status) throws KernelClockException {
        KernelClock.requireNoKernelDiscipline(status);
        checkWrite("clock_adjtime(ADJ_OFFSET|ADJ_STATUS)");
        pllOffsetNanos = 0;
        this.status = (this.status & KernelClockState.STA_RONLY) | (status & ~KernelClockState.STA_RONLY);
    }

    @Override
    public long realtimeNanos() {
        return systemEpochNanos;
    }

    private void checkWrite(String call) throws KernelClockException {
        if (rejectErrno != 0) {
            rejectedCount++;
            throw new KernelClockException(call, rejectErrno, "rejected (errno " + rejectErrno + ")");
        }
    }

    private <T> void record(List<T> list, T item) {
        if (list.size() < RECORDS_MAX) {
            list.add(item);
        } else {
            recordsDropped++;
        }
    }
}
