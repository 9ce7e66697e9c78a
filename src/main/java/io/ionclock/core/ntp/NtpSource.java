package io.ionclock.core.ntp;

import io.ionclock.core.LeapIndicator;
import io.ionclock.core.Sample;
import io.ionclock.core.clocklink.LinkFilter;
import io.ionclock.core.clocklink.SlopeTracker;
import java.util.SplittableRandom;

/**
 * One upstream NTP server as a source (chrony's {@code ntp_core.c} for one source): when to poll it, the request it is
 * sent, the checks its answer must pass, and the samples it gives. Pure and single-threaded: the caller passes every
 * instant (on the local monotonic clock) and moves the bytes.
 *
 * <p><b>Exchange.</b> t1 our transmit (the kernel's transmit time when {@link #onTransmitted} brings it, else the time of
 * the send call), t2 the server's receive, t3 its transmit, t4 our receive. The points go into a {@link LinkFilter} (the
 * one Clocklink uses: lower and upper envelopes of {@code x = server - mono}, so queueing jitter does not become offset)
 * with the server's own error {@code rootDelay / 2 + rootDispersion + 2^precision}: the honest interval is then
 * {@code [t3 - t4 - B - e, t2 - t1 + B + e]}, half the round trip at least, as RFC 5905's root distance.
 *
 * <p><b>Requests</b> carry no local time (as chrony's): a basic request has origin and receive 0 and a random 64-bit
 * transmit cookie; an answer must echo the cookie in its origin, or it is {@link NtpDropReason#BOGUS} (spoofed,
 * replayed, duplicated or late). <b>Interleaved</b> (chrony's {@code xleave}): after a first answer the request's origin
 * is the server's receive timestamp of that answer, its receive and transmit fields two cookies; a server that still
 * holds that exchange answers in interleaved mode (origin = our receive cookie) with its true transmit time of the
 * previous answer in the transmit field. That later, tighter t3 joins the filter as a lower point
 * ({@link LinkFilter#addLower}); the current exchange enters with {@code t3 = t2} (the server sent after it received),
 * so nothing waits a poll. A server that does not interleave answers basic (origin = the transmit cookie), used as such.
 *
 * <p><b>Polling.</b> Four requests {@link #BURST_INTERVAL_NANOS} apart at start (chrony's {@code iburst}), then every
 * {@code pollNanos}. After {@link #MISSES_BACKOFF} unanswered polls in a row the poll doubles up to
 * {@code pollMaxNanos} (and the filter window with it); an answer brings it back to the fastest. A KoD RATE doubles the
 * poll and holds the next request back {@link #KOD_RATE_HOLD_POLLS} polls; DENY and RSTR stop polling this server
 * (status DENIED) until the address changes. The reach register (8 bits, chrony's) shifts at each request.
 *
 * <p><b>Samples</b> ({@link #sampleAt}): the filter's value at the asked instant (its envelopes at the slope that best
 * fits this link, clamped into the honest interval) and its honest half-width, as one {@link Sample}; none before the
 * first answer, nor once the last {@link #ANSWER_AGE_POLLS_MAX} requests went unanswered (chrony's unreachable: the
 * reach register is 0) and the newest answer is older than that many of the fastest polls.
 */
public final class NtpSource {
    /** Requests at start, this far apart (or the poll, if faster). */
    public static final int BURST_REQUESTS = 4;
    public static final long BURST_INTERVAL_NANOS = 2_000_000_000L;
    /** Unanswered polls in a row after which the poll doubles. */
    public static final int MISSES_BACKOFF = 4;
    /** A KoD RATE holds the next request back this many (doubled) polls. */
    public static final int KOD_RATE_HOLD_POLLS = 4;
    /** No sample once this many requests in a row went unanswered (the reach register's width). */
    public static final int ANSWER_AGE_POLLS_MAX = 8;
    /** An answer's root delay or root dispersion past this is not time (RFC 5905's MAXDISP is 16 s). */
    public static final long ROOT_NANOS_MAX = 16_000_000_000L;
    /** Server precision exponents outside this are taken as the bound (a wild value must not widen or narrow much). */
    public static final int PRECISION_LOG2_MIN = -30;
    public static final int PRECISION_LOG2_MAX = 0;
    /** The precision this client states in its requests (chrony's: 32, meaning "no timestamps in here"). */
    static final int REQUEST_PRECISION = 32;

