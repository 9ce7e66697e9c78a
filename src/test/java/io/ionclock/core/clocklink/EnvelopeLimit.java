package io.ionclock.core.clocklink;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * What the envelope filter can do at a given exchange rate, with the real {@link LinkFilter} alone (no discipline, no
 * selection, no loss): one gateway polls {@code links} perfect servers together every {@code poll} seconds; each
 * one-way delay is 500 µs plus exponential queueing (mean 50 µs), each timestamp has Gaussian noise (sigma 67 ns, as
 * the scenarios' {@code timestampJitterNanos: 200}); the gateway's oscillator runs 30 ppm off with its frequency a
 * random walk of {@code wander} ppb/sqrt(s). After every cycle (past a warm-up of two windows, at least 600 s) the
 * estimate of {@code x = serverEpoch - mono} is compared with the truth, two ways:
 * <ul>
 *   <li><b>estimated</b>: the common slope found as the node finds it ({@link SlopeTracker}: golden section on the summed
 *       envelope gaps, its bracket adapted the same way), the links' values averaged;</li>
 *   <li><b>oracle</b>: the same filters given the true slope for free (the least-squares slope of the true x over the
 *       window): what this filter could do with a perfect slope estimator.</li>
 * </ul>
 * Variants: {@code slope-window=F} finds the slope on a second set of filters F times as long; {@code pooled} puts
 * every link's exchanges into one filter (possible here because every path has the same fixed delays: the best case).
 *
 * <p>Run: {@code ./ionclock bench-envelope} (the table in docs/benchmarks.md) or
 * {@code ./ionclock bench-envelope poll=3.1 links=4 window=auto hours=1 seeds=40 wander=1 slope-window=1 pooled}:
 * one JSON line a case.
 */
public final class EnvelopeLimit {
    private static final long BASE_DELAY_NANOS = 500_000;
    private static final double JITTER_MEAN_NANOS = 50_000;
    private static final double BASE_FREQUENCY = 30e-6;
    private static final double TIMESTAMP_SIGMA_NANOS = 200.0 / 3;
    private static final long TIMESTAMP_ERROR_NANOS = 201;
    private static final long TURNAROUND_NANOS = 20_000;
    private static final long TOLERANCE_PPB = 100_000;
    private static final long SERVER_BOUND_NANOS = 100;
    /** A sync exchange on the wire (SYNC_REQUEST + SYNC_RESPONSE), bytes. */
    private static final int EXCHANGE_BYTES = Wire.SYNC_REQUEST_SIZE_BYTES + Wire.SYNC_RESPONSE_SIZE_BYTES;

    record Case(double pollSeconds, int links, double windowSeconds, double hours, int seeds, double wanderPpbPerSqrtSecond,
            double slopeWindowFactor, boolean pooled) {
        /** Cycles over all seeds at most (the error arrays hold one value a cycle). */
        static final long CYCLES_MAX = 20_000_000;
        private static final Set<String> KEYS = Set.of("poll", "links", "window", "hours", "seeds", "wander",
                "slope-window", "pooled");

        static Case parse(String[] args) {
            Map<String, String> o = new HashMap<>();
            for (String a : args) {
                String[] kv = a.split("=", 2);
                if (!KEYS.contains(kv[0])) {
                    throw new IllegalArgumentException("unknown argument: " + a + " (known: " + KEYS + ")");
                }
                o.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
            String window = o.getOrDefault("window", "auto");
            Case c = new Case(number(o, "poll", 3.1), (int) number(o, "links", 4),
                    window.equals("auto") ? 0 : Double.parseDouble(window), number(o, "hours", 1),
                    (int) number(o, "seeds", 40), number(o, "wander", 1), number(o, "slope-window", 1),
                    o.containsKey("pooled"));
            // Bounded, so that no argument can stall the loop (a zero poll) or divide by nothing.
            if (!(c.pollSeconds >= 0.01 && c.pollSeconds <= 1000) || c.links < 1 || c.links > ClocklinkConfig.UPSTREAMS_MAX
                    || !(c.windowSeconds >= 0 && c.windowSeconds <= 3600) || !(c.hours > 0 && c.hours <= 48)
                    || c.seeds < 1 || c.seeds > 1000 || !(c.wanderPpbPerSqrtSecond >= 0 && c.wanderPpbPerSqrtSecond <= 100)
                    || !(c.slopeWindowFactor >= 1 && c.slopeWindowFactor <= 10)
                    || c.seeds * c.hours * 3600 / c.pollSeconds > CYCLES_MAX) {
                throw new IllegalArgumentException("out of range: " + c
                        + " (poll 0.01..1000 s, links 1..16, window 0..3600 s, hours ..48, seeds 1..1000, wander 0..100,"
                        + " slope-window 1..10, seeds x cycles <= " + CYCLES_MAX + ")");
            }
            return c;
        }

        private static double number(Map<String, String> o, String key, double defaultValue) {
            return o.containsKey(key) ? Double.parseDouble(o.get(key)) : defaultValue;
        }

        long pollNanos() {
            return Math.round(pollSeconds * 1e9);
        }

        /** The window: as the node sizes it (the default window limit; no wander taken as 0.01 ppb/√s) unless given. */
        long windowNanos() {
            if (windowSeconds > 0) {
                return Math.round(windowSeconds * 1e9);
            }
            return LinkFilter.windowNanosFor(JITTER_MEAN_NANOS, pollNanos(), Math.max(wanderPpbPerSqrtSecond, 0.01),
                    ClocklinkConfig.FILTER_WINDOW_NANOS_DEFAULT);
        }
    }

    private EnvelopeLimit() {
    }

    public static void main(String[] args) {
        if (args.length > 0) {
            System.out.println(json(Case.parse(args)));
            return;
        }
        for (String poll : new String[] {"0.1", "0.5", "1.0", "2.0", "3.1", "6.2"}) {
            System.out.println(json(Case.parse(new String[] {"poll=" + poll})));
        }
        System.out.println(json(Case.parse(new String[] {"poll=3.1", "wander=0"})));
        System.out.println(json(Case.parse(new String[] {"poll=3.1", "pooled"})));
        System.out.println(json(Case.parse(new String[] {"poll=3.1", "window=120", "slope-window=3"})));
    }

    static String json(Case c) {
        long pollNanos = c.pollNanos();
        long windowNanos = c.windowNanos();
        long durationNanos = Math.round(c.hours * 3600e9);
        long warmupNanos = Math.max(2 * windowNanos, 600_000_000_000L);
        int perRun = (int) Math.max(0, (durationNanos - warmupNanos) / pollNanos + 2);
        double[] estimated = new double[c.seeds * perRun];
        double[] oracle = new double[estimated.length];
        int n = 0;
        for (int seed = 1; seed <= c.seeds; seed++) {
            n = run(c, seed, windowNanos, durationNanos, warmupNanos, estimated, oracle, n);
        }
        double[] e = Arrays.copyOf(estimated, n);
        double[] o = Arrays.copyOf(oracle, n);
        Arrays.sort(e);
        Arrays.sort(o);
        return String.format(Locale.ROOT, "{\"pollSeconds\": %.2f, \"links\": %d, \"windowSeconds\": %.0f,"
                        + " \"exchangeBytesPerSecond\": %.0f, \"wanderPpbPerSqrtSecond\": %.1f, \"slopeWindowFactor\": %.1f,"
                        + " \"pooled\": %b, \"samples\": %d, \"estimatedNanosP50\": %.0f, \"estimatedNanosP99\": %.0f,"
                        + " \"oracleNanosP50\": %.0f, \"oracleNanosP99\": %.0f}",
                c.pollSeconds, c.links, windowNanos / 1e9, c.links * EXCHANGE_BYTES / c.pollSeconds, c.wanderPpbPerSqrtSecond,
                c.slopeWindowFactor, c.pooled, n, pct(e, 0.5), pct(e, 0.99), pct(o, 0.5), pct(o, 0.99));
    }

    private static int run(Case c, int seed, long windowNanos, long durationNanos, long warmupNanos,
            double[] estimated, double[] oracle, int n) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int filterCount = c.pooled ? 1 : c.links;
        LinkFilter[] filters = new LinkFilter[filterCount];
        LinkFilter[] slopeFilters = new LinkFilter[filterCount];
        for (int j = 0; j < filterCount; j++) {
            filters[j] = new LinkFilter(windowNanos, TOLERANCE_PPB, TIMESTAMP_ERROR_NANOS);
            slopeFilters[j] = c.slopeWindowFactor == 1 ? filters[j]
                    : new LinkFilter(Math.round(windowNanos * c.slopeWindowFactor), TOLERANCE_PPB, TIMESTAMP_ERROR_NANOS);
        }
        long pollNanos = c.pollNanos();
        int kept = (int) (windowNanos / pollNanos) + 2;
        double[] truthMono = new double[kept];
        double[] truthX = new double[kept];
        int truthCount = 0;
        int truthNext = 0;
        double frequency = BASE_FREQUENCY; // d x / d mono
        double x = 0; // the true x at mono, ns (less the epoch base)
        long epochBase = 1_700_000_000_000_000_000L;
        long mono = 1_000_000_000L;
        SlopeTracker slope = new SlopeTracker(); // the node's own search
        for (long t = 0; t < durationNanos; t += pollNanos) {
            double step = c.wanderPpbPerSqrtSecond * 1e-9 * Math.sqrt(pollNanos / 1e9) * rnd.nextGaussian();
            x += (frequency + step / 2) * pollNanos;
            frequency += step;
            mono += pollNanos;
            for (int j = 0; j < c.links; j++) {
                // The server's epoch at our mono instant m is epochBase + m + x(m); x moves at `frequency` meanwhile.
                double up = BASE_DELAY_NANOS + JITTER_MEAN_NANOS * rnd.nextExponential();
                double down = BASE_DELAY_NANOS + JITTER_MEAN_NANOS * rnd.nextExponential();
                long t1 = mono + noise(rnd);
                long t2 = epochBase + mono + Math.round(up + x + frequency * up) + noise(rnd);
                long t3 = epochBase + mono + Math.round(up + TURNAROUND_NANOS + x + frequency * (up + TURNAROUND_NANOS))
                        + noise(rnd);
                long t4 = mono + Math.round(up + TURNAROUND_NANOS + down) + noise(rnd);
                int k = c.pooled ? 0 : j;
                filters[k].add(t1, t2, t3, t4, SERVER_BOUND_NANOS);
                if (slopeFilters[k] != filters[k]) {
                    slopeFilters[k].add(t1, t2, t3, t4, SERVER_BOUND_NANOS);
                }
            }
            truthMono[truthNext] = mono;
            truthX[truthNext] = x;
            truthNext = (truthNext + 1) % kept;
            truthCount = Math.min(kept, truthCount + 1);
            if (slopeFilters[0].bins() >= 2) { // as the node's Combiner
                slope.update(s -> gap(slopeFilters, s), 2.0 * TOLERANCE_PPB * 1e-9);
            }
            if (t >= warmupNanos) {
                double trueSlope = lsqSlope(truthMono, truthX, truthCount);
                double est = 0;
                double orc = 0;
                for (LinkFilter f : filters) {
                    est += f.valueAt(mono, slope.slope()) - epochBase;
                    orc += f.valueAt(mono, trueSlope) - epochBase;
                }
                estimated[n] = Math.abs(est / filterCount - x);
                oracle[n] = Math.abs(orc / filterCount - x);
                n++;
            }
            for (int j = 0; j < filterCount; j++) {
                filters[j].setSlope(slope.slope());
                slopeFilters[j].setSlope(slope.slope());
            }
        }
        return n;
    }

    private static double gap(LinkFilter[] filters, double s) {
        double g = 0;
        for (LinkFilter f : filters) {
            if (f.bins() >= 2) {
                g += f.gap(s);
            }
        }
        return g;
    }

    private static double lsqSlope(double[] t, double[] x, int count) {
        double mt = 0;
        double mx = 0;
        for (int i = 0; i < count; i++) {
            mt += t[i];
            mx += x[i];
        }
        mt /= count;
        mx /= count;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < count; i++) {
            sxx += (t[i] - mt) * (t[i] - mt);
            sxy += (t[i] - mt) * (x[i] - mx);
        }
        return sxx > 0 ? sxy / sxx : 0;
    }

    private static double pct(double[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))];
    }

    private static long noise(SplittableRandom rnd) {
        return Math.round(TIMESTAMP_SIGMA_NANOS * rnd.nextGaussian());
    }
}
