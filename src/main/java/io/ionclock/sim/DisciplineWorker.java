package io.ionclock.sim;

import io.ionclock.core.DisciplineLoop;
import io.ionclock.core.Sample;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the discipline loops of leaf gateways (no children: nobody but the simulator reads their clocks) on a second
 * thread, so the event loop need not wait for the fits. Each clock is written by this thread
 * alone, its samples in the order they were submitted; the simulator calls {@link #drain} before it reads any of
 * these clocks, so the results are the same as applying every sample at once on the event loop (tested).
 *
 * <p>A single-producer, single-consumer ring of {@link #QUEUE_MAX} entries; the event loop waits when it is full.
 */
final class DisciplineWorker implements AutoCloseable {
    /** Samples queued at most (a power of two). */
    static final int QUEUE_MAX = 1 << 16;
    private static final int SPINS_BEFORE_PARKING = 2_000;
    private static final long PARK_NANOS = 20_000;

    private final DisciplineLoop[] loops;
    private final int[] node = new int[QUEUE_MAX];
    private final int[] source = new int[QUEUE_MAX];
    private final Sample[] samples = new Sample[QUEUE_MAX];
    private final long[] monoNanos = new long[QUEUE_MAX];
    private final AtomicLong produced = new AtomicLong(); // written by the event loop only
    private final AtomicLong consumed = new AtomicLong(); // written by the worker only
    private long applied; // written by the worker only; read after drain
    private final Thread thread;
    private volatile boolean closing;
    private volatile Throwable failure;

    DisciplineWorker(DisciplineLoop[] loops) {
        this.loops = loops;
        this.thread = new Thread(this::work, "sim-discipline");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code sample} of source {@code sourceIndex} for node {@code i}'s loop at {@code nowMonoNanos} (event loop only). */
    void submit(int i, int sourceIndex, Sample sample, long nowMonoNanos) {
        long p = produced.get();
        int spins = 0;
        while (p - consumed.get() >= QUEUE_MAX) {
            spins = idle(spins);
        }
        int k = (int) (p & (QUEUE_MAX - 1));
        node[k] = i;
        source[k] = sourceIndex;
        samples[k] = sample;
        monoNanos[k] = nowMonoNanos;
        produced.lazySet(p + 1); // a release store: the entry is visible before the count
    }

    /** Waits until every queued sample is applied (event loop only); afterwards the clocks may be read. */
    void drain() {
        long p = produced.get();
        int spins = 0;
        while (consumed.get() < p) {
            spins = idle(spins);
        }
    }

    private int idle(int spins) {
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("the discipline thread failed", f);
        }
        if (spins < SPINS_BEFORE_PARKING) {
            Thread.onSpinWait();
        } else {
            LockSupport.parkNanos(PARK_NANOS);
        }
        return spins + 1;
    }

    private void work() {
        try {
            long c = consumed.get();
            int spins = 0;
            while (true) {
                if (c < produced.get()) {
                    int k = (int) (c & (QUEUE_MAX - 1));
                    if (loops[node[k]].offer(source[k], samples[k], monoNanos[k]) != null) {
                        applied++;
                    }
                    samples[k] = null;
                    consumed.lazySet(++c);
                    spins = 0;
                } else if (closing) {
                    return;
                } else if (spins++ < SPINS_BEFORE_PARKING) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(PARK_NANOS);
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Samples the loops applied (selected and handed to the discipline); after {@link #drain} or {@link #close}. */
    long applied() {
        return applied;
    }

    /** Applies what is queued and stops the thread. */
    @Override
    public void close() {
        drain();
        closing = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
