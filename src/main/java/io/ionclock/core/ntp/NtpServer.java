package io.ionclock.core.ntp;

import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.LeapIndicator;
import java.util.Objects;

/**
 * The NTPv4 server's request-to-response engine (RFC 5905, answered as chrony's server answers): a client-mode
 * request in, a 48-byte server-mode response written into the caller's buffer, or a counted drop. Pure and
 * single-threaded: the caller owns the socket, hands the kernel's receive instant on the monotonic clock, and sends
 * what was written at once (the transmit timestamp is read last, through {@link Clock#monoNanos()}).
 *
 * <h2>Checks, in order ({@link NtpDropReason})</h2>
 * Shorter than 48 bytes TRUNCATED; longer than {@link NtpPacket#DATAGRAM_BYTES_MAX} OVERSIZED; version 0 or above 4
 * BAD_VERSION; mode 6/7 CONTROL, mode 5 BROADCAST, any mode but 3 BAD_MODE; bytes after the header (extension fields,
 * a MAC: this server answers neither NTS nor keys) UNSUPPORTED_EXTENSION; then the client's token bucket
 * ({@link NtpClientTable}): over it, a KoD RATE at most once per {@link #KOD_INTERVAL_NANOS} a client, otherwise
 * RATE_LIMITED. A response is 48 bytes and never longer than its request.
 *
 * <h2>Fields</h2>
 * <ul>
 *   <li>LI from the reference's leap (0/1/2), 3 while the clock is UNSYNCHRONIZED or FREE_RUNNING, or when the bound
 *       does not fit in the root dispersion (past 65535 s).</li>
 *   <li>Version: the request's. Mode 4. Poll: the request's, at least the rate limit's interval
 *       ({@link #pollLog2}), within {@link #POLL_LOG2_MIN}..{@link #POLL_LOG2_MAX} (chrony: max(request, ratelimit
 *       interval)). Precision {@link #PRECISION_LOG2}.</li>
 *   <li>Stratum and reference id: the {@link Upstream}'s. Unsynchronised: stratum 0, reference id 0, reference
 *       timestamp 0, as chrony 4 sends it (its internal stratum 16 goes out as 0; RFC 5905 would send 16 and "INIT").</li>
 *   <li>Root delay: the upstream's. Root dispersion: {@code ceil(bound - rootDelay/2)} with the clock's bound at the
 *       transmit reading (and, in interleaved mode, at least the bound at the earlier transmit the packet carries), so
 *       that {@code rootDelay/2 + rootDispersion >= bound}: a client's root distance covers the appliance's bound.
 *       Unsynchronised, the bound is "unknown" and the dispersion saturates (chrony sends 1 s each).</li>
 *   <li>Reference timestamp: when the last accepted sample was taken. Origin: the request's transmit timestamp, bit
 *       for bit. Receive: the disciplined clock at the kernel receive instant ({@link Clock#readAt}), low bit set.
 *       Transmit: the clock read last, low bit clear.</li>
 * </ul>
 *
 * <h2>Interleaved mode (chrony's xleave, server side)</h2>
 * Every receive timestamp sent has its low bit set and every transmit timestamp its low bit clear, so an origin with
 * the low bit set names one of our receive timestamps. A v4 request whose origin has the low bit set and whose
 * receive and transmit timestamps differ is an interleaved request: when its origin equals the receive timestamp of
 * the client's saved response (not used yet), the response is interleaved (origin = the request's receive timestamp,
 * transmit = the saved response's transmit time, the kernel's once {@link #onTransmitted} reported it) and the saved
 * entry is used up; otherwise it is basic. Either way the new response is saved for the next request. So a chrony
 * client's third response is the first interleaved one. One saved response per client address (chrony keeps a
 * global map keyed by receive timestamp). KoDs are always basic and never saved.
 */
