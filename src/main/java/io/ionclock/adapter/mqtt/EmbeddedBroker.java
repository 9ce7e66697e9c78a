package io.ionclock.adapter.mqtt;

import io.ionclock.adapter.mqtt.MqttStats.Refusal;
import io.ionclock.adapter.mqtt.SubscriptionSet.Subscription;
import io.ionclock.adapter.mqtt.TimeService.ApplianceTopic;
import io.ionclock.core.mqtt.AsciiWriter;
import io.ionclock.core.mqtt.GatewayTopics;
import io.ionclock.core.mqtt.MqttLimits;
import io.ionclock.core.mqtt.RateLimiter;
import io.ionclock.core.mqtt.RequestError;
import io.ionclock.core.mqtt.TopicFilter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
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
import io.vertx.mqtt.MqttTopicSubscription;
import io.vertx.mqtt.MqttWill;
import io.vertx.mqtt.messages.MqttDisconnectMessage;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.MqttUnsubscribeMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubRecReasonCode;
import io.vertx.mqtt.messages.codes.MqttSubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttUnsubAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The appliance's small MQTT broker on vertx-mqtt's server (which only parses and writes packets): it
 * routes the appliance's messages to subscribers ({@code +} and {@code #}), keeps the retained status,
 * acknowledges QoS 0, 1 and 2 (subscriptions are granted at most QoS 1), publishes wills, keeps persistent
 * sessions' subscriptions, and serves time requests. Sensors may publish only time requests.
 *
 * <p>Threads: each connection lives on its Vert.x event loop; everything about one session runs there.
 * A session's subscriptions are an immutable {@link SubscriptionSet} it replaces on its own loop and
 * publishes through a volatile field: a reply routed on another loop reads a whole set, never one being
 * changed. The indexes are concurrent and updated add-first, so a session keeps its place for every topic it
 * still subscribes to; the tick thread hands messages to each event loop once per tick.
 */
public final class EmbeddedBroker implements TimeService.Transport {
    private static final Logger LOG = Logger.getLogger(EmbeddedBroker.class);
    /** A connection must send CONNECT within this. */
    static final int CONNECT_TIMEOUT_SECONDS = 10;
    /** Longest client id accepted. */
    static final int CLIENT_ID_CHARS_MAX = 256;
    /** Requests refused in a row for rate after which a client is disconnected. */
    static final int RATE_STRIKES_TO_DISCONNECT = 100;
    /** How often expired persistent sessions are swept. */
    static final long SESSION_SWEEP_MILLIS = 60_000;
    /** How long a clean stop waits for the event loops to send the offline status. */
    static final long STOP_WAIT_MILLIS = 2_000;
    static final int MQTT_5 = 5;
    /** MQTT packet ids run 1..65535. */
    static final int PACKET_ID_MAX = 65_535;
    static final String SHARED_PREFIX = "$share/";
    /** Vert.x's way of asking for one random port shared by several server instances. */
    static final int SHARED_RANDOM_PORT = -1;

    private final Vertx vertx;
    private final TimeService service;
    private final GatewayTopics topics;
    private final MqttStats stats;
    private final EmbeddedBrokerOptions options;
    private final MqttLimits limits;
    private final String[] applianceTopicNames;
    @SuppressWarnings("unchecked")
    private final Set<Session>[] applianceSubscribers = new Set[ApplianceTopic.values().length];
    private final Map<String, Set<Session>> exactSubscribers = new ConcurrentHashMap<>();
    private final Set<Session> wildcardSessions = ConcurrentHashMap.newKeySet();
    private final Map<String, Session> connected = new ConcurrentHashMap<>();
    private final Map<String, StoredSession> stored = new ConcurrentHashMap<>();
    private final AtomicInteger clientCount = new AtomicInteger();
    private final RateLimiter totalRequests;
    private volatile byte[] retainedStatus;
    /** Numbers each hand-over of an appliance message, so a session listed twice gets it once. */
    private final AtomicLong applianceHandouts = new AtomicLong();
    private final List<MqttServer> servers = new ArrayList<>();
    private long sweepTimer = -1;
    private volatile String deploymentId;

