package io.ionclock.adapter.mqtt;

import io.ionclock.adapter.mqtt.MqttStats.Refusal;
import io.ionclock.adapter.mqtt.TimeService.ApplianceTopic;
import io.ionclock.core.mqtt.MqttLimits;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The appliance's small MQTT broker on vertx-mqtt's server (which only parses and writes packets): it
 * routes the appliance's messages to subscribers ({@code +} and {@code #}), keeps the retained status,
 * acknowledges QoS 0, 1 and 2 (subscriptions are granted at most QoS 1), publishes wills, keeps persistent
 * sessions' subscriptions, and serves time requests. Sensors may publish only time requests.
 *
 * <p>This class owns and wires the parts: {@link ConnectGate} (who gets in), {@link SessionStore} (the
 * sessions, connected and kept), {@link BrokerSession} (one client), {@link SubscriptionSet} (one session's
 * filters), {@link SubscriptionIndex} (who may want a topic), {@link RequestIntake} (a client's PUBLISH)
 * and {@link MessageRouter} (getting messages to their subscribers).
 *
 * <p>Threads: each connection lives on its Vert.x event loop; everything about one session runs there. A
 * session's subscriptions are an immutable {@link SubscriptionSet} it replaces on its own loop and publishes
 * through a volatile field: a reply routed on another loop reads a whole set, never one being changed. The
 * index is concurrent and updated add-first, so a session keeps its place for every topic it still
 * subscribes to; the tick thread hands messages to each event loop once per tick.
 */
public final class EmbeddedBroker implements TimeService.Transport {
    private static final Logger LOG = Logger.getLogger(EmbeddedBroker.class);
    /** A connection must send CONNECT within this. */
    static final int CONNECT_TIMEOUT_SECONDS = 10;
    /** Longest client id accepted. */
    static final int CLIENT_ID_CHARS_MAX = 256;
    /** How often expired persistent sessions are swept. */
    static final long SESSION_SWEEP_MILLIS = 60_000;
    /** How long a clean stop waits for the event loops to send the offline status. */
    static final long STOP_WAIT_MILLIS = 2_000;
    /** Vert.x's way of asking for one random port shared by several server instances. */
    static final int SHARED_RANDOM_PORT = -1;

    private final Vertx vertx;
    private final TimeService service;
    private final MqttStats stats;
    private final EmbeddedBrokerOptions options;
    private final MqttLimits limits;
    private final ConnectGate gate;
    private final SessionStore store;
    private final SubscriptionIndex index = new SubscriptionIndex();
    private final MessageRouter router;
    private final RequestIntake intake;
    private final BrokerSession.Shared shared;
    private final List<MqttServer> servers = new ArrayList<>();
    private long sweepTimer = -1;
    private volatile String deploymentId;

    public EmbeddedBroker(Vertx vertx, TimeService service, EmbeddedBrokerOptions options) {
        this.vertx = vertx;
        this.service = service;
        this.stats = service.stats();
        this.options = options;
        this.limits = options.limits();
        gate = new ConnectGate(options, service.topics(), stats);
        store = new SessionStore(limits.clientsMax());
        router = new MessageRouter(service, index);
        intake = new RequestIntake(service, limits, router);
        shared = new BrokerSession.Shared(service, limits, index, store, router);
    }

    /**
     * Binds and starts serving; completes with the bound port. One server instance per core, each in its own
     * verticle and so on its own event loop, share the port (Vert.x spreads the connections over them), so
     * a tick's fan-out runs on every core. (Contexts taken with {@code getOrCreateContext()} on an event
     * loop are that loop's own context: every instance, and every connection, landed on one event loop.)
     */
    public Future<Integer> start() {
        router.retainStatus(service.statusPayload());
        sweepTimer = vertx.setPeriodic(SESSION_SWEEP_MILLIS, id -> store.sweep(service.clock().monoNanos()));
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        // Vert.x shares a random port among servers that all listen on the same negative port
        int port = options.port() == 0 ? SHARED_RANDOM_PORT : options.port();
        return vertx.deployVerticle(() -> new AbstractVerticle() {
            @Override
            public void start(io.vertx.core.Promise<Void> started) {
                listen(port).<Void>mapEmpty().onComplete(started);
            }
        }, new DeploymentOptions().setInstances(instances)).map(id -> {
            deploymentId = id;
            return port();
        });
    }

    /** Listens on the calling verticle's event loop. */
    private Future<Integer> listen(int port) {
        MqttServerOptions o = new MqttServerOptions().setHost(options.host()).setPort(port)
                .setMaxMessageSize(limits.payloadBytesMax() + MqttLimits.PACKET_OVERHEAD_BYTES_MAX)
                .setTimeoutOnConnect(CONNECT_TIMEOUT_SECONDS).setMaxClientIdLength(CLIENT_ID_CHARS_MAX)
                .setAutoClientId(true);
        if (options.tlsCertPem().isPresent()) {
            o.setSsl(true).setPemKeyCertOptions(new PemKeyCertOptions().setCertPath(options.tlsCertPem().get())
                    .setKeyPath(options.tlsKeyPem().orElseThrow()));
        }
        MqttServer server = MqttServer.create(vertx, o);
        server.exceptionHandler(e -> stats.refused(Refusal.PROTOCOL_ERROR));
        server.endpointHandler(this::onConnect);
        synchronized (servers) {
            servers.add(server);
        }
        return server.listen().map(MqttServer::actualPort);
    }

    /** The bound port (after {@link #start}). */
    public int port() {
        synchronized (servers) {
            return servers.get(0).actualPort();
        }
    }

    public int clients() {
        return store.clients();
    }

    /** How many event loops the connected clients are spread over. */
    int eventLoopsInUse() {
        return store.connectedByContext().size();
    }

    public int storedSessions() {
        return store.storedSessions();
    }

    /** Publishes the offline status, disconnects everyone (MQTT 5: Server shutting down), and closes. */
    public void stop() {
        List<MqttServer> all;
        synchronized (servers) {
            all = new ArrayList<>(servers);
            servers.clear();
        }
        if (all.isEmpty()) {
            return;
        }
        vertx.cancelTimer(sweepTimer);
        byte[] offline = service.offlinePayload();
        router.retainStatus(offline);
        Map<Context, List<BrokerSession>> byContext = store.connectedByContext();
        CountDownLatch done = new CountDownLatch(byContext.size());
        byContext.forEach((context, sessions) -> context.runOnContext(v -> {
            Buffer payload = Buffer.buffer(offline);
            for (BrokerSession s : sessions) {
                try {
                    s.shutDown(service.topics().status, payload);
                } catch (RuntimeException e) {
                    LOG.debugf("closing %s: %s", s.clientId(), e);
                }
            }
            done.countDown();
        }));
        try {
            done.await(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Future<Void>> closed = new ArrayList<>();
        for (MqttServer server : all) {
            closed.add(server.close());
        }
        if (deploymentId != null) {
            closed.add(vertx.undeploy(deploymentId));
        }
        Future.all(closed).toCompletionStage().toCompletableFuture().completeOnTimeout(null, STOP_WAIT_MILLIS,
                TimeUnit.MILLISECONDS).exceptionally(e -> null).join();
    }

    /** The appliance's own messages, from the tick thread. */
    @Override
    public void publishAppliance(ApplianceTopic topic, byte[] payload, boolean retain) {
        router.publishAppliance(topic, payload, retain);
    }

    /** A new connection, on the event loop it will live on. */
    private void onConnect(MqttEndpoint endpoint) {
        if (!gate.admit(endpoint)) {
            return;
        }
        BrokerSession previous = store.connected(endpoint.clientIdentifier());
        if (!store.reserve(previous != null)) {
            gate.refuse(endpoint, Refusal.CLIENTS_MAX);
            return;
        }
        boolean v5 = ConnectGate.isV5(endpoint);
        long expiryNanos = gate.sessionExpiryNanos(endpoint);
        BrokerSession s = new BrokerSession(endpoint, Vertx.currentContext(), v5, expiryNanos, intake.clientLimiter(),
                shared);
        if (previous != null) {
            previous.takeOver();
        }
        SubscriptionSet kept = store.attach(s, endpoint.isCleanSession(), service.clock().monoNanos());
        if (kept != null) {
            s.resume(kept);
        }
        endpoint.publishHandler(m -> intake.onPublish(s, m));
        endpoint.publishReleaseHandler(id -> intake.onRelease(s, id));
        endpoint.publishAcknowledgeHandler(s::onAcknowledged);
        endpoint.subscribeHandler(s::onSubscribe);
        endpoint.unsubscribeHandler(s::onUnsubscribe);
        endpoint.disconnectMessageHandler(s::onDisconnect);
        endpoint.exceptionHandler(s::onException);
        endpoint.closeHandler(v -> s.onClose());
        endpoint.accept(kept != null, gate.connackProperties(v5, expiryNanos));
    }
}
