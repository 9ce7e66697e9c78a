package io.ionclock.adapter.pps;

/** Reusable holder for one edge fetched from a {@link PpsSource}. Not thread-safe. */
public final class PpsEdge {

    private long assertRealtimeNanos;
    private long sequence;

    /**
     * @param assertRealtimeNanos assert edge time, CLOCK_REALTIME nanoseconds since the Unix epoch
     * @param sequence            the source's assert counter, 0..2^32-1
     */
    public void set(long assertRealtimeNanos, long sequence) {
        this.assertRealtimeNanos = assertRealtimeNanos;
        this.sequence = sequence;
    }

    /** Assert edge time, CLOCK_REALTIME nanoseconds since the Unix epoch. */
    public long assertRealtimeNanos() {
        return assertRealtimeNanos;
    }

    /** The source's assert counter, 0..2^32-1 (wraps). */
    public long sequence() {
        return sequence;
    }
}