    /** What a source is doing, for status. */
    public enum State {
        /** No answer yet. */
        INIT,
        /** Answers come. */
        ACTIVE,
        /** The last {@link #ANSWER_AGE_POLLS_MAX} polls went unanswered (or none ever was). */
        UNREACHABLE,
        /** Answers say the server is not synchronised (LI 3 or stratum 16). */
        SERVER_UNSYNCHRONIZED,
        /** A KoD DENY or RSTR: no more requests. */
        DENIED
    }

    /**
     * @param pollNanos             the fastest poll
     * @param pollMaxNanos          the slowest (backoff stops here)
     * @param xleave                ask for interleaved mode
     * @param frequencyTolerancePpb the local oscillator's worst frequency error (the honest interval's growth)
     * @param wanderPpbPerSqrtSecond its random walk (sizes the filter window against the jitter)
     * @param filterWindowNanosMax  the longest filter window
     * @param timestampErrorNanos   bound on the error of our own t1 and t4
     */
    public record Config(long pollNanos, long pollMaxNanos, boolean xleave, long frequencyTolerancePpb,
            double wanderPpbPerSqrtSecond, long filterWindowNanosMax, long timestampErrorNanos) {
        public Config {
            if (pollNanos < 1_000_000 || pollMaxNanos < pollNanos || pollMaxNanos > (1L << 17) * 1_000_000_000L
                    || frequencyTolerancePpb <= 0 || filterWindowNanosMax < LinkFilter.BINS || timestampErrorNanos < 0) {
                throw new IllegalArgumentException("bad NTP source configuration: " + this);
            }
        }
    }

    private final String name;
    private final Config config;
    private final SplittableRandom random;
    private final LinkFilter filter;
    private final SlopeTracker slope = new SlopeTracker();

    private State state = State.INIT;
    private long pollNanos;
    private long nextRequestMono;
    private int requestsSent;
    private int misses;
    private int reach;
    private boolean denied;

    // The request outstanding (at most one).
    private boolean outstanding;
    private boolean outstandingInterleaved;
    private long outstandingTransmitCookie;
    private long outstandingReceiveCookie;
    private long outstandingSendMono;
    private long outstandingTxMono; // the kernel's transmit time, or Long.MIN_VALUE
    private int outstandingKey = -1;

    // The last answered exchange (for interleaved mode).
    private boolean haveLast;
    private long lastServerReceiveRaw;
    private long lastT4Mono;
    private long lastAnswerMono = Long.MIN_VALUE;

    // The newest answer's fields, for status and the server's own error.
    private int stratum;
    private int referenceId;
    private int leap;
    private long rootDelayNanos;
    private long rootDispersionNanos;
    private long serverErrorNanos;
    private long lastDelayNanos;
    private long lastBoundNanos;

    private final long[] drops = new long[NtpDropReason.VALUES.length];
    private long requests;
    private long answers;
    private long interleavedAnswers;
    private long kissRate;
    private long userSpaceTransmitTimes;

    public NtpSource(String name, Config config, long seed, long nowMonoNanos) {
        this.name = name;
        this.config = config;
        this.random = new SplittableRandom(seed);
        this.filter = new LinkFilter(config.filterWindowNanosMax(), config.frequencyTolerancePpb(),
                config.timestampErrorNanos());
        this.pollNanos = config.pollNanos();
        this.nextRequestMono = nowMonoNanos;
    }

    public String name() {
        return name;
    }

    /** When the next request is due (Long.MAX_VALUE: none, DENIED). */
    public long nextRequestMonoNanos() {
        return denied ? Long.MAX_VALUE : nextRequestMono;
    }

