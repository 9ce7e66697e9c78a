package io.ionclock.core.hostclock;

import io.ionclock.core.ClockStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Drives {@link HostClockDiscipline} against a {@link SimulatedKernelClock} on a manual timeline: once an interval,
 * ionclock's time is true time plus a seeded Gaussian reading error (plus a shift a test may set), its bound a fixed
 * value, its status what the test says; the loop updates, then true time advances. The monotonic timebase runs
 * {@link #MONO_PPB} fast, as a board's crystal would.
 */
final class HostClockRig {
    static final long START_EPOCH_NANOS = 1_780_000_000_000_000_000L;
    static final long INTERVAL_NANOS = 1_000_000_000L;
    static final double MONO_PPB = 30_000;
    static final long BOUND_NANOS = 1_000;

    final SimulatedKernelClock kernel;
    final HostClockDiscipline loop;
    final long seed;
    private final SplittableRandom random;
    private final double ionclockNoiseNanos;
    private long elapsedNanos;
    long ionclockShiftNanos;
    ClockStatus status = ClockStatus.SYNCHRONIZED;
    final List<HostClockDiscipline.Update> updates = new ArrayList<>();
    /** system - true after each update's interval, ns, while recording. */
    private long[] offsets = new long[1024];
    private int offsetCount;
    boolean recording;

    HostClockRig(HostClockDisciplineConfig config, long initialOffsetNanos, double oscillatorPpb, double wanderPpb,
            double ionclockNoiseNanos, long seed) {
        this.kernel = new SimulatedKernelClock(START_EPOCH_NANOS, initialOffsetNanos, oscillatorPpb, wanderPpb, seed);
        this.loop = new HostClockDiscipline(config, kernel);
        this.seed = seed;
        this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        this.ionclockNoiseNanos = ionclockNoiseNanos;
    }

    long monoNanos() {
        return 1_000_000_000_000L + elapsedNanos + (long) (elapsedNanos * MONO_PPB * 1e-9);
    }

    /** One update, then one interval of true time. */
    /** The leap announced with each update. */
    io.ionclock.core.LeapIndicator leap = io.ionclock.core.LeapIndicator.NONE;

    HostClockDiscipline.Update tick() {
        long ionclockNanos = kernel.trueEpochNanos() + ionclockShiftNanos
                + Math.round(random.nextGaussian() * ionclockNoiseNanos);
        HostClockDiscipline.Update u = loop.update(monoNanos(), ionclockNanos, BOUND_NANOS, status,
                kernel.realtimeNanos(), leap);
        updates.add(u);
        kernel.advanceNanos(INTERVAL_NANOS);
        elapsedNanos += INTERVAL_NANOS;
        if (recording) {
            if (offsetCount == offsets.length) {
                offsets = Arrays.copyOf(offsets, offsetCount * 2);
            }
            offsets[offsetCount++] = kernel.offsetNanos() - ionclockShiftNanos;
        }
        return u;
    }

    void run(long seconds) {
        for (long i = 0; i < seconds; i++) {
            tick();
        }
    }

    /** Percentile of |system - ionclock's truth| over the recorded intervals, ns. */
    long absOffsetPercentileNanos(double percentile) {
        long[] abs = new long[offsetCount];
        for (int i = 0; i < offsetCount; i++) {
            abs[i] = Math.abs(offsets[i]);
        }
        Arrays.sort(abs);
        return abs[Math.min(offsetCount - 1, (int) Math.ceil(percentile / 100.0 * offsetCount) - 1)];
    }

    int recordedCount() {
        return offsetCount;
    }
}
