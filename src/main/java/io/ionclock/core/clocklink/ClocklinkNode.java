package io.ionclock.core.clocklink;

import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.LeapIndicator;
import io.ionclock.core.Sample;
import io.ionclock.core.select.Selection;
import io.ionclock.core.select.Verdict;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.DoubleUnaryOperator;

/**
 * One Clocklink node (master or gateway): the whole protocol as pure logic. The adapter (Vert.x UDP in the
 * appliance, the fleet simulator in {@code sim}) feeds it packets and timer wake-ups, with every instant on the
 * local monotonic clock; the node sends through an {@link Outbox}, reads the local published clock through a
 * {@link LocalClock}, and hands what it learns to a {@code Consumer<Sample>}. Single-threaded: call every method
 * from one thread (the adapter's event loop).
 *
 * <p>What it does, in one paragraph (details in docs/clocklink.md): every cycle (a master: each round, default
 * 100 ms; a gateway: each round while fast-tracking, then every poll period) it sends a Sync Request to each
 * peer and filters the four timestamps of each answer per link ({@link LinkFilter}); when the cycle's answers
 * are in it runs the fault-tolerant {@link Selection} over its links (a master adds its own clock), updates the
 * links' reputations, and emits a {@link Sample} of the combination (between a gateway's slow polls it re-evaluates
 * the filters at the sample period). A link votes against its own learned baseline (a path's fixed asymmetry is
 * physics, a lie that starts is a change), and a link that disagrees two judged cycles running is isolated: weight
 * 0 until it has agreed for {@link #REINSTATE_NANOS}. Masters elect a leader (Raft-like terms,
 * the leader's requests are its heartbeats); the leader sends each master a Sync Update with every master's
 * offset from the fleet's combined time, and each follower checks the update against its own measurements and
 * deposes a leader that lies. Every node answers Sync Requests from its configured peers and from clients that
 * joined (at the address their packet came from).
 */
public final class ClocklinkNode {
    /** Sends one datagram. The buffer is reused as soon as this returns: copy or send synchronously. */
    @FunctionalInterface
    public interface Outbox {
        void send(long peerAddressToken, byte[] buf, int off, int len);
    }

    /** The local published clock (the node's DisciplinedClock): {@code DisciplinedClock::read} fits. */
    @FunctionalInterface
    public interface LocalClock {
        void read(long monoNanos, ClockReading out);

        /** The leap second the local clock announces. */
        default LeapIndicator leap() {
            return LeapIndicator.NONE;
        }
    }

    /** The node's part in the election. */
    public enum State { GATEWAY, FOLLOWER, CANDIDATE, LEADER }

    /** Source name of the samples the node emits. */
    public static final String SOURCE_NAME = "CLOCKLINK";
    /** Requests outstanding per link (answers may come after the next request on a slow path). */
    static final int PENDING_MAX = 4;
    /** Cycles without any answer after which a link is UNREACHABLE (weight 0). */
    static final int MISSES_UNREACHABLE = 2;
    /**
     * A request still unanswered at the cycle's deadline is sent once more when the wait is this many of the link's
     * least round trips (a lost datagram, not a slow path); the cycle then waits a quarter period more for it.
     */
    static final int RETRY_AFTER_ROUND_TRIPS = 8;
    /**
     * An answer whose queueing on either path exceeds this many of the link's mean queueing cannot tell a shifted
     * clock from a slow path (a lie of that size hides in it): the link is asked once more in the same cycle.
     */
    static final double REPROBE_JITTERS = 2.5;
    /** A link is re-probed only once its window holds this many exchanges (its envelopes are known). */
    static final int REPROBE_EXCHANGES_MIN = 16;
    /** ... and only for queueing beyond this plus 4 timestamp errors (a calm link is not asked twice for nothing). */
    static final long REPROBE_FLOOR_NANOS = 1_000;
    /**
     * A server's JOIN cookie is good for this time slot and the one before (16..32 s): a JOIN that does not carry a
     * current one is answered with a CHALLENGE (no state kept), so a recorded JOIN replayed later, after the server
     * restarted or the client's slot expired, takes no client slot.
     */
    static final long JOIN_COOKIE_SLOT_NANOS = 16_000_000_000L;
    /** Every this many missed cycles a JOIN goes along (the server may have restarted and forgotten us). */
    static final int MISSES_REJOIN = 8;
    /** Longest JOIN backoff, in cycles; a refused join retries after {@link #JOIN_REFUSED_RETRY_CYCLES}. */
    static final int JOIN_BACKOFF_CYCLES_MAX = 16;
    static final int JOIN_REFUSED_RETRY_CYCLES = 100;
    /** Reputation: gain toward 1 per agreeing cycle, factor per disagreeing cycle, isolation threshold. */
    static final double REPUTATION_GAIN = 0.02;
    static final double REPUTATION_PENALTY = 0.1;
    static final double ISOLATION_REPUTATION = 0.02;
    /** A disagreement beyond this many vote half-widths isolates at the first judged cycle. */
    static final double GROSS_FACTOR = 2;
    /** A peer that reported HOLDOVER or FREE_RUNNING within this is not punished for disagreeing. */
    static final long DEGRADED_GRACE_NANOS = 60_000_000_000L;
    /** An isolated source must agree for this long without a break to come back, at this reputation. */
    static final long REINSTATE_NANOS = 300_000_000_000L;
    static final double REINSTATED_REPUTATION = 0.1;
    /** A link's change is learned clipped at this many of its vote's scales (a robust mean square). */
    static final double LEARN_CLIP_SCALES = 3;
    /** A source's precision interval: this many of its error scales plus the floor. */
    static final double PRECISION_SIGMAS = 8;
    /**
     * Once the slope is known it is searched within a bracket around the last one (the oscillator wanders slowly):
     * at least this, widened fourfold up to the max when the optimum lands on its edge.
     */
    static final double SLOPE_SEARCH_NEAR = 2e-7;
    static final double SLOPE_SEARCH_NEAR_MAX = 2e-5;
    /** Golden-section steps near the last slope: 0.618^n of the bracket (2e-7 x 0.618^20: 1.3e-11). */
    static final int SLOPE_SEARCH_STEPS = 20;
    /** A link is judged (reputation, leader checks) only once its filter holds this many exchanges ... */
    static final int JUDGE_EXCHANGES_MIN = 16;
    /** ... spread over at least the filter window divided by this. */
    static final long JUDGE_WINDOW_FRACTION = 8;
    /** Election timeout: uniformly this many rounds (doubled for a master without its reference). */
    static final int ELECTION_ROUNDS_MIN = 3;
    static final int ELECTION_ROUNDS_MAX = 6;
    /** Consecutive inconsistent updates after which a follower deposes the leader. */
    static final int DEPOSE_AFTER_UPDATES = 2;
    /** A client that sent nothing for this long may lose its slot to a new one. */
    static final long CLIENT_IDLE_NANOS = 600_000_000_000L;
    /** Automatic sample period at most (under the appliance's default holdover-after of 5 s). */
    static final long SAMPLE_PERIOD_AUTO_MAX_NANOS = 4_000_000_000L;
    /** The automatic sample period is at least the filter window over this. */
    static final long SAMPLE_PERIOD_WINDOW_FRACTION = 256;
    /** The discipline's window, in samples (SampleWindow.SAMPLES_MAX): the automatic sample period spreads them. */
    static final int DISCIPLINE_WINDOW_SAMPLES = 64;
    /** A gateway polls no slower than this whatever its servers ask. */
    static final long SERVER_POLL_NANOS_MAX = 64_000_000_000L;
    /**
     * The filter window that balances the envelope's error (about jitter x poll / window) against a wandering
     * oscillator's (about wander x window^1.5): {@code WINDOW_REF x (jitter x poll / (WINDOW_REF_JITTER_POLL x
     * wander))^0.4}. Calibrated on the simulator's links (docs/clocklink.md): 64 s for 50 us of exponential jitter
     * polled every 100 ms under 1 ppb/sqrt(s).
     */
    static final long WINDOW_REF_NANOS = 64_000_000_000L;
    static final double WINDOW_REF_JITTER_POLL_NANOS_SECONDS = 5_000;
    static final double WINDOW_EXPONENT = 0.4;
    /** A window holds at least this many polls. */
    static final int WINDOW_POLLS_MIN = 32;
    /** A peer's bound at or past this (4.29 s, the wire's u32 limit) is unusable. */
    static final long PEER_BOUND_USABLE_MAX = Wire.U32_MAX - 1;

    // Verdict codes in updates and status.
    static final int V_SELECTED = 0;
    static final int V_OUTLIER = 1;
    static final int V_FALSETICKER = 2;
    static final int V_EXCLUDED = 3;
    static final int V_NO_MAJORITY = 4;
    static final int V_ISOLATED = 5;
    static final int V_UNREACHABLE = 6;
    static final int V_NO_DATA = 7;
    static final String[] VERDICT_NAMES = {"SELECTED", "OUTLIER", "FALSETICKER", "EXCLUDED", "NO_MAJORITY",
        "ISOLATED", "UNREACHABLE", "NO_DATA"};

