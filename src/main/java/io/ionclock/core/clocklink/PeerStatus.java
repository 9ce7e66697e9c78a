package io.ionclock.core.clocklink;

import java.util.Map;

/**
 * One peer as a node sees it, for status and metrics. Signs as everywhere: {@code offsetNanos = local - peer}
 * (positive: we are ahead of the peer).
 *
 * @param label               the configured label (host:port) or, for a client, its name
 * @param name                the name the peer told (JOIN / JOIN_ACK), or "" before it did
 * @param nodeNumber          its wire number (unsigned 32-bit), or 0 before it spoke
 * @param role                "master", "gateway" or "unknown"
 * @param upstream            true for a configured peer we measure; false for a client we serve
 * @param state               JOINING, ACTIVE, UNREACHABLE, REFUSED or ISOLATED
 * @param verdict             the last selection's verdict (SELECTED, OUTLIER, FALSETICKER, ...), or "NONE"
 * @param offsetNanos         our published clock minus the peer's, filtered
 * @param delayNanos          lowest round trip in the filter window (less the peer's turnaround); -1 if none
 * @param boundNanos          honest half-width of the offset (half the round trip, the peer's bound, errors)
 * @param precisionNanos      what noise explains of the offset (the selection's agreement half-width)
 * @param reputation          0..1; 0 once isolated
 * @param exchanges           completed exchanges
 * @param lastResponseAgeNanos since the last response (or, for a client, its last request); -1 if never
 * @param dropped             packets from this peer's address dropped, by reason (only non-zero reasons)
 */
public record PeerStatus(
        String label,
        String name,
        long nodeNumber,
        String role,
        boolean upstream,
        String state,
        String verdict,
        long offsetNanos,
        long delayNanos,
        long boundNanos,
        long precisionNanos,
        double reputation,
        long exchanges,
        long lastResponseAgeNanos,
        Map<String, Long> dropped) {

    /** The wire role's name: "master", "gateway" or "unknown". */
    static String roleName(int role) {
        return role == Wire.ROLE_MASTER ? "master" : role == Wire.ROLE_GATEWAY ? "gateway" : "unknown";
    }
}
