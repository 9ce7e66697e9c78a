package io.ionclock.bench;

import io.ionclock.core.DisciplineConfig;
import io.ionclock.core.WanderRig;

/**
 * How tight the honest bound is, on a manual timeline (no OS clock, so the figures are exact and repeat):
 * the discipline fed by a reference whose noise stays inside its declared error, read every 50-100 ms,
 * each read checked against true time. Run: {@code ./ionclock bench-bound [SECONDS]} (default 3600).
 */
public final class BoundTightness {
    static final long SECOND_NANOS = WanderRig.SECOND_NANOS;

    public static void main(String[] args) {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 3_600;
        DisciplineConfig defaults = DisciplineConfig.defaults();
        DisciplineConfig drift1000 = withDrift(1_000);
        DisciplineConfig drift500 = withDrift(500);
        System.out.printf("bound tightness, %d s a case, reads every 50-100 ms, judged after the first 120 s%n", seconds);
        System.out.println("| case | maxDriftPpb | reads | violations | bound p50 | bound p99 | |error| p50 | |error| p99 |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        run("PPS-like: +-100 ns uniform at 1 Hz, +25 ppm calm", drift1000, WanderRig.constantPpb(25_000), 100,
                WanderRig.UNIFORM, seconds);
        run("PPS-like: +-100 ns uniform at 1 Hz, +25 ppm calm", defaults, WanderRig.constantPpb(25_000), 100,
                WanderRig.UNIFORM, seconds);
        run("sim-like: Gaussian sigma 500 ns clipped at 3 sigma, 1 Hz, +25 ppm", defaults,
                WanderRig.constantPpb(25_000), 1_500, WanderRig.GAUSSIAN, seconds);
        run("PPS-like, ramp 1 ppb/s", defaults, WanderRig.ramp(25_000, 1), 100, WanderRig.UNIFORM, seconds);
        run("PPS-like, ramp 10 ppb/s", defaults, WanderRig.ramp(-25_000, 10), 100, WanderRig.UNIFORM, seconds);
        run("PPS-like +-50 ns, sine 200 ppb / 300 s", drift500, WanderRig.sine(10_000, 200, 300), 50,
                WanderRig.UNIFORM, seconds);
        run("edge noise +-999 ns in 20 s blocks, 1 Hz", defaults, WanderRig.constantPpb(25_000), 1_000,
                WanderRig.edgeBlocks(20), seconds);
    }

    static DisciplineConfig withDrift(long maxDriftPpb) {
        DisciplineConfig d = DisciplineConfig.defaults();
        return new DisciplineConfig(d.slewRatePpbMax(), maxDriftPpb, d.frequencyPpbMax(), d.holdoverAfterNanos(),
                d.boundNanosMax());
    }

    static void run(String name, DisciplineConfig config, WanderRig.FrequencyPath path, long declaredNanos,
            WanderRig.Noise noise, long seconds) {
        long durationNanos = seconds * SECOND_NANOS;
        long[] t = WanderRig.regular(SECOND_NANOS / 2, SECOND_NANOS, durationNanos);
        WanderRig.Result r = new WanderRig(config, path, 1).run(t, WanderRig.constant(t.length, declaredNanos), noise,
                null, Double.NaN, 0, durationNanos);
        System.out.printf("| %s | %d | %d | %d | %s | %s | %s | %s |%n", name, config.maxDriftPpb(), r.reads,
                r.violations, micros(r.boundPercentile(0.5)), micros(r.boundPercentile(0.99)),
                micros(r.errorPercentile(0.5)), micros(r.errorPercentile(0.99)));
    }

    static String micros(long nanos) {
        return String.format("%.2f µs", nanos / 1e3);
    }
}
