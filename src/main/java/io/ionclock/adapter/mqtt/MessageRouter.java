package io.ionclock.adapter.mqtt;

import io.ionclock.adapter.mqtt.TimeService.ApplianceTopic;
import io.ionclock.core.mqtt.GatewayTopics;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gets messages to the sessions that subscribe to them, each written on its session's event loop: the
 * appliance's own (handed from the tick thread to each event loop once, grouped), and replies and wills
 * (routed from the event loop they arose on). Keeps the retained status.
 */
final class MessageRouter {
    private final TimeService service;
    private final MqttStats stats;
    private final SubscriptionIndex index;
    private final String[] applianceTopicNames;
    /** Numbers each hand-over of an appliance message, so a session listed twice gets it once. */
    private final AtomicLong applianceHandouts = new AtomicLong();
    private volatile byte[] retainedStatus;

    MessageRouter(TimeService service, SubscriptionIndex index) {
        this.service = service;
        this.stats = service.stats();
        this.index = index;
        GatewayTopics topics = service.topics();
        applianceTopicNames = new String[] {topics.status, topics.tick, topics.tickBinary};
    }

    /** The retained status a new subscriber gets. */
    byte[] retainedStatus() {
        return retainedStatus;
    }

    /** Sets the retained status (at start, and the offline one at a clean stop). */
    void retainStatus(byte[] payload) {
        retainedStatus = payload;
    }

    /** Hands one of the appliance's messages to every event loop with a subscriber (the tick thread). */
    void publishAppliance(ApplianceTopic topic, byte[] payload, boolean retain) {
        if (topic == ApplianceTopic.STATUS && retain) {
            retainedStatus = payload;
        }
        Set<BrokerSession> subscribers = index.applianceSubscribers(topic);
        if (subscribers.isEmpty()) {
            return;
        }
        Map<Context, List<BrokerSession>> byContext = BrokerSession.byContext(subscribers);
        String name = applianceTopicNames[topic.ordinal()];
        long handout = applianceHandouts.incrementAndGet();
        long handedMonoNanos = service.clock().monoNanos();
        byContext.forEach((context, sessions) -> context.runOnContext(v -> {
            Buffer buffer = Buffer.buffer(payload);
            for (BrokerSession s : sessions) {
                s.sendAppliance(topic, name, buffer, retain, handout);
            }
            if (topic == ApplianceTopic.TICK) {
                stats.tickFannedOut(service.clock().monoNanos() - handedMonoNanos);
            }
        }));
    }

    /**
     * Sends a message to every subscriber of {@code topic} (not an appliance topic), each once. A reply's bytes
     * are completed with t3 per destination, on the destination's event loop, right before the write.
     */
    void route(String topic, byte[] payload, int length, int qosMax, MqttProperties props, boolean reply) {
        Set<BrokerSession> to = Collections.newSetFromMap(new IdentityHashMap<>());
        index.collect(topic, to);
        for (BrokerSession s : to) {
            if (Vertx.currentContext() == s.context()) {
                s.sendCompleted(topic, payload, length, qosMax, props, reply);
            } else {
                byte[] copy = Arrays.copyOf(payload, length);
                s.context().runOnContext(v -> s.sendCompleted(topic, copy, copy.length, qosMax, props, reply));
            }
        }
    }
}
