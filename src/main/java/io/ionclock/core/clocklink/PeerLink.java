package io.ionclock.core.clocklink;

import io.ionclock.core.ClockStatus;
import io.ionclock.core.select.Verdict;

/**
 * One configured peer as this node measures it (an upstream server of a gateway, another master of a master): who
 * answers at its address, the client side of JOIN, the requests in flight, the peer's last answer, its filter, its
 * trust ({@link LinkTrust}) and this cycle's estimate. Owned by one {@link ClocklinkNode}; single-threaded.
 *
 * <p>Estimates are of {@code x = peer - mono}: the peer's published time minus our monotonic clock at one instant.
 */
final class PeerLink {
    /** Requests outstanding per link (answers may come after the next request on a slow path). */
    static final int PENDING_MAX = 4;
    /** A transmit time reported later than this after the node's own t1 is not that request's (a stale report). */
    static final long TRANSMIT_LATE_NANOS_MAX = 1_000_000_000L;
    /** Cycles without any answer after which a link is UNREACHABLE (weight 0). */
    static final int MISSES_UNREACHABLE = 2;
    /** Every this many missed cycles a JOIN goes along (the server may have restarted and forgotten us). */
    static final int MISSES_REJOIN = 8;
    /** Longest JOIN backoff, in cycles; a refused join retries after {@link #JOIN_REFUSED_RETRY_CYCLES}. */
    static final int JOIN_BACKOFF_CYCLES_MAX = 16;
    static final int JOIN_REFUSED_RETRY_CYCLES = 100;
    /** A source's precision interval: this many of its error scales plus the floor. */
    static final double PRECISION_SIGMAS = 8;
    /** A link is judged (reputation, leader checks) only once its filter holds this many exchanges ... */
    static final int JUDGE_EXCHANGES_MIN = 16;
    /** ... spread over at least the filter window divided by this. */
    static final long JUDGE_WINDOW_FRACTION = 8;
    /** A peer's bound at or past this (4.29 s, the wire's u32 limit) is unusable. */
    static final long PEER_BOUND_USABLE_MAX = Wire.U32_MAX - 1;

    /** The client side of JOIN, and reachability. */
    enum State { JOINING, ACTIVE, UNREACHABLE, REFUSED }

    final int index;
    final long token;
    final String label;
    final LinkFilter filter;
    final ReplayWindow replay = new ReplayWindow();
    final long[] drops = new long[DropReason.VALUES.length];
    final LinkTrust trust = new LinkTrust();

    // Who answers at the address (learned from its packets).
    String name = "";
    int nodeNumber;
    boolean numberKnown;
    int role;
    boolean hasReference;

    // JOIN, client side.
    State state = State.JOINING;
    long joinCycle = Long.MIN_VALUE / 2;
    int joinBackoffCycles = 1;
    long joinCookie; // the server's last CHALLENGE cookie, sent with every JOIN
    long challengeCycle = Long.MIN_VALUE; // answered a CHALLENGE at once at most once a cycle

    // Requests in flight, by sequence: t1 of each.
    private final long[] pendingSeq = new long[PENDING_MAX];
    private final long[] pendingT1 = new long[PENDING_MAX]; // the transport's transmit time once reported, else the node's
    private final long[] pendingT1Node = new long[PENDING_MAX]; // the node's own, taken before sending
    private int pendingNext;
    boolean requested;
    boolean answered;
    boolean reprobed; // asked a second time this cycle
    boolean reprobeAnswered;
    int misses;

    // Interleaved mode (docs/clocklink.md): the last exchange, held until the server's next answer carries its true t3.
    long heldSeq = Long.MIN_VALUE; // the request's sequence; MIN_VALUE: none held
    long heldT1;
    long heldT2;
    long heldT3; // the server's t3 as it wrote it before sending (basic mode's)
    long heldT4;

    // The peer's last answer.
    long peerBoundNanos;
    int peerStatus;
    int peerLeap;
    int peerTier;
    long serverPollNanos; // the poll interval this server asks of us (0: none)
    long lastResponseMono = Long.MIN_VALUE;
    long lastDegradedMono = Long.MIN_VALUE / 2; // last response whose status was HOLDOVER or FREE_RUNNING
    /** The peer's last answer said its clock is still settling ({@link Wire#FLAG_SETTLING}). */
    boolean peerSettling;
    /** The peer's last answer said the fleet above it is loaded ({@link Wire#FLAG_LOADED}). */
    boolean peerLoaded;
    long exchanges;

    // This cycle's estimate of x at the cycle's instant, and its verdict.
    boolean usable;
    long valueX;
    long boundX;
    long precisionX;
    long uncertaintyX;
    long voteX;
    long voteHalfWidthX;
    int selIndex = -1;
    Verdict verdict = Verdict.NO_DATA;

