package io.ionclock.adapter.mqtt;

import io.ionclock.adapter.mqtt.MqttStats.Refusal;
import io.ionclock.core.mqtt.GatewayTopics;
import io.ionclock.core.mqtt.MqttLimits;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttWill;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;

/**
 * Who gets in, and on what terms: a CONNECT's credentials and will are checked (a refusal is counted and
 * answered with its reason in CONNACK), its session expiry is capped, and an accepted MQTT 5 client is told
 * the server's limits in CONNACK. Stateless apart from its configuration: called on any event loop.
 */
final class ConnectGate {
    static final int MQTT_5 = 5;

    private final EmbeddedBrokerOptions options;
    private final MqttLimits limits;
    private final GatewayTopics topics;
    private final MqttStats stats;

    ConnectGate(EmbeddedBrokerOptions options, GatewayTopics topics, MqttStats stats) {
        this.options = options;
        this.limits = options.limits();
        this.topics = topics;
        this.stats = stats;
    }

    static boolean isV5(MqttEndpoint endpoint) {
        return endpoint.protocolVersion() == MQTT_5;
    }

    /** Checks the credentials and the will; when they fail, refuses the connection and returns false. */
    boolean admit(MqttEndpoint endpoint) {
        if (!credentialsOk(endpoint)) {
            refuse(endpoint, Refusal.BAD_CREDENTIALS);
            return false;
        }
        MqttWill will = endpoint.will();
        if (will != null && will.isWillFlag() && !willAllowed(will)) {
            refuse(endpoint, Refusal.WILL_NOT_ALLOWED);
            return false;
        }
        return true;
    }

    /** Counts the refusal and answers CONNACK with its code for the client's protocol version. */
    void refuse(MqttEndpoint endpoint, Refusal why) {
        stats.refused(why);
        endpoint.reject(returnCode(why, isV5(endpoint)));
    }

    static MqttConnectReturnCode returnCode(Refusal why, boolean v5) {
        return switch (why) {
            case BAD_CREDENTIALS -> v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                    : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD;
            case WILL_NOT_ALLOWED -> v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                    : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
            case CLIENTS_MAX -> v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
            default -> throw new IllegalArgumentException("not a CONNECT refusal: " + why);
        };
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

    /** How long the session is kept after the client leaves: 0 for none, capped by session-expiry-max. */
    long sessionExpiryNanos(MqttEndpoint endpoint) {
        if (!isV5(endpoint)) {
            return endpoint.isCleanSession() ? 0 : limits.sessionExpiryNanosMax();
        }
        MqttProperties.MqttProperty<?> p = endpoint.connectProperties() == null ? null
                : endpoint.connectProperties().getProperty(MqttPropertyType.SESSION_EXPIRY_INTERVAL.value());
        long seconds = p == null ? 0 : Integer.toUnsignedLong((Integer) p.value());
        return Math.min(TimeUnit.SECONDS.toNanos(seconds), limits.sessionExpiryNanosMax());
    }

    /** What an accepted client is told in CONNACK: MQTT 5 learns the limits; 3.1.1 has no properties. */
    MqttProperties connackProperties(boolean v5, long expiryNanos) {
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
        return props;
    }
}
