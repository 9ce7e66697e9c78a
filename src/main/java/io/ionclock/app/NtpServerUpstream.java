package io.ionclock.app;

import io.ionclock.core.ntp.NtpServer;
import java.util.Optional;

/**
 * Implemented by the NTP client side (a CDI bean): the stratum, reference id (the upstream server's IPv4 address) and
 * root delay the appliance's NTP server sends while a source of samples named {@code sampleName} is selected. The
 * server asks it first, then {@link NtpServerSettings#upstreamOf} for the appliance's own sources.
 */
public interface NtpServerUpstream {
    /** The upstream behind samples named {@code sampleName}, or empty when this is not one of its sources. */
    Optional<NtpServer.Upstream> upstream(String sampleName);
}
