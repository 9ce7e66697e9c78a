package io.ionclock.sim;

/**
 * Counts non-negative values (ns) in log-linear buckets: exact below 256, then 128 buckets per power of two
 * (relative width under 0.8%). Percentiles report a bucket's upper edge, so they never understate.
 */
final class Histogram {
    private static final int LINEAR = 256;
    private static final int SUB = 128;
    private final long[] counts = new long[LINEAR + 64 * SUB];
    private long total;
    private long max;
    private double sum;

    void record(long v) {
        if (v < 0) {
            v = 0;
        }
        counts[index(v)]++;
        total++;
        sum += v;
        max = Math.max(max, v);
    }

    static int index(long v) {
        if (v < LINEAR) {
            return (int) v;
        }
        int e = 63 - Long.numberOfLeadingZeros(v) - 7; // v >> e in [128, 255]
        return LINEAR + (e - 1) * SUB + (int) ((v >> e) - SUB);
    }

    static long upperEdge(int index) {
        if (index < LINEAR) {
            return index;
        }
        int e = (index - LINEAR) / SUB + 1;
        long m = (index - LINEAR) % SUB + SUB;
        return ((m + 1) << e) - 1;
    }

    void clear() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        max = 0;
    }

    long total() {
        return total;
    }

    long max() {
        return max;
    }

    /** The exact mean of the recorded values; 0 when empty. */
    double mean() {
        return total == 0 ? 0 : sum / total;
    }

    /** The value at fraction q (0..1) of the counts; 0 when empty. */
    long percentile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        rank = Math.max(1, Math.min(total, rank));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(upperEdge(i), max);
            }
        }
        return max;
    }
}
