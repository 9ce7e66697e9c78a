package io.ionclock.adapter.mqtt;

import java.net.URI;
import java.util.Optional;

/**
 * A site's broker: {@code tcp://host:port} or {@code ssl://host:port} (MQTT 3.1.1 through vertx-mqtt's client).
 *
 * @param connackTimeoutNanos   a CONNACK that does not come within this abandons the attempt (vertx-mqtt#109)
 * @param backoffNanosMin       the first reconnect delay; doubled after each failure
 * @param backoffNanosMax       the longest reconnect delay
 * @param keepAliveNanos        MQTT keep-alive; a PINGREQ unanswered for this long drops the connection
 * @param tlsTrustPem           a PEM CA bundle for ssl:// (default: the JVM's trust store)
 */
public record ExternalBrokerOptions(String broker, Optional<String> username, Optional<String> password,
        long connackTimeoutNanos, long backoffNanosMin, long backoffNanosMax, long keepAliveNanos,
        int payloadBytesMax, int requestsPerSecondTotalMax, Optional<String> tlsTrustPem) {

    /** Parses {@code tcp://host:port} or {@code ssl://host:port}; throws IllegalArgumentException naming the problem. */
    public static Endpoint parse(String broker) {
        URI uri;
        try {
            uri = URI.create(broker);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + broker + "' is not tcp://host:port or ssl://host:port");
        }
        boolean ssl = "ssl".equals(uri.getScheme());
        if (!ssl && !"tcp".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65_535
                || uri.getPath() != null && !uri.getPath().isEmpty() && !"/".equals(uri.getPath())) {
            throw new IllegalArgumentException("'" + broker + "' is not tcp://host:port or ssl://host:port");
        }
        return new Endpoint(uri.getHost(), uri.getPort(), ssl);
    }

    public record Endpoint(String host, int port, boolean ssl) {
    }
}
