package io.ionclock.core.ntp;

/**
 * Why an NTP datagram was dropped, by the server (requests) or a client source (responses). Checks run in the order
 * of the constants and stop at the first failure. Each has an explicit number for metrics and logs.
 */
public enum NtpDropReason {
    /** Shorter than the 48-byte header. */
    TRUNCATED(1),
    /** Longer than {@link NtpPacket#DATAGRAM_BYTES_MAX}. */
    OVERSIZED(2),
    /** Version 0, or above 4. */
    BAD_VERSION(3),
    /** Mode 6 (control, ntpq) or 7 (private, monlist): never answered (amplification). */
    CONTROL(4),
    /** Mode 5 broadcast (a server listens to none). */
    BROADCAST(5),
    /** Mode 1 or 2 (symmetric peering is not offered), mode 0, or a mode the receiver does not expect. */
    BAD_MODE(6),
    /** Carries extension fields or a MAC this appliance cannot answer in kind (NTS, symmetric keys). */
    UNSUPPORTED_EXTENSION(7),
    /** Over its client's rate limit and not worth a KoD (one KoD per limit interval). */
    RATE_LIMITED(8),
    /** A response whose origin timestamp matches no request outstanding (spoofed, replayed, late or duplicated). */
    BOGUS(9),
    /** A response from an address no request went to. */
    UNKNOWN_SENDER(10),
    /** A response whose fields are impossible: stratum 16 or above, root delay or dispersion past limits, a zero timestamp, t3 before t2. */
    MALFORMED(11),
    /** A Kiss-o'-Death (stratum 0): acted on (RATE slows the poll, DENY and RSTR stop it), not used as time. */
    KISS(12);

    public final int code;

    NtpDropReason(int code) {
        this.code = code;
    }

    static final NtpDropReason[] VALUES = values();
}
