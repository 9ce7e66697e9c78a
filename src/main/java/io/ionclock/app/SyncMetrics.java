package io.ionclock.app;

import io.ionclock.adapter.net.ClocklinkUdp;
import io.ionclock.core.clocklink.DropReason;
import io.ionclock.core.clocklink.PeerStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Clocklink's metrics (when {@code ionclock.sync.role} is not off), read from the view its loop publishes. Labels
 * are bounded: {@code peer} takes only the configured peers' labels ({@code ionclock.sync.peers}; clients are
 * counted, not labelled), {@code reason} the {@link DropReason} names, {@code state} the peer states. Prometheus:
 * {@code ionclock_sync_peer_offset_seconds{peer}}, {@code ionclock_sync_peer_delay_seconds{peer}},
 * {@code ionclock_sync_peer_bound_seconds{peer}}, {@code ionclock_sync_peer_reputation{peer}},
 * {@code ionclock_sync_peer_state{peer,state}}, {@code ionclock_sync_clients}, {@code ionclock_sync_term},
 * {@code ionclock_sync_leader}, {@code ionclock_sync_dropped_packets_total{reason}},
 * {@code ionclock_sync_messages_sent_total}, {@code ionclock_sync_messages_received_total},
 * {@code ionclock_sync_sent_bytes_total}.
 */
@Singleton
public class SyncMetrics implements MeterBinder {
    /** {@link PeerStatus#state()}'s values. */
    static final List<String> PEER_STATES = List.of("JOINING", "ACTIVE", "UNREACHABLE", "REFUSED", "ISOLATED");

    @Inject
    ClockService clock;

    @Inject
    IonclockConfig config;

    @Override
    public void bindTo(MeterRegistry registry) {
        if (SyncSettings.ROLE_OFF.equals(config.sync().role())) {
            return;
        }
        List<SyncSettings.HostPort> peers;
        try {
            peers = SyncSettings.peers(config);
        } catch (IllegalArgumentException e) {
            return; // ConfigCheck stops the start and names the key
        }
        for (SyncSettings.HostPort p : peers) {
            String label = p.label();
            peerGauge(registry, "ionclock.sync.peer.offset", "seconds", label, "Our clock minus the peer's, filtered",
                    s -> s.boundNanos() < 0 ? Double.NaN : s.offsetNanos() / ClockMetrics.NANOS_PER_SECOND);
            peerGauge(registry, "ionclock.sync.peer.delay", "seconds", label, "Lowest round trip in the filter window",
                    s -> s.delayNanos() < 0 ? Double.NaN : s.delayNanos() / ClockMetrics.NANOS_PER_SECOND);
            peerGauge(registry, "ionclock.sync.peer.bound", "seconds", label, "Honest half-width of the peer's offset",
                    s -> s.boundNanos() < 0 ? Double.NaN : s.boundNanos() / ClockMetrics.NANOS_PER_SECOND);
            peerGauge(registry, "ionclock.sync.peer.reputation", null, label, "0..1; 0 once isolated", PeerStatus::reputation);
            for (String state : PEER_STATES) {
                Gauge.builder("ionclock.sync.peer.state", clock, c -> {
                    PeerStatus s = peer(c, label);
                    return s != null && s.state().equals(state) ? 1 : 0;
                }).description("1 for the peer's state").tag("peer", label).tag("state", state).register(registry);
            }
        }
        gauge(registry, "ionclock.sync.clients", "Joined clients served", v -> v.clients());
        gauge(registry, "ionclock.sync.term", "Election term (a gateway: the highest its masters told)", v -> v.term());
        gauge(registry, "ionclock.sync.leader", "1 when this node leads its masters", v -> v.leader() ? 1 : 0);
        for (DropReason reason : DropReason.values()) {
            counter("ionclock.sync.dropped.packets", "Datagrams dropped, by the first check they failed",
                    v -> v.dropped().getOrDefault(reason.name(), 0L)).tag("reason", reason.name()).register(registry);
        }
        counter("ionclock.sync.messages.sent", "Datagrams sent", v -> v.messagesSent()).register(registry);
        counter("ionclock.sync.messages.received", "Datagrams received", v -> v.messagesReceived()).register(registry);
        counter("ionclock.sync.sent", "Bytes sent (payload)", v -> v.bytesSent()).baseUnit("bytes").register(registry);
        for (String mode : List.of(ClocklinkUdp.TIMESTAMPING_HARDWARE, ClocklinkUdp.TIMESTAMPING_KERNEL,
                ClocklinkUdp.TIMESTAMPING_USER)) {
            Gauge.builder("ionclock.sync.timestamping", clock, c -> {
                ClocklinkUdp.View v = view(c);
                return v != null && mode.equals(v.timestamping()) ? 1 : 0;
            }).description("1 for where Clocklink's packets are timestamped (hardware, kernel, user)").tag("mode", mode)
                    .register(registry);
        }
        String timestamps = "ionclock.sync.timestamps";
        String about = "Clocklink timestamps by what became of them";
        counter(timestamps, about, v -> v.interleavedExchanges()).tag("kind", "interleaved").register(registry);
        counter(timestamps, about, v -> v.interleaveMisses()).tag("kind", "interleave_missed").register(registry);
        counter(timestamps, about, v -> v.transmitTimes()).tag("kind", "transmit").register(registry);
        counter(timestamps, about, v -> v.transmitTimesUnmatched() + v.transmitTimesLost()).tag("kind", "transmit_lost")
                .register(registry);
        counter(timestamps, about, v -> v.kernelTimestampFallbacks()).tag("kind", "receive_user_fallback")
                .register(registry);
        counter("ionclock.sync.handoff.dropped", "Datagrams and transmit times the reader could not hand to the loop (full)",
                v -> v.handoffDropped()).register(registry);
    }

    private static ClocklinkUdp.View view(ClockService c) {
        return c.clocklink().map(ClocklinkUdp::view).orElse(null);
    }

    private static PeerStatus peer(ClockService c, String label) {
        ClocklinkUdp.View v = view(c);
        if (v == null) {
            return null;
        }
        for (PeerStatus s : v.peers()) {
            if (s.upstream() && s.label().equals(label)) {
                return s;
            }
        }
        return null;
    }

    private void peerGauge(MeterRegistry registry, String name, String unit, String label, String description,
            ToDoubleFunction<PeerStatus> f) {
        Gauge.Builder<ClockService> b = Gauge.builder(name, clock, c -> {
            PeerStatus s = peer(c, label);
            return s == null ? Double.NaN : f.applyAsDouble(s);
        }).description(description).tag("peer", label);
        if (unit != null) {
            b.baseUnit(unit);
        }
        b.register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<ClocklinkUdp.View> f) {
        Gauge.builder(name, clock, c -> {
            ClocklinkUdp.View v = view(c);
            return v == null ? Double.NaN : f.applyAsDouble(v);
        }).description(description).register(registry);
    }

    private FunctionCounter.Builder<ClockService> counter(String name, String description,
            ToDoubleFunction<ClocklinkUdp.View> f) {
        return FunctionCounter.builder(name, clock, c -> {
            ClocklinkUdp.View v = view(c);
            return v == null ? 0 : f.applyAsDouble(v);
        }).description(description);
    }
}
