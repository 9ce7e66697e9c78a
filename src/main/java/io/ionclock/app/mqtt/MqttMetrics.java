package io.ionclock.app.mqtt;

import io.ionclock.adapter.mqtt.MqttStats;
import io.ionclock.core.mqtt.RequestError;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * MQTT metrics: {@code ionclock_mqtt_clients}, {@code ionclock_mqtt_sessions_stored},
 * {@code ionclock_mqtt_ticks_total{result}}, {@code ionclock_mqtt_tick_lateness_seconds} (histogram),
 * {@code ionclock_mqtt_tick_fanout_seconds} (histogram, per event loop),
 * {@code ionclock_mqtt_requests_total{result}}, {@code ionclock_mqtt_refused_total{reason}},
 * {@code ionclock_mqtt_dropped_total{reason}}, and in external mode {@code ionclock_mqtt_broker_connected},
 * {@code ionclock_mqtt_broker_connects_total}, {@code ionclock_mqtt_broker_connack_timeouts_total}.
 */
@Singleton
public class MqttMetrics implements MeterBinder {
    /** Histogram buckets of the tick lateness. */
    static final Duration[] LATENESS_BUCKETS = {Duration.ofNanos(100_000), Duration.ofNanos(200_000),
        Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofSeconds(1)};

    @Inject
    MqttService mqtt;

    @Inject
    io.ionclock.app.IonclockConfig config;

    @Override
    public void bindTo(MeterRegistry registry) {
        MqttStats stats = mqtt.stats();
        Gauge.builder("ionclock.mqtt.clients", mqtt, MqttService::clients)
                .description("Clients connected to the embedded MQTT server").register(registry);
        Gauge.builder("ionclock.mqtt.sessions.stored", mqtt, MqttService::storedSessions)
                .description("Persistent sessions kept for disconnected clients").register(registry);
        counter(registry, "ionclock.mqtt.ticks", "Ticks (each with its JSON and binary form)", "result", "published",
                stats, MqttStats::ticksPublished);
        counter(registry, "ionclock.mqtt.ticks", "Ticks (each with its JSON and binary form)", "result", "dropped",
                stats, MqttStats::ticksDropped);
        counter(registry, "ionclock.mqtt.ticks", "Ticks (each with its JSON and binary form)", "result", "error",
                stats, MqttStats::tickErrors);
        Timer lateness = Timer.builder("ionclock.mqtt.tick.lateness")
                .description("Disciplined clock at publish time minus the second boundary of the tick")
                .serviceLevelObjectives(LATENESS_BUCKETS).minimumExpectedValue(LATENESS_BUCKETS[0])
                .maximumExpectedValue(LATENESS_BUCKETS[LATENESS_BUCKETS.length - 1]).register(registry);
        stats.tickLatenessSink(nanos -> lateness.record(Math.max(0, nanos), TimeUnit.NANOSECONDS));
        Timer fanout = Timer.builder("ionclock.mqtt.tick.fanout")
                .description("From the tick thread handing a tick over to one event loop having written it to all its subscribers")
                .serviceLevelObjectives(LATENESS_BUCKETS).minimumExpectedValue(LATENESS_BUCKETS[0])
                .maximumExpectedValue(LATENESS_BUCKETS[LATENESS_BUCKETS.length - 1]).register(registry);
        stats.tickFanoutSink(nanos -> fanout.record(Math.max(0, nanos), TimeUnit.NANOSECONDS));
        counter(registry, "ionclock.mqtt.requests", "Time requests served or refused", "result", "served", stats,
                MqttStats::requestsServed);
        for (RequestError e : RequestError.values()) {
            counter(registry, "ionclock.mqtt.requests", "Time requests served or refused", "result", lower(e.name()),
                    stats, s -> s.requestsRefused(e));
        }
        for (MqttStats.Refusal r : MqttStats.Refusal.values()) {
            counter(registry, "ionclock.mqtt.refused", "Publishes, connections and subscriptions refused", "reason",
                    lower(r.name()), stats, s -> s.refusedCount(r));
        }
        for (MqttStats.Drop d : MqttStats.Drop.values()) {
            counter(registry, "ionclock.mqtt.dropped", "Messages to clients not sent", "reason", lower(d.name()),
                    stats, s -> s.droppedCount(d));
        }
        if ("external".equals(config.mqtt().mode())) {
            Gauge.builder("ionclock.mqtt.broker.connected", mqtt, m -> m.brokerConnected() ? 1 : 0)
                    .description("1 while connected to the external broker").register(registry);
            counter(registry, "ionclock.mqtt.broker.connects", "Connections made to the external broker", null, null,
                    stats, MqttStats::brokerConnects);
            FunctionCounter.builder("ionclock.mqtt.broker.connack.timeouts", mqtt, MqttService::connackTimeouts)
                    .description("Connection attempts given up for want of a CONNACK").register(registry);
        }
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static void counter(MeterRegistry registry, String name, String description, String tag, String value,
            MqttStats stats, ToDoubleFunction<MqttStats> f) {
        FunctionCounter.Builder<MqttStats> b = FunctionCounter.builder(name, stats, f).description(description);
        if (tag != null) {
            b.tag(tag, value);
        }
        b.register(registry);
    }
}
