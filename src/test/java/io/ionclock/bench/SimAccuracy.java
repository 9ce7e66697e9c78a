package io.ionclock.bench;

import io.ionclock.adapter.clock.SystemMonoClock;
import io.ionclock.adapter.sim.SimReferenceSource;
import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.DisciplineConfig;
import io.ionclock.core.DisciplinedClock;
import io.ionclock.core.MonoClock;
import io.ionclock.core.Sample;
import io.ionclock.core.SimulatedOscillator;
import io.ionclock.core.SimulatedReference;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The sim profile's accuracy against the host clock, in process (no HTTP in the way): the sim reference
 * and oscillator exactly as the appliance builds them, the discipline on its own thread, and a reader
 * comparing every read with the host clock read just before and after it.
 * Run: {@code ./ionclock bench-sim [SECONDS]}.
 */
public final class SimAccuracy {
    static final long READY_BOUND_NANOS = 1_000_000;
    static final long READ_PERIOD_NANOS = 10_000_000;
    /** A read whose two host clock reads are further apart than this was preempted: not measured, counted. */
    static final long READ_BRACKET_NANOS_MAX = 20_000;

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 120;
        MonoClock mono = new SimulatedOscillator(SystemMonoClock.INSTANCE, 25_000);
        long startMono = mono.monoNanos();
        DisciplinedClock clock = new DisciplinedClock(DisciplineConfig.defaults(), startMono,
                SystemMonoClock.HOST_EPOCH.epochNanos(), Double.NaN);
        ArrayBlockingQueue<Sample> queue = new ArrayBlockingQueue<>(256);
        SimReferenceSource source = new SimReferenceSource(mono, SystemMonoClock.HOST_EPOCH,
                new SimulatedReference(1, 500), 1_000_000_000L);
        Thread discipline = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (true) {
                    Sample s = queue.take();
                    clock.onSample(s, mono.monoNanos());
                }
            } catch (InterruptedException e) {
                // done
            }
        });
        source.start(queue::offer);
        Histogram errorNanos = new Histogram(3_600_000_000_000L, 3);
        Histogram boundNanos = new Histogram(3_600_000_000_000L, 3);
        ClockReading r = new ClockReading();
        long readyAfterNanos = -1;
        long outside = 0;
        long reads = 0;
        long lastEpoch = Long.MIN_VALUE;
        long backwards = 0;
        long preempted = 0;
        long endMono = startMono + TimeUnit.SECONDS.toNanos(seconds);
        while (mono.monoNanos() < endMono) {
            long before = SystemMonoClock.HOST_EPOCH.epochNanos();
            clock.read(mono.monoNanos(), r);
            long after = SystemMonoClock.HOST_EPOCH.epochNanos();
            if (r.epochNanos < lastEpoch) {
                backwards++;
            }
            lastEpoch = r.epochNanos;
            boolean ready = r.status == ClockStatus.SYNCHRONIZED && r.boundNanos <= READY_BOUND_NANOS;
            if (ready && readyAfterNanos < 0) {
                readyAfterNanos = r.monoNanos - startMono;
            }
            if (readyAfterNanos >= 0 && after - before > READ_BRACKET_NANOS_MAX) {
                preempted++;
            } else if (readyAfterNanos >= 0) {
                reads++;
                long host = before + (after - before) / 2;
                errorNanos.recordValue(Math.abs(r.epochNanos - host));
                boundNanos.recordValue(Math.min(r.boundNanos, 3_599_999_999_999L));
                if (r.earliestNanos() > after || r.latestNanos() < before) {
                    outside++;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(READ_PERIOD_NANOS);
        }
        source.close();
        discipline.interrupt();
        System.out.printf("sim accuracy, %d s, oscillator +25 ppm, noise sigma 500 ns%n", seconds);
        System.out.printf("ready (SYNCHRONIZED, bound <= 1 ms) after %.3f s%n", readyAfterNanos / 1e9);
        System.out.printf("reads after ready: %d (+%d preempted, not measured), host clock outside [earliest, latest]: %d, backwards: %d%n",
                reads, preempted, outside, backwards);
        System.out.printf("|time - host| ns: p50 %d, p99 %d, max %d%n", errorNanos.getValueAtPercentile(50),
                errorNanos.getValueAtPercentile(99), errorNanos.getMaxValue());
        System.out.printf("bound ns:         p50 %d, p99 %d, max %d%n", boundNanos.getValueAtPercentile(50),
                boundNanos.getValueAtPercentile(99), boundNanos.getMaxValue());
        System.out.printf("learned frequency %.1f ppb (true +25000), monotonic violations %d%n",
                clock.snapshot(mono.monoNanos()).frequencyPpb(), clock.monotonicViolations());
    }
}