    PeerLink(int index, ClocklinkConfig.Peer peer, ClocklinkConfig config) {
        this.index = index;
        this.token = peer.addressToken();
        this.label = peer.label();
        this.filter = new LinkFilter(config.filterWindowNanos(), config.frequencyTolerancePpb(),
                config.timestampErrorNanos());
        for (int i = 0; i < PENDING_MAX; i++) {
            pendingSeq[i] = Long.MIN_VALUE;
        }
    }

    /**
     * The link's weight in this node's selection now: its reputation while it is reachable, active and has a usable
     * estimate; 0 when isolated, unreachable, still joining or without data. The one rule for weight: the combination
     * uses it, status and the simulator's isolation metric report it.
     */
    double weight() {
        if (trust.isolated || !usable || misses >= MISSES_UNREACHABLE || state != State.ACTIVE) {
            return 0;
        }
        return trust.reputation;
    }

    // ---------------------------------------------------------------- JOIN, client side

    /** Whether a JOIN is due in {@code cycle} (a joining or refused link, after its backoff). */
    boolean joinDue(long cycle) {
        int wait = state == State.REFUSED ? JOIN_REFUSED_RETRY_CYCLES : joinBackoffCycles;
        return cycle - joinCycle >= wait;
    }

    /** A JOIN went out in {@code cycle}: the next waits twice as long (up to the max). */
    void joinSent(long cycle) {
        joinCycle = cycle;
        joinBackoffCycles = Math.min(JOIN_BACKOFF_CYCLES_MAX, joinBackoffCycles * 2);
    }

    /** A missed link rejoins now and then along with its request (the server may have forgotten it). */
    boolean rejoinDue() {
        return misses > 0 && misses % MISSES_REJOIN == 0;
    }

    /**
     * The server's JOIN_ACK. Returns true when a JOIN must go at once: a CHALLENGE answered with its cookie, at most
     * once a cycle (the backoff retransmits it if that one is lost).
     */
    boolean onJoinAck(ClocklinkMessage rx, long cycle) {
        name = rx.nameString();
        if (rx.joinResult == Wire.JOIN_ACCEPTED) {
            if (state == State.JOINING || state == State.REFUSED) {
                state = State.ACTIVE;
                misses = 0;
            }
            joinBackoffCycles = 1;
        } else if (rx.joinResult == Wire.JOIN_CHALLENGE) {
            joinCookie = rx.cookie;
            if (challengeCycle != cycle) {
                challengeCycle = cycle;
                return true;
            }
        } else {
            state = State.REFUSED;
            joinCycle = cycle;
        }
        return false;
    }

    /** Whatever the message, the sender is who answers at this address now (a replacement is learned afresh). */
    void heardFrom(ClocklinkMessage rx) {
        if (numberKnown && nodeNumber != rx.sender) {
            filter.reset();
            releaseHeld();
            replay.reset();
            replay.accept(rx.sequence);
        }
        nodeNumber = rx.sender;
        numberKnown = true;
        role = rx.role;
        hasReference = rx.hasReferenceFlag();
    }

    // ---------------------------------------------------------------- requests

    /** A new cycle: an unanswered request is a miss (two in a row: UNREACHABLE); the cycle's flags reset. */
    void newCycle() {
        if (requested && !answered) {
            misses++;
            if (misses >= MISSES_UNREACHABLE && state == State.ACTIVE) {
                state = State.UNREACHABLE;
            }
        }
        requested = false;
        answered = false;
        reprobed = false;
        reprobeAnswered = false;
    }

    /** A request with sequence {@code seq} left at {@code t1MonoNanos}. */
    void requestSent(long seq, long t1MonoNanos) {
        pendingSeq[pendingNext] = seq;
        pendingT1[pendingNext] = t1MonoNanos;
        pendingT1Node[pendingNext] = t1MonoNanos;
        pendingNext = (pendingNext + 1) % PENDING_MAX;
    }

    /**
     * The transport's true transmit time of request {@code seq} (the kernel's, as it left): it replaces the t1 the node
     * took before sending, while the request is in flight. A time more than
     * {@code slackNanos} (a timestamp error) before that t1, or more than {@link #TRANSMIT_LATE_NANOS_MAX} after it, is
     * not this request's: false, nothing changed.
     */
    boolean transmitted(long seq, long txMonoNanos, long slackNanos) {
        for (int i = 0; i < PENDING_MAX; i++) {
            if (pendingSeq[i] == seq) {
                if (!plausibleTransmit(pendingT1Node[i], txMonoNanos, slackNanos)) {
                    return false;
                }
                pendingT1[i] = txMonoNanos;
                return true;
            }
        }
        return false; // too late: the exchange is in the filter with the node's t1
    }

    private static boolean plausibleTransmit(long t1MonoNanos, long txMonoNanos, long slackNanos) {
        return txMonoNanos >= t1MonoNanos - slackNanos && txMonoNanos - t1MonoNanos <= TRANSMIT_LATE_NANOS_MAX;
    }

