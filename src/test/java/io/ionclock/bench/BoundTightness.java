package io.ionclock.bench;

import io.ionclock.core.DisciplineConfig;
import io.ionclock.core.WanderRig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * How tight the honest bound is, on a manual timeline (no OS clock, so the figures are exact and repeat): the
 * discipline fed by a reference whose noise stays inside its declared error, read every 50-100 ms, each read checked
 * against true time. First each device profile ({@code device-profiles/*.properties}: its {@code max-drift-ppb} and
 * {@code frequency-tolerance-ppb}) on a simulated oscillator of its board's class and its reference; then fixed
 * attack cases. Run: {@code ./ionclock bench-bound [SECONDS]} (default 3600 a case).
 */
public final class BoundTightness {
    static final long SECOND_NANOS = WanderRig.SECOND_NANOS;
    static final Path PROFILES = Path.of("device-profiles");

    /** A board's crystal and its reference, as a profile's hardware has them. */
    record Board(String oscillator, WanderRig.FrequencyPath path, String reference, long declaredNanos,
            WanderRig.Noise noise) {
    }

    public static void main(String[] args) throws IOException {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 3_600;
        System.out.printf("bound tightness, %d s a case, reads every 50-100 ms, judged after the first 120 s%n%n", seconds);
        System.out.println("| profile | oscillator (simulated) | reference | maxDriftPpb / tolerance | reads | violations"
                + " | widenings | bound p50 / p99 | |error| p50 / p99 | bound p50 / |error| p50 |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (String profile : new String[] {"rpi4-ublox-pps", "rpi5-ublox-pps", "sim", "usb-nmea"}) {
            Properties p = profile(profile);
            Board b = board(profile, p, (int) seconds);
            DisciplineConfig config = config(Long.parseLong(p.getProperty("ionclock.max-drift-ppb", "15000")),
                    Long.parseLong(p.getProperty("ionclock.frequency-tolerance-ppb", "500000")));
            WanderRig.Result r = run(config, b.path(), b.declaredNanos(), b.noise(), seconds);
            System.out.printf("| `%s` | %s | %s | %d / %d ppb | %d | %d | %d | %s / %s | %s / %s | %.1f |%n", profile,
                    b.oscillator(), b.reference(), config.maxDriftPpb(), config.frequencyPpbMax(), r.reads, r.violations,
                    r.driftWidenings, human(r.boundPercentile(0.5)), human(r.boundPercentile(0.99)),
                    human(r.errorPercentile(0.5)), human(r.errorPercentile(0.99)),
                    r.boundPercentile(0.5) / (double) Math.max(1, r.errorPercentile(0.5)));
        }
        System.out.println();
        DisciplineConfig defaults = DisciplineConfig.defaults();
        System.out.println("| case | maxDriftPpb | reads | violations | bound p50 | bound p99 | |error| p50 | |error| p99 |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        row("PPS-like: +-100 ns uniform at 1 Hz, +25 ppm calm", config(200, 100_000), WanderRig.constantPpb(25_000), 100,
                WanderRig.UNIFORM, seconds);
        row("PPS-like: +-100 ns uniform at 1 Hz, +25 ppm calm", config(1_000, 500_000), WanderRig.constantPpb(25_000), 100,
                WanderRig.UNIFORM, seconds);
        row("PPS-like: +-100 ns uniform at 1 Hz, +25 ppm calm", defaults, WanderRig.constantPpb(25_000), 100,
                WanderRig.UNIFORM, seconds);
        row("sim-like: Gaussian sigma 500 ns clipped at 3 sigma, 1 Hz, +25 ppm", defaults,
                WanderRig.constantPpb(25_000), 1_500, WanderRig.GAUSSIAN, seconds);
        row("PPS-like, ramp 1 ppb/s", defaults, WanderRig.ramp(25_000, 1), 100, WanderRig.UNIFORM, seconds);
        row("PPS-like, ramp 10 ppb/s", defaults, WanderRig.ramp(-25_000, 10), 100, WanderRig.UNIFORM, seconds);
        row("PPS-like +-50 ns, sine 200 ppb / 300 s", config(500, 500_000), WanderRig.sine(10_000, 200, 300), 50,
                WanderRig.UNIFORM, seconds);
        row("edge noise +-999 ns in 20 s blocks, 1 Hz", defaults, WanderRig.constantPpb(25_000), 1_000,
                WanderRig.edgeBlocks(20), seconds);
    }

    /**
     * The class of each profile's oscillator and reference. The Pi boards: an uncompensated crystal, 25 ppm off, a
     * random walk of 0.2 ppb/sqrt(s) and a temperature cycle of +-100 ppb over 15 minutes (the sim profile's own
     * settings), with kernel PPS at +-100 ns. usb-nmea: any host's crystal, ten times as restless, and NMEA alone (the
     * receiver's output delay, 213 ms here, inside the 0.5 s the pairing declares, with +-50 ms of jitter).
     */
    static Board board(String profile, Properties p, int seconds) {
        return switch (profile) {
            case "sim" -> {
                double offset = Double.parseDouble(p.getProperty("ionclock.sim.oscillator-ppb", "25000"));
                double walk = Double.parseDouble(p.getProperty("ionclock.sim.wander-ppb-per-sqrt-second", "0"));
                double temperature = Double.parseDouble(p.getProperty("ionclock.sim.temperature-ppb", "0"));
                double period = minutes(p.getProperty("ionclock.sim.temperature-period", "15m"));
                long sigma = Long.parseLong(p.getProperty("ionclock.sim.noise-nanos", "500"));
                yield new Board(String.format("%.0f ppm, walk %.1f ppb/√s, ±%.0f ppb / %.0f min", offset / 1000, walk,
                        temperature, period / 60), WanderRig.crystal(offset, walk, temperature, period, 1, seconds),
                        "sim: Gaussian σ " + sigma + " ns, clipped at 3σ", 3 * sigma, WanderRig.GAUSSIAN);
            }
            case "usb-nmea" -> new Board("25 ppm, walk 2 ppb/√s, ±1,000 ppb / 15 min",
                    WanderRig.crystal(25_000, 2, 1_000, 900, 1, seconds), "NMEA only: 213 ± 50 ms late, 505 ms declared",
                    505_000_000L, (i, t, e, r) -> -213_000_000L + r.nextLong(-50_000_000L, 50_000_001L));
            default -> new Board("25 ppm, walk 0.2 ppb/√s, ±100 ppb / 15 min",
                    WanderRig.crystal(25_000, 0.2, 100, 900, 1, seconds), "kernel PPS: ±100 ns uniform", 100,
                    WanderRig.UNIFORM);
        };
    }

    static double minutes(String duration) {
        String d = duration.trim();
        double v = Double.parseDouble(d.replaceAll("[a-z]+$", ""));
        return d.endsWith("ms") ? v / 1e3 : d.endsWith("m") ? v * 60 : d.endsWith("h") ? v * 3600 : v;
    }

    static Properties profile(String name) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(PROFILES.resolve(name + ".properties"))) {
            p.load(in);
        }
        return p;
    }

    static DisciplineConfig config(long maxDriftPpb, long frequencyPpbMax) {
        DisciplineConfig d = DisciplineConfig.defaults();
        return new DisciplineConfig(d.slewRatePpbMax(), maxDriftPpb, frequencyPpbMax, d.holdoverAfterNanos(),
                d.boundNanosMax());
    }

    static WanderRig.Result run(DisciplineConfig config, WanderRig.FrequencyPath path, long declaredNanos,
            WanderRig.Noise noise, long seconds) {
        long durationNanos = seconds * SECOND_NANOS;
        long[] t = WanderRig.regular(SECOND_NANOS / 2, SECOND_NANOS, durationNanos);
        return new WanderRig(config, path, 1).run(t, WanderRig.constant(t.length, declaredNanos), noise, null,
                Double.NaN, 0, durationNanos);
    }

    static void row(String name, DisciplineConfig config, WanderRig.FrequencyPath path, long declaredNanos,
            WanderRig.Noise noise, long seconds) {
        WanderRig.Result r = run(config, path, declaredNanos, noise, seconds);
        System.out.printf("| %s | %d | %d | %d | %s | %s | %s | %s |%n", name, config.maxDriftPpb(), r.reads,
                r.violations, human(r.boundPercentile(0.5)), human(r.boundPercentile(0.99)),
                human(r.errorPercentile(0.5)), human(r.errorPercentile(0.99)));
    }

    static String human(long nanos) {
        return nanos >= 1_000_000 ? String.format("%.1f ms", nanos / 1e6) : String.format("%.2f µs", nanos / 1e3);
    }
}
