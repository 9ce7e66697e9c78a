package io.ionclock.app.mqtt;

import io.ionclock.app.HostName;

import io.ionclock.adapter.mqtt.EmbeddedBroker;
import io.ionclock.adapter.mqtt.EmbeddedBrokerOptions;
import io.ionclock.adapter.mqtt.ExternalBrokerLink;
import io.ionclock.adapter.mqtt.ExternalBrokerOptions;
import io.ionclock.adapter.mqtt.MqttClock;
import io.ionclock.adapter.mqtt.MqttStats;
import io.ionclock.adapter.mqtt.TimeService;
import io.ionclock.app.ClockService;
import io.ionclock.app.ConfigCheck;
import io.ionclock.app.HostName;
import io.ionclock.app.IonclockConfig;
import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.mqtt.GatewayTopics;
import io.ionclock.core.mqtt.MqttLimits;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Time over MQTT: the tick loop and request handling ({@link TimeService}) on the embedded server or a
 * site's broker, by {@code ionclock.mqtt.mode}. Starts after {@link ClockService} (observer priority).
 */
@ApplicationScoped
public class MqttService {
    private static final Logger LOG = Logger.getLogger(MqttService.class);
    /** Runs after ClockService's start observer (default priority 2500). */
    static final int START_PRIORITY = 3_000;
    /** How long start waits for the embedded server to bind. */
    static final long BIND_WAIT_SECONDS = 10;

    @Inject
    IonclockConfig config;

    @Inject
    ClockService clock;

    @Inject
    Vertx vertx;

    private final MqttStats stats = new MqttStats();
    private TimeService service;
    private EmbeddedBroker broker;
    private ExternalBrokerLink link;
    private volatile int port = -1;

    void onStart(@Observes @Priority(START_PRIORITY) StartupEvent event) throws Exception {
        IonclockConfig.Mqtt m = config.mqtt();
        if ("off".equals(m.mode())) {
            LOG.info("MQTT off");
            return;
        }
        String gatewayId = m.gatewayId().orElseGet(MqttService::hostGatewayId);
        MqttLimits limits = ConfigCheck.mqttLimits(m);
        service = new TimeService(clockView(), new GatewayTopics(gatewayId), stats);
        if ("external".equals(m.mode())) {
            link = new ExternalBrokerLink(vertx, service, new ExternalBrokerOptions(m.broker().orElseThrow(),
                    m.username(), m.password(), m.connackTimeout().toNanos(), m.reconnectBackoffMin().toNanos(),
                    m.reconnectBackoffMax().toNanos(), m.keepAlive().toNanos(), limits.payloadBytesMax(),
                    limits.requestsPerSecondTotalMax(), m.tls().trust()));
            link.start();
            service.start(link);
            LOG.infof("MQTT external broker %s, gateway %s", m.broker().get(), gatewayId);
            return;
        }
        broker = new EmbeddedBroker(vertx, service, new EmbeddedBrokerOptions(m.host(), m.port(), limits,
                m.username(), m.password(), m.tls().cert(), m.tls().key()));
        try {
            port = broker.start().toCompletionStage().toCompletableFuture().get(BIND_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("ionclock.mqtt.port: cannot listen on " + m.host() + ":" + m.port() + ": "
                    + e.getMessage(), e);
        }
        service.start(broker);
        LOG.infof("MQTT server listening on port %d, gateway %s%s", port, gatewayId,
                m.tls().cert().isPresent() ? " (TLS)" : "");
    }

    void onStop(@Observes ShutdownEvent event) {
        if (service != null) {
            service.stop();
        }
        if (broker != null) {
            broker.stop();
        }
        if (link != null) {
            link.stop();
        }
    }

    private MqttClock clockView() {
        return new MqttClock() {
            @Override
            public void read(ClockReading out) {
                clock.read(out);
            }

            @Override
            public ClockSnapshot snapshot() {
                return clock.snapshot();
            }

            @Override
            public long monoNanos() {
                return clock.mono().monoNanos();
            }
        };
    }

    static String hostGatewayId() {
        return HostName.identifier("gateway");
    }

    public MqttStats stats() {
        return stats;
    }

    /** The embedded server's bound port, or -1. */
    public int port() {
        return port;
    }

    public Optional<String> gatewayId() {
        return Optional.ofNullable(service).map(s -> s.topics().gatewayId);
    }

    public int clients() {
        return broker == null ? 0 : broker.clients();
    }

    public int storedSessions() {
        return broker == null ? 0 : broker.storedSessions();
    }

    public boolean external() {
        return link != null;
    }

    public boolean brokerConnected() {
        return link != null && link.connected();
    }

    public long connackTimeouts() {
        return link == null ? 0 : link.connackTimeouts();
    }
}
