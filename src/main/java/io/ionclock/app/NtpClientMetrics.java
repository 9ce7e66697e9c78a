package io.ionclock.app;

import io.ionclock.adapter.net.NtpClientUdp;
import io.ionclock.core.SourceSelector;
import io.ionclock.core.ntp.NtpDropReason;
import io.ionclock.core.ntp.NtpSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The NTP client's metrics (when {@code ionclock.ntp.servers} is set), one series per configured server
 * ({@code server} is the name as configured, {@code host:port}: bounded by NtpClientUdp.SERVERS_MAX). Prometheus:
 * {@code ionclock_ntp_source_offset_seconds{server}} (our clock minus the server's), {@code ionclock_ntp_source_bound_seconds{server}},
 * {@code ionclock_ntp_source_delay_seconds{server}} (newest round trip), {@code ionclock_ntp_source_reach{server}} (the
 * 8-bit register), {@code ionclock_ntp_source_poll_seconds{server}}, {@code ionclock_ntp_source_stratum{server}},
 * {@code ionclock_ntp_source_state{server,state}}, {@code ionclock_ntp_source_requests_total{server}},
 * {@code ionclock_ntp_source_responses_total{server,kind}} (basic, interleaved),
 * {@code ionclock_ntp_source_kod_total{server}} (RATE kisses), {@code ionclock_ntp_source_dropped_packets_total{server,reason}}.
 */
@Singleton
public class NtpClientMetrics implements MeterBinder {
    @Inject
    ClockService clock;

    @Inject
    IonclockConfig config;

    @Override
    public void bindTo(MeterRegistry registry) {
        if (config.ntp().servers().isEmpty() || config.ntp().servers().get().isBlank()) {
            return;
        }
        List<NtpClientUdp.ServerName> servers;
        try {
            servers = NtpClientUdp.parseServers(config.ntp().servers().get());
        } catch (IllegalArgumentException e) {
            return; // ConfigCheck stops the start and names the key
        }
        for (NtpClientUdp.ServerName n : servers) {
            String label = n.toString();
            Gauge.builder("ionclock.ntp.source.offset", clock, c -> {
                SourceSelector.SourceView v = selection(c, label);
                return v == null || v.boundNanos() < 0 ? Double.NaN : v.offsetNanos() / ClockMetrics.NANOS_PER_SECOND;
            }).baseUnit("seconds").description("Our clock minus the server's (its newest sample)").tag("server", label)
                    .register(registry);
            Gauge.builder("ionclock.ntp.source.bound", clock, c -> {
                SourceSelector.SourceView v = selection(c, label);
                return v == null || v.boundNanos() < 0 ? Double.NaN : v.boundNanos() / ClockMetrics.NANOS_PER_SECOND;
            }).baseUnit("seconds").description("Honest half-width of the server's offset").tag("server", label)
                    .register(registry);
            gauge(registry, "ionclock.ntp.source.delay", "seconds", label, "Newest round trip less the server's turnaround",
                    v -> v.answers() == 0 ? Double.NaN : v.delayNanos() / ClockMetrics.NANOS_PER_SECOND);
            gauge(registry, "ionclock.ntp.source.poll", "seconds", label, "Current poll interval",
                    v -> v.pollNanos() / ClockMetrics.NANOS_PER_SECOND);
            gauge(registry, "ionclock.ntp.source.reach", null, label, "Reach register (8 bits, newest poll lowest)",
                    NtpClientUdp.ServerView::reach);
            gauge(registry, "ionclock.ntp.source.stratum", null, label, "The server's stratum (0 before an answer)",
                    NtpClientUdp.ServerView::stratum);
            for (NtpSource.State state : NtpSource.State.values()) {
                gauge(registry, "ionclock.ntp.source.state", null, label, "1 for the server's protocol state",
                        v -> v.state().equals(state.name()) ? 1 : 0, "state", state.name());
            }
            counter(registry, "ionclock.ntp.source.requests", label, "Requests sent", NtpClientUdp.ServerView::requests);
            counter(registry, "ionclock.ntp.source.responses", label, "Answers used as time, by mode",
                    v -> v.answers() - v.interleavedAnswers(), "kind", "basic");
            counter(registry, "ionclock.ntp.source.responses", label, "Answers used as time, by mode",
                    NtpClientUdp.ServerView::interleavedAnswers, "kind", "interleaved");
            counter(registry, "ionclock.ntp.source.kod", label, "Kiss-o'-Death RATE received",
                    NtpClientUdp.ServerView::kissRate);
            for (NtpDropReason reason : NtpDropReason.values()) {
                counter(registry, "ionclock.ntp.source.dropped.packets", label, "Answers not used, by the first check they failed",
                        v -> v.drops().getOrDefault(reason.name(), 0L), "reason", reason.name());
            }
        }
    }

    private static NtpClientUdp.ServerView view(ClockService c, String label) {
        return c.ntpClient().flatMap(n -> n.views().stream().filter(v -> v.name().equals(label)).findFirst()).orElse(null);
    }

    private static SourceSelector.SourceView selection(ClockService c, String label) {
        for (SourceSelector.SourceView v : c.selection()) {
            if (v.name().equals(NtpClientUdp.KIND_PREFIX + label)) {
                return v;
            }
        }
        return null;
    }

    private void gauge(MeterRegistry registry, String name, String unit, String label, String description,
            ToDoubleFunction<NtpClientUdp.ServerView> f, String... tags) {
        Gauge.Builder<ClockService> b = Gauge.builder(name, clock, c -> {
            NtpClientUdp.ServerView v = view(c, label);
            return v == null ? Double.NaN : f.applyAsDouble(v);
        }).description(description).tag("server", label).tags(tags);
        if (unit != null) {
            b.baseUnit(unit);
        }
        b.register(registry);
    }

    private void counter(MeterRegistry registry, String name, String label, String description,
            ToDoubleFunction<NtpClientUdp.ServerView> f, String... tags) {
        FunctionCounter.builder(name, clock, c -> {
            NtpClientUdp.ServerView v = view(c, label);
            return v == null ? 0 : f.applyAsDouble(v);
        }).description(description).tag("server", label).tags(tags).register(registry);
    }
}
