package io.ionclock.adapter.sim;

import io.ionclock.core.EpochClock;
import io.ionclock.core.MonoClock;
import io.ionclock.core.ReferenceSource;
import io.ionclock.core.Sample;
import io.ionclock.core.SimulatedReference;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The sim profile's receiver: on every interval boundary of the host clock (like a PPS edge), reads the
 * host clock bracketed by two reads of the local timebase and hands a noisy {@link Sample} over.
 */
public final class SimReferenceSource implements ReferenceSource {
    private static final Logger LOG = Logger.getLogger(SimReferenceSource.class);
    /** The loop counts as dead when it has not run for this many intervals. */
    static final int ALIVE_INTERVALS_MAX = 3;
    /** Plus this, for a loop held up by the machine (GC, a loaded host) rather than dead. */
    static final long ALIVE_SLACK_NANOS = 1_000_000_000L;
    /** Reads of the host clock per sample; the one with the tightest bracket is used (as chrony reads a PHC). */
    static final int READS_PER_SAMPLE = 5;

    private final MonoClock mono;
    private final EpochClock host;
    private final SimulatedReference reference;
    private final long intervalNanos;
    private volatile Thread thread;
    private volatile boolean running;
    private volatile long lastRunMonoNanos;

    public SimReferenceSource(MonoClock mono, EpochClock host, SimulatedReference reference, long intervalNanos) {
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("intervalNanos must be > 0: " + intervalNanos);
        }
        this.mono = mono;
        this.host = host;
        this.reference = reference;
        this.intervalNanos = intervalNanos;
    }

    @Override
    public String kind() {
        return "sim";
    }

    @Override
    public void start(Consumer<Sample> sink) {
        running = true;
        lastRunMonoNanos = mono.monoNanos();
        thread = Thread.ofPlatform().daemon().name("ionclock-sim-gnss").start(() -> loop(sink));
    }

    private void loop(Consumer<Sample> sink) {
        while (running) {
            long hostNanos = host.epochNanos();
            long untilBoundaryNanos = intervalNanos - Math.floorMod(hostNanos, intervalNanos);
            LockSupport.parkNanos(untilBoundaryNanos);
            if (!running) {
                break;
            }
            try {
                long before = 0;
                long truth = 0;
                long after = Long.MAX_VALUE;
                for (int i = 0; i < READS_PER_SAMPLE; i++) {
                    long b = mono.monoNanos();
                    long t = host.epochNanos();
                    long a = mono.monoNanos();
                    if (a - b < after - before) {
                        before = b;
                        truth = t;
                        after = a;
                    }
                }
                lastRunMonoNanos = after;
                sink.accept(reference.sample(before, truth, after));
            } catch (RuntimeException e) {
                LOG.warnf("sim reference: %s", e.toString());
            }
        }
    }

    @Override
    public boolean alive(long nowMonoNanos) {
        Thread t = thread;
        return t != null && t.isAlive() && nowMonoNanos - lastRunMonoNanos <= ALIVE_INTERVALS_MAX * intervalNanos + ALIVE_SLACK_NANOS;
    }

    @Override
    public Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("samples", reference.samples());
        d.put("intervalNanos", intervalNanos);
        return d;
    }

    @Override
    public void close() {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
