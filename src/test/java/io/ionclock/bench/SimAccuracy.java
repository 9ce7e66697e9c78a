package io.ionclock.bench;

import io.ionclock.adapter.clock.SystemMonoClock;
import io.ionclock.adapter.sim.SimReferenceSource;
import io.ionclock.core.DisciplineConfig;
import io.ionclock.core.DisciplinedClock;
import io.ionclock.core.MonoClock;
import io.ionclock.core.Sample;
import io.ionclock.core.SimulatedOscillator;
import io.ionclock.core.SimulatedReference;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The sim profile's accuracy against the host clock, in process (no HTTP in the way): the sim reference
 * and oscillator exactly as the appliance builds them, the discipline on its own thread.
 * Run: {@code ./ionclock bench-sim [SECONDS]}.
 */
public final class SimAccuracy {
    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 120;
        MonoClock mono = new SimulatedOscillator(SystemMonoClock.INSTANCE, 25_000);
        DisciplinedClock clock = new DisciplinedClock(DisciplineConfig.defaults(), mono.monoNanos(),
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
        String report = AccuracyRun.measure(clock, mono, seconds, 1_000_000);
        source.close();
        discipline.interrupt();
        System.out.printf("sim accuracy, %d s, oscillator +25 ppm, noise sigma 500 ns%n%s", seconds, report);
    }
}
