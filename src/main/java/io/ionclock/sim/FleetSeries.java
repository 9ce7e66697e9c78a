package io.ionclock.sim;

import java.util.Arrays;

/**
 * The run over time, for {@code ionclock sim ... --plot}: one point a bucket (one second, wider for runs longer than
 * {@link #POINTS_MAX} seconds) with the p50 and p99 of |offset| (the node's clock minus true time) and the median and
 * the largest bound across the honest running nodes, taken at the bucket's first measurement. Reads nothing itself:
 * {@link FleetMetrics#measure} hands it every node's values.
 */
final class FleetSeries {
    /** At most this many points, whatever the duration. */
    static final int POINTS_MAX = 3600;
    static final long SECOND_NANOS = 1_000_000_000L;

    final long bucketNanos;
    final double[] tSeconds = new double[POINTS_MAX];
    final long[] offsetNanosP50 = new long[POINTS_MAX];
    final long[] offsetNanosP99 = new long[POINTS_MAX];
    final long[] boundNanosP50 = new long[POINTS_MAX];
    final long[] boundNanosMax = new long[POINTS_MAX];
    int size;
    private long nextNanos;
    private final long[] offsets;
    private final long[] bounds;
    private int count;
    private boolean open;

    /** For a run of {@code durationNanos} with {@code nodes} nodes. */
    FleetSeries(long durationNanos, int nodes) {
        long buckets = (durationNanos + SECOND_NANOS - 1) / SECOND_NANOS;
        bucketNanos = SECOND_NANOS * Math.max(1, (buckets + POINTS_MAX - 1) / POINTS_MAX);
        offsets = new long[nodes];
        bounds = new long[nodes];
    }

    /** A measurement at true instant {@code tNanos} begins; false when this bucket already has its point. */
    boolean begin(long tNanos) {
        open = tNanos >= nextNanos && size < POINTS_MAX;
        count = 0;
        return open;
    }

    /** One node's |offset| and bound in the measurement begun. */
    void add(long absOffsetNanos, long boundNanos) {
        if (open) {
            offsets[count] = absOffsetNanos;
            bounds[count] = boundNanos;
            count++;
        }
    }

    /** The measurement ends: its point is kept when it was taken and some node was running. */
    void end(long tNanos) {
        if (!open || count == 0) {
            return;
        }
        Arrays.sort(offsets, 0, count);
        Arrays.sort(bounds, 0, count);
        tSeconds[size] = tNanos / 1e9;
        offsetNanosP50[size] = offsets[(count - 1) / 2];
        offsetNanosP99[size] = offsets[(int) Math.ceil(0.99 * count) - 1];
        boundNanosP50[size] = bounds[(count - 1) / 2];
        boundNanosMax[size] = bounds[count - 1];
        size++;
        nextNanos = (tNanos / bucketNanos + 1) * bucketNanos;
        open = false;
    }
}