public final class NtpServer {
    /**
     * log2 s of the precision claimed: 2^-20 s, about 0.95 us. Receive and transmit times are the kernel's, carried
     * to the monotonic timebase with a clock pair whose bracket is a few hundred ns, then read from the disciplined
     * clock: below a microsecond, not the nanosecond resolution of the timestamps.
     */
    public static final int PRECISION_LOG2 = -20;
    /** The shortest poll echoed (2^-6 s: 64 requests a second, more than any rate limit would admit for long). */
    public static final int POLL_LOG2_MIN = -6;
    /** The longest poll echoed (RFC 5905's maximum, 2^17 s). */
    public static final int POLL_LOG2_MAX = 17;
    /** A rate-limited client gets at most one KoD RATE per this; other requests over its limit are dropped. */
    public static final long KOD_INTERVAL_NANOS = 2_000_000_000L;
    /** Stratum of an unsynchronised server as sent (chrony: 0). */
    public static final int STRATUM_UNSYNCHRONIZED_SENT = 0;
    /** The largest stratum a synchronised server sends. */
    public static final int STRATUM_MAX = 15;
    /** A kernel transmit time earlier than the user-space one by more than this is not believed (conversion error). */
    public static final long KERNEL_TX_EARLY_NANOS_MAX = 10_000L;
    /** A kernel transmit time later than the user-space one by more than this is not believed (chrony: 1 s). */
    public static final long KERNEL_TX_LATE_NANOS_MAX = 1_000_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /**
     * Where this server's time comes from, for the stratum, reference id and root delay it sends.
     *
     * @param stratum        1..15: 1 on GNSS/PPS (a refclock), the upstream's + 1 behind an NTP server or a master
     * @param referenceId    the reference id: ASCII for stratum 1 ("GPS", "PPS"), the upstream's IPv4 otherwise
     * @param rootDelayNanos the upstream's root delay (0 for a refclock), >= 0
     */
    public record Upstream(int stratum, int referenceId, long rootDelayNanos) {
        public Upstream {
            if (stratum < 1 || stratum > STRATUM_MAX) {
                throw new IllegalArgumentException("stratum must be 1.." + STRATUM_MAX + ": " + stratum);
            }
            if (rootDelayNanos < 0) {
                throw new IllegalArgumentException("rootDelayNanos must be >= 0: " + rootDelayNanos);
            }
        }
    }

    /**
     * What the server says about its reference, refreshed by the caller (a few times a second is plenty).
     *
     * @param upstream            the source in use, or null when none (then answered as unsynchronised)
     * @param leap                the leap second announced
     * @param referenceEpochNanos when the last accepted sample was taken (ns since the Unix epoch), 0 if none
     */
    public record Reference(Upstream upstream, LeapIndicator leap, long referenceEpochNanos) {
        public Reference {
            Objects.requireNonNull(leap, "leap");
        }
    }

    /** The clock answered from: the disciplined clock and its monotonic timebase. */
    public interface Clock {
        /** Now on the monotonic timebase (the transmit reading). */
        long monoNanos();

        /** The disciplined clock at {@code monoNanos}, which may be in the past ({@code DisciplinedClock.readAt}). */
        void readAt(long monoNanos, ClockReading out);
    }

    private final Clock clock;
    private final NtpClientTable clients;
    private final int pollLog2Floor;
    private final NtpPacket request = new NtpPacket();
    private final NtpPacket response = new NtpPacket();
    private final ClockReading rxReading = new ClockReading();
    private final ClockReading txReading = new ClockReading();
    private Reference reference = new Reference(null, LeapIndicator.NONE, 0);
    // Of the last answer: for matching its kernel transmit time.
    private int lastSlot = -1;
    private long lastRxNtp;
    private NtpDropReason lastDrop;

    // Counters: written by the one caller, read by any thread.
    private volatile long requests;
    private volatile long answeredBasic;
    private volatile long answeredInterleaved;
    private volatile long kodSent;
    private volatile long transmitTimesUsed;
    private volatile long transmitTimesRejected;
    private final long[] drops = new long[NtpDropReason.VALUES.length];

