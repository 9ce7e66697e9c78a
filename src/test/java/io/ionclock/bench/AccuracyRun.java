package io.ionclock.bench;

import io.ionclock.adapter.clock.SystemMonoClock;
import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.DisciplinedClock;
import io.ionclock.core.MonoClock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Reads a clock whose reference is the host clock every 10 ms for a while and compares each read with
 * the host clock read just before and after it: time to ready, |time - host|, the bound, and how often
 * the host clock fell outside [earliest, latest] (must be 0).
 */
final class AccuracyRun {
    static final long READ_PERIOD_NANOS = 10_000_000;
    /** A read whose two host clock reads are further apart than this was preempted: not measured, counted. */
    static final long READ_BRACKET_NANOS_MAX = 20_000;
    static final long HISTOGRAM_NANOS_MAX = 3_600_000_000_000L;

    private AccuracyRun() {
    }

    static String measure(DisciplinedClock clock, MonoClock mono, long seconds, long readyBoundNanos) {
        long startMono = mono.monoNanos();
        Histogram errorNanos = new Histogram(HISTOGRAM_NANOS_MAX, 3);
        Histogram boundNanos = new Histogram(HISTOGRAM_NANOS_MAX, 3);
        ClockReading r = new ClockReading();
        long readyAfterNanos = -1;
        long outside = 0;
        long reads = 0;
        long preempted = 0;
        long lastEpoch = Long.MIN_VALUE;
        long backwards = 0;
        long endMono = startMono + TimeUnit.SECONDS.toNanos(seconds);
        while (mono.monoNanos() < endMono) {
            long before = SystemMonoClock.HOST_EPOCH.epochNanos();
            clock.read(mono.monoNanos(), r);
            long after = SystemMonoClock.HOST_EPOCH.epochNanos();
            backwards += r.epochNanos < lastEpoch ? 1 : 0;
            lastEpoch = r.epochNanos;
            if (readyAfterNanos < 0 && r.status == ClockStatus.SYNCHRONIZED && r.boundNanos <= readyBoundNanos) {
                readyAfterNanos = r.monoNanos - startMono;
            }
            if (readyAfterNanos >= 0 && after - before > READ_BRACKET_NANOS_MAX) {
                preempted++;
            } else if (readyAfterNanos >= 0) {
                reads++;
                errorNanos.recordValue(Math.min(Math.abs(r.epochNanos - (before + (after - before) / 2)), HISTOGRAM_NANOS_MAX));
                boundNanos.recordValue(Math.min(r.boundNanos, HISTOGRAM_NANOS_MAX));
                outside += r.earliestNanos() > after || r.latestNanos() < before ? 1 : 0;
            }
            LockSupport.parkNanos(READ_PERIOD_NANOS);
        }
        return String.format("""
                ready (SYNCHRONIZED, bound <= %d ns) after %.3f s
                reads after ready: %d (+%d preempted, not measured), host clock outside [earliest, latest]: %d, backwards: %d
                |time - host| ns: p50 %d, p99 %d, max %d
                bound ns:         p50 %d, p99 %d, max %d
                learned frequency %.1f ppb, monotonic violations %d
                """, readyBoundNanos, readyAfterNanos / 1e9, reads, preempted, outside, backwards,
                errorNanos.getValueAtPercentile(50), errorNanos.getValueAtPercentile(99), errorNanos.getMaxValue(),
                boundNanos.getValueAtPercentile(50), boundNanos.getValueAtPercentile(99), boundNanos.getMaxValue(),
                clock.snapshot(mono.monoNanos()).frequencyPpb(), clock.monotonicViolations());
    }
}