    enum LinkState { JOINING, ACTIVE, UNREACHABLE, REFUSED }

    /** A configured peer: measured by us, and (masters) measuring us. */
    static final class Link {
        final int index;
        final long token;
        final String label;
        final LinkFilter filter;
        final ReplayWindow replay = new ReplayWindow();
        final long[] drops = new long[DropReason.VALUES.length];
        String name = "";
        int nodeNumber;
        boolean numberKnown;
        int role;
        boolean hasReference;
        LinkState state = LinkState.JOINING;
        long joinCycle = Long.MIN_VALUE / 2;
        int joinBackoffCycles = 1;
        long joinCookie; // the server's last CHALLENGE cookie, sent with every JOIN
        long challengeCycle = Long.MIN_VALUE; // answered a CHALLENGE at once at most once a cycle
        final long[] pendingSeq = new long[PENDING_MAX];
        final long[] pendingT1 = new long[PENDING_MAX];
        int pendingNext;
        boolean requested;
        boolean answered;
        boolean reprobed; // asked a second time this cycle
        boolean reprobeAnswered;
        int misses;
        long peerBoundNanos;
        int peerStatus;
        int peerLeap;
        int peerTier;
        long lastResponseMono = Long.MIN_VALUE;
        long lastDegradedMono = Long.MIN_VALUE / 2; // last response whose status was HOLDOVER or FREE_RUNNING
        long exchanges;
        double reputation = 1;
        boolean isolated;
        long agreeingSinceMono = Long.MIN_VALUE;
        double precisionSq = -1; // mean square of (value - result): the weight in the combination
        boolean baselineSet;
        double baselineNanos; // the learned fixed part of (value - result): the path's asymmetry
        double changeSq = -1; // mean square of (value - result - baseline): the vote's scale
        long voteX;
        long voteHalfWidthX;
        int verdict = V_NO_DATA;
        boolean votedForMe;
        long txCounter;
        long serverPollNanos; // the poll interval this server asks of us (0: none)
        // This cycle's estimate (x = peer - mono at the cycle's instant).
        boolean usable;
        long valueX;
        long boundX;
        long precisionX;
        long uncertaintyX;
        int selIndex = -1;

        Link(int index, ClocklinkConfig.Peer peer, ClocklinkConfig config) {
            this.index = index;
            this.token = peer.addressToken();
            this.label = peer.label();
            this.filter = new LinkFilter(config.filterWindowNanos(), config.frequencyTolerancePpb(),
                    config.timestampErrorNanos());
            for (int i = 0; i < PENDING_MAX; i++) {
                pendingSeq[i] = Long.MIN_VALUE;
            }
        }

        double weight() {
            if (isolated || !usable) {
                return 0;
            }
            return reputation;
        }
    }

    /** A client that joined. */
    static final class Client {
        boolean used;
        int nodeNumber;
        long token;
        final ReplayWindow replay = new ReplayWindow();
        long lastHeardMono;
        final byte[] name = new byte[Wire.NAME_BYTES_MAX];
        int nameLength;
        int role;
        long requests;
        long txCounter;
        final long[] drops = new long[DropReason.VALUES.length];
    }

    private final ClocklinkConfig config;
    private final LocalClock clock;
    private final Outbox outbox;
    private final Consumer<Sample> sampleSink;
    private final ClocklinkAuth auth;
    private final int nodeNumber;
    private final boolean master;
    private final SplittableRandom random;
    private final Link[] links;
    private final Client[] clients;
    private final LongIntMap clientByToken;
    private final int mastersTotal;

    private final byte[] txBuf = new byte[Wire.MESSAGE_BYTES_MAX];
    private final ClocklinkMessage tx = new ClocklinkMessage();
    private final ClocklinkMessage rx = new ClocklinkMessage();
    private final ClockReading reading = new ClockReading();
    private final Selection selection;
    private final Selection sampleSelection;

    private final byte[] nameBytes;
    private final long[] drops = new long[DropReason.VALUES.length];
    private long strangerCounter; // sequence counter for addresses that are neither peers nor clients
    private int incarnation;

    // Cycle state.
    private boolean started;
    private long cycle;
    private long cycleStartNext = Long.MAX_VALUE;
    private boolean cycleOpen;
    private boolean cycleRetried;
    private long cycleStartMono;
    private long retries;
    private long reprobes;
    private long cycleDeadline = Long.MAX_VALUE;
    private int cyclePolled;
    private int cycleAnswered;
    private long fastTrackFromCycle;
    private double slope;
    private boolean slopeKnown;
    private final boolean[] slopeLinks;
    private double slopeSearchNear = SLOPE_SEARCH_NEAR;
    private final DoubleUnaryOperator totalGapOfSlope = this::totalGap;
    private boolean referenceAvailable;
    private long lastSampleMono = Long.MIN_VALUE;
    private long samplesEmitted;
    private int tier;
    private long serversPollNanos; // a gateway: the (upper) median of what its servers ask
    private final long[] pollScratch;
    private long windowNanosNow; // the longest window a link uses now (sizes the automatic sample period)
    private int clientsUsed;
    private int clientPollCode; // what this server asks of its clients

    // Self, for masters.
    private long selfX;
    private long selfBound;
    private boolean selfUsable;
    private int selfSelIndex = -1;

    // Last combination (x = truth - mono at lastResultMono).
    private boolean resultValid;
    private long resultMono;
    private long resultX;
    private long resultBound;
    private long resultPrecision;
    private long resultOffsetSelfNanos; // master: own clock minus fleet, from this node's own view

    // Election (masters).
    private State state;
    private long term;
    private int votedFor; // node number; 0 = none
    private boolean votedThisTerm;
    private int votes;
    private Link leaderLink; // null: none known, or self when state == LEADER
    private long electionDeadline = Long.MAX_VALUE;
    private long lastHeartbeatMono = Long.MIN_VALUE;
    private int inconsistentUpdates;
    private double updateCheckSq = -1;
    private boolean updateBaselineSet;
    private int updateBaselineLeader;
    private double updateBaselineNanos;
    private long deposals;
    private long elections;
    private long updatesSent;
    private long updatesReceived;
    private int observedLeader;

    // Traffic.
    private long messagesSent;
    private long bytesSent;
    private long messagesReceived;
    private long joinsRefused;
    private long joinChallenges;

