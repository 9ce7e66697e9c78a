package io.ionclock.adapter.pps;

/**
 * Receives PPS assert edges, timestamped on CLOCK_MONOTONIC ({@code System.nanoTime()}). Called on the
 * producer's thread, one edge at a time; keep it short. A sink that throws has the exception counted; the
 * producer goes on.
 */
@FunctionalInterface
public interface PpsSink {

    /**
     * One assert (rising) edge.
     *
     * @param assertMonoNanos when the edge happened, CLOCK_MONOTONIC nanoseconds (same clock as
     *                        {@code System.nanoTime()})
     * @param sequence        edge counter of the source: the kernel's assert sequence (0..2^32-1, wraps) for
     *                        {@code /dev/ppsN}, a local count from 1 for GPIO; a jump of more than 1 means the
     *                        source saw edges this producer did not deliver
     * @param edgeErrorNanos  bound on |assertMonoNanos - true edge time| from timestamping alone, >= 0
     */
    void onEdge(long assertMonoNanos, long sequence, long edgeErrorNanos);
}