    /** Holds an exchange until the server's next answer carries its true t3. */
    void hold(long seq, long t1, long t2, long t3, long t4) {
        heldSeq = seq;
        heldT1 = t1;
        heldT2 = t2;
        heldT3 = t3;
        heldT4 = t4;
    }

    boolean holding() {
        return heldSeq != Long.MIN_VALUE;
    }

    void releaseHeld() {
        heldSeq = Long.MIN_VALUE;
    }

    /**
     * The t1 of the request an answer echoes, forgotten once taken: the transport's transmit time if it reported one and
     * {@code transmitTime}, else the node's own; Long.MIN_VALUE when it answers nothing we asked.
     */
    long takePendingT1(long echoSequence, boolean transmitTime) {
        for (int i = 0; i < PENDING_MAX; i++) {
            if (pendingSeq[i] == echoSequence) {
                pendingSeq[i] = Long.MIN_VALUE;
                return transmitTime ? pendingT1[i] : pendingT1Node[i];
            }
        }
        return Long.MIN_VALUE;
    }

    /** A matched answer: reachable again, and what the peer said of itself. */
    void answeredBy(ClocklinkMessage rx, long now) {
        answered = true;
        misses = 0;
        if (state == State.UNREACHABLE) {
            state = State.ACTIVE;
        }
        lastResponseMono = now;
        if (rx.status == ClockStatus.HOLDOVER.ordinal() || rx.status == ClockStatus.FREE_RUNNING.ordinal()) {
            lastDegradedMono = now; // it was synchronized and is coasting: a correction may follow
        }
        if (peerSettling && !rx.settlingFlag()) {
            trust.relearn(); // what was learned while the peer's clock was still forming says nothing of it now
        }
        peerSettling = rx.settlingFlag();
        peerLoaded = rx.loadedFlag();
        peerStatus = rx.status;
        peerLeap = rx.leap;
        peerTier = rx.tier;
        peerBoundNanos = rx.boundNanos;
        serverPollNanos = Wire.pollNanos(rx.pollCode);
        exchanges++;
    }

    /** Whether an answer's own bound and status let it into the filter. */
    static boolean usableAnswer(ClocklinkMessage rx) {
        return rx.status != ClockStatus.UNSYNCHRONIZED.ordinal() && rx.boundNanos <= PEER_BOUND_USABLE_MAX;
    }

    // ---------------------------------------------------------------- this cycle's estimate

    /**
     * This cycle's estimate of x at {@code now} from the filter at the node's common slope: value (clamped into the
     * honest interval), honest bound, precision (noise: the learned spread against the combination, or the filter's
     * uncertainty), and the vote (the value less the learned baseline, with its half-width). False when the link has
     * nothing usable.
     */
    boolean estimate(long now, double slope, boolean slopeKnown, long precisionFloorNanos) {
        if (state == State.JOINING || state == State.REFUSED || !filter.hasData() || misses >= MISSES_UNREACHABLE
                || peerStatus == ClockStatus.UNSYNCHRONIZED.ordinal() || now - lastResponseMono > filter.windowNanos()) {
            return false;
        }
        if (!filter.honestInterval(now)) {
            return false;
        }
        long lo = filter.honestLow;
        long hi = filter.honestHigh;
        long v = filter.valueAt(now, slope);
        v = Math.max(lo, Math.min(hi, v));
        valueX = v;
        boundX = Math.max(v - lo, hi - v);
        long uncertainty = filter.uncertaintyNanos(now, slopeKnown);
        uncertaintyX = uncertainty;
        double scale = Math.max(trust.precisionSq < 0 ? 0 : Math.sqrt(trust.precisionSq), uncertainty);
        precisionX = (long) Math.ceil(PRECISION_SIGMAS * scale) + precisionFloorNanos;
        double voteScale = Math.max(trust.changeSq < 0 ? 0 : Math.sqrt(trust.changeSq), uncertainty);
        voteX = v - (trust.baselineSet ? Math.round(trust.baselineNanos) : 0);
        voteHalfWidthX = (long) Math.ceil(PRECISION_SIGMAS * voteScale) + precisionFloorNanos;
        if (!trust.baselineSet) {
            voteHalfWidthX = Math.max(voteHalfWidthX, precisionX);
        }
        return true;
    }

    /** The filter has seen enough (exchanges, and an eighth of its window) to hold the link's disagreement against it. */
    boolean judgeable() {
        return filter.exchangesInWindow() >= JUDGE_EXCHANGES_MIN
                && filter.spanNanos() >= filter.windowNanos() / JUDGE_WINDOW_FRACTION;
    }

    /** For status: ISOLATED, or the JOIN state. */
    String stateName() {
        return trust.isolated ? "ISOLATED" : state.name();
    }
}
