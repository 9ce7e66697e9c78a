package io.ionclock.core;

import static io.ionclock.core.WanderRig.SECOND_NANOS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded random attacks on the bound, each inside the assumption {@link DisciplineConfig} states: frequency
 * paths (offsets, ramps, sines, steps, random walks, mixed) scaled so the frequency never moves more than
 * {@code maxDriftPpb} over the span a window and the wait after it cover; noise inside the declared error
 * (uniform, Gaussian, edge-of-range blocks, alternating edges, none), declared errors that vary; irregular
 * sampling with gaps; drift files right, wrong by anything up to the tolerance, or absent; host clocks off.
 * Every read is checked against true time; one violation fails the run and prints its seed. Inside the assumption
 * the drift monitor ({@link DriftMonitor}) must never widen the allowance.
 *
 * <p>Reproduce one seed: {@code ./mvnw test -Dtest=DisciplineBoundPropertyTest -Dionclock.bound.seed=N};
 * more scenarios: {@code -Dionclock.bound.scenarios=N} (default {@value #SCENARIOS_DEFAULT}).
 */
class DisciplineBoundPropertyTest {
    static final int SCENARIOS_DEFAULT = 160;
    static final long READS_MIN = 1_000_000;

    /** One random scenario, built from its seed alone. */
    record Scenario(long seed, String description, DisciplineConfig config, WanderRig.FrequencyPath path, long[] times,
            long[] declared, WanderRig.Noise noise, double driftFilePpb, long hostErrorNanos, long durationNanos) {

        WanderRig.Result run() {
            return new WanderRig(config, path, seed).run(times, declared, noise, null, driftFilePpb, hostErrorNanos,
                    durationNanos);
        }
    }

    static Scenario scenario(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder d = new StringBuilder();
        long[] drifts = {100, 500, 1_000, 5_000, 15_000};
        long maxDriftPpb = drifts[r.nextInt(drifts.length)];
        long frequencyPpbMax = r.nextInt(4) == 0 ? 100_000 : 500_000;
        DisciplineConfig dd = DisciplineConfig.defaults();
        DisciplineConfig config = new DisciplineConfig(dd.slewRatePpbMax(), maxDriftPpb, frequencyPpbMax,
                dd.holdoverAfterNanos(), dd.boundNanosMax());
        d.append("maxDrift ").append(maxDriftPpb).append(" ppb, tolerance ").append(frequencyPpbMax).append(" ppb; ");

        // Schedule: interval, jitter, gaps.
        long durationNanos = (r.nextBoolean() ? 600 : 1_200) * SECOND_NANOS;
        long[] intervals = {SECOND_NANOS / 4, SECOND_NANOS, 2 * SECOND_NANOS};
        long intervalNanos = intervals[r.nextInt(intervals.length)];
        double jitter = new double[] {0, 0.1, 0.45}[r.nextInt(3)];
        double gapChance = r.nextInt(3) == 0 ? 0.004 : 0;
        List<Long> times = WanderRig.list();
        long gapsNanos = 0;
        for (long t = r.nextLong(0, intervalNanos); t < durationNanos; ) {
            times.add(t);
            long step = intervalNanos + Math.round((r.nextDouble() * 2 - 1) * jitter * intervalNanos);
            if (r.nextDouble() < gapChance) {
                long gap = new long[] {10, 60, 600}[r.nextInt(3)] * SECOND_NANOS;
                step += gap;
                gapsNanos += gap;
            }
            t += Math.max(1, step);
        }
        long[] t = WanderRig.toArray(times);
        d.append(String.format("samples every %.2f s +-%.0f%%, gaps %d s; ", intervalNanos / 1e9, jitter * 100,
                gapsNanos / SECOND_NANOS));

        // Declared errors and noise.
        long[] errors = {100, 1_000, 1_500, 20_000, 500_000};
        long e = errors[r.nextInt(errors.length)];
        boolean varying = r.nextInt(3) == 0;
        long[] declared = new long[t.length];
        for (int i = 0; i < t.length; i++) {
            declared[i] = varying ? Math.max(2, Math.round(e * (0.5 + 1.5 * r.nextDouble()))) : e;
        }
        WanderRig.Noise[] noises = {WanderRig.UNIFORM, WanderRig.GAUSSIAN, WanderRig.edgeBlocks(5),
                WanderRig.edgeBlocks(20), WanderRig.edgeBlocks(60), WanderRig.ALTERNATING, WanderRig.ZERO};
        String[] noiseNames = {"uniform", "gaussian", "edge 5 s", "edge 20 s", "edge 60 s", "alternating", "none"};
        int noise = r.nextInt(noises.length);
        d.append("error ").append(e).append(" ns").append(varying ? " (varying)" : "").append(", noise ")
                .append(noiseNames[noise]).append("; ");

        // Frequency: a wander scaled into the allowance, plus an offset that keeps the whole path inside the tolerance.
        double runSeconds = durationNanos / 1e9;
        WanderRig.FrequencyPath wander = wander(r, d, runSeconds);
        double spanSeconds = WanderRig.assumptionSpanSeconds(t, durationNanos, SampleWindow.SAMPLES_MAX) + 1;
        double range = WanderRig.rangeOverSpanPpb(wander, spanSeconds, runSeconds, 0.05);
        double wholeRange = WanderRig.rangeOverSpanPpb(wander, runSeconds, runSeconds, 0.05);
        double scale = range > 0 ? Math.min(0.95 * maxDriftPpb / range, 1.9 * frequencyPpbMax / wholeRange) : 0;
        double low = Double.MAX_VALUE, high = -Double.MAX_VALUE;
        for (double x = 0; x <= runSeconds; x += 0.05) {
            low = Math.min(low, scale * wander.ppbAt(x));
            high = Math.max(high, scale * wander.ppbAt(x));
        }
        double offsetLow = -0.99 * frequencyPpbMax - Math.min(0, low);
        double offsetHigh = 0.99 * frequencyPpbMax - Math.max(0, high);
        double offsetPpb = offsetLow + r.nextDouble() * Math.max(0, offsetHigh - offsetLow);
        double finalScale = scale;
        WanderRig.FrequencyPath path = x -> offsetPpb + finalScale * wander.ppbAt(x);
        d.append(String.format("offset %.0f ppb, wander x%.3g (%.0f ppb over the run) over %.0f s spans; ", offsetPpb,
                scale, scale * wholeRange, spanSeconds));

        // The drift file: none, about right, or wrong by anything up to the tolerance.
        double driftFilePpb = switch (r.nextInt(3)) {
            case 0 -> Double.NaN;
            case 1 -> offsetPpb + (r.nextDouble() * 2 - 1) * maxDriftPpb;
            default -> (r.nextDouble() * 2 - 1) * frequencyPpbMax;
        };
        long hostErrorNanos = new long[] {0, 1_000_000, -2 * SECOND_NANOS}[r.nextInt(3)];
        d.append(String.format("drift file %.0f ppb, host off %d ns", driftFilePpb, hostErrorNanos));
        return new Scenario(seed, d.toString(), config, path, t, declared, noises[noise], driftFilePpb, hostErrorNanos,
                durationNanos);
    }

    /** A random shape of wander (unscaled): ramps, sines, steps, random walks, or several summed. */
    static WanderRig.FrequencyPath wander(SplittableRandom r, StringBuilder d, double runSeconds) {
        int kinds = 1 + r.nextInt(3);
        WanderRig.FrequencyPath sum = s -> 0;
        for (int k = 0; k < kinds; k++) {
            WanderRig.FrequencyPath part;
            switch (r.nextInt(4)) {
                case 0 -> {
                    double slope = r.nextBoolean() ? 1 : -1;
                    part = s -> slope * s;
                    d.append("ramp ");
                }
                case 1 -> {
                    double period = 20 + r.nextDouble() * 600;
                    double phase = r.nextDouble() * 2 * Math.PI;
                    part = s -> Math.sin(2 * Math.PI * s / period + phase) * 100;
                    d.append(String.format("sine %.0f s ", period));
                }
                case 2 -> {
                    int n = 1 + r.nextInt(6);
                    double[] at = new double[n];
                    double[] ppb = new double[n];
                    double level = 0;
                    for (int i = 0; i < n; i++) {
                        at[i] = Math.round(r.nextDouble() * runSeconds * 100) / 100.0; // on the 10 ms grid
                        level += (r.nextDouble() * 2 - 1) * 100;
                        ppb[i] = level;
                    }
                    java.util.Arrays.sort(at);
                    part = WanderRig.steps(0, at, ppb);
                    d.append(n).append(" steps ");
                }
                default -> {
                    double[] walk = new double[(int) runSeconds + 2];
                    for (int i = 1; i < walk.length; i++) {
                        walk[i] = walk[i - 1] + r.nextGaussian();
                    }
                    part = WanderRig.table(walk);
                    d.append("random walk ");
                }
            }
            WanderRig.FrequencyPath before = sum;
            WanderRig.FrequencyPath add = part;
            sum = s -> before.ppbAt(s) + add.ppbAt(s);
        }
        return sum;
    }

    @Test
    void noReadAnywhereFallsOutsideTheBound() {
        String only = System.getProperty("ionclock.bound.seed");
        int scenarios = Integer.getInteger("ionclock.bound.scenarios", SCENARIOS_DEFAULT);
        long firstSeed = only != null ? Long.parseLong(only) : 1;
        int count = only != null ? 1 : scenarios;
        long reads = 0;
        long bounded = 0;
        for (long seed = firstSeed; seed < firstSeed + count; seed++) {
            Scenario s = scenario(seed);
            WanderRig.Result r = s.run();
            reads += r.reads;
            bounded += r.boundedReads;
            String where = "seed " + seed + " (" + s.description() + "): " + r
                    + "\n  reproduce: ./mvnw test -Dtest=DisciplineBoundPropertyTest -Dionclock.bound.seed=" + seed;
            assertEquals(0, r.violations, "true time outside the bound, " + where);
            assertEquals(0, r.backwards, "time went backwards, " + where);
            assertEquals(0, r.monotonicViolations, where);
            assertEquals(0, r.driftWidenings, "the drift monitor fired on a path inside the allowance, " + where);
        }
        System.out.printf("bound property: %d scenarios, %d reads (%d bounded), 0 violations%n", count, reads, bounded);
        if (only == null && scenarios >= SCENARIOS_DEFAULT) {
            assertTrue(bounded >= READS_MIN, "the property needs at least " + READS_MIN + " judged reads: " + bounded);
        }
    }
}