    /**
     * Writes the request due at {@code nowMonoNanos} into {@code buf} (48 bytes) and schedules the next one; 0 when
     * none is due. The previous request, if unanswered, is given up.
     */
    public int writeRequest(long nowMonoNanos, byte[] buf, int off) {
        if (denied || nowMonoNanos < nextRequestMono) {
            return 0;
        }
        if (outstanding) {
            misses++;
            if (misses >= MISSES_BACKOFF && misses % MISSES_BACKOFF == 0) {
                pollNanos = Math.min(config.pollMaxNanos(), pollNanos * 2);
            }
        }
        reach = (reach << 1) & 0xFF;
        requests++;
        requestsSent++;
        NtpPacket p = tx.clear();
        p.leap = NtpPacket.LI_UNSYNCHRONIZED; // a client says nothing about its clock
        p.version = NtpPacket.VERSION;
        p.mode = NtpPacket.MODE_CLIENT;
        p.poll = log2Ceil(pollNanos);
        p.precision = REQUEST_PRECISION;
        outstandingInterleaved = config.xleave() && haveLast;
        outstandingTransmitCookie = cookie();
        outstandingReceiveCookie = outstandingInterleaved ? cookie() : 0;
        p.originTimestamp = outstandingInterleaved ? lastServerReceiveRaw : 0;
        p.receiveTimestamp = outstandingReceiveCookie;
        p.transmitTimestamp = outstandingTransmitCookie;
        p.write(buf, off);
        outstanding = true;
        outstandingSendMono = nowMonoNanos;
        outstandingTxMono = Long.MIN_VALUE;
        outstandingKey = -1;
        long interval = requestsSent < BURST_REQUESTS ? Math.min(BURST_INTERVAL_NANOS, pollNanos) : pollNanos;
        nextRequestMono = nowMonoNanos + interval;
        return NtpPacket.SIZE_BYTES;
    }

    /** The socket's transmit key of the request just written ({@link #onTransmitted} matches it). */
    public void requestSent(int transmitKey) {
        outstandingKey = transmitKey;
    }

    /** The kernel's transmit time of a request: t1 when it is the outstanding one. */
    public void onTransmitted(int transmitKey, long txMonoNanos) {
        if (outstanding && transmitKey == outstandingKey && transmitKey >= 0) {
            outstandingTxMono = txMonoNanos;
        }
    }

    /**
     * An answer from this source's address, received at {@code rxMonoNanos}. {@code pivotEpochNanos} places its
     * timestamps in their NTP era (our clock, or the build date while we have none).
     *
     * @return null when used as time, else why not (counted)
     */
    public NtpDropReason onResponse(byte[] buf, int off, int len, long rxMonoNanos, long pivotEpochNanos) {
        NtpDropReason r = check(buf, off, len, rxMonoNanos, pivotEpochNanos);
        if (r != null) {
            drops[r.ordinal()]++;
        }
        return r;
    }

    private final NtpPacket rx = new NtpPacket();
    private final NtpPacket tx = new NtpPacket();

