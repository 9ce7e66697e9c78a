package io.ionclock.adapter.mqtt;

import io.ionclock.adapter.mqtt.TimeService.ApplianceTopic;
import io.ionclock.core.mqtt.GatewayTopics;
import io.ionclock.core.mqtt.MqttLimits;
import io.ionclock.core.mqtt.RateLimiter;
import io.ionclock.core.mqtt.RequestError;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.messages.MqttPublishMessage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The appliance as a client of a site's broker (MQTT 3.1.1): publishes ticks and the retained status
 * (with a retained offline will), subscribes to time requests (the 3.1.1 {@code replyTo} form), and
 * reconnects with exponential backoff. A CONNACK that never comes (vertx-mqtt#109) abandons the attempt
 * after the CONNACK timeout; an unanswered PINGREQ drops a connection that has gone silent. Every attempt
 * uses a fresh client. All client calls run on one Vert.x context.
 */
public final class ExternalBrokerLink implements TimeService.Transport {
    private static final Logger LOG = Logger.getLogger(ExternalBrokerLink.class);
    /** How long a clean stop waits for the offline status to be acknowledged. */
    static final long STOP_WAIT_MILLIS = 2_000;

    private final Vertx vertx;
    private final TimeService service;
    private final GatewayTopics topics;
    private final MqttStats stats;
    private final ExternalBrokerOptions options;
    private final ExternalBrokerOptions.Endpoint endpoint;
    private final String clientId;
    private final RateLimiter totalRequests;
    private final Context context;
    private volatile MqttClient client;
    private volatile boolean running;
    private long backoffNanos;
    private long pingTimer = -1;
    private long pingSentMonoNanos;
    private long pongMonoNanos;
    private volatile long connackTimeouts;

    public ExternalBrokerLink(Vertx vertx, TimeService service, ExternalBrokerOptions options) {
        this.vertx = vertx;
        this.service = service;
        this.topics = service.topics();
        this.stats = service.stats();
        this.options = options;
        this.endpoint = ExternalBrokerOptions.parse(options.broker());
        this.clientId = "ionclock-" + topics.gatewayId;
        this.totalRequests = new RateLimiter(options.requestsPerSecondTotalMax(), options.requestsPerSecondTotalMax(),
                service.clock().monoNanos());
        this.context = vertx.getOrCreateContext();
        this.backoffNanos = options.backoffNanosMin();
    }

    public void start() {
        running = true;
        context.runOnContext(v -> connect());
    }

    public boolean connected() {
        MqttClient c = client;
        return c != null && c.isConnected();
    }

    /** Attempts abandoned because no CONNACK came in time. */
    public long connackTimeouts() {
        return connackTimeouts;
    }

    private void connect() {
        if (!running) {
            return;
        }
        MqttClientOptions o = new MqttClientOptions().setClientId(clientId).setCleanSession(true)
                .setKeepAliveInterval((int) Math.max(1, TimeUnit.NANOSECONDS.toSeconds(options.keepAliveNanos())))
                .setMaxMessageSize(options.payloadBytesMax() + MqttLimits.PACKET_OVERHEAD_BYTES_MAX)
                .setWillFlag(true).setWillTopic(topics.status).setWillMessageBytes(Buffer.buffer(service.offlinePayload()))
                .setWillQoS(1).setWillRetain(true);
        options.username().ifPresent(o::setUsername);
        options.password().ifPresent(o::setPassword);
        if (endpoint.ssl()) {
            o.setSsl(true);
            options.tlsTrustPem().ifPresent(p -> o.setPemTrustOptions(new PemTrustOptions().addCertPath(p)));
        }
        MqttClient c = MqttClient.create(vertx, o);
        c.publishHandler(m -> onRequest(c, m));
        c.pingResponseHandler(v -> pongMonoNanos = service.clock().monoNanos());
        c.closeHandler(v -> onLost(c));
        AtomicBoolean settled = new AtomicBoolean();
        long timer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(options.connackTimeoutNanos())), id -> {
            if (settled.compareAndSet(false, true)) {
                connackTimeouts++;
                LOG.warnf("MQTT broker %s: no CONNACK within %d ms; retrying", options.broker(),
                        TimeUnit.NANOSECONDS.toMillis(options.connackTimeoutNanos()));
                abandon(c);
                retryLater();
            }
        });
        c.connect(endpoint.port(), endpoint.host()).onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (!settled.compareAndSet(false, true)) {
                if (ar.succeeded()) {
                    abandon(c); // too late: the attempt was given up
                }
                return;
            }
            if (ar.failed()) {
                LOG.debugf("MQTT broker %s: %s", options.broker(), ar.cause().toString());
                abandon(c);
                retryLater();
                return;
            }
            onConnected(c);
        });
    }

    private void onConnected(MqttClient c) {
        client = c;
        backoffNanos = options.backoffNanosMin();
        stats.brokerConnected();
        LOG.infof("MQTT broker %s: connected as %s", options.broker(), clientId);
        c.publish(topics.status, Buffer.buffer(service.statusPayload()), MqttQoS.AT_LEAST_ONCE, false, true);
        c.subscribe(topics.request, MqttQoS.AT_MOST_ONCE.value());
        pongMonoNanos = pingSentMonoNanos = service.clock().monoNanos();
        long periodMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(options.keepAliveNanos()));
        pingTimer = vertx.setPeriodic(periodMillis, id -> {
            if (client != c) {
                vertx.cancelTimer(id);
                return;
            }
            if (pongMonoNanos < pingSentMonoNanos) {
                LOG.warnf("MQTT broker %s: no PINGRESP within %d ms; reconnecting", options.broker(), periodMillis);
                abandon(c);
                onLost(c);
                return;
            }
            pingSentMonoNanos = service.clock().monoNanos();
            c.ping();
        });
    }

    private void onLost(MqttClient c) {
        if (client != c) {
            return;
        }
        client = null;
        vertx.cancelTimer(pingTimer);
        LOG.warnf("MQTT broker %s: connection lost; reconnecting", options.broker());
        retryLater();
    }

    private void abandon(MqttClient c) {
        try {
            c.disconnect();
        } catch (RuntimeException e) {
            LOG.debugf("abandoning an MQTT client: %s", e.toString());
        }
    }

    private void retryLater() {
        if (!running) {
            return;
        }
        long delayNanos = backoffNanos;
        backoffNanos = Math.min(options.backoffNanosMax(), backoffNanos * 2);
        vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos)), id -> connect());
    }

    @Override
    public void publishAppliance(ApplianceTopic topic, byte[] payload, boolean retain) {
        MqttClient c = client;
        if (c == null) {
            stats.dropped(MqttStats.Drop.DISCONNECTED);
            if (topic != ApplianceTopic.STATUS) {
                stats.tickDropped();
            }
            return;
        }
        String name = switch (topic) {
            case STATUS -> topics.status;
            case TICK -> topics.tick;
            case TICK_BINARY -> topics.tickBinary;
        };
        MqttQoS qos = topic == ApplianceTopic.STATUS ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        context.runOnContext(v -> {
            if (client == c && c.isConnected()) {
                try {
                    c.publish(name, Buffer.buffer(payload), qos, false, retain);
                } catch (RuntimeException e) {
                    stats.dropped(MqttStats.Drop.DISCONNECTED); // e.g. the QoS 1 in-flight window is full
                }
            }
        });
    }

    private void onRequest(MqttClient c, MqttPublishMessage m) {
        TimeService.Exchange x = service.receive(); // t2: first thing
        if (!topics.request.equals(m.topicName())) {
            return;
        }
        boolean allowed;
        synchronized (totalRequests) {
            allowed = totalRequests.tryAcquire(x.reading.monoNanos);
        }
        if (!allowed) {
            stats.requestRefused(RequestError.RATE_LIMITED);
            return;
        }
        Buffer payload = m.payload();
        if (payload.length() > options.payloadBytesMax()) {
            stats.requestRefused(RequestError.TOO_LARGE);
            return;
        }
        byte[] bytes = payload.getBytes();
        if (!service.prepare(x, bytes, bytes.length, null)) {
            return;
        }
        if (x.error == null) {
            service.complete(x.out); // t3: as late as possible
        }
        try {
            c.publish(x.replyTopic, Buffer.buffer(x.out.toByteArray()), MqttQoS.AT_MOST_ONCE, false, false);
        } catch (RuntimeException e) {
            stats.dropped(MqttStats.Drop.DISCONNECTED);
        }
    }

    /** Publishes the offline status (retained) and disconnects cleanly. */
    public void stop() {
        running = false;
        CompletableFuture<Void> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            MqttClient c = client;
            client = null;
            vertx.cancelTimer(pingTimer);
            if (c == null || !c.isConnected()) {
                done.complete(null);
                return;
            }
            c.publish(topics.status, Buffer.buffer(service.offlinePayload()), MqttQoS.AT_LEAST_ONCE, false, true)
                    .onComplete(ar -> c.disconnect().onComplete(d -> done.complete(null)));
        });
        done.completeOnTimeout(null, STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS).join();
    }
}
