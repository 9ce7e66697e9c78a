package io.ionclock.adapter.mqtt;

import io.ionclock.adapter.mqtt.MqttStats.Refusal;
import io.ionclock.core.mqtt.GatewayTopics;
import io.ionclock.core.mqtt.MqttLimits;
import io.ionclock.core.mqtt.RateLimiter;
import io.ionclock.core.mqtt.RequestError;
import io.ionclock.core.mqtt.TopicFilter;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubRecReasonCode;

/**
 * A client's PUBLISH: sensors may publish only time requests. Takes t2 first thing, checks the topic, QoS 2
 * resends, the client's and the total request rate and the payload size, reads MQTT 5's Response Topic and
 * Correlation Data, has the time service prepare the reply, routes it, and acknowledges as the protocol
 * version allows (QoS 2 through to PUBCOMP). Runs on the publishing session's event loop, with that
 * session's own request state; the total rate limiter is shared.
 */
final class RequestIntake {
    /** Requests refused in a row for rate after which a client is disconnected. */
    static final int RATE_STRIKES_TO_DISCONNECT = 100;

    private final TimeService service;
    private final GatewayTopics topics;
    private final MqttStats stats;
    private final MqttLimits limits;
    private final MessageRouter router;
    /** All clients' requests together; guarded by itself. */
    private final RateLimiter totalRequests;

    RequestIntake(TimeService service, MqttLimits limits, MessageRouter router) {
        this.service = service;
        this.topics = service.topics();
        this.stats = service.stats();
        this.limits = limits;
        this.router = router;
        totalRequests = new RateLimiter(limits.requestsPerSecondTotalMax(), limits.requestsPerSecondTotalMax(),
                service.clock().monoNanos());
    }

    /** One client's request rate limiter (requests-per-second-max, request-burst-max), full at the start. */
    RateLimiter clientLimiter() {
        return new RateLimiter(limits.requestsPerSecondMax(), limits.requestBurstMax(), service.clock().monoNanos());
    }

    /** A PUBLISH from {@code s}'s client, on {@code s}'s event loop. */
    void onPublish(BrokerSession s, MqttPublishMessage m) {
        TimeService.Exchange x = service.receive(); // t2: first thing
        String topic = m.topicName();
        int qos = m.qosLevel().value();
        if (topic == null || topic.isEmpty() || !TopicFilter.isValidTopicName(topic)) {
            stats.refused(Refusal.PROTOCOL_ERROR);
            s.disconnect(MqttDisconnectReasonCode.TOPIC_NAME_INVALID);
            return;
        }
        if (qos == 2) {
            if (s.pendingQos2.contains(m.messageId())) {
                s.endpoint().publishReceived(m.messageId()); // a resend: acknowledged, not processed twice
                return;
            }
            if (s.pendingQos2.size() >= limits.inflightPerClientMax()) {
                stats.refused(Refusal.PROTOCOL_ERROR);
                s.disconnect(MqttDisconnectReasonCode.RECEIVE_MAXIMUM_EXCEEDED);
                return;
            }
        }
        if (!topic.equals(topics.request)) {
            stats.refused(Refusal.PUBLISH_NOT_ALLOWED);
            ack(s, m, MqttPubAckReasonCode.NOT_AUTHORIZED);
            return;
        }
        long nowMonoNanos = x.reading.monoNanos;
        boolean allowed = s.requests.tryAcquire(nowMonoNanos);
        if (allowed) {
            synchronized (totalRequests) {
                allowed = totalRequests.tryAcquire(nowMonoNanos);
            }
        }
        if (!allowed) {
            stats.requestRefused(RequestError.RATE_LIMITED);
            ack(s, m, MqttPubAckReasonCode.QUOTA_EXCEEDED);
            if (++s.rateStrikes > RATE_STRIKES_TO_DISCONNECT) {
                stats.refused(Refusal.RATE_DISCONNECT);
                s.disconnect(MqttDisconnectReasonCode.MESSAGE_RATE_TOO_HIGH);
            }
            return;
        }
        s.rateStrikes = 0;
        Buffer payload = m.payload();
        if (payload.length() > limits.payloadBytesMax()) {
            stats.requestRefused(RequestError.TOO_LARGE);
            ack(s, m, MqttPubAckReasonCode.QUOTA_EXCEEDED);
            return;
        }
        String responseTopic = null;
        MqttProperties responseProps = null;
        MqttProperties props = m.properties();
        if (s.v5() && props != null) {
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
            router.route(x.replyTopic, x.out.array(), x.out.length(), Math.min(qos, 1), responseProps, x.error == null);
        }
        ack(s, m, x.error == null ? MqttPubAckReasonCode.SUCCESS : MqttPubAckReasonCode.PAYLOAD_FORMAT_INVALID);
    }

    /** A PUBREL from {@code s}'s client: the QoS 2 exchange is complete. */
    void onRelease(BrokerSession s, int messageId) {
        s.pendingQos2.remove(messageId);
        s.endpoint().publishComplete(messageId);
    }

    /** Acknowledges by QoS: MQTT 5 carries the reason; 3.1.1 can only acknowledge (the spec's positive ack). */
    private static void ack(BrokerSession s, MqttPublishMessage m, MqttPubAckReasonCode reason) {
        if (s.isClosed()) {
            return;
        }
        int qos = m.qosLevel().value();
        if (qos == 1) {
            if (s.v5()) {
                s.endpoint().publishAcknowledge(m.messageId(), reason, MqttProperties.NO_PROPERTIES);
            } else {
                s.endpoint().publishAcknowledge(m.messageId());
            }
        } else if (qos == 2) {
            if (s.v5() && reason.isError()) {
                // an error PUBREC ends the exchange: no PUBREL follows
                s.endpoint().publishReceived(m.messageId(), MqttPubRecReasonCode.valueOf(reason.value()),
                        MqttProperties.NO_PROPERTIES);
            } else {
                s.pendingQos2.add(m.messageId());
                s.endpoint().publishReceived(m.messageId());
            }
        }
    }
}