    private NtpDropReason check(byte[] buf, int off, int len, long rxMonoNanos, long pivotEpochNanos) {
        if (len < NtpPacket.SIZE_BYTES) {
            return NtpDropReason.TRUNCATED;
        }
        if (len > NtpPacket.DATAGRAM_BYTES_MAX) {
            return NtpDropReason.OVERSIZED;
        }
        rx.read(buf, off);
        if (rx.version < NtpPacket.VERSION_MIN || rx.version > NtpPacket.VERSION) {
            return NtpDropReason.BAD_VERSION;
        }
        if (rx.mode != NtpPacket.MODE_SERVER) {
            return rx.mode == NtpPacket.MODE_CONTROL || rx.mode == NtpPacket.MODE_PRIVATE ? NtpDropReason.CONTROL
                    : rx.mode == NtpPacket.MODE_BROADCAST ? NtpDropReason.BROADCAST : NtpDropReason.BAD_MODE;
        }
        if (!outstanding) {
            return NtpDropReason.BOGUS; // nothing asked, or already answered (a duplicate)
        }
        boolean interleaved;
        if (outstandingInterleaved && rx.originTimestamp == outstandingReceiveCookie) {
            interleaved = true;
        } else if (rx.originTimestamp == outstandingTransmitCookie) {
            interleaved = false;
        } else {
            return NtpDropReason.BOGUS;
        }
        if (rx.stratum == NtpPacket.STRATUM_KOD && isKissCode(rx.referenceId)) {
            outstanding = false; // answered, if only with a kiss
            kiss(rx.referenceId, rxMonoNanos);
            return NtpDropReason.KISS;
        }
        if (rx.leap == NtpPacket.LI_UNSYNCHRONIZED || rx.stratum >= NtpPacket.STRATUM_UNSYNCHRONIZED
                || rx.stratum == NtpPacket.STRATUM_KOD) { // stratum 0 without a kiss code: chrony's unsynchronised answer
            outstanding = false;
            markAnswered();
            state = State.SERVER_UNSYNCHRONIZED;
            return NtpDropReason.MALFORMED;
        }
        long rootDelay = NtpTime.shortToNanos(rx.rootDelay);
        long rootDispersion = NtpTime.shortToNanos(rx.rootDispersion);
        if (rootDelay > ROOT_NANOS_MAX || rootDispersion > ROOT_NANOS_MAX || rx.receiveTimestamp == 0
                || rx.transmitTimestamp == 0) {
            return NtpDropReason.MALFORMED;
        }
        long t2 = NtpTime.toEpochNanos(rx.receiveTimestamp, pivotEpochNanos);
        long t3 = NtpTime.toEpochNanos(rx.transmitTimestamp, pivotEpochNanos);
        long t1 = outstandingTxMono != Long.MIN_VALUE ? outstandingTxMono : outstandingSendMono;
        long t4 = rxMonoNanos;
        if (t4 < t1) {
            return NtpDropReason.MALFORMED; // our own clock cannot run backwards: a mixed-up transmit time
        }
        int precisionLog2 = Math.max(PRECISION_LOG2_MIN, Math.min(PRECISION_LOG2_MAX, rx.precision));
        long serverError = rootDelay / 2 + rootDispersion + NtpTime.log2SecondsToNanos(precisionLog2);
        if (interleaved) {
            // t3 is the true transmit time of the answer to our previous exchange (its receive time was our origin).
            if (!haveLast || t3 < NtpTime.toEpochNanos(lastServerReceiveRaw, pivotEpochNanos)) {
                return NtpDropReason.MALFORMED;
            }
            filter.addLower(t3, lastT4Mono);
            t3 = t2; // this exchange's own transmit time comes with the next answer
        } else if (t3 < t2) {
            return NtpDropReason.MALFORMED;
        }
        if (outstandingTxMono == Long.MIN_VALUE) {
            userSpaceTransmitTimes++;
        }
        outstanding = false;
        filter.add(t1, t2, t3, t4, serverError);
        long windowNanos = LinkFilter.windowNanosFor(Math.max(0, filter.meanExcessNanos()), pollNanos,
                Math.max(config.wanderPpbPerSqrtSecond(), 0.01), config.filterWindowNanosMax());
        filter.setWindow(windowNanos);
        if (filter.bins() >= 2) {
            slope.update(filter::gap, 2.0 * config.frequencyTolerancePpb() * 1e-9);
            filter.setSlope(slope.slope());
        }
        haveLast = true;
        lastServerReceiveRaw = rx.receiveTimestamp;
        lastT4Mono = t4;
        lastAnswerMono = rxMonoNanos;
        stratum = rx.stratum;
        referenceId = rx.referenceId;
        leap = rx.leap;
        rootDelayNanos = rootDelay;
        rootDispersionNanos = rootDispersion;
        serverErrorNanos = serverError;
        lastDelayNanos = (t4 - t1) - (t3 - t2);
        markAnswered();
        answers++;
        if (interleaved) {
            interleavedAnswers++;
        }
        state = State.ACTIVE;
        return null;
    }

    private void markAnswered() {
        reach |= 1;
        misses = 0;
        pollNanos = config.pollNanos();
    }

    private void kiss(int code, long nowMonoNanos) {
        if (code == NtpPacket.KISS_RATE) {
            kissRate++;
            pollNanos = Math.min(config.pollMaxNanos(), Math.max(pollNanos * 2, config.pollNanos() * 2));
            nextRequestMono = Math.max(nextRequestMono, nowMonoNanos + KOD_RATE_HOLD_POLLS * pollNanos);
        } else if (code == NtpPacket.KISS_DENY || code == NtpPacket.KISS_RSTR) {
            denied = true;
            state = State.DENIED;
        }
        // Other kiss codes: not time, nothing else to do (RFC 5905: the client may ignore them).
    }

    /**
     * The server's address changed (DNS re-resolved): a new server, maybe. The filter starts over; a DENY is lifted.
     */
    public void addressChanged(long nowMonoNanos) {
        filter.reset();
        haveLast = false;
        outstanding = false;
        denied = false;
        state = State.INIT;
        pollNanos = config.pollNanos();
        requestsSent = 0;
        nextRequestMono = nowMonoNanos;
        lastAnswerMono = Long.MIN_VALUE;
    }

