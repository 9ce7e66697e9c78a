package io.ionclock.app;

import io.ionclock.adapter.net.NtpClientUdp;
import io.ionclock.core.ntp.NtpServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * While an upstream NTP server is the selected source, the appliance's own NTP server says so as RFC 5905 asks: a
 * stratum one more than that server's, its IPv4 address as the reference id, and a root delay of that server's root
 * delay plus our least round trip to it (the root dispersion then covers the rest of the bound).
 */
@ApplicationScoped
public class NtpClientUpstream implements NtpServerUpstream {
    @Inject
    ClockService clock;

    @Override
    public Optional<NtpServer.Upstream> upstream(String sampleName) {
        if (!sampleName.startsWith("NTP:")) {
            return Optional.empty();
        }
        return clock.ntpClient().flatMap(n -> n.views().stream()
                .filter(v -> sampleName.equals("NTP:" + v.name()) && v.stratum() > 0 && v.address() != null)
                .findFirst()
                .map(v -> new NtpServer.Upstream(Math.min(NtpServer.STRATUM_MAX, v.stratum() + 1), ipv4(v.address()),
                        v.rootDelayNanos() + Math.max(0, v.minDelayNanos()))));
    }

    private static int ipv4(String address) {
        try {
            byte[] b = InetAddress.getByName(address).getAddress(); // a literal: no lookup
            return b.length == 4 ? (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF) : 0;
        } catch (UnknownHostException e) {
            return 0;
        }
    }
}
