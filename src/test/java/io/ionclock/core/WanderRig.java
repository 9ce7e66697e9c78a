package io.ionclock.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An adversary's test bench for {@link DisciplinedClock}: a local oscillator whose frequency follows a given
 * path, true time integrated from it on a fine grid, samples whose noise stays inside their declared error,
 * delivered a little late, and reads every 50-100 ms, each checked against true time. Everything runs on a
 * manual timeline; nothing reads the OS clock.
 *
 * <p>Truth: with the local timebase at {@code t} (ns since the start) running {@code f(t)} ppb fast, true time
 * advances {@code dt / (1 + f(t) 1e-9)}. It is integrated with the midpoint rule on a {@value #GRID_NANOS} ns
 * grid (exact for the piecewise-linear and piecewise-constant paths used here when their breaks are on the
 * grid; sines err by far under a nanosecond).
 */
public final class WanderRig {
    public static final long SECOND_NANOS = 1_000_000_000L;
    public static final long START_EPOCH_NANOS = 1_790_000_000L * SECOND_NANOS;
    static final long START_MONO_NANOS = 5 * SECOND_NANOS;
    /** Violating reads whose instants a result keeps. */
    static final int VIOLATIONS_KEPT = 100_000;
    /** Truth is integrated on this grid; frequency steps are placed on it. */
    static final long GRID_NANOS = 10_000_000L;

    /** The oscillator: its frequency error (ppb, positive: the local timebase runs fast) at a local instant. */
    public interface FrequencyPath {
        double ppbAt(double localSeconds);
    }

    /** A sample's error, inside {@code [-declaredNanos + 1, declaredNanos - 1]} (the 1 ns covers rounding). */
    public interface Noise {
        long nanos(int sampleIndex, double localSeconds, long declaredNanos, SplittableRandom random);
    }

    /** What a run found. */
    public static final class Result {
        public long reads;
        public long boundedReads;
        public long violations;
        public double worstExcessNanos;
        public long backwards;
        /** The first violation's local instant (ns since the start), -1 if none; likewise the first suspect. */
        public long firstViolationNanos = -1;
        public long firstSuspectNanos = -1;
        long monotonicViolations;
        long samplesAccepted;
        long samplesSuspect;
        long windowResets;
        long windowRestores;
        /** Times the drift monitor widened the allowance; the allowance in force at the end. */
        public long driftWidenings;
        public long driftAllowancePpbAtEnd;
        /** When the last widening was (ns since the start), -1 if none. */
        public long driftLastWideningNanos = -1;
        /** The last read that violated the bound (ns since the start), -1 if none; the first of them kept. */
        public long lastViolationNanos = -1;
        final long[] violationNanos = new long[VIOLATIONS_KEPT];
        final double[] violationExcessNanos = new double[VIOLATIONS_KEPT];
        int violationsKept;
        final long[] boundNanos;
        final long[] errorNanos;
        int kept;

        Result(int readsMax) {
            boundNanos = new long[readsMax];
            errorNanos = new long[readsMax];
        }

        void keep(long boundNanosAtRead, long errorNanosAtRead) {
            if (kept < boundNanos.length) {
                boundNanos[kept] = boundNanosAtRead;
                errorNanos[kept] = errorNanosAtRead;
                kept++;
            }
        }

        public long boundPercentile(double p) {
            return percentile(boundNanos, p);
        }

        public long errorPercentile(double p) {
            return percentile(errorNanos, p);
        }

        private long percentile(long[] values, double p) {
            if (kept == 0) {
                return -1;
            }
            long[] sorted = Arrays.copyOf(values, kept);
            Arrays.sort(sorted);
            return sorted[(int) Math.min(kept - 1, Math.floor(p * kept))];
        }

        /**
         * The longest time, in seconds, from the latest excursion start (local seconds since the start, sorted) before
         * a violating read to that read; 0 when there was none. A violation before every start counts from the start.
         */
        public double violationDelaySeconds(double[] excursionStartsSeconds) {
            return violationDelaySeconds(excursionStartsSeconds, 0);
        }

        /** As {@link #violationDelaySeconds(double[])}, counting only violations by more than {@code excessNanosMin}. */
        public double violationDelaySeconds(double[] excursionStartsSeconds, double excessNanosMin) {
            double worst = 0;
            for (int k = 0; k < violationsKept; k++) {
                if (violationExcessNanos[k] <= excessNanosMin) {
                    continue;
                }
                double at = violationNanos[k] / 1e9;
                double from = 0;
                for (double s : excursionStartsSeconds) {
                    if (s <= at) {
                        from = s;
                    }
                }
                worst = Math.max(worst, at - from);
            }
            return worst;
        }

        @Override
        public String toString() {
            return String.format("reads %d (bounded %d), violations %d, worst excess %.1f ns, backwards %d, "
                    + "monotonic violations %d, accepted %d, suspect %d, resets %d (undone %d), drift widenings %d"
                    + " (allowance at the end %d ppb), bound p50 %d ns, error p50 %d p99 %d ns",
                    reads, boundedReads, violations, worstExcessNanos, backwards, monotonicViolations, samplesAccepted,
                    samplesSuspect, windowResets, windowRestores, driftWidenings, driftAllowancePpbAtEnd,
                    boundPercentile(0.5), errorPercentile(0.5), errorPercentile(0.99));
        }
    }

    private final DisciplineConfig config;
    private final FrequencyPath path;
    private final SplittableRandom random;

    // Truth: true time minus local time, ns, at the grid point gridNanos (local, since the start).
    private long gridNanos;
    private double trueMinusLocalAtGridNanos;

    /** True time jumps by {@link #truthJumpNanos} at this local instant (ns since the start): the reference is right. */
    long truthJumpAtNanos = Long.MAX_VALUE;
    long truthJumpNanos;

    /** Reads before this local instant are not judged (nothing can know of a truth jump before a sample tells). */
    long judgeFromNanos;

    /** Settled reads only: skip this long after the start before judging tightness (never honesty). */
    public long settleNanos = 120 * SECOND_NANOS;

    public WanderRig(DisciplineConfig config, FrequencyPath path, long seed) {
        this.config = config;
        this.path = path;
        this.random = new SplittableRandom(seed);
    }

    /** True time minus local time at local instant {@code localNanos} (ns since the start); moves forward only. */
    double trueMinusLocalNanos(long localNanos) {
        while (gridNanos + GRID_NANOS <= localNanos) {
            trueMinusLocalAtGridNanos += stepNanos(gridNanos, GRID_NANOS);
            gridNanos += GRID_NANOS;
        }
        return trueMinusLocalAtGridNanos + stepNanos(gridNanos, localNanos - gridNanos);
    }

    /** The change of (true - local) over {@code [fromNanos, fromNanos + lengthNanos]}, midpoint rule. */
    private double stepNanos(long fromNanos, long lengthNanos) {
        if (lengthNanos == 0) {
            return 0;
        }
        double f = path.ppbAt((fromNanos + lengthNanos / 2.0) / 1e9) * 1e-9;
        return -lengthNanos * f / (1 + f);
    }

    /**
     * True time at local instant {@code localNanos}, as ns since {@link #START_EPOCH_NANOS} (a double of the
     * epoch itself would keep only 256 ns of resolution).
     */
    double trueSinceStartNanos(long localNanos) {
        long jumpNanos = localNanos >= truthJumpAtNanos ? truthJumpNanos : 0;
        return localNanos + jumpNanos + trueMinusLocalNanos(localNanos);
    }

    long trueEpochNanosRounded(long localNanos) {
        return START_EPOCH_NANOS + Math.round(trueSinceStartNanos(localNanos));
    }

    /**
     * Runs the scenario: samples at {@code sampleLocalNanos} (ns since the start, ascending), each with its
     * declared error and noise, delivered 0-20 ms late; reads every 50-100 ms until {@code durationNanos}.
     *
     * @param driftFilePpb       the drift file's frequency (NaN: none)
     * @param hostGuessErrorNanos the host clock's error at the start
     * @param extraErrorNanos    per sample, an error beyond the declared one (outliers, reference jumps); null: none
     */
    public Result run(long[] sampleLocalNanos, long[] declaredNanos, Noise noise, long[] extraErrorNanos, double driftFilePpb,
            long hostGuessErrorNanos, long durationNanos) {
        Result result = new Result((int) Math.min(4_000_000, durationNanos / 50_000_000L + 1));
        DisciplinedClock clock = new DisciplinedClock(config, START_MONO_NANOS,
                trueEpochNanosRounded(0) + hostGuessErrorNanos, driftFilePpb);
        ClockReading reading = new ClockReading();
        long lastEpochNanos = Long.MIN_VALUE;
        int next = 0;
        long pendingDeliveryNanos = -1;
        Sample pending = null;
        long nextReadNanos = 0;
        while (nextReadNanos < durationNanos) {
            long nextSampleNanos = next < sampleLocalNanos.length ? sampleLocalNanos[next] : Long.MAX_VALUE;
            long deliveryNanos = pending != null ? pendingDeliveryNanos : Long.MAX_VALUE;
            long nowNanos = Math.min(nextReadNanos, Math.min(nextSampleNanos, deliveryNanos));
            if (nowNanos == deliveryNanos) {
                DisciplinedClock.Verdict v = clock.onSample(pending, START_MONO_NANOS + nowNanos);
                if (v == DisciplinedClock.Verdict.ACCEPTED) {
                    result.samplesAccepted++;
                } else if (v == DisciplinedClock.Verdict.REJECTED_SUSPECT) {
                    if (result.samplesSuspect++ == 0) {
                        result.firstSuspectNanos = nowNanos;
                    }
                }
                pending = null;
            } else if (nowNanos == nextSampleNanos) {
                if (pending == null) { // a sample arriving while one is in flight is lost, as a full queue would
                    long e = noise.nanos(next, nowNanos / 1e9, declaredNanos[next], random);
                    long extra = extraErrorNanos == null ? 0 : extraErrorNanos[next];
                    pending = new Sample("RIG", START_MONO_NANOS + nowNanos,
                            trueEpochNanosRounded(nowNanos) + e + extra, 0, declaredNanos[next], LeapIndicator.NONE);
                    pendingDeliveryNanos = nowNanos + random.nextLong(0, 20_000_001);
                }
                next++;
            } else {
                clock.read(START_MONO_NANOS + nowNanos, reading);
                result.reads++;
                if (reading.epochNanos < lastEpochNanos) {
                    result.backwards++;
                }
                lastEpochNanos = reading.epochNanos;
                if (reading.boundNanos < DisciplinedClock.BOUND_NANOS_UNKNOWN) {
                    result.boundedReads++;
                    double errorNanos = Math.abs((reading.epochNanos - START_EPOCH_NANOS) - trueSinceStartNanos(nowNanos));
                    if (errorNanos > reading.boundNanos && nowNanos >= judgeFromNanos) {
                        if (result.violations++ == 0) {
                            result.firstViolationNanos = nowNanos;
                        }
                        result.lastViolationNanos = nowNanos;
                        if (result.violationsKept < VIOLATIONS_KEPT) {
                            result.violationExcessNanos[result.violationsKept] = errorNanos - reading.boundNanos;
                            result.violationNanos[result.violationsKept++] = nowNanos;
                        }
                        result.worstExcessNanos = Math.max(result.worstExcessNanos, errorNanos - reading.boundNanos);
                    }
                    if (nowNanos >= settleNanos) {
                        result.keep(reading.boundNanos, Math.round(errorNanos));
                    }
                }
                nextReadNanos = nowNanos + random.nextLong(50_000_000, 100_000_001);
            }
        }
        result.monotonicViolations = clock.monotonicViolations();
        result.windowResets = clock.windowResets();
        result.windowRestores = clock.windowRestores();
        result.driftWidenings = clock.driftAllowance().widenings();
        result.driftAllowancePpbAtEnd = clock.driftAllowance().inForcePpb();
        if (clock.driftAllowance().widenings() > 0) {
            result.driftLastWideningNanos = clock.driftAllowance().lastWideningMonoNanos() - START_MONO_NANOS;
        }
        return result;
    }

    // ---- schedules, noises and paths ----

    /** Samples every {@code intervalNanos} from {@code firstNanos} until {@code durationNanos}. */
    public static long[] regular(long firstNanos, long intervalNanos, long durationNanos) {
        int n = (int) ((durationNanos - firstNanos) / intervalNanos) + 1;
        long[] t = new long[Math.max(0, n)];
        for (int i = 0; i < t.length; i++) {
            t[i] = firstNanos + i * intervalNanos;
        }
        return t;
    }

    public static long[] constant(int n, long value) {
        long[] a = new long[n];
        Arrays.fill(a, value);
        return a;
    }

    public static final Noise UNIFORM = (i, t, e, r) -> r.nextLong(-e + 1, e);
    public static final Noise ZERO = (i, t, e, r) -> 0;

    /** +edge for {@code blockSeconds}, then -edge for as long, and so on. */
    public static Noise edgeBlocks(double blockSeconds) {
        return (i, t, e, r) -> ((long) Math.floor(t / blockSeconds) % 2 == 0) ? e - 1 : -(e - 1);
    }

    /** +edge, -edge, +edge, ... sample by sample. */
    public static final Noise ALTERNATING = (i, t, e, r) -> (i % 2 == 0) ? e - 1 : -(e - 1);

    /** The sim reference's noise: Gaussian, clipped where the declared error is 3 sigma. */
    public static final Noise GAUSSIAN = (i, t, e, r) ->
            Math.max(-(e - 1), Math.min(e - 1, Math.round(r.nextGaussian() * e / 3.0)));

    public static FrequencyPath constantPpb(double ppb) {
        return t -> ppb;
    }

    public static FrequencyPath ramp(double startPpb, double ppbPerSecond) {
        return t -> startPpb + ppbPerSecond * t;
    }

    public static FrequencyPath sine(double centerPpb, double amplitudePpb, double periodSeconds) {
        return t -> centerPpb + amplitudePpb * Math.sin(2 * Math.PI * t / periodSeconds);
    }

    /**
     * A board's crystal as the sim profile simulates it ({@link SimulatedOscillator}): {@code offsetPpb}, plus a seeded
     * random walk stepped each second ({@code walkPpbPerSqrtSecond x sqrt(1 s)}, constant within the second, breaks on
     * the grid), plus a temperature cycle {@code temperaturePpb x sin(2 pi t / periodSeconds)}, for {@code seconds}.
     */
    public static FrequencyPath crystal(double offsetPpb, double walkPpbPerSqrtSecond, double temperaturePpb,
            double periodSeconds, long seed, int seconds) {
        double[] walk = new double[seconds + 2];
        SplittableRandom r = new SplittableRandom(seed);
        for (int k = 1; k < walk.length; k++) {
            walk[k] = walk[k - 1] + r.nextGaussian() * walkPpbPerSqrtSecond;
        }
        return t -> offsetPpb + walk[(int) Math.min(walk.length - 1, Math.max(0, Math.floor(t)))]
                + temperaturePpb * Math.sin(2 * Math.PI * t / periodSeconds);
    }

    /** A piecewise-constant path: {@code ppb[k]} from {@code atSeconds[k]} (on the grid) on. */
    public static FrequencyPath steps(double startPpb, double[] atSeconds, double[] ppb) {
        return t -> {
            double f = startPpb;
            for (int k = 0; k < atSeconds.length && t >= atSeconds[k]; k++) {
                f = ppb[k];
            }
            return f;
        };
    }

    /** A piecewise-constant table, one value a second (e.g. a random walk); the last value holds after it. */
    public static FrequencyPath table(double[] ppbBySecond) {
        return t -> ppbBySecond[(int) Math.max(0, Math.min(ppbBySecond.length - 1, Math.floor(t)))];
    }

    /**
     * The largest range (max - min) of {@code path} over any interval of {@code spanSeconds} within
     * {@code [0, durationSeconds]}, sampled every {@code stepSeconds}.
     */
    public static double rangeOverSpanPpb(FrequencyPath path, double spanSeconds, double durationSeconds, double stepSeconds) {
        int n = (int) Math.ceil(durationSeconds / stepSeconds) + 1;
        int span = (int) Math.ceil(spanSeconds / stepSeconds);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = path.ppbAt(i * stepSeconds);
        }
        // Monotonic deques of indices for the sliding max and min.
        int[] maxQ = new int[n];
        int[] minQ = new int[n];
        int maxHead = 0, maxTail = 0, minHead = 0, minTail = 0;
        double worst = 0;
        for (int i = 0; i < n; i++) {
            while (maxTail > maxHead && v[maxQ[maxTail - 1]] <= v[i]) {
                maxTail--;
            }
            maxQ[maxTail++] = i;
            while (minTail > minHead && v[minQ[minTail - 1]] >= v[i]) {
                minTail--;
            }
            minQ[minTail++] = i;
            while (maxQ[maxHead] < i - span) {
                maxHead++;
            }
            while (minQ[minHead] < i - span) {
                minHead++;
            }
            worst = Math.max(worst, v[maxQ[maxHead]] - v[minQ[minHead]]);
        }
        return worst;
    }

    /**
     * The longest span the discipline's assumption covers for this schedule: a full window of samples and the
     * wait for the next one (or the end of the run).
     */
    public static double assumptionSpanSeconds(long[] sampleLocalNanos, long durationNanos, int windowSamples) {
        long worst = 0;
        for (int n = 0; n < sampleLocalNanos.length; n++) {
            long oldest = sampleLocalNanos[Math.max(0, n - windowSamples + 1)];
            long until = n + 1 < sampleLocalNanos.length ? sampleLocalNanos[n + 1] : durationNanos;
            worst = Math.max(worst, until - oldest);
        }
        return worst / 1e9;
    }

    public static long[] toArray(List<Long> values) {
        long[] a = new long[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i);
        }
        return a;
    }

    static List<Long> list() {
        return new ArrayList<>();
    }
}