    /**
     * @param clock      the local published clock (read at mono instants for t2/t3 and for the master's own vote)
     * @param outbox     sends datagrams to an address token
     * @param sampleSink receives the node's {@link Sample}s (the combination of its upstreams)
     */
    public ClocklinkNode(ClocklinkConfig config, LocalClock clock, Outbox outbox, Consumer<Sample> sampleSink) {
        this.config = config;
        this.clock = clock;
        this.outbox = outbox;
        this.sampleSink = sampleSink;
        this.auth = new ClocklinkAuth(config.keys());
        this.nodeNumber = config.nodeNumber();
        this.master = config.role() == ClocklinkConfig.Role.MASTER;
        this.random = new SplittableRandom(config.seed());
        this.links = new Link[config.peers().size()];
        for (int i = 0; i < links.length; i++) {
            links[i] = new Link(i, config.peers().get(i), config);
        }
        this.slopeLinks = new boolean[links.length];
        this.pollScratch = new long[links.length];
        this.clients = new Client[config.clientsMax()];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = new Client();
        }
        this.clientByToken = new LongIntMap(Math.max(1, config.clientsMax()));
        this.mastersTotal = master ? links.length + 1 : 0;
        this.selection = new Selection(Math.min(Selection.SOURCES_MAX, links.length + 1));
        this.sampleSelection = new Selection(Math.min(Selection.SOURCES_MAX, Math.max(1, links.length)));
        this.nameBytes = config.nodeId().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.incarnation = config.incarnation();
        this.state = master ? State.FOLLOWER : State.GATEWAY;
        this.tier = master ? 0 : 1;
    }

    // ---------------------------------------------------------------- driving

    /** Starts the node at {@code nowMonoNanos}; returns the instant it wants {@link #onTimer} next. */
    public long start(long nowMonoNanos) {
        if (started) {
            return nextWakeMonoNanos();
        }
        started = true;
        long period = cyclePeriodNanos();
        cycleStartNext = nowMonoNanos + random.nextLong(Math.max(1, period));
        fastTrackFromCycle = 0;
        if (master) {
            electionDeadline = nowMonoNanos + electionTimeoutNanos();
        }
        return nextWakeMonoNanos();
    }

    /** Runs what is due at {@code nowMonoNanos}; returns the instant it wants {@link #onTimer} next. */
    public long onTimer(long nowMonoNanos) {
        if (!started) {
            return start(nowMonoNanos);
        }
        if (cycleOpen && nowMonoNanos >= cycleDeadline && !retryUnanswered(nowMonoNanos)) {
            completeCycle(nowMonoNanos);
        }
        if (nowMonoNanos >= cycleStartNext) {
            startCycle(nowMonoNanos);
            long period = cyclePeriodNanos();
            cycleStartNext += period;
            if (cycleStartNext <= nowMonoNanos) {
                cycleStartNext = nowMonoNanos + period; // we were late by more than a period: keep the cadence from now
            }
        }
        if (master && state != State.LEADER && nowMonoNanos >= electionDeadline) {
            startElection(nowMonoNanos);
        }
        if (!master && !cycleOpen && resultValid && nowMonoNanos >= nextSampleMonoNanos()) {
            extrapolate(nowMonoNanos);
        }
        return nextWakeMonoNanos();
    }

    /** A gateway polling slower than its sample period emits samples between polls at this instant. */
    private long nextSampleMonoNanos() {
        if (master || lastSampleMono == Long.MIN_VALUE || !resultValid) {
            return Long.MAX_VALUE;
        }
        long period = samplePeriodNanos(resultBound);
        return period < cyclePeriodNanos() ? lastSampleMono + period : Long.MAX_VALUE;
    }

    /** The instant the node next wants {@link #onTimer}. */
    public long nextWakeMonoNanos() {
        long t = cycleStartNext;
        if (cycleOpen) {
            t = Math.min(t, cycleDeadline);
        }
        if (master && state != State.LEADER) {
            t = Math.min(t, electionDeadline);
        }
        if (!cycleOpen) {
            t = Math.min(t, nextSampleMonoNanos());
        }
        return t;
    }

    /**
     * One received datagram. Every check runs in order and a failure is a counted drop ({@link #dropped}); the
     * packet is never parsed past the check it failed.
     *
     * @param nowMonoNanos      now (replies are timestamped now)
     * @param rxMonoNanos       the datagram's receive timestamp, as early as the transport took it (&lt;= now)
     * @param peerAddressToken  the adapter's token for the source address (replies go there)
     * @return the instant the node next wants {@link #onTimer}
     */
    public long onPacket(long nowMonoNanos, long rxMonoNanos, byte[] buf, int off, int len, long peerAddressToken) {
        messagesReceived++;
        if (rxMonoNanos > nowMonoNanos) {
            rxMonoNanos = nowMonoNanos;
        }
        Link link = linkByToken(peerAddressToken);
        int clientIndex = link == null ? clientByToken.get(peerAddressToken) : -1;
        DropReason reason = off < 0 || len < 0 || off > buf.length - len ? DropReason.TRUNCATED
                : ClocklinkCodec.checkFrame(buf, off, len);
        if (reason == null) {
            reason = ClocklinkCodec.checkAuth(auth, buf, off, len);
        }
        if (reason != null) {
            return drop(reason, link, clientIndex);
        }
        ClocklinkCodec.decodeHeader(buf, off, rx);
        if (rx.sender == nodeNumber) {
            return drop(DropReason.UNEXPECTED, link, clientIndex); // our own packet reflected back
        }
        if (link != null) {
            if (!link.replay.accept(rx.sequence)) {
                return drop(DropReason.REPLAYED, link, -1);
            }
            reason = ClocklinkCodec.decodeBody(buf, off, len, rx);
            if (reason != null) {
                return drop(reason, link, -1);
            }
            onLinkMessage(link, nowMonoNanos, rxMonoNanos);
            return nextWakeMonoNanos();
        }
        if (clientIndex >= 0) {
            Client c = clients[clientIndex];
            if (c.nodeNumber != rx.sender && rx.type != Wire.TYPE_JOIN) {
                return drop(DropReason.NOT_JOINED, null, clientIndex); // another node behind the address: must join
            }
            if (c.nodeNumber == rx.sender && !c.replay.accept(rx.sequence)) {
                return drop(DropReason.REPLAYED, null, clientIndex);
            }
            reason = ClocklinkCodec.decodeBody(buf, off, len, rx);
            if (reason != null) {
                return drop(reason, null, clientIndex);
            }
            onClientMessage(clientIndex, peerAddressToken, nowMonoNanos, rxMonoNanos);
            return nextWakeMonoNanos();
        }
        if (rx.type != Wire.TYPE_JOIN) {
            return drop(DropReason.NOT_JOINED, null, -1);
        }
        reason = ClocklinkCodec.decodeBody(buf, off, len, rx);
        if (reason != null) {
            return drop(reason, null, -1);
        }
        onJoin(peerAddressToken, nowMonoNanos);
        return nextWakeMonoNanos();
    }

    /**
     * Tells a master whether its clock is on its own reference (the app's selection chose the master's GNSS):
     * it then votes with its own clock as a strong source, says so in its flags, and may lead.
     */
    public void setReferenceAvailable(boolean available) {
        this.referenceAvailable = available;
    }

    // ---------------------------------------------------------------- cycles

    private long cyclePeriodNanos() {
        if (master) {
            return config.roundPeriodNanos();
        }
        long own = cycle - fastTrackFromCycle < config.fastTrackCycles() ? config.roundPeriodNanos() : config.pollPeriodNanos();
        return Math.max(own, serversPollNanos);
    }

    /**
     * What a gateway's servers ask: the upper median of the intervals its active, trusted upstreams advertise (0 for
     * none), so that a faulty minority can neither slow it down nor speed it up beyond what an honest server asks.
     */
    private long serversPoll() {
        int n = 0;
        for (Link link : links) {
            if (link.state == LinkState.ACTIVE && !link.isolated) {
                long p = link.serverPollNanos;
                int k = n++;
                while (k > 0 && pollScratch[k - 1] > p) {
                    pollScratch[k] = pollScratch[k - 1];
                    k--;
                }
                pollScratch[k] = p;
            }
        }
        return n == 0 ? 0 : Math.min(SERVER_POLL_NANOS_MAX, pollScratch[n / 2]);
    }

    private void startCycle(long now) {
        if (cycleOpen) {
            completeCycle(now);
        }
        cycle++;
        if (!master) {
            serversPollNanos = serversPoll();
        }
        int polled = 0;
        for (Link link : links) {
            if (link.requested && !link.answered) {
                link.misses++;
                if (link.misses >= MISSES_UNREACHABLE && link.state == LinkState.ACTIVE) {
                    link.state = LinkState.UNREACHABLE;
                }
            }
            link.requested = false;
            link.answered = false;
            link.reprobed = false;
            link.reprobeAnswered = false;
            switch (link.state) {
                case JOINING, REFUSED -> {
                    int wait = link.state == LinkState.REFUSED ? JOIN_REFUSED_RETRY_CYCLES : link.joinBackoffCycles;
                    if (cycle - link.joinCycle >= wait) {
                        sendJoin(link);
                        link.joinCycle = cycle;
                        link.joinBackoffCycles = Math.min(JOIN_BACKOFF_CYCLES_MAX, link.joinBackoffCycles * 2);
                    }
                }
                case ACTIVE, UNREACHABLE -> {
                    if (link.misses > 0 && link.misses % MISSES_REJOIN == 0) {
                        sendJoin(link);
                    }
                    sendRequest(link, now);
                    link.requested = true;
                    polled++;
                }
            }
        }
        if (master && state == State.CANDIDATE) {
            sendVoteRequests(); // retransmitted every round until the election is decided
        }
        cyclePolled = polled;
        cycleAnswered = 0;
        cycleOpen = true;
        cycleRetried = false;
        cycleStartMono = now;
        cycleDeadline = now + Math.max(1, cyclePeriodNanos() / 2);
        if (polled == 0) {
            completeCycle(now);
        }
    }

    /** At the cycle's first deadline: re-sends the requests that look lost; true when it did (the cycle waits on). */
    private boolean retryUnanswered(long now) {
        if (cycleRetried) {
            return false;
        }
        cycleRetried = true;
        boolean any = false;
        for (Link link : links) {
            long minDelay = link.filter.minDelayNanos();
            if (link.requested && !link.answered && link.state == LinkState.ACTIVE && minDelay > 0
                    && now - cycleStartMono >= RETRY_AFTER_ROUND_TRIPS * minDelay) {
                sendRequest(link, now);
                retries++;
                any = true;
            }
        }
        if (any) {
            cycleDeadline = now + Math.max(1, cyclePeriodNanos() / 4);
        }
        return any;
    }

    private void completeCycle(long now) {
        cycleOpen = false;
        cycleDeadline = Long.MAX_VALUE;
        combine(now);
    }

    /**
     * At the end of a cycle: sizes the windows, refits the common slope, combines the links' estimates at {@code now},
     * judges the links (reputation) and, on the leader, sends the update. Between a gateway's slow polls
     * {@link #extrapolate} carries the result on, so the discipline gets samples at the sample period.
     */
    private void combine(long now) {
        sizeWindows();
        updateSlope();
        selection.clear();
        int usableLinks = 0;
        for (Link link : links) {
            link.selIndex = -1;
            link.usable = estimate(link, now);
            if (link.usable) {
                usableLinks++;
            }
            if (link.usable && link.weight() > 0) {
                link.selIndex = selection.add(link.valueX, link.boundX, link.precisionX, link.weight(), link.voteX,
                        link.voteHalfWidthX);
            }
        }
        if (usableLinks == 0 && !master && cycle > fastTrackFromCycle + 1) {
            fastTrackFromCycle = cycle; // lost every source: fast-track again when they come back
        }
        selfSelIndex = -1;
        selfUsable = false;
        if (master) {
            clock.read(now, reading);
            if (reading.status != ClockStatus.UNSYNCHRONIZED && reading.boundNanos < PEER_BOUND_USABLE_MAX) {
                selfUsable = true;
                selfX = reading.epochNanos - now;
                selfBound = reading.boundNanos + config.timestampErrorNanos();
                long selfPrecision = selfBound + config.precisionFloorNanos();
                selfSelIndex = selection.add(selfX, selfBound, selfPrecision, 1.0);
            }
        }
        resultValid = selection.count() > 0 && selection.select();
        if (resultValid) {
            resultMono = now;
            resultX = selection.valueNanos();
            resultBound = selection.boundNanos();
            resultPrecision = selection.precisionNanos();
            resultOffsetSelfNanos = selfUsable ? selfX - resultX : 0;
        }
        judge(now);
        if (master) {
            // The master's own sample must not count its own clock.
            sampleSelection.clear();
            for (Link link : links) {
                if (link.usable && link.weight() > 0) {
                    sampleSelection.add(link.valueX, link.boundX, link.precisionX, link.weight());
                }
            }
            if (sampleSelection.count() > 0 && sampleSelection.select()) {
                emitSample(now, sampleSelection);
            }
            if (state == State.LEADER && resultValid) {
                sendUpdates();
            }
        } else if (resultValid) {
            emitSample(now, selection);
        }
    }

    /** This cycle's estimate of link x at now: value (filtered), honest bound, precision. */
    private boolean estimate(Link link, long now) {
        if (link.state == LinkState.JOINING || link.state == LinkState.REFUSED || !link.filter.hasData()
                || link.misses >= MISSES_UNREACHABLE || link.peerStatus == ClockStatus.UNSYNCHRONIZED.ordinal()
                || now - link.lastResponseMono > link.filter.windowNanos()) {
            return false;
        }
        if (!link.filter.honestInterval(now)) {
            return false;
        }
        long lo = link.filter.honestLow;
        long hi = link.filter.honestHigh;
        long v = link.filter.valueAt(now, slope);
        v = Math.max(lo, Math.min(hi, v));
        link.valueX = v;
        link.boundX = Math.max(v - lo, hi - v);
        long uncertainty = link.filter.uncertaintyNanos(now, slopeKnown);
        link.uncertaintyX = uncertainty;
        double scale = Math.max(link.precisionSq < 0 ? 0 : Math.sqrt(link.precisionSq), uncertainty);
        link.precisionX = (long) Math.ceil(PRECISION_SIGMAS * scale) + config.precisionFloorNanos();
        double voteScale = Math.max(link.changeSq < 0 ? 0 : Math.sqrt(link.changeSq), uncertainty);
        link.voteX = v - (link.baselineSet ? Math.round(link.baselineNanos) : 0);
        link.voteHalfWidthX = (long) Math.ceil(PRECISION_SIGMAS * voteScale) + config.precisionFloorNanos();
        if (!link.baselineSet) {
            link.voteHalfWidthX = Math.max(link.voteHalfWidthX, link.precisionX);
        }
        return true;
    }

    /** Sizes each link's filter window from its measured jitter and the poll period (see {@link #windowNanosFor}). */
    private void sizeWindows() {
        long period = cyclePeriodNanos();
        long longest = 0;
        for (Link link : links) {
            double jitter = link.filter.meanExcessNanos();
            if (jitter >= 0) {
                link.filter.setWindow(windowNanosFor(jitter, period));
            }
            if (link.filter.hasData()) {
                longest = Math.max(longest, Math.min(link.filter.windowNanos(), (long) link.filter.spanNanos()));
            }
        }
        windowNanosNow = longest;
    }

    /**
     * The window for a link with this queueing jitter (mean excess delay one way) polled every {@code periodNanos}:
     * the envelope errs by about jitter / exchanges in the window, a wandering oscillator bends the fitted line by
     * about wander x window^1.5; their sum is least near {@code WINDOW_REF x (jitter x poll / (5 us s x wander))^0.4}.
     * At least {@value #WINDOW_POLLS_MIN} polls, at most the configured window.
     */
    long windowNanosFor(double jitterNanos, long periodNanos) {
        return windowNanosFor(jitterNanos, periodNanos, config.wanderPpbPerSqrtSecond(), config.filterWindowNanos());
    }

    /** {@link #windowNanosFor(double, long)} for any oscillator and window limit (the bench sizes its filters so). */
    static long windowNanosFor(double jitterNanos, long periodNanos, double wanderPpbPerSqrtSecond,
            long filterWindowNanos) {
        double jitterPoll = Math.max(1, jitterNanos) * (periodNanos / 1e9);
        double w = WINDOW_REF_NANOS * Math.pow(jitterPoll / (WINDOW_REF_JITTER_POLL_NANOS_SECONDS
                * wanderPpbPerSqrtSecond), WINDOW_EXPONENT);
        w = Math.max(w, (double) WINDOW_POLLS_MIN * periodNanos);
        return (long) Math.min(filterWindowNanos, w);
    }

    /**
     * The node's common slope of x (the local oscillator against true time, the same on every honest link): the slope
     * that maximises the trusted links' summed envelope gaps (concave: a golden-section search), near the last one once known.
     */
    private void updateSlope() {
        int n = 0;
        for (Link link : links) {
            slopeLinks[link.index] = !link.isolated && link.state == LinkState.ACTIVE && link.filter.bins() >= 2
                    && link.reputation >= 0.5;
            if (slopeLinks[link.index]) {
                n++;
            }
        }
        if (n > 0) {
            double limit = 2.0 * config.frequencyTolerancePpb() * 1e-9;
            double near = slopeSearchNear;
            double lo = slopeKnown ? Math.max(-limit, slope - near) : -limit;
            double hi = slopeKnown ? Math.min(limit, slope + near) : limit;
            double found = goldenSectionMax(totalGapOfSlope, lo, hi, slopeKnown ? SLOPE_SEARCH_STEPS : 3 * SLOPE_SEARCH_STEPS);
            if (slopeKnown) {
                slopeSearchNear = nextSlopeSearchNear(near, found - slope);
            }
            slope = found;
            slopeKnown = true;
        }
        for (Link link : links) {
            link.filter.setSlope(slope);
        }
    }

    /** Golden-section search for the maximum of a concave {@code f} on [lo, hi]: one evaluation a step. */
    static double goldenSectionMax(DoubleUnaryOperator f, double lo, double hi, int steps) {
        double r = 0.6180339887498949;
        double a = hi - r * (hi - lo);
        double b = lo + r * (hi - lo);
        double ga = f.applyAsDouble(a);
        double gb = f.applyAsDouble(b);
        for (int it = 0; it < steps; it++) {
            if (ga < gb) {
                lo = a;
                a = b;
                ga = gb;
                b = lo + r * (hi - lo);
                gb = f.applyAsDouble(b);
            } else {
                hi = b;
                b = a;
                gb = ga;
                a = hi - r * (hi - lo);
                ga = f.applyAsDouble(a);
            }
        }
        return (lo + hi) / 2;
    }

    /** The next search bracket: the slope moved to the bracket's edge: widen it (x4), else narrow it (/2). */
    static double nextSlopeSearchNear(double near, double moved) {
        boolean edge = Math.abs(moved) > 0.9 * near;
        return edge ? Math.min(SLOPE_SEARCH_NEAR_MAX, near * 4) : Math.max(SLOPE_SEARCH_NEAR, near / 2);
    }

    private double totalGap(double s) {
        double g = 0;
        for (Link link : links) {
            if (slopeLinks[link.index]) {
                g += link.reputation * link.filter.gap(s);
            }
        }
        return g;
    }

    /** Reputation from this cycle's selection; isolated sources earn their way back only by agreeing long. */
    private void judge(long now) {
        boolean decisive = resultValid && selection.decisive();
        for (Link link : links) {
            if (!link.usable) {
                link.verdict = link.state == LinkState.UNREACHABLE || link.misses >= MISSES_UNREACHABLE ? V_UNREACHABLE
                        : link.isolated ? V_ISOLATED : V_NO_DATA;
                continue;
            }
            if (link.isolated) {
                link.verdict = V_ISOLATED;
                if (resultValid) {
                    boolean agrees = Math.abs(link.voteX - resultX) <= link.voteHalfWidthX;
                    if (!agrees) {
                        link.agreeingSinceMono = Long.MIN_VALUE;
                    } else if (link.agreeingSinceMono == Long.MIN_VALUE) {
                        link.agreeingSinceMono = now;
                    } else if (now - link.agreeingSinceMono >= REINSTATE_NANOS) {
                        link.isolated = false;
                        link.reputation = REINSTATED_REPUTATION;
                        link.agreeingSinceMono = Long.MIN_VALUE;
                    }
                }
                continue;
            }
            if (link.selIndex < 0) {
                link.verdict = V_EXCLUDED;
                continue;
            }
            Verdict v = selection.verdict(link.selIndex);
            link.verdict = v.wireCode();
            boolean judged = decisive && judgeable(link);
            if (resultValid && (v == Verdict.SELECTED || !judged)) {
                learn(link);
            }
            if (!judged) {
                continue;
            }
            if (v == Verdict.SELECTED) {
                link.reputation += (1 - link.reputation) * REPUTATION_GAIN;
            } else if ((v == Verdict.OUTLIER || v == Verdict.FALSETICKER)
                    && now - link.lastDegradedMono >= DEGRADED_GRACE_NANOS) {
                // A peer that said recently it was coasting may come back with a correction: not a liar. Otherwise a
                // disagreement far beyond its vote interval isolates at once; a marginal one needs two cycles.
                boolean gross = Math.abs(link.voteX - resultX) > GROSS_FACTOR * link.voteHalfWidthX;
                link.reputation *= gross ? REPUTATION_PENALTY * REPUTATION_PENALTY : REPUTATION_PENALTY;
                if (link.reputation < ISOLATION_REPUTATION) {
                    link.reputation = 0;
                    link.isolated = true;
                    link.agreeingSinceMono = Long.MIN_VALUE;
                }
            }
        }
        if (!master) {
            int best = Integer.MAX_VALUE;
            for (Link link : links) {
                if (link.verdict == V_SELECTED) {
                    best = Math.min(best, link.peerTier);
                }
            }
            if (best != Integer.MAX_VALUE) {
                tier = Math.min(ClocklinkCodec.TIER_MAX, best + 1);
            }
        }
    }

    /**
     * Learns a trusted link's disagreement with the combination: its mean square (the link's weight), its fixed part
     * (the baseline: a path asymmetry) and the spread around that (the vote's scale).
     */
    private void learn(Link link) {
        double d = link.valueX - (double) resultX;
        link.precisionSq = link.precisionSq < 0 ? d * d : link.precisionSq + (d * d - link.precisionSq) / 32;
        if (!link.baselineSet) {
            link.baselineSet = true;
            link.baselineNanos = d;
        }
        // Robustly: a change beyond a few of the vote's scales is clipped, so a lie that begins (selected while it is
        // still within the vote) neither drags the baseline nor widens the vote that is about to catch it.
        double scale = Math.max(link.changeSq < 0 ? 0 : Math.sqrt(link.changeSq), link.uncertaintyX);
        double limit = LEARN_CLIP_SCALES * Math.max(1, scale);
        double c = Math.max(-limit, Math.min(limit, d - link.baselineNanos));
        link.baselineNanos += c / 64;
        link.changeSq = link.changeSq < 0 ? c * c : link.changeSq + (c * c - link.changeSq) / 32;
    }

    /** A link's filter has seen enough (exchanges, and an eighth of its window) to hold its disagreement against it. */
    private boolean judgeable(Link link) {
        return link.filter.exchangesInWindow() >= JUDGE_EXCHANGES_MIN
                && link.filter.spanNanos() >= link.filter.windowNanos() / JUDGE_WINDOW_FRACTION;
    }

    /**
     * Between a gateway's polls: the last combination carried to now. Every link's value moves with the common slope,
     * so the combination does; the truth moves at most the oscillator tolerance, so the bound grows by that and the
     * slope's own excursion, and stays honest under the same assumption as the combination's.
     */
    private void extrapolate(long now) {
        long dt = Math.max(0, now - resultMono);
        long x = resultX + Math.round(slope * dt);
        long grow = (long) Math.ceil(dt * (Math.abs(slope) + config.frequencyTolerancePpb() * 1e-9)) + 1;
        lastSampleMono = now; // due (nextSampleMonoNanos): emitted or not, the next one is a period on
        emitSample(now, x, resultBound + grow, true);
    }

    private void emitSample(long now, Selection sel) {
        emitSample(now, sel.valueNanos(), sel.boundNanos(), false);
    }

    private void emitSample(long now, long valueX, long boundNanos, boolean due) {
        if (boundNanos >= Sample.ERROR_NANOS_MAX) {
            return;
        }
        if (!due && lastSampleMono != Long.MIN_VALUE && now - lastSampleMono < samplePeriodNanos(boundNanos)) {
            return;
        }
        long refBound = Long.MAX_VALUE;
        int leap = 0;
        for (Link link : links) {
            if (link.selIndex >= 0 && link.verdict == V_SELECTED) {
                refBound = Math.min(refBound, link.peerBoundNanos);
                leap = link.peerLeap;
            }
        }
        if (refBound == Long.MAX_VALUE || refBound > boundNanos) {
            refBound = 0;
        }
        lastSampleMono = now;
        samplesEmitted++;
        sampleSink.accept(new Sample(SOURCE_NAME, now, now + valueX, refBound, boundNanos - refBound,
                LeapIndicator.values()[Math.min(leap, LeapIndicator.values().length - 1)]));
    }

    private long samplePeriodNanos(long errorNanos) {
        return config.samplePeriodNanos() > 0 ? config.samplePeriodNanos() : autoSamplePeriodNanos(errorNanos);
    }

    /**
     * The automatic sample period: {@code filterWindow / 256} (the discipline then follows the filter closely: its
     * {@value #DISCIPLINE_WINDOW_SAMPLES} samples span a quarter of the filter window), but spread enough that the
     * discipline can use their slope (it does once the slope's worst-case noise, about 3 x error / span, is under its
     * frequencyPpbMax: span >= 6 x error / frequencyPpbMax); never faster than the round, never slower than 4 s.
     */
    long autoSamplePeriodNanos(long errorNanos) {
        double gateSpanNanos = 6.0 * errorNanos / (config.disciplineFrequencyPpbMax() * 1e-9);
        long p = Math.max(windowNanosNow / SAMPLE_PERIOD_WINDOW_FRACTION,
                (long) (gateSpanNanos / DISCIPLINE_WINDOW_SAMPLES));
        return Math.min(SAMPLE_PERIOD_AUTO_MAX_NANOS, Math.max(config.roundPeriodNanos(), p));
    }

    // ---------------------------------------------------------------- messages from configured peers

    private void onLinkMessage(Link link, long now, long rxMono) {
        if (link.numberKnown && link.nodeNumber != rx.sender) {
            // Another node answers at this address now (a replacement): learn it afresh.
            link.filter.reset();
            link.replay.reset();
            link.replay.accept(rx.sequence);
        }
        link.nodeNumber = rx.sender;
        link.numberKnown = true;
        link.role = rx.role;
        link.hasReference = rx.hasReferenceFlag();
        switch (rx.type) {
            case Wire.TYPE_JOIN -> {
                if (rx.nameLength > 0) {
                    link.name = rx.nameString();
                }
                sendJoinAck(link.token, Wire.JOIN_ACCEPTED, rx.sequence);
            }
            case Wire.TYPE_JOIN_ACK -> {
                link.name = rx.nameString();
                if (rx.joinResult == Wire.JOIN_ACCEPTED) {
                    if (link.state == LinkState.JOINING || link.state == LinkState.REFUSED) {
                        link.state = LinkState.ACTIVE;
                        link.misses = 0;
                    }
                    link.joinBackoffCycles = 1;
                } else if (rx.joinResult == Wire.JOIN_CHALLENGE) {
                    link.joinCookie = rx.cookie;
                    if (link.challengeCycle != cycle) {
                        link.challengeCycle = cycle;
                        sendJoin(link); // at once, with the cookie; the backoff retransmits it if this one is lost
                    }
                } else {
                    link.state = LinkState.REFUSED;
                    link.joinCycle = cycle;
                }
            }
            case Wire.TYPE_SYNC_REQUEST -> {
                if (master && rx.role == Wire.ROLE_MASTER) {
                    onMasterRequest(link, now);
                }
                respond(link.token, rx.sequence, rxMono, now, false);
            }
            case Wire.TYPE_SYNC_RESPONSE -> onResponse(link, now, rxMono);
            case Wire.TYPE_SYNC_UPDATE -> onUpdate(link, now);
            case Wire.TYPE_VOTE_REQUEST -> onVoteRequest(link, now);
            case Wire.TYPE_VOTE_RESPONSE -> onVoteResponse(link, now);
            default -> drop(DropReason.UNEXPECTED, link, -1);
        }
    }

    private void onResponse(Link link, long now, long rxMono) {
        int p = -1;
        for (int i = 0; i < PENDING_MAX; i++) {
            if (link.pendingSeq[i] == rx.echoSequence) {
                p = i;
                break;
            }
        }
        if (p < 0) {
            drop(DropReason.UNEXPECTED, link, -1); // answers nothing we asked (late past PENDING_MAX, or duplicated)
            return;
        }
        long t1 = link.pendingT1[p];
        link.pendingSeq[p] = Long.MIN_VALUE;
        long t4 = rxMono;
        long t2 = rx.rxEpochNanos;
        long t3 = rx.txEpochNanos;
        long delayNanos = (t4 - t1) - (t3 - t2);
        long slack = 2 * config.timestampErrorNanos() + 2 * Math.min(rx.boundNanos, 1_000_000_000L) + 1_000;
        if (t4 < t1 || delayNanos < -slack) {
            drop(DropReason.UNEXPECTED, link, -1); // a negative round trip: not a real exchange
            return;
        }
        if (master && rx.role == Wire.ROLE_MASTER) {
            observeTerm(link, rx.term, now);
        } else {
            observeGatewayTerm(rx.term, rx.leader);
        }
        boolean firstAnswer = !link.answered; // a retried request may be answered twice
        link.answered = true;
        link.misses = 0;
        if (link.state == LinkState.UNREACHABLE) {
            link.state = LinkState.ACTIVE;
        }
        link.lastResponseMono = now;
        if (rx.status == ClockStatus.HOLDOVER.ordinal() || rx.status == ClockStatus.FREE_RUNNING.ordinal()) {
            link.lastDegradedMono = now; // it was synchronized and is coasting: a correction may follow
        }
        link.peerStatus = rx.status;
        link.peerLeap = rx.leap;
        link.peerTier = rx.tier;
        link.peerBoundNanos = rx.boundNanos;
        link.serverPollNanos = Wire.pollNanos(rx.pollCode);
        link.exchanges++;
        boolean usable = rx.status != ClockStatus.UNSYNCHRONIZED.ordinal() && rx.boundNanos <= PEER_BOUND_USABLE_MAX;
        boolean reprobe = false;
        if (usable) {
            reprobe = cycleOpen && firstAnswer && !link.reprobed && !link.isolated
                    && link.filter.exchangesInWindow() >= REPROBE_EXCHANGES_MIN
                    && link.filter.queueingExcessNanos(t1, t2, t3, t4) > Math.max(REPROBE_JITTERS * link.filter.meanExcessNanos(),
                            REPROBE_FLOOR_NANOS + 4.0 * config.timestampErrorNanos());
            link.filter.add(t1, t2, t3, t4, rx.boundNanos);
        }
        if (firstAnswer) {
            cycleAnswered++;
        } else if (link.reprobed && !link.reprobeAnswered) {
            link.reprobeAnswered = true;
            cycleAnswered++;
        }
        if (reprobe) {
            link.reprobed = true;
            cyclePolled++;
            reprobes++;
            sendRequest(link, now);
        }
        if (cycleOpen && cycleAnswered >= cyclePolled) {
            completeCycle(now);
        }
    }

    // ---------------------------------------------------------------- serving

    private void onClientMessage(int index, long token, long now, long rxMono) {
        Client c = clients[index];
        switch (rx.type) {
            case Wire.TYPE_SYNC_REQUEST -> {
                c.lastHeardMono = now;
                c.requests++;
                respond(token, rx.sequence, rxMono, now, true);
            }
            case Wire.TYPE_JOIN -> {
                if (c.nodeNumber != rx.sender) {
                    // A different node at this address: it takes the slot over only through a fresh join.
                    if (!cookieGood(token, now)) {
                        return; // the client keeps its slot until the newcomer proves it is live
                    }
                    clientByToken.remove(token);
                    c.used = false;
                    clientsChanged(-1);
                    onJoin(token, now);
                    return;
                }
                c.lastHeardMono = now;
                System.arraycopy(rx.name, 0, c.name, 0, rx.nameLength);
                c.nameLength = rx.nameLength;
                sendJoinAck(token, Wire.JOIN_ACCEPTED, rx.sequence);
            }
            default -> drop(DropReason.UNEXPECTED, null, index);
        }
    }

    /** A JOIN from an address that is neither a peer nor a client: take it as a client if there is room. */
    private void onJoin(long token, long now) {
        if (!master && !config.serveClients()) {
            sendJoinAck(token, Wire.JOIN_REFUSED_ROLE, rx.sequence);
            joinsRefused++;
            return;
        }
        if (!cookieGood(token, now)) {
            return;
        }
        // The same node at a new address (NAT rebinding): move its slot, if the join is fresh.
        for (int i = 0; i < clients.length; i++) {
            Client c = clients[i];
            if (c.used && c.nodeNumber == rx.sender) {
                if (!c.replay.accept(rx.sequence)) {
                    drop(DropReason.REPLAYED, null, i);
                    return;
                }
                clientByToken.remove(c.token);
                c.token = token;
                clientByToken.put(token, i);
                c.lastHeardMono = now;
                sendJoinAck(token, Wire.JOIN_ACCEPTED, rx.sequence);
                return;
            }
        }
        int free = -1;
        for (int i = 0; i < clients.length && free < 0; i++) {
            if (!clients[i].used) {
                free = i;
            }
        }
        if (free < 0) {
            for (int i = 0; i < clients.length && free < 0; i++) {
                if (now - clients[i].lastHeardMono > CLIENT_IDLE_NANOS) {
                    clientByToken.remove(clients[i].token);
                    clients[i].used = false;
                    clientsChanged(-1);
                    free = i;
                }
            }
        }
        if (free < 0) {
            joinsRefused++;
            sendJoinAck(token, Wire.JOIN_REFUSED_FULL, rx.sequence);
            return;
        }
        Client c = clients[free];
        c.used = true;
        clientsChanged(1);
        c.nodeNumber = rx.sender;
        c.token = token;
        c.role = rx.role;
        c.replay.reset();
        c.replay.accept(rx.sequence);
        c.lastHeardMono = now;
        c.requests = 0;
        c.txCounter = strangerCounter; // above anything it may have had from us as a stranger (a refusal)
        java.util.Arrays.fill(c.drops, 0);
        System.arraycopy(rx.name, 0, c.name, 0, rx.nameLength);
        c.nameLength = rx.nameLength;
        clientByToken.put(token, free);
        sendJoinAck(token, Wire.JOIN_ACCEPTED, rx.sequence);
    }

    /**
     * Keeps what this server asks of its clients current: every round while it has at most
     * {@code clientRequestsPerRound} of them, else {@code round x clients / clientRequestsPerRound}, so that it answers
     * about that many requests per round however many clients it has.
     */
    private void clientsChanged(int delta) {
        clientsUsed += delta;
        long interval = clientsUsed <= config.clientRequestsPerRound() ? 0
                : config.roundPeriodNanos() * clientsUsed / config.clientRequestsPerRound();
        clientPollCode = Wire.pollCode(interval);
    }

    private void respond(long token, long requestSequence, long rxMono, long now, boolean toClient) {
        clock.read(rxMono, reading);
        long t2 = reading.epochNanos;
        long b2 = reading.boundNanos;
        ClockStatus status = reading.status;
        clock.read(now, reading);
        long t3 = reading.epochNanos;
        long b3 = reading.boundNanos;
        tx.clear();
        tx.type = Wire.TYPE_SYNC_RESPONSE;
        tx.echoSequence = requestSequence;
        tx.rxEpochNanos = t2;
        tx.txEpochNanos = t3;
        tx.boundNanos = status == ClockStatus.UNSYNCHRONIZED ? Wire.U32_MAX
                : Wire.saturateU32(Math.max(b2, b3) + config.timestampErrorNanos());
        tx.status = reading.status.ordinal();
        tx.leap = clock.leap().ordinal();
        tx.tier = tier;
        tx.pollCode = toClient ? clientPollCode : 0;
        tx.term = term;
        tx.leader = master ? leaderNumber() : observedLeader;
        send(token);
    }

    // ---------------------------------------------------------------- election (masters)

    private long electionTimeoutNanos() {
        long rounds = ELECTION_ROUNDS_MIN + random.nextLong(ELECTION_ROUNDS_MAX - ELECTION_ROUNDS_MIN + 1);
        long t = rounds * config.roundPeriodNanos() + random.nextLong(config.roundPeriodNanos());
        return referenceAvailable ? t : 2 * t;
    }

    private void startElection(long now) {
        term++;
        elections++;
        state = State.CANDIDATE;
        votedFor = nodeNumber;
        votedThisTerm = true;
        votes = 1;
        leaderLink = null;
        for (Link link : links) {
            link.votedForMe = false;
        }
        electionDeadline = now + electionTimeoutNanos();
        if (votes * 2 > mastersTotal) {
            becomeLeader();
            return;
        }
        sendVoteRequests();
    }

    private void becomeLeader() {
        state = State.LEADER;
        leaderLink = null;
        electionDeadline = Long.MAX_VALUE;
    }

    private void sendVoteRequests() {
        for (Link link : links) {
            if (link.state == LinkState.ACTIVE && !link.votedForMe && !link.isolated) {
                tx.clear();
                tx.type = Wire.TYPE_VOTE_REQUEST;
                tx.term = term;
                send(link.token);
            }
        }
    }

    /** Adopts a higher term seen from a master we trust (stepping down). */
    private void observeTerm(Link link, long seenTerm, long now) {
        if (seenTerm > term && !link.isolated) {
            term = seenTerm;
            votedThisTerm = false;
            votedFor = 0;
            if (state != State.FOLLOWER) {
                state = State.FOLLOWER;
                electionDeadline = now + electionTimeoutNanos();
            }
            leaderLink = null;
        }
    }

    private void onMasterRequest(Link link, long now) {
        if (!rx.leaderFlag() || link.isolated || rx.term < term) {
            return;
        }
        if (rx.term > term || state != State.LEADER) {
            observeTerm(link, rx.term, now);
            state = State.FOLLOWER;
            leaderLink = link;
            lastHeartbeatMono = now;
            electionDeadline = now + electionTimeoutNanos();
        }
    }

    private void onVoteRequest(Link link, long now) {
        if (!master || rx.role != Wire.ROLE_MASTER) {
            drop(DropReason.UNEXPECTED, link, -1);
            return;
        }
        boolean grant = false;
        boolean leaderAlive = leaderLink != null && leaderLink != link && !leaderLink.isolated
                && now - lastHeartbeatMono < ELECTION_ROUNDS_MIN * config.roundPeriodNanos();
        if (!link.isolated && rx.term >= term && !(rx.term > term && leaderAlive) && !(state == State.LEADER && rx.term == term)) {
            if (rx.term > term) {
                observeTerm(link, rx.term, now);
            }
            if (!votedThisTerm || votedFor == link.nodeNumber) {
                grant = true;
                votedThisTerm = true;
                votedFor = link.nodeNumber;
                electionDeadline = now + electionTimeoutNanos();
            }
        }
        tx.clear();
        tx.type = Wire.TYPE_VOTE_RESPONSE;
        tx.term = term;
        tx.granted = grant;
        send(link.token);
    }

    private void onVoteResponse(Link link, long now) {
        if (!master || rx.role != Wire.ROLE_MASTER) {
            drop(DropReason.UNEXPECTED, link, -1);
            return;
        }
        if (rx.term > term) {
            observeTerm(link, rx.term, now);
            return;
        }
        if (state == State.CANDIDATE && rx.term == term && rx.granted && !link.votedForMe && !link.isolated) {
            link.votedForMe = true;
            votes++;
            if (votes * 2 > mastersTotal) {
                becomeLeader();
            }
        }
    }

    private void sendUpdates() {
        tx.clear();
        tx.type = Wire.TYPE_SYNC_UPDATE;
        tx.term = term;
        tx.round = (int) cycle;
        int n = 0;
        if (selfUsable) {
            tx.entryNode[n] = nodeNumber;
            tx.entryOffsetNanos[n] = Wire.saturateI32(selfX - resultX);
            tx.entryBoundNanos[n] = Wire.saturateU32(selfBound + resultBound);
            tx.entryReputation[n] = 255;
            tx.entryVerdict[n] = selection.verdict(selfSelIndex).wireCode();
            n++;
        }
        for (Link link : links) {
            if (n == Wire.UPDATE_ENTRIES_MAX || !link.numberKnown) {
                continue;
            }
            tx.entryNode[n] = link.nodeNumber;
            tx.entryOffsetNanos[n] = link.usable ? Wire.saturateI32(link.valueX - resultX) : 0;
            tx.entryBoundNanos[n] = link.usable ? Wire.saturateU32(link.boundX + resultBound) : Wire.U32_MAX;
            tx.entryReputation[n] = (int) Math.round(255 * (link.isolated ? 0 : link.reputation));
            tx.entryVerdict[n] = link.verdict;
            n++;
        }
        tx.entryCount = n;
        for (Link link : links) {
            if (link.state == LinkState.ACTIVE && link.role == Wire.ROLE_MASTER) {
                send(link.token);
                updatesSent++;
            }
        }
    }

    /**
     * A follower checks the leader's update against its own view: the update's offset for this node must agree with
     * this node's own measurement of itself against the fleet: within the honest bounds always, and without a change
     * beyond the precision from what it has been under this leader.
     */
    private void onUpdate(Link link, long now) {
        if (!master || rx.role != Wire.ROLE_MASTER || link.isolated || rx.term < term) {
            drop(DropReason.UNEXPECTED, link, -1);
            return;
        }
        if (rx.term > term || (state != State.LEADER && leaderLink == null)) {
            observeTerm(link, rx.term, now);
            state = State.FOLLOWER;
            leaderLink = link;
        }
        if (leaderLink != link) {
            drop(DropReason.UNEXPECTED, link, -1);
            return;
        }
        updatesReceived++;
        lastHeartbeatMono = now;
        electionDeadline = now + electionTimeoutNanos();
        if (!resultValid || !selfUsable || !judgeable(link)) {
            return; // nothing settled of our own to check it against yet
        }
        int mine = -1;
        for (int i = 0; i < rx.entryCount; i++) {
            if (rx.entryNode[i] == nodeNumber) {
                mine = i;
                break;
            }
        }
        boolean consistent;
        if (mine < 0 || !link.usable) {
            consistent = mine >= 0; // an update that leaves us out is inconsistent; no view of the link: cannot judge
        } else {
            // d is the leader's view of our offset from the fleet minus our own view of it. Through the link it
            // carries the link's asymmetry (up to its honest bound), so: beyond the honest bounds it is a lie for
            // certain; within them, a fixed d is the path's bias and is learned (per leader), and a change of d
            // beyond the precision is a lie that began after we started watching.
            double d = rx.entryOffsetNanos[mine] - (double) resultOffsetSelfNanos;
            double honest = link.boundX + selfBound + resultBound + config.precisionFloorNanos();
            if (!updateBaselineSet || updateBaselineLeader != link.nodeNumber) {
                updateBaselineSet = true;
                updateBaselineLeader = link.nodeNumber;
                updateBaselineNanos = d;
                updateCheckSq = -1;
            }
            double change = d - updateBaselineNanos;
            double scale = updateCheckSq < 0 ? 0 : Math.sqrt(updateCheckSq);
            double tol = PRECISION_SIGMAS * scale + link.precisionX + resultPrecision + config.precisionFloorNanos();
            consistent = Math.abs(d) <= honest && Math.abs(change) <= tol;
            if (consistent) {
                updateBaselineNanos += change / 64;
                updateCheckSq = updateCheckSq < 0 ? change * change : updateCheckSq + (change * change - updateCheckSq) / 32;
            }
        }
        inconsistentUpdates = consistent ? 0 : inconsistentUpdates + 1;
        if (inconsistentUpdates >= DEPOSE_AFTER_UPDATES) {
            inconsistentUpdates = 0;
            deposals++;
            link.isolated = true;
            link.reputation = 0;
            link.agreeingSinceMono = Long.MIN_VALUE;
            leaderLink = null;
            startElection(now);
        }
    }

    private void observeGatewayTerm(long seenTerm, int leader) {
        if (seenTerm >= term) {
            term = seenTerm;
            observedLeader = leader;
        }
    }

    // ---------------------------------------------------------------- sending

    private void sendJoin(Link link) {
        tx.clear();
        tx.type = Wire.TYPE_JOIN;
        tx.cookie = link.joinCookie;
        System.arraycopy(nameBytes, 0, tx.name, 0, nameBytes.length);
        tx.nameLength = nameBytes.length;
        send(link.token);
    }

    /** The JOIN in {@link #rx} carries a current cookie; if not, it is answered with a CHALLENGE and a fresh one. */
    private boolean cookieGood(long token, long now) {
        long slot = Math.floorDiv(now, JOIN_COOKIE_SLOT_NANOS);
        long current = cookieFor(rx.sender, slot);
        if (rx.cookie == current || rx.cookie == cookieFor(rx.sender, slot - 1)) {
            return true;
        }
        joinChallenges++;
        sendJoinAck(token, Wire.JOIN_CHALLENGE, rx.sequence, current);
        return false;
    }

    /** The cookie for a joiner's node number in a time slot: bound to this server's incarnation and key. */
    private long cookieFor(int joiner, long slot) {
        return auth.cookie(Integer.toUnsignedLong(incarnation), ((long) nodeNumber << 32) | Integer.toUnsignedLong(joiner),
                slot);
    }

    private void sendJoinAck(long token, int result, long echo) {
        sendJoinAck(token, result, echo, 0);
    }

    private void sendJoinAck(long token, int result, long echo, long cookie) {
        tx.clear();
        tx.type = Wire.TYPE_JOIN_ACK;
        tx.joinResult = result;
        tx.echoSequence = echo;
        tx.cookie = cookie;
        System.arraycopy(nameBytes, 0, tx.name, 0, nameBytes.length);
        tx.nameLength = nameBytes.length;
        send(token);
    }

    private void sendRequest(Link link, long now) {
        tx.clear();
        tx.type = Wire.TYPE_SYNC_REQUEST;
        tx.term = term;
        long seq = send(link.token);
        link.pendingSeq[link.pendingNext] = seq;
        link.pendingT1[link.pendingNext] = now;
        link.pendingNext = (link.pendingNext + 1) % PENDING_MAX;
    }

    /** Fills the header, encodes, signs and sends {@link #tx}; returns its sequence number. */
    private long send(long token) {
        // Sequence numbers count per destination, so a receiver sees a dense sequence from us however many peers
        // we serve (its replay window is 64 wide; reordering by more than a round would otherwise look like replay).
        Link l = linkByToken(token);
        int ci = l == null ? clientByToken.get(token) : -1;
        long c = l != null ? l.txCounter++ : ci >= 0 ? clients[ci].txCounter++ : strangerCounter++;
        if (c > Wire.U32_MAX) {
            // A counter ran out: a higher incarnation makes every later sequence higher than all before.
            incarnation = incarnation == Integer.MAX_VALUE ? incarnation : incarnation + 1;
            strangerCounter = 0;
            for (Link x : links) {
                x.txCounter = 0;
            }
            for (Client x : clients) {
                x.txCounter = 0;
            }
            c = 0;
            if (l != null) {
                l.txCounter = 1;
            } else if (ci >= 0) {
                clients[ci].txCounter = 1;
            } else {
                strangerCounter = 1;
            }
        }
        long seq = ((long) incarnation << 32) | c;
        tx.role = master ? Wire.ROLE_MASTER : Wire.ROLE_GATEWAY;
        tx.sender = nodeNumber;
        tx.keyId = auth.sendKeyId();
        tx.sequence = seq;
        tx.flags = (state == State.LEADER ? Wire.FLAG_LEADER : 0) | (referenceAvailable ? Wire.FLAG_HAS_REFERENCE : 0);
        int len = ClocklinkCodec.encode(tx, txBuf, 0);
        auth.sign(txBuf, 0, len);
        messagesSent++;
        bytesSent += len;
        outbox.send(token, txBuf, 0, len);
        return seq;
    }

    private long drop(DropReason reason, Link link, int clientIndex) {
        drops[reason.ordinal()]++;
        if (link != null) {
            link.drops[reason.ordinal()]++;
        } else if (clientIndex >= 0) {
            clients[clientIndex].drops[reason.ordinal()]++;
        }
        return nextWakeMonoNanos();
    }

    private Link linkByToken(long token) {
        for (Link link : links) {
            if (link.token == token) {
                return link;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- observability

    public ClocklinkConfig config() {
        return config;
    }

    public State state() {
        return state;
    }

    /** The current term (a gateway: the highest a master told it). */
    public long term() {
        return term;
    }

    public boolean isLeader() {
        return state == State.LEADER;
    }

    /** The leader's node number (unsigned 32-bit in an int); 0 when none is known. */
    public int leaderNumber() {
        if (!master) {
            return observedLeader;
        }
        if (state == State.LEADER) {
            return nodeNumber;
        }
        return leaderLink != null ? leaderLink.nodeNumber : 0;
    }

    /** The leader's name ("" when unknown). */
    public String leaderName() {
        if (state == State.LEADER) {
            return config.nodeId();
        }
        int n = leaderNumber();
        for (Link link : links) {
            if (link.numberKnown && link.nodeNumber == n) {
                return link.name;
            }
        }
        return "";
    }

    public int nodeNumber() {
        return nodeNumber;
    }

    /** Packets dropped for {@code reason} since start. */
    public long dropped(DropReason reason) {
        return drops[reason.ordinal()];
    }

    /** Dropped packets by reason (non-zero only). */
    public Map<String, Long> droppedByReason() {
        return nonZero(drops);
    }

    public long messagesSent() {
        return messagesSent;
    }

    public long bytesSent() {
        return bytesSent;
    }

    /** Requests sent again at a cycle's deadline because they looked lost. */
    public long retries() {
        return retries;
    }

    /** Requests sent again in a cycle because an answer's queueing could hide a lie. */
    public long reprobes() {
        return reprobes;
    }

    public long messagesReceived() {
        return messagesReceived;
    }

    public long samplesEmitted() {
        return samplesEmitted;
    }

    public long elections() {
        return elections;
    }

    public long deposals() {
        return deposals;
    }

    public long updatesSent() {
        return updatesSent;
    }

    public long updatesReceived() {
        return updatesReceived;
    }

    /** JOINs answered with a CHALLENGE (no or a stale cookie: a first contact, or a replay). */
    public long joinChallenges() {
        return joinChallenges;
    }

    public long joinsRefused() {
        return joinsRefused;
    }

    public int clientCount() {
        return clientsUsed;
    }

    /** The poll interval this server asks of its clients now, ns (0: every round is fine). */
    public long clientPollNanos() {
        return Wire.pollNanos(clientPollCode);
    }

    /** A gateway: the interval it polls its upstreams at now, ns (a master: its round). */
    public long pollNanos() {
        return cyclePeriodNanos();
    }

    /** Configured peers (upstreams of a gateway, other masters of a master). */
    public int peerCount() {
        return links.length;
    }

    /** Link {@code i}'s weight in this node's selection now: 0 when isolated, unreachable or without data. */
    public double peerWeight(int i) {
        Link link = links[i];
        if (link.isolated || link.misses >= MISSES_UNREACHABLE || link.state != LinkState.ACTIVE) {
            return 0;
        }
        return link.reputation;
    }

    /** Exchanges completed with peer {@code i} (answers matched to our requests). */
    public long peerExchanges(int i) {
        return links[i].exchanges;
    }

    /** Whether link {@code i} is isolated for its reputation (not merely unreachable). */
    public boolean peerIsolated(int i) {
        return links[i].isolated;
    }

    public long peerAddressToken(int i) {
        return links[i].token;
    }

    /** Whether the last combination is valid (then {@link #combinedXNanos()} and its instant mean something). */
    public boolean combinedValid() {
        return resultValid;
    }

    /** The last combination: {@code truth - mono} estimated at {@link #combinedMonoNanos()} (for the simulator's diagnostics). */
    public long combinedXNanos() {
        return resultX;
    }

    public long combinedMonoNanos() {
        return resultMono;
    }

    /** The last combination's honest bound (ns), or -1 when there is none. */
    public long combinedBoundNanos() {
        return resultValid ? resultBound : -1;
    }

    /** The slope of {@code peer - mono} the node uses (about minus the local oscillator's frequency error). */
    public double slope() {
        return slope;
    }

    /** Every configured peer and every client, for status (allocates). */
    public List<PeerStatus> peerStatus(long nowMonoNanos) {
        List<PeerStatus> out = new ArrayList<>(links.length + clients.length);
        clock.read(nowMonoNanos, reading);
        long localX = reading.epochNanos - nowMonoNanos;
        for (Link link : links) {
            String st = link.isolated ? "ISOLATED" : link.state.name();
            long offset = 0;
            long bound = -1;
            long precision = -1;
            if (link.filter.hasData() && link.filter.honestInterval(nowMonoNanos)) {
                long v = link.filter.valueAt(nowMonoNanos, slope);
                offset = localX - v;
                bound = Math.max(v - link.filter.honestLow, link.filter.honestHigh - v);
                precision = link.precisionX;
            }
            out.add(new PeerStatus(link.label, link.name, link.numberKnown ? Integer.toUnsignedLong(link.nodeNumber) : 0,
                    roleName(link.role), true, st, VERDICT_NAMES[link.verdict], offset, link.filter.minDelayNanos(), bound,
                    precision, link.isolated ? 0 : link.reputation, link.exchanges,
                    link.lastResponseMono == Long.MIN_VALUE ? -1 : nowMonoNanos - link.lastResponseMono, nonZero(link.drops)));
        }
        for (Client c : clients) {
            if (!c.used) {
                continue;
            }
            String name = new String(c.name, 0, c.nameLength, java.nio.charset.StandardCharsets.UTF_8);
            out.add(new PeerStatus(name, name, Integer.toUnsignedLong(c.nodeNumber), roleName(c.role), false, "ACTIVE",
                    "NONE", 0, -1, -1, -1, 0, c.requests, nowMonoNanos - c.lastHeardMono, nonZero(c.drops)));
        }
        return Collections.unmodifiableList(out);
    }

    private static String roleName(int role) {
        return role == Wire.ROLE_MASTER ? "master" : role == Wire.ROLE_GATEWAY ? "gateway" : "unknown";
    }

    private static Map<String, Long> nonZero(long[] counts) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (DropReason r : DropReason.VALUES) {
            if (counts[r.ordinal()] != 0) {
                m.put(r.name(), counts[r.ordinal()]);
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return "ClocklinkNode{" + config.nodeId() + ", " + state + ", term " + term + "}";
    }
}
