package io.ionclock.app;

import io.ionclock.adapter.mqtt.MqttStats;
import io.ionclock.adapter.net.ClocklinkUdp;
import io.ionclock.adapter.net.NtpClientUdp;
import io.ionclock.app.mqtt.MqttService;
import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.FrequencyTrend;
import io.ionclock.core.SimulatedReference;
import io.ionclock.core.SourceStats;
import io.ionclock.core.gnss.GnssPairing;
import io.ionclock.core.mqtt.RequestError;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The SLI metrics of docs/sli.md that the other binders do not already export. Prometheus names:
 * {@code ionclock_frequency_change_ppb_per_hour} (M2), {@code ionclock_sync_attempts_total{kind}} and
 * {@code ionclock_sync_successes_total{kind}} (M3; {@code kind} is one of {@link #KINDS}; a
 * GNSS+PPS sample counts for both gnss and pps),
 * {@code ionclock_sync_latency_seconds} (M6, a histogram: the age of each accepted sample when the discipline
 * applies it), {@code ionclock_time_authority_healthy} and {@code ionclock_time_authority_bound_max_seconds} (M10).
 */
@Singleton
public class SliMetrics implements MeterBinder {
    /** Source kinds of the sync success rate; a label takes no other value. */
    static final List<String> KINDS = List.of("gnss", "pps", "clocklink", "ntp", "mqtt_request");
    /** Sample names labelled by the receiver's time: NMEA alone, a paired edge, the sim profile's simulated receiver. */
    static final Set<String> GNSS_SAMPLES = Set.of(GnssPairing.SOURCE_GNSS, GnssPairing.SOURCE_GNSS_PPS,
            SimulatedReference.SOURCE_NAME);
    /** Sample names timed by a PPS edge: a paired edge, PPS alone, the simulated receiver (which simulates a PPS). */
    static final Set<String> PPS_SAMPLES = Set.of(GnssPairing.SOURCE_PPS, GnssPairing.SOURCE_GNSS_PPS,
            SimulatedReference.SOURCE_NAME);
    /** Buckets of the sync latency: from a Clocklink exchange's sub-millisecond to an NMEA-labelled PPS edge's second. */
    static final Duration[] LATENCY_BUCKETS = {Duration.ofNanos(100_000), Duration.ofMillis(1), Duration.ofMillis(10),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5)};

    @Inject
    ClockService clock;

    @Inject
    MqttService mqtt;

    @Inject
    IonclockConfig config;

    private final FrequencyTrend trend = new FrequencyTrend();

    @Override
    public void bindTo(MeterRegistry registry) {
        Timer latency = Timer.builder("ionclock.sync.latency")
                .description("Age of each accepted sample (from its measurement on the local timebase) when the discipline applied it")
                .serviceLevelObjectives(LATENCY_BUCKETS).minimumExpectedValue(LATENCY_BUCKETS[0])
                .maximumExpectedValue(LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1]).register(registry);
        clock.stats().onAccepted((source, sample) -> {
            long nowMonoNanos = clock.mono().monoNanos();
            latency.record(Math.max(0, nowMonoNanos - sample.monoNanos()), TimeUnit.NANOSECONDS);
            readFrequency(nowMonoNanos);
        });
        Gauge.builder("ionclock.frequency.change", this, m -> m.frequencyChangePpbPerHour())
                .baseUnit("ppb.per.hour")
                .description("Least-squares slope of the measured frequency over the last hour (readings at most one a minute)")
                .register(registry);
        for (String kind : KINDS) {
            FunctionCounter.builder("ionclock.sync.attempts", this, m -> m.attempts(kind))
                    .description("Attempts to take time from a source kind (samples offered, requests sent or received)")
                    .tag("kind", kind).register(registry);
            FunctionCounter.builder("ionclock.sync.successes", this, m -> m.successes(kind))
                    .description("Attempts that succeeded (samples accepted, answers used, requests served)")
                    .tag("kind", kind).register(registry);
        }
        Gauge.builder("ionclock.time.authority.healthy", this, m -> m.healthy() ? 1 : 0)
                .description("1 while this node can serve time: SYNCHRONIZED with the bound within ionclock.ready-bound")
                .register(registry);
        Gauge.builder("ionclock.time.authority.bound.max", config, c -> c.readyBound().toNanos() / ClockMetrics.NANOS_PER_SECOND)
                .baseUnit("seconds").description("The bound a healthy time authority stays within (ionclock.ready-bound)")
                .register(registry);
    }

    /** The frequency is read only once measured: never while UNSYNCHRONIZED. */
    synchronized void readFrequency(long nowMonoNanos) {
        ClockSnapshot s = clock.snapshot();
        if (s.status() != ClockStatus.UNSYNCHRONIZED) {
            trend.offer(nowMonoNanos, s.frequencyPpb());
        }
    }

    double frequencyChangePpbPerHour() {
        long nowMonoNanos = clock.mono().monoNanos();
        synchronized (this) {
            // a scrape also reads the frequency, so the trend goes on while no sample is accepted (holdover)
            readFrequency(nowMonoNanos);
            return trend.ppbPerHour(nowMonoNanos);
        }
    }

    boolean healthy() {
        ClockSnapshot s = clock.snapshot();
        return s.status() == ClockStatus.SYNCHRONIZED && s.boundNanos() <= config.readyBound().toNanos();
    }

    double attempts(String kind) {
        return switch (kind) {
            case "gnss" -> samples(GNSS_SAMPLES::contains, SliMetrics::offered);
            case "pps" -> samples(PPS_SAMPLES::contains, SliMetrics::offered);
            case "clocklink" -> samples(n -> n.equals(ClocklinkUdp.KIND), SliMetrics::offered);
            case "ntp" -> ntp(NtpClientUdp.ServerView::requests);
            case "mqtt_request" -> {
                MqttStats s = mqtt.stats();
                long n = s.requestsServed();
                for (RequestError e : RequestError.values()) {
                    n += s.requestsRefused(e);
                }
                yield n;
            }
            default -> 0;
        };
    }

    double successes(String kind) {
        return switch (kind) {
            case "gnss" -> samples(GNSS_SAMPLES::contains, s -> s.accepted.get());
            case "pps" -> samples(PPS_SAMPLES::contains, s -> s.accepted.get());
            case "clocklink" -> samples(n -> n.equals(ClocklinkUdp.KIND), s -> s.accepted.get());
            case "ntp" -> ntp(NtpClientUdp.ServerView::answers);
            case "mqtt_request" -> mqtt.stats().requestsServed();
            default -> 0;
        };
    }

    /** Samples the discipline judged or lost: accepted, rejected or dropped (not those another source displaced). */
    private static double offered(SourceStats.Source s) {
        return s.accepted.get() + s.rejectedSuspect.get() + s.rejectedStale.get() + s.droppedQueueFull.get();
    }

    private double samples(Predicate<String> name, ToDoubleFunction<SourceStats.Source> f) {
        double n = 0;
        for (SourceStats.Source s : clock.sources()) {
            if (name.test(s.name)) {
                n += f.applyAsDouble(s);
            }
        }
        return n;
    }

    private double ntp(ToDoubleFunction<NtpClientUdp.ServerView> f) {
        return clock.ntpClient().map(c -> {
            double n = 0;
            for (NtpClientUdp.ServerView v : c.views()) {
                n += f.applyAsDouble(v);
            }
            return n;
        }).orElse(0.0);
    }
}
