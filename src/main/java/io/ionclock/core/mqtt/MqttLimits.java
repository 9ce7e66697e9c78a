package io.ionclock.core.mqtt;

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
    /** Most clients that may be configured (each holds a file descriptor; the open files limit is 20,000). */
    public static final int CLIENTS_MAX_LIMIT = 100_000;

    public MqttLimits {
        check("clients-max", clientsMax, 1, CLIENTS_MAX_LIMIT);
        check("subscriptions-per-client-max", subscriptionsPerClientMax, 1, 1_000);
        check("inflight-per-client-max", inflightPerClientMax, 1, 65_535);
        check("payload-bytes-max", payloadBytesMax, 64, PAYLOAD_BYTES_MAX_LIMIT);
        check("requests-per-second-max", requestsPerSecondMax, 1, 1_000_000);
        check("request-burst-max", requestBurstMax, 1, 1_000_000);
        check("requests-per-second-total-max", requestsPerSecondTotalMax, 1, 10_000_000);
        if (sessionExpiryNanosMax < 0) {
            throw new IllegalArgumentException("session-expiry-max: " + sessionExpiryNanosMax + " < 0");
        }
    }

    public static MqttLimits defaults() {
        return new MqttLimits(10_000, 16, 16, 512, 10, 20, 50_000, 3_600_000_000_000L);
    }

    private static void check(String key, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(key + ": " + v + " is outside [" + min + ", " + max + "]");
        }
    }
}
