package io.ionclock.adapter.mqtt;

import io.ionclock.core.mqtt.MqttLimits;
import java.util.Optional;

/**
 * How the embedded server listens and whom it lets in.
 *
 * @param host       the address to bind ("0.0.0.0": all)
 * @param port       the port; 0 picks a free one ({@link EmbeddedBroker#port()} tells which)
 * @param username   when present, clients must send this user name and {@code password}
 * @param tlsCertPem with {@code tlsKeyPem}: serve MQTT over TLS with this PEM certificate chain and key
 */
public record EmbeddedBrokerOptions(String host, int port, MqttLimits limits, Optional<String> username,
        Optional<String> password, Optional<String> tlsCertPem, Optional<String> tlsKeyPem) {
    public static EmbeddedBrokerOptions plain(int port, MqttLimits limits) {
        return new EmbeddedBrokerOptions("0.0.0.0", port, limits, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }
}
