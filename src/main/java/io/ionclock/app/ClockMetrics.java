package io.ionclock.app;

import io.ionclock.core.ClockStatus;
import io.ionclock.core.SourceSelector;
import io.ionclock.core.SourceStats;
import io.ionclock.core.select.Verdict;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The clock's metrics, all read from the same snapshot type the API publishes. Prometheus names:
 * {@code ionclock_offset_seconds}, {@code ionclock_last_offset_seconds}, {@code ionclock_frequency_ppb},
 * {@code ionclock_bound_seconds}, {@code ionclock_jitter_seconds}, {@code ionclock_status{status}},
 * {@code ionclock_monotonic_violations_total}, {@code ionclock_clock_steps_total},
 * {@code ionclock_samples_total{source,result}}, {@code ionclock_source_state{source,state}},
 * {@code ionclock_system_clock_offset_seconds}, {@code ionclock_drift_allowance_ppb},
 * {@code ionclock_drift_allowance_widenings_total}. Clocklink's are in {@link SyncMetrics}.
 */
@Singleton
public class ClockMetrics implements MeterBinder {
    static final double NANOS_PER_SECOND = 1e9;

    @Inject
    ClockService clock;

    @Inject
    IonclockConfig config;

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "ionclock.offset", "seconds", "Correction still being slewed out, local - reference",
                c -> c.snapshot().offsetNanos() / NANOS_PER_SECOND);
        gauge(registry, "ionclock.last.offset", "seconds", "local - reference measured by the last accepted sample",
                c -> c.snapshot().lastOffsetNanos() / NANOS_PER_SECOND);
        gauge(registry, "ionclock.frequency", "ppb", "Local timebase rate error against true time (positive: fast)",
                c -> c.snapshot().frequencyPpb());
        gauge(registry, "ionclock.bound", "seconds", "True time lies within now +- bound",
                c -> c.snapshot().boundNanos() / NANOS_PER_SECOND);
        gauge(registry, "ionclock.jitter", "seconds", "RMS residual of samples around the fitted line",
                c -> c.snapshot().jitterNanos() / NANOS_PER_SECOND);
        for (ClockStatus status : ClockStatus.values()) {
            Gauge.builder("ionclock.status", clock, c -> c.snapshot().status() == status ? 1 : 0)
                    .description("1 for the current clock status").tag("status", status.name())
                    .register(registry);
        }
        gauge(registry, "ionclock.system.clock.offset", "seconds",
                "The host's system clock minus ionclock's time, read back to back (positive: the system clock is ahead)",
                c -> c.systemClockOffsetNanos() / NANOS_PER_SECOND);
        for (String source : selectionSources()) {
            for (Verdict state : SourceSelector.STATES) {
                Gauge.builder("ionclock.source.state", clock, c -> c.selection().stream()
                        .anyMatch(v -> v.name().equals(source) && v.stateAt(c.mono().monoNanos()) == state) ? 1 : 0)
                        .description("1 for the source's state in the selection (SELECTED feeds the discipline)")
                        .tag("source", source).tag("state", state.name()).register(registry);
            }
        }
        for (String state : java.util.List.of("valid", "expired", "missing", "invalid")) {
            Gauge.builder("ionclock.leap.list.state", clock, c -> leapListState(c).equals(state) ? 1 : 0)
                    .description("1 for the leap-seconds list's state (expired or missing: leaps only from a majority of sources)")
                    .tag("state", state).register(registry);
        }
        for (io.ionclock.core.LeapIndicator leap : io.ionclock.core.LeapIndicator.values()) {
            Gauge.builder("ionclock.leap.announced", clock, c -> c.snapshot().leap() == leap ? 1 : 0)
                    .description("1 for the leap second announced for the end of the UTC day").tag("leap", leap.name())
                    .register(registry);
        }
        gauge(registry, "ionclock.drift.allowance", "ppb",
                "The oscillator allowance the bound uses: the profile's max-drift-ppb, wider after the samples proved it broken",
                c -> c.clock().driftAllowance().inForcePpb());
        FunctionCounter.builder("ionclock.drift.allowance.widenings", clock, c -> c.clock().driftAllowance().widenings())
                .description("Times the samples proved the oscillator moved faster than its allowance in force").register(registry);
        FunctionCounter.builder("ionclock.monotonic.violations", clock, c -> c.clock().monotonicViolations())
                .description("Updates that would have moved time backwards (must stay 0)").register(registry);
        FunctionCounter.builder("ionclock.clock.steps", clock, c -> c.clock().steps())
                .description("Steps of the clock (only before the first synchronisation)").register(registry);
        clock.stats().onNewSource(source -> {
            samples(registry, source, "accepted", source.accepted);
            samples(registry, source, "rejected_suspect", source.rejectedSuspect);
            samples(registry, source, "rejected_stale", source.rejectedStale);
            samples(registry, source, "dropped_queue_full", source.droppedQueueFull);
            samples(registry, source, "not_selected", source.notSelected);
        });
    }

    /** The selection's sources, as ClockService adds them: the reference, then Clocklink. */
    private java.util.List<String> selectionSources() {
        java.util.List<String> names = new java.util.ArrayList<>();
        if (!"none".equals(config.reference())) {
            names.add(config.reference());
        }
        if (!SyncSettings.ROLE_OFF.equals(config.sync().role())) {
            names.add(io.ionclock.adapter.net.ClocklinkUdp.KIND);
        }
        if (config.ntp().servers().isPresent() && !config.ntp().servers().get().isBlank()) {
            try {
                for (io.ionclock.adapter.net.NtpClientUdp.ServerName n
                        : io.ionclock.adapter.net.NtpClientUdp.parseServers(config.ntp().servers().get())) {
                    names.add(io.ionclock.adapter.net.NtpClientUdp.KIND_PREFIX + n);
                }
            } catch (IllegalArgumentException e) {
                // ConfigCheck stops the start and names the key
            }
        }
        return names;
    }

    static String leapListState(ClockService c) {
        var f = c.leapFile();
        if (f == null) {
            return "missing";
        }
        return f.list() != null && f.list().expired(c.snapshot().epochNanos()) ? "expired" : f.state();
    }

    private void gauge(MeterRegistry registry, String name, String unit, String description,
            ToDoubleFunction<ClockService> f) {
        Gauge.builder(name, clock, f).baseUnit(unit).description(description).register(registry);
    }

    private static void samples(MeterRegistry registry, SourceStats.Source source, String result, AtomicLong counter) {
        FunctionCounter.builder("ionclock.samples", counter, AtomicLong::get)
                .description("Samples per source and what became of them")
                .tag("source", source.name).tag("result", result).register(registry);
    }
}