    /**
     * A sample of this source at {@code nowMonoNanos} (the filter's estimate carried to now), or null: no answer yet,
     * the newest older than {@link #ANSWER_AGE_POLLS_MAX} polls, the server unsynchronised or denying.
     */
    public Sample sampleAt(long nowMonoNanos) {
        if (!usable(nowMonoNanos) || !filter.honestInterval(nowMonoNanos)) {
            return null;
        }
        long lo = filter.honestLow;
        long hi = filter.honestHigh;
        long v = Math.max(lo, Math.min(hi, filter.valueAt(nowMonoNanos, slope.slope())));
        long bound = Math.max(v - lo, hi - v);
        if (bound >= Sample.ERROR_NANOS_MAX) {
            return null;
        }
        lastBoundNanos = bound;
        long refBound = Math.min(serverErrorNanos, bound);
        return new Sample(sampleName(), nowMonoNanos, nowMonoNanos + v, refBound, bound - refBound, leapIndicator());
    }

    private boolean usable(long nowMonoNanos) {
        if (state != State.ACTIVE || !filter.hasData() || lastAnswerMono == Long.MIN_VALUE) {
            return false;
        }
        if (reach == 0 && nowMonoNanos - lastAnswerMono > ANSWER_AGE_POLLS_MAX * config.pollNanos()) {
            state = State.UNREACHABLE;
            return false;
        }
        return true;
    }

    /** The name every sample of this source carries ("NTP:" and the configured name). */
    public String sampleName() {
        return "NTP:" + name;
    }

    public LeapIndicator leapIndicator() {
        return switch (leap) {
            case NtpPacket.LI_INSERT -> LeapIndicator.INSERT;
            case NtpPacket.LI_DELETE -> LeapIndicator.DELETE;
            default -> LeapIndicator.NONE;
        };
    }

    /** A kiss code is four printable ASCII characters ("RATE"); chrony's unsynchronised answer has reference id 0. */
    static boolean isKissCode(int referenceId) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            int c = (referenceId >>> shift) & 0xFF;
            if (c < 0x21 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    private long cookie() {
        long c;
        do {
            c = random.nextLong();
        } while (c == 0);
        return c;
    }

    /** The smallest {@code p} with {@code 2^p s >= nanos}, clamped to -6..17 (what a poll field says). */
    static int log2Ceil(long nanos) {
        for (int p = -6; p < 17; p++) {
            if (NtpTime.log2SecondsToNanos(p) >= nanos) {
                return p;
            }
        }
        return 17;
    }

    // ------------------------------------------------------------------ status

    public State state(long nowMonoNanos) {
        if (state == State.ACTIVE && reach == 0 && requestsSent >= ANSWER_AGE_POLLS_MAX) {
            return State.UNREACHABLE;
        }
        usable(nowMonoNanos);
        return state;
    }

    public int reach() {
        return reach;
    }

    public long pollNanos() {
        return pollNanos;
    }

    public int stratum() {
        return stratum;
    }

    public int referenceId() {
        return referenceId;
    }

    public long rootDelayNanos() {
        return rootDelayNanos;
    }

    public long rootDispersionNanos() {
        return rootDispersionNanos;
    }

    /** The newest exchange's round trip less the server's turnaround, ns. */
    public long lastDelayNanos() {
        return lastDelayNanos;
    }

    /** The newest sample's half-width (the honest bound it carried), ns; 0 before any. */
    public long lastBoundNanos() {
        return lastBoundNanos;
    }

    /** The least round trip in the filter's window, ns; -1 before any. */
    public long minDelayNanos() {
        return filter.minDelayNanos();
    }

    public long filterWindowNanos() {
        return filter.windowNanos();
    }

    public long requests() {
        return requests;
    }

    public long answers() {
        return answers;
    }

    public long interleavedAnswers() {
        return interleavedAnswers;
    }

    public long kissRate() {
        return kissRate;
    }

    /** Exchanges whose t1 was the send call's time (the kernel's transmit time had not come). */
    public long userSpaceTransmitTimes() {
        return userSpaceTransmitTimes;
    }

    public long drops(NtpDropReason reason) {
        return drops[reason.ordinal()];
    }
}