    /**
     * @param clock                the disciplined clock
     * @param clientsMax           the client table's size
     * @param requestsPerSecondMax a client address's average rate
     * @param burstMax             a client address's burst
     * @param hashSeed             the client table's hash seed (random in the appliance)
     */
    public NtpServer(Clock clock, int clientsMax, int requestsPerSecondMax, int burstMax, long hashSeed) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.clients = new NtpClientTable(clientsMax, requestsPerSecondMax, burstMax, hashSeed);
        this.pollLog2Floor = pollLog2(requestsPerSecondMax);
    }

    /** log2 s of the rate limit's interval, rounded up: what a client polling at the limit sends (16/s: -4). */
    static int pollLog2(int requestsPerSecondMax) {
        int log2 = 0;
        while (log2 > POLL_LOG2_MIN && (NANOS_PER_SECOND >> -(log2 - 1)) * requestsPerSecondMax >= NANOS_PER_SECOND) {
            log2--;
        }
        return log2;
    }

    /** Replaces what the server says about its reference (on the answering thread). */
    public void setReference(Reference reference) {
        this.reference = Objects.requireNonNull(reference, "reference");
    }

    public Reference reference() {
        return reference;
    }

    /**
     * Answers one datagram.
     *
     * @param req         the datagram (untrusted)
     * @param off         where it starts in {@code req}
     * @param len         its length; {@code > DATAGRAM_BYTES_MAX} when it was longer than that (not all of it read)
     * @param addressHi   the client address's high 64 bits ({@link NtpClientTable})
     * @param addressLo   its low 64 bits ({@link NtpClientTable#ipv4Lo} for IPv4)
     * @param rxMonoNanos the kernel's receive instant on the monotonic timebase
     * @param out         where the response goes, at least {@link NtpPacket#SIZE_BYTES} from {@code outOff}
     * @return the response's length ({@link NtpPacket#SIZE_BYTES}), or 0 when dropped ({@link #lastDrop()})
     */
    public int answer(byte[] req, int off, int len, long addressHi, long addressLo, long rxMonoNanos, byte[] out,
            int outOff) {
        requests++;
        lastSlot = -1;
        lastDrop = null;
        if (len < NtpPacket.SIZE_BYTES) {
            return drop(NtpDropReason.TRUNCATED);
        }
        if (len > NtpPacket.DATAGRAM_BYTES_MAX) {
            return drop(NtpDropReason.OVERSIZED);
        }
        Objects.checkFromIndexSize(off, NtpPacket.SIZE_BYTES, req.length);
        Objects.checkFromIndexSize(outOff, NtpPacket.SIZE_BYTES, out.length);
        request.read(req, off);
        if (request.version < NtpPacket.VERSION_MIN || request.version > NtpPacket.VERSION) {
            return drop(NtpDropReason.BAD_VERSION);
        }
        switch (request.mode) {
            case NtpPacket.MODE_CLIENT -> {
            }
            case NtpPacket.MODE_CONTROL, NtpPacket.MODE_PRIVATE -> {
                return drop(NtpDropReason.CONTROL);
            }
            case NtpPacket.MODE_BROADCAST -> {
                return drop(NtpDropReason.BROADCAST);
            }
            default -> {
                return drop(NtpDropReason.BAD_MODE);
            }
        }
        if (len != NtpPacket.SIZE_BYTES) {
            return drop(NtpDropReason.UNSUPPORTED_EXTENSION);
        }
        int slot = clients.touch(addressHi, addressLo, rxMonoNanos);
        boolean kod = false;
        if (!clients.admit(slot, rxMonoNanos)) {
            if (!clients.kodDue(slot, rxMonoNanos, KOD_INTERVAL_NANOS)) {
                return drop(NtpDropReason.RATE_LIMITED);
            }
            kod = true;
        }
        Reference ref = reference;
        clock.readAt(rxMonoNanos, rxReading);
        long rxNtp = NtpTime.fromEpochNanos(rxReading.epochNanos) | 1;

        // chrony's test for an interleaved request (NCR_ProcessRxUnknown).
        boolean interleavedRequest = !kod && request.version == NtpPacket.VERSION && (request.originTimestamp & 1) != 0
                && request.receiveTimestamp != request.transmitTimestamp;
        boolean interleaved = interleavedRequest && clients.takeSaved(slot, request.originTimestamp);

        NtpPacket r = response;
        r.version = request.version;
        r.mode = NtpPacket.MODE_SERVER;
        r.poll = Math.max(POLL_LOG2_MIN, Math.min(POLL_LOG2_MAX, Math.max(request.poll, pollLog2Floor)));
        r.precision = PRECISION_LOG2;
        r.originTimestamp = interleaved ? request.receiveTimestamp : request.transmitTimestamp;
        r.receiveTimestamp = rxNtp;

        // The transmit reading, as late as possible: everything else is ready.
        long txMonoNanos = clock.monoNanos();
        clock.readAt(txMonoNanos, txReading);
        long txNtp = NtpTime.fromEpochNanos(txReading.epochNanos) & ~1L;
        if (txNtp == rxNtp - 1 || txNtp == rxNtp) {
            txNtp += 2; // the transmit timestamp differs from the receive timestamp (chrony's fuzz rule)
        }
        long boundNanos = txReading.boundNanos;
        if (interleaved) {
            boundNanos = Math.max(boundNanos, clients.savedTxBoundNanos(slot));
        }
        boolean unsynchronized = txReading.status == ClockStatus.UNSYNCHRONIZED
                || txReading.status == ClockStatus.FREE_RUNNING || ref.upstream() == null;
        fillReference(r, ref, unsynchronized, boundNanos, txReading.status);
        if (kod) {
            r.leap = NtpPacket.LI_UNSYNCHRONIZED;
            r.stratum = NtpPacket.STRATUM_KOD;
            r.referenceId = NtpPacket.KISS_RATE;
        }
        r.transmitTimestamp = interleaved ? clients.savedTxNtp(slot) : txNtp;
        int n = r.write(out, outOff);
        if (interleavedRequest) {
            clients.save(slot, rxNtp, txNtp, txMonoNanos, txReading.boundNanos);
        }
        lastSlot = slot;
        lastRxNtp = rxNtp;
        if (kod) {
            kodSent++;
        } else if (interleaved) {
            answeredInterleaved++;
        } else {
            answeredBasic++;
        }
        return n;
    }

    private static void fillReference(NtpPacket r, Reference ref, boolean unsynchronized, long boundNanos,
            ClockStatus status) {
        long rootDelayShort = unsynchronized ? 0 : NtpTime.nanosToShortCeil(ref.upstream().rootDelayNanos());
        // What the client reads back (shortToNanos rounds down, so halving it keeps the sum conservative).
        long halfRootDelayNanos = NtpTime.shortToNanos(rootDelayShort) / 2;
        long rootDispersionShort = NtpTime.nanosToShortCeil(boundNanos - halfRootDelayNanos);
        boolean covered = NtpTime.shortToNanos(rootDispersionShort) + halfRootDelayNanos >= boundNanos;
        r.rootDelay = rootDelayShort;
        r.rootDispersion = rootDispersionShort;
        if (unsynchronized) {
            r.leap = NtpPacket.LI_UNSYNCHRONIZED;
            r.stratum = STRATUM_UNSYNCHRONIZED_SENT;
            r.referenceId = 0;
            r.referenceTimestamp = status == ClockStatus.UNSYNCHRONIZED || ref.referenceEpochNanos() <= 0 ? 0
                    : NtpTime.fromEpochNanos(ref.referenceEpochNanos());
            return;
        }
        r.leap = !covered ? NtpPacket.LI_UNSYNCHRONIZED : switch (ref.leap()) {
            case NONE -> NtpPacket.LI_NONE;
            case INSERT -> NtpPacket.LI_INSERT;
            case DELETE -> NtpPacket.LI_DELETE;
        };
        r.stratum = ref.upstream().stratum();
        r.referenceId = ref.upstream().referenceId();
        r.referenceTimestamp = ref.referenceEpochNanos() <= 0 ? 0 : NtpTime.fromEpochNanos(ref.referenceEpochNanos());
    }

    /**
     * The kernel's transmit time of a response: when the response was the client's saved one (its receive timestamp
     * {@code rxNtp} as sent), the saved transmit time becomes the kernel's, which the next interleaved response
     * carries. A time implausibly far from the user-space reading is not used (counted).
     *
     * @param slot        {@link #lastSlot()} after the answer
     * @param rxNtp       {@link #lastRxNtp()} after the answer
     * @param txMonoNanos the kernel's transmit instant on the monotonic timebase
     * @return whether it was used
     */
    public boolean onTransmitted(int slot, long rxNtp, long txMonoNanos) {
        if (!clients.hasSaved(slot, rxNtp)) {
            return false; // not saved (a basic client, a KoD), or replaced since
        }
        long lateNanos = txMonoNanos - clients.savedTxMonoNanos(slot);
        if (lateNanos < -KERNEL_TX_EARLY_NANOS_MAX || lateNanos > KERNEL_TX_LATE_NANOS_MAX) {
            transmitTimesRejected++;
            return false;
        }
        clock.readAt(txMonoNanos, txReading);
        long txNtp = NtpTime.fromEpochNanos(txReading.epochNanos) & ~1L;
        if (txNtp == rxNtp - 1) {
            txNtp += 2;
        }
        clients.updateTransmit(slot, txNtp, txMonoNanos, Math.max(txReading.boundNanos, clients.savedTxBoundNanos(slot)));
        transmitTimesUsed++;
        return true;
    }

    private int drop(NtpDropReason reason) {
        lastDrop = reason;
        drops[reason.ordinal()]++;
        return 0;
    }

    /** Why the last {@link #answer} returned 0, or null when it answered. */
    public NtpDropReason lastDrop() {
        return lastDrop;
    }

    /** The client slot of the last answer, -1 after a drop: with {@link #lastRxNtp()}, the key of its transmit time. */
    public int lastSlot() {
        return lastSlot;
    }

    /** The receive timestamp (as sent) of the last answer. */
    public long lastRxNtp() {
        return lastRxNtp;
    }

    /** Datagrams handed to {@link #answer}. */
    public long requests() {
        return requests;
    }

    /** Basic responses sent (KoDs not included). */
    public long answeredBasic() {
        return answeredBasic;
    }

    /** Interleaved responses sent. */
    public long answeredInterleaved() {
        return answeredInterleaved;
    }

    /** KoD RATE responses sent. */
    public long kodSent() {
        return kodSent;
    }

    /** Kernel transmit times that replaced a saved response's user-space one. */
    public long transmitTimesUsed() {
        return transmitTimesUsed;
    }

    /** Kernel transmit times too far from the user-space reading, not used. */
    public long transmitTimesRejected() {
        return transmitTimesRejected;
    }

    /** Datagrams dropped for {@code reason} (racy read from another thread: a counter, not a fence). */
    public long dropped(NtpDropReason reason) {
        return drops[reason.ordinal()];
    }

    /** Every drop. */
    public long droppedTotal() {
        long n = 0;
        for (long d : drops) {
            n += d;
        }
        return n;
    }

    /** Clients in the table now. */
    public int clients() {
        return clients.size();
    }

    public int clientsMax() {
        return clients.clientsMax();
    }

    /** Clients added to the table (distinct addresses seen, an evicted one counted again when back). */
    public long clientsSeen() {
        return clients.insertions();
    }

    /** Clients evicted to make room. */
    public long clientEvictions() {
        return clients.evictions();
    }

    /** The client table (tests). */
    NtpClientTable table() {
        return clients;
    }
}
