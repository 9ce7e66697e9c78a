package io.ionclock.adapter.net;

/**
 * A fixed-bucket histogram of durations in ns, log-linear (16 buckets per power of two above 32 ns: within 6.25%),
 * as HdrHistogram with 1 significant digit, in one fixed array. One writer; readers from other threads see counts
 * that may lag (a statistic, not a fence). No allocation on {@link #record}.
 */
public final class NanosHistogram {
    /** Buckets per power of two. */
    static final int SUB_BUCKETS = 16;
    private static final int LINEAR_MAX = 2 * SUB_BUCKETS; // values below are exact
    private static final int BUCKETS = LINEAR_MAX + (63 - 5) * SUB_BUCKETS;

    private final long[] counts = new long[BUCKETS];
    private volatile long total;

    /** Records one duration; negative values count as 0. */
    public void record(long nanos) {
        counts[bucket(Math.max(0, nanos))]++;
        total++;
    }

    /** Durations recorded. */
    public long count() {
        return total;
    }

    /** A copy of the counts (for a difference over an interval: {@link #percentileNanos(long[], double)}). */
    public long[] copyCounts() {
        return counts.clone();
    }

    /** The value at {@code percentile} (0..100] of what was recorded: its bucket's upper edge; -1 when empty. */
    public long percentileNanos(double percentile) {
        return percentileNanos(counts, percentile);
    }

    /** The value at {@code percentile} of {@code counts} (from {@link #copyCounts}, or a difference of two). */
    public static long percentileNanos(long[] counts, double percentile) {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        if (n == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * n));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return upperEdge(i);
            }
        }
        return upperEdge(counts.length - 1);
    }

    static int bucket(long v) {
        if (v < LINEAR_MAX) {
            return (int) v;
        }
        int e = 63 - Long.numberOfLeadingZeros(v); // >= 5
        int sub = (int) (v >>> (e - 4)) & (SUB_BUCKETS - 1);
        return LINEAR_MAX + (e - 5) * SUB_BUCKETS + sub;
    }

    /** The largest value in bucket {@code i}. */
    static long upperEdge(int i) {
        if (i < LINEAR_MAX) {
            return i;
        }
        int e = (i - LINEAR_MAX) / SUB_BUCKETS + 5;
        int sub = (i - LINEAR_MAX) % SUB_BUCKETS;
        long low = (1L << e) | ((long) sub << (e - 4));
        return low + (1L << (e - 4)) - 1;
    }
}
