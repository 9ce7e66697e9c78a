package io.ionclock.app;

import io.ionclock.core.hostclock.FeedResult;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * What ionclock does with the host's clock ({@code ionclock.host-clock}). Prometheus:
 * {@code ionclock_host_clock_mode{mode}} (1 for the mode in force: none, chrony-sock, discipline) and
 * {@code ionclock_host_clock_samples_total{result}}: each update of the clock in chrony-sock mode, by
 * {@link FeedResult#label()} (sent, no_socket, queue_full, send_error, skipped_...). In discipline mode:
 * {@code ionclock_host_clock_offset_seconds} (the system clock minus ionclock's UTC at the last update),
 * {@code ionclock_host_clock_frequency_ppb} (the frequency set in the kernel), {@code ionclock_host_clock_steps_total},
 * {@code ionclock_host_clock_steps_refused_total} (offsets over the threshold after the first synchronisation: slewed),
 * {@code ionclock_host_clock_kernel_errors_total}. Labels are bounded (the enums).
 */
@Singleton
public class HostClockMetrics implements MeterBinder {
    @Inject
    ClockService clock;

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String mode : HostClockSettings.MODES) {
            Gauge.builder("ionclock.host.clock.mode", clock, c -> c.hostClockMode().mode().equals(mode) ? 1 : 0)
                    .description("1 for what ionclock does with the host's clock (ionclock.host-clock)")
                    .tag("mode", mode).register(registry);
        }
        for (FeedResult r : FeedResult.values()) {
            if (!r.isOutcome()) {
                continue;
            }
            FunctionCounter.builder("ionclock.host.clock.samples", clock,
                    c -> c.chronyFeedPolicy().map(p -> (double) p.count(r)).orElse(0.0))
                    .description("Updates of the clock on their way to chrony (chrony-sock), by result")
                    .tag("result", r.label()).register(registry);
        }
        Gauge.builder("ionclock.host.clock.offset", clock,
                c -> c.hostDiscipline().map(d -> d.lastOffsetNanos() / ClockMetrics.NANOS_PER_SECOND).orElse(Double.NaN))
                .baseUnit("seconds").description("discipline: the system clock minus ionclock's UTC at the last update")
                .register(registry);
        Gauge.builder("ionclock.host.clock.frequency", clock,
                c -> c.hostDiscipline().map(d -> d.frequencyPpb()).orElse(Double.NaN))
                .baseUnit("ppb").description("discipline: the frequency set in the kernel").register(registry);
        FunctionCounter.builder("ionclock.host.clock.steps", clock,
                c -> c.hostDiscipline().map(d -> (double) d.stepCount()).orElse(0.0))
                .description("discipline: steps of the system clock (only before the first synchronisation)").register(registry);
        FunctionCounter.builder("ionclock.host.clock.steps.refused", clock,
                c -> c.hostDiscipline().map(d -> (double) d.stepsRefusedCount()).orElse(0.0))
                .description("discipline: offsets over the step threshold after the first synchronisation (slewed)")
                .register(registry);
        FunctionCounter.builder("ionclock.host.clock.kernel.errors", clock,
                c -> c.hostDiscipline().map(d -> (double) d.kernelErrorCount()).orElse(0.0))
                .description("discipline: calls the kernel refused").register(registry);
    }
}
