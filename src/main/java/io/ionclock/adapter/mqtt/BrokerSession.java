package io.ionclock.adapter.mqtt;

import io.ionclock.adapter.mqtt.MqttStats.Refusal;
import io.ionclock.adapter.mqtt.SubscriptionSet.Subscription;
import io.ionclock.adapter.mqtt.TimeService.ApplianceTopic;
import io.ionclock.core.mqtt.AsciiWriter;
import io.ionclock.core.mqtt.MqttLimits;
import io.ionclock.core.mqtt.RateLimiter;
import io.ionclock.core.mqtt.TopicFilter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttTopicSubscription;
import io.vertx.mqtt.MqttWill;
import io.vertx.mqtt.messages.MqttDisconnectMessage;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.MqttUnsubscribeMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttSubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttUnsubAckReasonCode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * One client's connection and session: its subscriptions and their SUBSCRIBE and UNSUBSCRIBE, the messages
 * written to it (within inflight-per-client-max), and its end (a persistent session kept, the will sent when
 * the client died).
 *
 * <p>Threads: everything here runs on the connection's event loop, but for {@link #subscriptions()}, an
 * immutable set replaced (never changed) on that loop and published through a volatile field so routers on
 * other threads may read it, and {@link #takeOver}.
 */
final class BrokerSession {
    private static final Logger LOG = Logger.getLogger(BrokerSession.class);
    /** MQTT packet ids run 1..65535. */
    static final int PACKET_ID_MAX = 65_535;
    static final String SHARED_PREFIX = "$share/";

    /** What every session of one broker uses. */
    record Shared(TimeService service, MqttLimits limits, SubscriptionIndex index, SessionStore store,
            MessageRouter router) {
    }

    private final MqttEndpoint endpoint;
    private final Context context;
    private final String clientId;
    private final boolean v5;
    private final long expiryNanos;
    private final Shared shared;
    private final MqttStats stats;
    private volatile SubscriptionSet subscriptions = SubscriptionSet.EMPTY;
    /** The last appliance hand-over sent, by topic. */
    private final long[] lastHandout = new long[ApplianceTopic.values().length];
    private int inflight;
    private int lastPacketId;
    private boolean cleanDisconnect;
    /** Set by the connection that takes this one over, on its own event loop. */
    private volatile boolean takenOver;
    private boolean closed;

    // the client's request state, kept by RequestIntake on this session's event loop
    /** QoS 2 requests received (PUBREC sent) and not yet released, at most inflight-per-client-max. */
    final Set<Integer> pendingQos2 = new HashSet<>();
    final RateLimiter requests;
    int rateStrikes;

    /**
     * @param context     the connection's event loop's context
     * @param expiryNanos how long the session is kept after the client leaves; 0: not at all
     * @param requests    this client's request rate limiter
     */
    BrokerSession(MqttEndpoint endpoint, Context context, boolean v5, long expiryNanos, RateLimiter requests,
            Shared shared) {
        this.endpoint = endpoint;
        this.context = context;
        this.clientId = endpoint.clientIdentifier();
        this.v5 = v5;
        this.expiryNanos = expiryNanos;
        this.requests = requests;
        this.shared = shared;
        this.stats = shared.service().stats();
    }

    /** Groups sessions by their event loop's context. */
    static Map<Context, List<BrokerSession>> byContext(Iterable<BrokerSession> sessions) {
        Map<Context, List<BrokerSession>> by = new IdentityHashMap<>();
        for (BrokerSession s : sessions) {
            by.computeIfAbsent(s.context, c -> new ArrayList<>()).add(s);
        }
        return by;
    }

    MqttEndpoint endpoint() {
        return endpoint;
    }

    Context context() {
        return context;
    }

    String clientId() {
        return clientId;
    }

    boolean v5() {
        return v5;
    }

    /** The subscriptions now: from any thread. */
    SubscriptionSet subscriptions() {
        return subscriptions;
    }

    boolean isClosed() {
        return closed;
    }

    // -- messages to the client --

    /** Sends within the in-flight limit. */
    void send(String topic, Buffer payload, int qos, boolean retain, MqttProperties props) {
        if (closed) {
            return;
        }
        if (inflight >= shared.limits().inflightPerClientMax()) {
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

    /** The client acknowledged a QoS 1 message. */
    void onAcknowledged(int packetId) {
        inflight = Math.max(0, inflight - 1);
    }

    /**
     * Sends one of the appliance's messages if subscribed to it, once per hand-over: a session that left the
     * index and came back while the tick thread read it is listed twice.
     */
    void sendAppliance(ApplianceTopic topic, String name, Buffer payload, boolean retain, long handout) {
        if (lastHandout[topic.ordinal()] == handout) {
            return;
        }
        lastHandout[topic.ordinal()] = handout;
        SubscriptionSet now = subscriptions;
        int qos = now.applianceQos(topic);
        if (qos >= 0) {
            send(name, payload, qos, retain && now.applianceRetainAsPublished(topic), null);
        }
    }

    /** Sends a reply (completed with t3 now) or a will, at the QoS its subscriptions grant, at most {@code qosMax}. */
    void sendCompleted(String topic, byte[] payload, int length, int qosMax, MqttProperties props, boolean reply) {
        int qos = Math.min(subscriptions.matchQos(topic), qosMax);
        if (qos < 0 || closed) {
            return;
        }
        AsciiWriter w = new AsciiWriter(length + TimeService.REPLY_END_BYTES_MAX);
        w.raw(payload, 0, length);
        if (reply) {
            shared.service().complete(w); // t3: as late as possible
        }
        send(topic, Buffer.buffer(w.toByteArray()), qos, false, props);
    }

    private int nextPacketId() {
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

    /** Another connection with this client id has arrived (on its own event loop): this one goes, quietly. */
    void takeOver() {
        takenOver = true;
        context.runOnContext(v -> disconnect(MqttDisconnectReasonCode.SESSION_TAKEN_OVER));
    }

    /** The server stops: the offline status if subscribed, then MQTT 5's Server shutting down, and no will. */
    void shutDown(String statusTopic, Buffer offline) {
        int qos = subscriptions.applianceQos(ApplianceTopic.STATUS);
        if (qos >= 0) {
            endpoint.publish(statusTopic, offline, MqttQoS.valueOf(qos), false, false);
        }
        cleanDisconnect = true; // the server leaves, not the client: no will
        disconnect(MqttDisconnectReasonCode.SERVER_SHUTTING_DOWN);
    }

    // -- subscriptions --

    /** Takes up the subscriptions of the stored session this client resumes. */
    void resume(SubscriptionSet kept) {
        replaceSubscriptions(kept);
    }

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
            } else if (!filters.containsKey(filter) && filters.size() >= shared.limits().subscriptionsPerClientMax()) {
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
        String statusTopic = shared.service().topics().status;
        replaceSubscriptions(SubscriptionSet.of(filters, shared.service().topics()));
        endpoint.subscribeAcknowledge(m.messageId(), codes, MqttProperties.NO_PROPERTIES);
        byte[] status = shared.router().retainedStatus();
        for (String filter : added) {
            if (TopicFilter.matches(filter, statusTopic)) {
                send(statusTopic, Buffer.buffer(status), filters.get(filter).qos(), true, null);
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
        replaceSubscriptions(SubscriptionSet.of(filters, shared.service().topics()));
        if (v5) {
            endpoint.unsubscribeAcknowledge(m.messageId(), codes, MqttProperties.NO_PROPERTIES);
        } else {
            endpoint.unsubscribeAcknowledge(m.messageId());
        }
    }

    /**
     * Makes {@code next} the subscriptions: published first, then the index brought in line (adds before
     * removals), so for a topic subscribed to before and after this session is never missing.
     */
    private void replaceSubscriptions(SubscriptionSet next) {
        if (closed) {
            return;
        }
        SubscriptionSet before = subscriptions;
        subscriptions = next;
        shared.index().update(this, before, next);
    }

    // -- the end of a connection --

    void onDisconnect(MqttDisconnectMessage m) {
        cleanDisconnect = m == null || m.code() != MqttDisconnectReasonCode.WITH_WILL_MESSAGE;
    }

    void onException(Throwable e) {
        boolean tooLarge = e instanceof TooLongFrameException || e.getCause() instanceof TooLongFrameException;
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
        shared.index().update(this, last, SubscriptionSet.EMPTY);
        shared.store().detach(this, last, expiryNanos > 0 && !takenOver,
                shared.service().clock().monoNanos() + expiryNanos);
        MqttWill will = endpoint.will();
        if (!cleanDisconnect && will != null && will.isWillFlag()) {
            byte[] payload = will.getWillMessageBytes() == null ? new byte[0] : will.getWillMessageBytes();
            shared.router().route(will.getWillTopic(), payload, payload.length, Math.min(will.getWillQos(), 1), null,
                    false);
        }
    }
}
