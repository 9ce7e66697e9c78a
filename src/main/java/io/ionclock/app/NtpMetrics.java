package io.ionclock.app;

import io.ionclock.adapter.net.NtpServerUdp;
import io.ionclock.core.ntp.NtpDropReason;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.function.ToDoubleFunction;

/**
 * The NTP server's metrics (when {@code ionclock.ntp.server} is on). Labels are bounded: {@code kind} basic,
 * interleaved, kod; {@code reason} the {@link NtpDropReason} names; {@code quantile} 0.5, 0.99, 0.999. Prometheus:
 * {@code ionclock_ntp_server_requests_total}, {@code ionclock_ntp_server_responses_total{kind}},
 * {@code ionclock_ntp_server_drops_total{reason}}, {@code ionclock_ntp_server_clients},
 * {@code ionclock_ntp_server_clients_seen_total}, {@code ionclock_ntp_server_client_evictions_total},
 * {@code ionclock_ntp_server_received_bytes_total}, {@code ionclock_ntp_server_sent_bytes_total},
 * {@code ionclock_ntp_server_send_failures_total}, {@code ionclock_ntp_server_response_time_seconds{quantile}}
 * (kernel receive to kernel transmit, since start).
 */
@Singleton
public class NtpMetrics implements MeterBinder {
    @Inject
    NtpServerService ntp;

    @Inject
    IonclockConfig config;

    @Override
    public void bindTo(MeterRegistry registry) {
        if (!config.ntp().server()) {
            return;
        }
        counter("ionclock.ntp.server.requests", "Datagrams received by the NTP server", v -> v.requests())
                .register(registry);
        String responses = "ionclock.ntp.server.responses";
        String about = "Responses sent, by kind";
        counter(responses, about, v -> v.responsesBasic()).tag("kind", "basic").register(registry);
        counter(responses, about, v -> v.responsesInterleaved()).tag("kind", "interleaved").register(registry);
        counter(responses, about, v -> v.responsesKod()).tag("kind", "kod").register(registry);
        for (NtpDropReason reason : NtpDropReason.values()) {
            counter("ionclock.ntp.server.drops", "Requests dropped, by the first check they failed",
                    v -> v.drops().getOrDefault(reason.name(), 0L)).tag("reason", reason.name()).register(registry);
        }
        Gauge.builder("ionclock.ntp.server.clients", ntp, s -> value(s, v -> v.clients()))
                .description("Client addresses in the table (rate limits, interleaved state)").register(registry);
        counter("ionclock.ntp.server.clients.seen", "Client addresses added to the table", v -> v.clientsSeen())
                .register(registry);
        counter("ionclock.ntp.server.client.evictions", "Client addresses evicted to make room",
                v -> v.clientEvictions()).register(registry);
        counter("ionclock.ntp.server.received", "Bytes received", v -> v.bytesReceived()).baseUnit("bytes")
                .register(registry);
        counter("ionclock.ntp.server.sent", "Bytes sent", v -> v.bytesSent()).baseUnit("bytes").register(registry);
        counter("ionclock.ntp.server.send.failures", "Responses the socket refused", v -> v.sendFailures())
                .register(registry);
        for (double q : new double[] {0.5, 0.99, 0.999}) {
            Gauge.builder("ionclock.ntp.server.response.time", ntp, s -> value(s, v -> {
                long nanos = q == 0.5 ? v.rxToTxP50Nanos() : q == 0.99 ? v.rxToTxP99Nanos() : v.rxToTxP999Nanos();
                return nanos < 0 ? Double.NaN : nanos / ClockMetrics.NANOS_PER_SECOND;
            })).description("Time from kernel receive to kernel transmit, since start").baseUnit("seconds")
                    .tag("quantile", String.valueOf(q)).register(registry);
        }
    }

    private static double value(NtpServerService s, ToDoubleFunction<NtpServerUdp.View> f) {
        NtpServerUdp.View v = s.view();
        return v == null ? Double.NaN : f.applyAsDouble(v);
    }

    private FunctionCounter.Builder<NtpServerService> counter(String name, String description,
            ToDoubleFunction<NtpServerUdp.View> f) {
        return FunctionCounter.builder(name, ntp, s -> {
            NtpServerUdp.View v = s.view();
            return v == null ? 0 : f.applyAsDouble(v);
        }).description(description);
    }
}
