package io.ionclock.bench;

import io.ionclock.core.ClockReading;
import io.ionclock.core.DisciplineConfig;
import io.ionclock.core.DisciplinedClock;
import io.ionclock.core.LeapIndicator;
import io.ionclock.core.Sample;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code now()} with its bound: the monotonic clock read plus {@link DisciplinedClock#read} into a reused
 * holder, on a synchronized clock. Run: {@code ./ionclock bench ClockReadBench -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ClockReadBench {
    DisciplinedClock clock;
    final ClockReading reading = new ClockReading();
    long givenMonoNanos;

    @Setup
    public void synchronize() {
        long t0 = System.nanoTime();
        clock = new DisciplinedClock(DisciplineConfig.defaults(), t0, 1_790_000_000_000_000_000L, Double.NaN);
        for (int i = 0; i < 64; i++) {
            long mono = t0 + i * 1_000_000_000L;
            clock.onSample(new Sample("BENCH", mono, 1_790_000_000_000_000_000L + i * 1_000_000_000L + i * 25_000L,
                    0, 1_000, LeapIndicator.NONE), mono);
        }
        givenMonoNanos = t0 + 64 * 1_000_000_000L;
    }

    @Benchmark
    public long nowWithBound() {
        clock.read(System.nanoTime(), reading);
        return reading.epochNanos + reading.boundNanos;
    }

    /** The discipline's share alone: the read at a given instant, no OS clock call. */
    @Benchmark
    public long readAtGivenInstant() {
        clock.read(givenMonoNanos += 100, reading);
        return reading.epochNanos + reading.boundNanos;
    }

    @Benchmark
    public long monoClockOnly() {
        return System.nanoTime();
    }
}
