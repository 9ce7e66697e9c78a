package io.ionclock.app;

import io.ionclock.core.ntp.NtpClientTable;
import io.ionclock.core.ntp.NtpPacket;
import io.ionclock.core.ntp.NtpServer;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The NTP server's configuration ({@code ionclock.ntp.server|port|bind|client-*|clients-max|timestamping}): checked at
 * start (a bad value names its key), and what it says about its upstream for each selected source.
 */
public final class NtpServerSettings {
    static final Set<String> TIMESTAMPING = Set.of("kernel", "user");
    /** Bind addresses at most (one socket and one reader thread each). */
    static final int BINDS_MAX = 16;
    /** The highest per-client rate accepted, requests a second. */
    static final int CLIENT_REQUESTS_PER_SECOND_LIMIT = 1_000_000;
    /** The largest per-client burst accepted. */
    static final int CLIENT_REQUEST_BURST_LIMIT = 1_000_000;
    /** Reference ids of stratum-1 sources without a standard code of their own, and of a Clocklink gateway. */
    public static final int REFID_SIM = NtpPacket.ascii("SIM\0");
    public static final int REFID_CLOCKLINK = NtpPacket.ascii("CLK\0");

    private NtpServerSettings() {
    }

    /** Adds a message naming the key for every bad server setting. */
    static void check(IonclockConfig.Ntp n, List<String> errors) {
        if (n.port() < 0 || n.port() > 65_535) {
            errors.add("ionclock.ntp.port: " + n.port() + " is outside [0, 65535]");
        }
        try {
            binds(n);
        } catch (IllegalArgumentException e) {
            errors.add("ionclock.ntp.bind: " + e.getMessage());
        }
        if (n.clientRequestsPerSecondMax() < 1 || n.clientRequestsPerSecondMax() > CLIENT_REQUESTS_PER_SECOND_LIMIT) {
            errors.add("ionclock.ntp.client-requests-per-second-max: " + n.clientRequestsPerSecondMax()
                    + " is outside [1, " + CLIENT_REQUESTS_PER_SECOND_LIMIT + "]");
        }
        if (n.clientRequestBurstMax() < 1 || n.clientRequestBurstMax() > CLIENT_REQUEST_BURST_LIMIT) {
            errors.add("ionclock.ntp.client-request-burst-max: " + n.clientRequestBurstMax() + " is outside [1, "
                    + CLIENT_REQUEST_BURST_LIMIT + "]");
        }
        if (n.clientsMax() < 1 || n.clientsMax() > NtpClientTable.CLIENTS_MAX_LIMIT) {
            errors.add("ionclock.ntp.clients-max: " + n.clientsMax() + " is outside [1, "
                    + NtpClientTable.CLIENTS_MAX_LIMIT + "]");
        }
        if (!TIMESTAMPING.contains(n.timestamping())) {
            errors.add("ionclock.ntp.timestamping: '" + n.timestamping() + "' is not one of " + TIMESTAMPING);
        }
    }

    /** The bind addresses: comma-separated IP literals, 1..{@link #BINDS_MAX}, no duplicates. */
    public static List<String> binds(IonclockConfig.Ntp n) {
        List<String> binds = new ArrayList<>();
        for (String part : n.bind().split(",")) {
            String b = part.trim();
            if (b.isEmpty()) {
                continue;
            }
            try {
                InetAddress.ofLiteral(b);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + b + "' is not an IP address literal");
            }
            if (binds.contains(b)) {
                throw new IllegalArgumentException("'" + b + "' is listed twice");
            }
            binds.add(b);
        }
        if (binds.isEmpty() || binds.size() > BINDS_MAX) {
            throw new IllegalArgumentException("'" + n.bind() + "' must list 1.." + BINDS_MAX + " addresses");
        }
        return binds;
    }

    /**
     * What the server says about a selected source of samples named {@code sampleName}, or null when the name is
     * not one of the appliance's own (an NTP upstream: its stratum + 1 and address, filled by the NTP client through
     * {@link NtpServerUpstream}). Root delay 0: the bound of a refclock or of Clocklink is all in the dispersion.
     */
    public static NtpServer.Upstream upstreamOf(String sampleName) {
        return switch (sampleName) {
            case "SIM" -> new NtpServer.Upstream(1, REFID_SIM, 0);
            case "GNSS+PPS", "PPS" -> new NtpServer.Upstream(1, NtpPacket.REFID_PPS, 0);
            case "GNSS" -> new NtpServer.Upstream(1, NtpPacket.REFID_GPS, 0);
            case "CLOCKLINK" -> new NtpServer.Upstream(2, REFID_CLOCKLINK, 0);
            default -> null;
        };
    }
}