    public EmbeddedBroker(Vertx vertx, TimeService service, EmbeddedBrokerOptions options) {
        this.vertx = vertx;
        this.service = service;
        this.topics = service.topics();
        this.stats = service.stats();
        this.options = options;
        this.limits = options.limits();
        applianceTopicNames = new String[] {topics.status, topics.tick, topics.tickBinary};
        for (int i = 0; i < applianceSubscribers.length; i++) {
            applianceSubscribers[i] = ConcurrentHashMap.newKeySet();
        }
        totalRequests = new RateLimiter(limits.requestsPerSecondTotalMax(), limits.requestsPerSecondTotalMax(),
                service.clock().monoNanos());
    }

    /**
     * Binds and starts serving; completes with the bound port. One server instance per core, each in its own
     * verticle and so on its own event loop, share the port (Vert.x spreads the connections over them), so
     * a tick's fan-out runs on every core. (Contexts taken with {@code getOrCreateContext()} on an event
     * loop are that loop's own context: every instance, and every connection, landed on one event loop.)
     */
    public Future<Integer> start() {
        retainedStatus = service.statusPayload();
        sweepTimer = vertx.setPeriodic(SESSION_SWEEP_MILLIS, id -> sweepSessions());
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
        return clientCount.get();
    }

    /** How many event loops the connected clients are spread over. */
    int eventLoopsInUse() {
        Set<Context> contexts = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Session s : connected.values()) {
            contexts.add(s.context);
        }
        return contexts.size();
    }

    public int storedSessions() {
        return stored.size();
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
        retainedStatus = offline;
        Map<Context, List<Session>> byContext = new IdentityHashMap<>();
        for (Session s : connected.values()) {
            byContext.computeIfAbsent(s.context, c -> new ArrayList<>()).add(s);
        }
        CountDownLatch done = new CountDownLatch(byContext.size());
        byContext.forEach((context, sessions) -> context.runOnContext(v -> {
            Buffer payload = Buffer.buffer(offline);
            for (Session s : sessions) {
                try {
                    int qos = s.subscriptions.applianceQos(ApplianceTopic.STATUS);
                    if (qos >= 0) {
                        s.endpoint.publish(topics.status, payload, MqttQoS.valueOf(qos), false, false);
                    }
                    s.cleanDisconnect = true; // the server leaves, not the client: no will
                    s.disconnect(MqttDisconnectReasonCode.SERVER_SHUTTING_DOWN);
                } catch (RuntimeException e) {
                    LOG.debugf("closing %s: %s", s.clientId, e);
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

    // ---- the appliance's own messages (tick thread) ----

    @Override
    public void publishAppliance(ApplianceTopic topic, byte[] payload, boolean retain) {
        if (topic == ApplianceTopic.STATUS && retain) {
            retainedStatus = payload;
        }
        Set<Session> subscribers = applianceSubscribers[topic.ordinal()];
        if (subscribers.isEmpty()) {
            return;
        }
        Map<Context, List<Session>> byContext = new IdentityHashMap<>();
        for (Session s : subscribers) {
            byContext.computeIfAbsent(s.context, c -> new ArrayList<>()).add(s);
        }
        String name = applianceTopicNames[topic.ordinal()];
        long handout = applianceHandouts.incrementAndGet();
        long handedMonoNanos = service.clock().monoNanos();
        byContext.forEach((context, sessions) -> context.runOnContext(v -> {
            Buffer buffer = Buffer.buffer(payload);
            for (Session s : sessions) {
                // a session that left the index and came back while it was read is listed twice
                if (s.lastHandout[topic.ordinal()] == handout) {
                    continue;
                }
                s.lastHandout[topic.ordinal()] = handout;
                SubscriptionSet subscriptions = s.subscriptions;
                int qos = subscriptions.applianceQos(topic);
                if (qos >= 0) {
                    s.send(name, buffer, qos, retain && subscriptions.applianceRetainAsPublished(topic), null);
                }
            }
            if (topic == ApplianceTopic.TICK) {
                stats.tickFannedOut(service.clock().monoNanos() - handedMonoNanos);
            }
        }));
    }

    // ---- connections ----

    private void onConnect(MqttEndpoint endpoint) {
        boolean v5 = endpoint.protocolVersion() == MQTT_5;
        if (!credentialsOk(endpoint)) {
            stats.refused(Refusal.BAD_CREDENTIALS);
            endpoint.reject(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                    : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);
            return;
        }
        MqttWill will = endpoint.will();
        if (will != null && will.isWillFlag() && !willAllowed(will)) {
            stats.refused(Refusal.WILL_NOT_ALLOWED);
            endpoint.reject(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                    : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
            return;
        }
        String clientId = endpoint.clientIdentifier();
        Session previous = connected.get(clientId);
        // reserve a place first: connections arrive on several event loops at once
        if (clientCount.incrementAndGet() > limits.clientsMax() && previous == null) {
            clientCount.decrementAndGet();
            stats.refused(Refusal.CLIENTS_MAX);
            endpoint.reject(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
            return;
        }
        long expiryNanos = sessionExpiryNanos(endpoint, v5);
        Session s = new Session(endpoint, Vertx.currentContext(), clientId, v5, expiryNanos);
        if (previous != null) {
            previous.takenOver = true;
            previous.context.runOnContext(v -> previous.disconnect(MqttDisconnectReasonCode.SESSION_TAKEN_OVER));
        }
        connected.put(clientId, s);
        StoredSession old = stored.remove(clientId);
        boolean sessionPresent = false;
        if (old != null && !endpoint.isCleanSession() && old.expiresAtMonoNanos > service.clock().monoNanos()) {
            s.replaceSubscriptions(old.subscriptions);
            sessionPresent = true;
        }
        endpoint.publishHandler(m -> s.onPublish(m));
        endpoint.publishReleaseHandler(id -> {
            s.pendingQos2.remove(id);
            endpoint.publishComplete(id);
        });
        endpoint.publishAcknowledgeHandler(id -> s.inflight = Math.max(0, s.inflight - 1));
        endpoint.subscribeHandler(m -> s.onSubscribe(m));
        endpoint.unsubscribeHandler(m -> s.onUnsubscribe(m));
        endpoint.disconnectMessageHandler(m -> s.onDisconnect(m));
        endpoint.exceptionHandler(e -> s.onException(e));
        endpoint.closeHandler(v -> s.onClose());
        MqttProperties props = new MqttProperties();
        if (v5) {
            props.add(new MqttProperties.IntegerProperty(MqttPropertyType.MAXIMUM_QOS.value(), 1));
            // the appliance's status is retained; a client's own retained publish is refused like any other
            props.add(new MqttProperties.IntegerProperty(MqttPropertyType.RETAIN_AVAILABLE.value(), 1));
            props.add(new MqttProperties.IntegerProperty(MqttPropertyType.TOPIC_ALIAS_MAXIMUM.value(), 0));
            props.add(new MqttProperties.IntegerProperty(MqttPropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE.value(), 1));
            props.add(new MqttProperties.IntegerProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER_AVAILABLE.value(), 0));
            props.add(new MqttProperties.IntegerProperty(MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE.value(), 0));
            props.add(new MqttProperties.IntegerProperty(MqttPropertyType.RECEIVE_MAXIMUM.value(),
                    limits.inflightPerClientMax()));
            props.add(new MqttProperties.IntegerProperty(MqttPropertyType.MAXIMUM_PACKET_SIZE.value(),
                    limits.payloadBytesMax() + MqttLimits.PACKET_OVERHEAD_BYTES_MAX));
            if (expiryNanos > 0) {
                props.add(new MqttProperties.IntegerProperty(MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(),
                        (int) TimeUnit.NANOSECONDS.toSeconds(expiryNanos)));
            }
        }
        endpoint.accept(sessionPresent, props);
    }

    private boolean credentialsOk(MqttEndpoint endpoint) {
        if (options.username().isEmpty()) {
            return true;
        }
        if (endpoint.auth() == null || endpoint.auth().getUsername() == null || endpoint.auth().getPassword() == null) {
            return false;
        }
        boolean user = MessageDigest.isEqual(bytes(endpoint.auth().getUsername()), bytes(options.username().get()));
        boolean pass = MessageDigest.isEqual(bytes(endpoint.auth().getPassword()), bytes(options.password().orElse("")));
        return user & pass;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A sensor's will may go where a reply may go (never onto the appliance's topics), within the payload limit. */
    private boolean willAllowed(MqttWill will) {
        byte[] payload = will.getWillMessageBytes();
        return topics.isAllowedReplyTopic(will.getWillTopic())
                && (payload == null || payload.length <= limits.payloadBytesMax());
    }

    private long sessionExpiryNanos(MqttEndpoint endpoint, boolean v5) {
        if (!v5) {
            return endpoint.isCleanSession() ? 0 : limits.sessionExpiryNanosMax();
        }
        MqttProperties.MqttProperty<?> p = endpoint.connectProperties() == null ? null
                : endpoint.connectProperties().getProperty(MqttPropertyType.SESSION_EXPIRY_INTERVAL.value());
        long seconds = p == null ? 0 : Integer.toUnsignedLong((Integer) p.value());
        return Math.min(TimeUnit.SECONDS.toNanos(seconds), limits.sessionExpiryNanosMax());
    }

    private void sweepSessions() {
        long now = service.clock().monoNanos();
        stored.values().removeIf(s -> s.expiresAtMonoNanos <= now);
    }

    // ---- routing of replies and wills ----

    /**
     * Sends a message to every subscriber of {@code topic} (not an appliance topic). A reply's bytes are
     * completed with t3 per destination, on the destination's event loop, right before the write.
     */
    private void route(String topic, byte[] payload, int length, int qosMax, MqttProperties props, boolean reply) {
        // each session once: it may be in both indexes, or (changing its filters meanwhile) met twice in one
        Set<Session> to = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Session> exact = exactSubscribers.get(topic);
        if (exact != null) {
            for (Session s : exact) {
                if (s.subscriptions.matchQos(topic) >= 0) {
                    to.add(s);
                }
            }
        }
        for (Session s : wildcardSessions) {
            if (s.subscriptions.matchQos(topic) >= 0) {
                to.add(s);
            }
        }
        for (Session s : to) {
            deliver(s, topic, payload, length, qosMax, props, reply);
        }
    }

    private void deliver(Session s, String topic, byte[] payload, int length, int qosMax, MqttProperties props,
            boolean reply) {
        if (Vertx.currentContext() == s.context) {
            s.sendCompleted(topic, payload, length, qosMax, props, reply);
        } else {
            byte[] copy = java.util.Arrays.copyOf(payload, length);
            s.context.runOnContext(v -> s.sendCompleted(topic, copy, copy.length, qosMax, props, reply));
        }
    }

    // ---- sessions ----

    private record StoredSession(SubscriptionSet subscriptions, long expiresAtMonoNanos) {
    }

    private final class Session {
        final MqttEndpoint endpoint;
        final Context context;
        final String clientId;
        final boolean v5;
        final long expiryNanos;
        /** Replaced, never changed, and only on this session's event loop; read from any thread. */
        volatile SubscriptionSet subscriptions = SubscriptionSet.EMPTY;
        /** The last appliance hand-over sent (on this session's event loop only), by topic. */
        final long[] lastHandout = new long[ApplianceTopic.values().length];
        final Set<Integer> pendingQos2 = new HashSet<>();
        final RateLimiter requests;
        int inflight;
        int lastPacketId;
        int rateStrikes;
        boolean cleanDisconnect;
        /** Set by the connection that takes this one over, on its own event loop. */
        volatile boolean takenOver;
        boolean closed;

        Session(MqttEndpoint endpoint, Context context, String clientId, boolean v5, long expiryNanos) {
            this.endpoint = endpoint;
            this.context = context;
            this.clientId = clientId;
            this.v5 = v5;
            this.expiryNanos = expiryNanos;
            this.requests = new RateLimiter(limits.requestsPerSecondMax(), limits.requestBurstMax(),
                    service.clock().monoNanos());
        }

        /** Sends on this session's event loop, within the in-flight limit. */
        void send(String topic, Buffer payload, int qos, boolean retain, MqttProperties props) {
            if (closed) {
                return;
            }
            if (inflight >= limits.inflightPerClientMax()) {
                stats.dropped(MqttStats.Drop.INFLIGHT_FULL);
                return;
            }
            inflight++;
            // QoS 1 needs a packet id (never 0); vertx-mqtt assigns one only in the overloads without properties
            int packetId = qos == 0 ? 0 : nextPacketId();
            Future<Integer> f = endpoint.publish(topic, payload, MqttQoS.valueOf(qos), false, retain, packetId,
                    props == null ? MqttProperties.NO_PROPERTIES : props);
            if (qos == 0) {
                f.onComplete(r -> inflight = Math.max(0, inflight - 1));
            } else {
                f.onFailure(e -> inflight = Math.max(0, inflight - 1));
            }
        }

        void sendCompleted(String topic, byte[] payload, int length, int qosMax, MqttProperties props, boolean reply) {
            int qos = Math.min(subscriptions.matchQos(topic), qosMax);
            if (qos < 0 || closed) {
                return;
            }
            AsciiWriter w = new AsciiWriter(length + TimeService.REPLY_END_BYTES_MAX);
            w.raw(payload, 0, length);
            if (reply) {
                service.complete(w); // t3: as late as possible
            }
            send(topic, Buffer.buffer(w.toByteArray()), qos, false, props);
        }

        int nextPacketId() {
            lastPacketId = lastPacketId % PACKET_ID_MAX + 1;
            return lastPacketId;
        }

        void disconnect(MqttDisconnectReasonCode reason) {
            if (closed) {
                return;
            }
            if (v5 && endpoint.isConnected()) {
                endpoint.disconnect(reason, MqttProperties.NO_PROPERTIES);
            }
            endpoint.close();
        }

        // -- publishes from the client --

        void onPublish(MqttPublishMessage m) {
            TimeService.Exchange x = service.receive(); // t2: first thing
            String topic = m.topicName();
            int qos = m.qosLevel().value();
            if (topic == null || topic.isEmpty() || !TopicFilter.isValidTopicName(topic)) {
                stats.refused(Refusal.PROTOCOL_ERROR);
                disconnect(MqttDisconnectReasonCode.TOPIC_NAME_INVALID);
                return;
            }
            if (qos == 2) {
                if (pendingQos2.contains(m.messageId())) {
                    endpoint.publishReceived(m.messageId()); // a resend: acknowledged, not processed twice
                    return;
                }
                if (pendingQos2.size() >= limits.inflightPerClientMax()) {
                    stats.refused(Refusal.PROTOCOL_ERROR);
                    disconnect(MqttDisconnectReasonCode.RECEIVE_MAXIMUM_EXCEEDED);
                    return;
                }
            }
            if (!topic.equals(topics.request)) {
                stats.refused(Refusal.PUBLISH_NOT_ALLOWED);
                ack(m, MqttPubAckReasonCode.NOT_AUTHORIZED);
                return;
            }
            long nowMonoNanos = x.reading.monoNanos;
            boolean allowed = requests.tryAcquire(nowMonoNanos);
            if (allowed) {
                synchronized (totalRequests) {
                    allowed = totalRequests.tryAcquire(nowMonoNanos);
                }
            }
            if (!allowed) {
                stats.requestRefused(RequestError.RATE_LIMITED);
                ack(m, MqttPubAckReasonCode.QUOTA_EXCEEDED);
                if (++rateStrikes > RATE_STRIKES_TO_DISCONNECT) {
                    stats.refused(Refusal.RATE_DISCONNECT);
                    disconnect(MqttDisconnectReasonCode.MESSAGE_RATE_TOO_HIGH);
                }
                return;
            }
            rateStrikes = 0;
            Buffer payload = m.payload();
            if (payload.length() > limits.payloadBytesMax()) {
                stats.requestRefused(RequestError.TOO_LARGE);
                ack(m, MqttPubAckReasonCode.QUOTA_EXCEEDED);
                return;
            }
            String responseTopic = null;
            MqttProperties responseProps = null;
            MqttProperties props = m.properties();
            if (v5 && props != null) {
                MqttProperties.MqttProperty<?> rt = props.getProperty(MqttPropertyType.RESPONSE_TOPIC.value());
                if (rt != null) {
                    responseTopic = (String) rt.value();
                }
                MqttProperties.MqttProperty<?> cd = props.getProperty(MqttPropertyType.CORRELATION_DATA.value());
                if (cd != null) {
                    responseProps = new MqttProperties();
                    responseProps.add(new MqttProperties.BinaryProperty(MqttPropertyType.CORRELATION_DATA.value(),
                            (byte[]) cd.value()));
                }
            }
            byte[] bytes = payload.getBytes();
            if (service.prepare(x, bytes, bytes.length, responseTopic)) {
                route(x.replyTopic, x.out.array(), x.out.length(), Math.min(qos, 1), responseProps, x.error == null);
            }
            ack(m, x.error == null ? MqttPubAckReasonCode.SUCCESS : MqttPubAckReasonCode.PAYLOAD_FORMAT_INVALID);
        }

        /** Acknowledges by QoS: MQTT 5 carries the reason; 3.1.1 can only acknowledge (the spec's positive ack). */
        void ack(MqttPublishMessage m, MqttPubAckReasonCode reason) {
            if (closed) {
                return;
            }
            int qos = m.qosLevel().value();
            if (qos == 1) {
                if (v5) {
                    endpoint.publishAcknowledge(m.messageId(), reason, MqttProperties.NO_PROPERTIES);
                } else {
                    endpoint.publishAcknowledge(m.messageId());
                }
            } else if (qos == 2) {
                if (v5 && reason.isError()) {
                    // an error PUBREC ends the exchange: no PUBREL follows
                    endpoint.publishReceived(m.messageId(), MqttPubRecReasonCode.valueOf(reason.value()),
                            MqttProperties.NO_PROPERTIES);
                } else {
                    pendingQos2.add(m.messageId());
                    endpoint.publishReceived(m.messageId());
                }
            }
        }

        // -- subscriptions --

        void onSubscribe(MqttSubscribeMessage m) {
            List<MqttSubAckReasonCode> codes = new ArrayList<>();
            List<String> added = new ArrayList<>();
            Map<String, Subscription> filters = new LinkedHashMap<>(subscriptions.filters());
            for (MqttTopicSubscription sub : m.topicSubscriptions()) {
                String filter = sub.topicName();
                MqttSubAckReasonCode code;
                if (filter == null || !TopicFilter.isValidFilter(filter)) {
                    stats.refused(Refusal.SUBSCRIPTION_INVALID);
                    code = v5 ? MqttSubAckReasonCode.TOPIC_FILTER_INVALID : MqttSubAckReasonCode.UNSPECIFIED_ERROR;
                } else if (filter.startsWith(SHARED_PREFIX)) {
                    stats.refused(Refusal.SUBSCRIPTION_INVALID);
                    code = v5 ? MqttSubAckReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED
                            : MqttSubAckReasonCode.UNSPECIFIED_ERROR;
                } else if (!filters.containsKey(filter) && filters.size() >= limits.subscriptionsPerClientMax()) {
                    stats.refused(Refusal.SUBSCRIPTIONS_MAX);
                    code = v5 ? MqttSubAckReasonCode.QUOTA_EXCEEDED : MqttSubAckReasonCode.UNSPECIFIED_ERROR;
                } else {
                    int qos = Math.min(sub.qualityOfService().value(), 1);
                    MqttSubscriptionOption option = sub.subscriptionOption();
                    boolean rap = v5 && option != null && option.isRetainAsPublished();
                    boolean existed = filters.put(filter, new Subscription(qos, rap)) != null;
                    code = MqttSubAckReasonCode.qosGranted(MqttQoS.valueOf(qos));
                    MqttSubscriptionOption.RetainedHandlingPolicy handling = option == null
                            ? MqttSubscriptionOption.RetainedHandlingPolicy.SEND_AT_SUBSCRIBE : option.retainHandling();
                    boolean sendRetained = handling == MqttSubscriptionOption.RetainedHandlingPolicy.SEND_AT_SUBSCRIBE
                            || handling == MqttSubscriptionOption.RetainedHandlingPolicy.SEND_AT_SUBSCRIBE_IF_NOT_YET_EXISTS
                            && !existed;
                    if (sendRetained) {
                        added.add(filter);
                    }
                }
                codes.add(code);
            }
            replaceSubscriptions(SubscriptionSet.of(filters, topics));
            endpoint.subscribeAcknowledge(m.messageId(), codes, MqttProperties.NO_PROPERTIES);
            byte[] status = retainedStatus;
            for (String filter : added) {
                if (TopicFilter.matches(filter, topics.status)) {
                    send(topics.status, Buffer.buffer(status), filters.get(filter).qos(), true, null);
                    break;
                }
            }
        }

        void onUnsubscribe(MqttUnsubscribeMessage m) {
            List<MqttUnsubAckReasonCode> codes = new ArrayList<>();
            Map<String, Subscription> filters = new LinkedHashMap<>(subscriptions.filters());
            for (String filter : m.topics()) {
                codes.add(filters.remove(filter) != null ? MqttUnsubAckReasonCode.SUCCESS
                        : MqttUnsubAckReasonCode.NO_SUBSCRIPTION_EXISTED);
            }
            replaceSubscriptions(SubscriptionSet.of(filters, topics));
            if (v5) {
                endpoint.unsubscribeAcknowledge(m.messageId(), codes, MqttProperties.NO_PROPERTIES);
            } else {
                endpoint.unsubscribeAcknowledge(m.messageId());
            }
        }

        /**
         * Makes {@code next} this session's subscriptions and brings the broker's indexes in line: the new set
         * is published first, then the session is added where it is new, then removed where it left, so for a
         * topic it subscribes to before and after it is never missing from the indexes.
         */
        void replaceSubscriptions(SubscriptionSet next) {
            SubscriptionSet before = subscriptions;
            if (closed) {
                return;
            }
            subscriptions = next;
            index(next, before);
            unindex(before, next);
        }

        /** Adds this session to the indexes for what {@code now} has and {@code before} had not. */
        void index(SubscriptionSet now, SubscriptionSet before) {
            for (ApplianceTopic t : ApplianceTopic.values()) {
                if (now.applianceQos(t) >= 0 && before.applianceQos(t) < 0) {
                    applianceSubscribers[t.ordinal()].add(this);
                }
            }
            for (String filter : now.exactFilters()) {
                if (!before.filters().containsKey(filter)) {
                    // in one step with a removal of the last subscriber, which drops the set
                    exactSubscribers.compute(filter, (k, set) -> {
                        Set<Session> to = set == null ? ConcurrentHashMap.newKeySet() : set;
                        to.add(this);
                        return to;
                    });
                }
            }
            if (now.wildcardMayMatchReplies() && !before.wildcardMayMatchReplies()) {
                wildcardSessions.add(this);
            }
        }

        /** Removes this session from the indexes for what {@code before} had and {@code now} has not. */
        void unindex(SubscriptionSet before, SubscriptionSet now) {
            for (ApplianceTopic t : ApplianceTopic.values()) {
                if (before.applianceQos(t) >= 0 && now.applianceQos(t) < 0) {
                    applianceSubscribers[t.ordinal()].remove(this);
                }
            }
            for (String filter : before.exactFilters()) {
                if (!now.filters().containsKey(filter)) {
                    exactSubscribers.computeIfPresent(filter, (k, set) -> {
                        set.remove(this);
                        return set.isEmpty() ? null : set;
                    });
                }
            }
            if (before.wildcardMayMatchReplies() && !now.wildcardMayMatchReplies()) {
                wildcardSessions.remove(this);
            }
        }

        // -- the end of a connection --

        void onDisconnect(MqttDisconnectMessage m) {
            cleanDisconnect = m == null || m.code() != MqttDisconnectReasonCode.WITH_WILL_MESSAGE;
        }

        void onException(Throwable e) {
            boolean tooLarge = e instanceof TooLongFrameException
                    || e.getCause() instanceof TooLongFrameException;
            stats.refused(tooLarge ? Refusal.PAYLOAD_TOO_LARGE : Refusal.PROTOCOL_ERROR);
            LOG.debugf("MQTT client %s: %s", clientId, e.toString());
            disconnect(tooLarge ? MqttDisconnectReasonCode.PACKET_TOO_LARGE : MqttDisconnectReasonCode.MALFORMED_PACKET);
        }

        void onClose() {
            if (closed) {
                return;
            }
            closed = true;
            SubscriptionSet last = subscriptions;
            unindex(last, SubscriptionSet.EMPTY);
            clientCount.decrementAndGet();
            connected.remove(clientId, this);
            if (expiryNanos > 0 && !takenOver && !last.isEmpty()) {
                if (stored.size() < limits.clientsMax()) {
                    stored.put(clientId, new StoredSession(last, service.clock().monoNanos() + expiryNanos));
                }
            }
            MqttWill will = endpoint.will();
            if (!cleanDisconnect && will != null && will.isWillFlag()) {
                byte[] payload = will.getWillMessageBytes() == null ? new byte[0] : will.getWillMessageBytes();
                route(will.getWillTopic(), payload, payload.length, Math.min(will.getWillQos(), 1), null, false);
            }
        }
    }
}
