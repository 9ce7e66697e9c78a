package io.ionclock.app;

import io.ionclock.core.mqtt.GatewayTopics;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** The host's name as an identifier ({@code [A-Za-z0-9._-]}): the default MQTT gateway id and Clocklink node id. */
public final class HostName {
    private HostName() {
    }

    /** {@code HOSTNAME}, else /etc/hostname, else the resolver's name for this host, else {@code fallback}. */
    public static String identifier(String fallback) {
        String name = System.getenv("HOSTNAME");
        if (name == null || name.isBlank()) {
            try {
                name = Files.readString(Path.of("/etc/hostname")).strip();
            } catch (IOException | RuntimeException e) {
                name = null;
            }
        }
        if (name == null || name.isBlank()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (IOException | RuntimeException e) {
                name = fallback;
            }
        }
        return GatewayTopics.gatewayIdOf(name);
    }
}
