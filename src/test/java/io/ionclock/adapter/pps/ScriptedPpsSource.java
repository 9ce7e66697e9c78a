package io.ionclock.adapter.pps;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A fake PPS device fed by the test: each fetch takes the next step, waiting for it like PPS_FETCH waits for
 * an edge (and returning false when none comes within the timeout).
 */
final class ScriptedPpsSource implements PpsSource {

    private static final int STEPS_MAX = 1_000;
    private static final Object TIMEOUT = new Object();

    private record Edge(long assertRealtimeNanos, long sequence) {
    }

    private final BlockingQueue<Object> steps = new LinkedBlockingQueue<>(STEPS_MAX);
    final CountDownLatch closed = new CountDownLatch(1);

    ScriptedPpsSource edge(long assertRealtimeNanos, long sequence) {
        steps.add(new Edge(assertRealtimeNanos, sequence));
        return this;
    }

    /** The next fetch reports a timeout at once. */
    ScriptedPpsSource timeout() {
        steps.add(TIMEOUT);
        return this;
    }

    /** The next fetch fails as an unplugged device does. */
    ScriptedPpsSource failure(String message) {
        steps.add(new IOException(message));
        return this;
    }

    @Override
    public boolean fetch(long timeoutNanos, PpsEdge out) throws IOException {
        Object step;
        try {
            step = steps.poll(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            throw new InterruptedIOException("fetch interrupted");
        }
        if (step == null || step == TIMEOUT) {
            return false;
        }
        if (step instanceof IOException failure) {
            throw failure;
        }
        Edge edge = (Edge) step;
        out.set(edge.assertRealtimeNanos(), edge.sequence());
        return true;
    }

    @Override
    public void close() {
        closed.countDown();
    }
}
