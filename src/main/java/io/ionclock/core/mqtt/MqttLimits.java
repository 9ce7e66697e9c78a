package io.ionclock.core.mqtt;

import java.util.ArrayList;
import java.util.List;

/**
 * The embedded server's limits, each configurable ({@code ionclock.mqtt.*}). A client past a limit is
 * refused or disconnected with a reason; the others are not disturbed.
 *
 * @param clientsMax                connected clients (and, separately, stored persistent sessions)
 * @param subscriptionsPerClientMax topic filters one client may hold
 * @param inflightPerClientMax      messages to one client written but not yet flushed (QoS 0) or not yet
 *                                  acknowledged (QoS 1); past it a message to that client is dropped and counted
 * @param payloadBytesMax           largest payload a client may send (a request, a will)
 * @param requestsPerSecondMax      time requests a second per client (token bucket rate)
 * @param requestBurstMax           time requests a client may send at once (token bucket size)
 * @param requestsPerSecondTotalMax time requests a second over all clients
 * @param sessionExpiryNanosMax     longest a persistent session is kept after its client disconnects
 */
public record MqttLimits(int clientsMax, int subscriptionsPerClientMax, int inflightPerClientMax, int payloadBytesMax,
        int requestsPerSecondMax, int requestBurstMax, int requestsPerSecondTotalMax, long sessionExpiryNanosMax) {
    /** Largest payload limit that may be configured (the protocol allows 256 MB; a time service needs little). */
    public static final int PAYLOAD_BYTES_MAX_LIMIT = 65_536;
    /** Smallest payload limit that may be configured (a request with a reply topic needs room). */
    public static final int PAYLOAD_BYTES_MAX_MIN = 64;
    /** Most clients that may be configured (each holds a file descriptor; the open files limit is 20,000). */
    public static final int CLIENTS_MAX_LIMIT = 100_000;
    public static final int SUBSCRIPTIONS_PER_CLIENT_MAX_LIMIT = 1_000;
    /** MQTT's packet ids (and Receive Maximum) run to 65,535. */
    public static final int INFLIGHT_PER_CLIENT_MAX_LIMIT = 65_535;
    public static final int REQUESTS_PER_SECOND_MAX_LIMIT = 1_000_000;
    public static final int REQUESTS_PER_SECOND_TOTAL_MAX_LIMIT = 10_000_000;
    /** Room for the topic, properties and headers of a packet beyond its payload. */
    public static final int PACKET_OVERHEAD_BYTES_MAX = 2_048;

    public MqttLimits {
        List<String> problems = problems(clientsMax, subscriptionsPerClientMax, inflightPerClientMax, payloadBytesMax,
                requestsPerSecondMax, requestBurstMax, requestsPerSecondTotalMax, sessionExpiryNanosMax);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** Every value out of its range, as "key: why" with the key under {@code ionclock.mqtt.}; empty when all are good. */
    public static List<String> problems(long clientsMax, long subscriptionsPerClientMax, long inflightPerClientMax,
            long payloadBytesMax, long requestsPerSecondMax, long requestBurstMax, long requestsPerSecondTotalMax,
            long sessionExpiryNanosMax) {
        List<String> p = new ArrayList<>();
        check(p, "clients-max", clientsMax, 1, CLIENTS_MAX_LIMIT);
        check(p, "subscriptions-per-client-max", subscriptionsPerClientMax, 1, SUBSCRIPTIONS_PER_CLIENT_MAX_LIMIT);
        check(p, "inflight-per-client-max", inflightPerClientMax, 1, INFLIGHT_PER_CLIENT_MAX_LIMIT);
        check(p, "payload-bytes-max", payloadBytesMax, PAYLOAD_BYTES_MAX_MIN, PAYLOAD_BYTES_MAX_LIMIT);
        check(p, "requests-per-second-max", requestsPerSecondMax, 1, REQUESTS_PER_SECOND_MAX_LIMIT);
        check(p, "request-burst-max", requestBurstMax, 1, REQUESTS_PER_SECOND_MAX_LIMIT);
        check(p, "requests-per-second-total-max", requestsPerSecondTotalMax, 1, REQUESTS_PER_SECOND_TOTAL_MAX_LIMIT);
        check(p, "session-expiry-max", sessionExpiryNanosMax, 0, Long.MAX_VALUE);
        return p;
    }

    public static MqttLimits defaults() {
        return new MqttLimits(10_000, 16, 16, 512, 10, 20, 50_000, 3_600_000_000_000L);
    }

    private static void check(List<String> problems, String key, long v, long min, long max) {
        if (v < min || v > max) {
            problems.add(key + ": " + v + " is outside [" + min + ", " + max + "]");
        }
    }
}
