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
 * and oscillator exactly as the appliance builds them from {@code device-profiles/sim.properties} (its oscillator's
 * wander and its stated allowance), the discipline on its own thread. Run: {@code ./ionclock bench-sim [SECONDS]}.
 */
public final class SimAccuracy {
    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 120;
        java.util.Properties p = BoundTightness.profile("sim");
        double offsetPpb = Double.parseDouble(p.getProperty("ionclock.sim.oscillator-ppb"));
        double walk = Double.parseDouble(p.getProperty("ionclock.sim.wander-ppb-per-sqrt-second", "0"));
        double temperature = Double.parseDouble(p.getProperty("ionclock.sim.temperature-ppb", "0"));
        double period = BoundTightness.minutes(p.getProperty("ionclock.sim.temperature-period", "15m"));
        MonoClock mono = new SimulatedOscillator(SystemMonoClock.INSTANCE, offsetPpb, walk, temperature, period, 1);
        DisciplineConfig d = DisciplineConfig.defaults();
        DisciplineConfig config = new DisciplineConfig(d.slewRatePpbMax(),
                Long.parseLong(p.getProperty("ionclock.max-drift-ppb")),
                Long.parseLong(p.getProperty("ionclock.frequency-tolerance-ppb")), d.holdoverAfterNanos(), d.boundNanosMax());
        DisciplinedClock clock = new DisciplinedClock(config, mono.monoNanos(),
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
        System.out.printf("sim accuracy, %d s, the sim profile: oscillator %.0f ppb, walk %.2f ppb/sqrt(s), temperature %.0f"
                + " ppb / %.0f s, noise sigma 500 ns, max-drift %d ppb, tolerance %d ppb; drift widenings %d%n%s", seconds,
                offsetPpb, walk, temperature, period, config.maxDriftPpb(), config.frequencyPpbMax(),
                clock.driftAllowance().widenings(), report);
    }
}
