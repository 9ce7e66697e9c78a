package io.ionclock.core.clocklink;

import io.ionclock.core.ClockReading;
import io.ionclock.core.LeapIndicator;
import io.ionclock.core.Sample;
import io.ionclock.core.select.Selection;
import io.ionclock.core.select.Verdict;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * One Clocklink node (master or gateway): the whole protocol as pure logic. The adapter (Vert.x UDP in the
 * appliance, the fleet simulator in {@code sim}) feeds it packets and timer wake-ups, with every instant on the
 * local monotonic clock; the node sends through an {@link Outbox}, reads the local published clock through a
 * {@link LocalClock}, and hands what it learns to a {@code Consumer<Sample>}. Single-threaded: call every method
 * from one thread (the adapter's event loop).
 *
 * <p>The node is the dispatcher: it checks each packet, hands it to the part it is for, and owns the order of the
 * cycle's steps. The parts, in the order a cycle runs them (docs/clocklink.md, docs/architecture.md):
 * {@link CycleClock} (when to measure), {@link PeerLink} (one configured peer: JOIN, requests, its last answer, its
 * estimate), {@link Combiner} (windows, the common slope ({@link SlopeTracker}), the fault-tolerant
 * {@link Selection}), {@link Judge} and {@link LinkTrust} (verdicts, reputation, isolation), {@link SampleEmitter}
 * (samples to the discipline), {@link Election} and {@link LeaderUpdates} (masters), {@link Server} (answering, and
 * the clients that joined) and {@link Transmitter} (sequences, signing, traffic and drop counts).
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
    /**
     * An answer whose queueing on either path exceeds this many of the link's mean queueing cannot tell a shifted
     * clock from a slow path (a lie of that size hides in it): the link is asked once more in the same cycle.
     */
    static final double REPROBE_JITTERS = 2.5;
    /** A link is re-probed only once its window holds this many exchanges (its envelopes are known). */
    static final int REPROBE_EXCHANGES_MIN = 16;
    /** ... and only for queueing beyond this plus 4 timestamp errors (a calm link is not asked twice for nothing). */
    static final long REPROBE_FLOOR_NANOS = 1_000;
    /** A node is settled once its published clock agreed with its combination this many cycles running. */
    static final int SETTLED_CYCLES = 3;
    /** An interleaved t3 may be before its exchange's t2 by at most this (the codec's slack for a slewing server). */
    static final long T3_BEFORE_T2_NANOS_MAX = 1_000_000;

    private final ClocklinkConfig config;
    private final ClocklinkNode.LocalClock clock;
    private final ClocklinkAuth auth;
    private final int nodeNumber;
    private final boolean master;
    private final SplittableRandom random;
    private final PeerLink[] links;
    private final long[] pollScratch;
    private final byte[] nameBytes;
    private final ClocklinkMessage rx = new ClocklinkMessage(); // decoded into, then handed to one handler

    private final Transmitter transmitter;
    private final CycleClock cycles;
    private final Combiner combiner;
    private final SampleEmitter emitter;
    private final Election election;
    private final LeaderUpdates updates;
    private final Server server;
    private final ClocklinkView view;

    private boolean started;
    private boolean referenceAvailable;
    private boolean settling = true;
    private boolean serversLoaded; // most of a gateway's trusted upstreams are in a loaded fleet
    private int settledCycles; // cycles running in which the published clock agreed with the combination
    private final ClockReading reading = new ClockReading();
    private int tier;
    /** The transport's receive times are the kernel's and it reports transmit times ({@link #setKernelTimestamps}). */
    private boolean kernelTimestamps;

    /**
     * @param clock      the local published clock (read at mono instants for t2/t3 and for the master's own vote)
     * @param outbox     sends datagrams to an address token
     * @param sampleSink receives the node's {@link Sample}s (the combination of its upstreams)
     */
    public ClocklinkNode(ClocklinkConfig config, LocalClock clock, Outbox outbox, Consumer<Sample> sampleSink) {
        this.config = config;
        this.clock = clock;
        this.auth = new ClocklinkAuth(config.keys());
        this.nodeNumber = config.nodeNumber();
        this.master = config.role() == ClocklinkConfig.Role.MASTER;
        this.random = new SplittableRandom(config.seed());
        this.links = new PeerLink[config.peers().size()];
        for (int i = 0; i < links.length; i++) {
            links[i] = new PeerLink(i, config.peers().get(i), config);
        }
        this.pollScratch = new long[links.length];
        this.nameBytes = config.nodeId().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.transmitter = new Transmitter(auth, outbox, nodeNumber, master, config.incarnation(), this::flags,
                links.length + config.clientsMax(), this::counterOf);
        this.cycles = new CycleClock(config);
        this.combiner = new Combiner(config, clock, links);
        this.emitter = new SampleEmitter(config, sampleSink, links);
        this.election = new Election(config, transmitter, random, () -> referenceAvailable, links);
        this.updates = new LeaderUpdates(config, transmitter, election, combiner, links);
        this.server = new Server(config, clock, auth, transmitter, links.length, election, () -> tier);
        this.tier = master ? 0 : 1;
        this.view = new ClocklinkView(config, clock, links, transmitter, cycles, combiner, emitter, election, updates,
                server);
    }

    // ---------------------------------------------------------------- driving

    /** Starts the node at {@code nowMonoNanos}; returns the instant it wants {@link #onTimer} next. */
    public long start(long nowMonoNanos) {
        if (started) {
            return nextWakeMonoNanos();
        }
        started = true;
        cycles.start(nowMonoNanos);
        cycles.firstCycleIn(random.nextLong(Math.max(1, cycles.periodNanos())));
        election.start(nowMonoNanos);
        return nextWakeMonoNanos();
    }

    /** Runs what is due at {@code nowMonoNanos}; returns the instant it wants {@link #onTimer} next. */
    public long onTimer(long nowMonoNanos) {
        if (!started) {
            return start(nowMonoNanos);
        }
        if (cycles.deadlinePassed(nowMonoNanos) && !retryUnanswered(nowMonoNanos)) {
            completeCycle(nowMonoNanos);
        }
        if (cycles.startDue(nowMonoNanos)) {
            startCycle(nowMonoNanos);
            cycles.scheduleNext(nowMonoNanos);
        }
        if (nowMonoNanos >= election.deadlineMonoNanos()) {
            election.startElection(nowMonoNanos);
        }
        if (!master && !cycles.isOpen() && combiner.resultValid() && nowMonoNanos >= nextSampleMonoNanos()) {
            emitter.extrapolate(nowMonoNanos, combiner);
        }
        return nextWakeMonoNanos();
    }

    /** A gateway polling slower than its sample period emits samples between polls at this instant. */
    private long nextSampleMonoNanos() {
        return master ? Long.MAX_VALUE : emitter.nextSampleMonoNanos(combiner, cycles.periodNanos());
    }

    /** The instant the node next wants {@link #onTimer}. */
    public long nextWakeMonoNanos() {
        long t = Math.min(cycles.wakeMonoNanos(), election.deadlineMonoNanos());
        if (!cycles.isOpen()) {
            t = Math.min(t, nextSampleMonoNanos());
        }
        return t;
    }

    /**
     * One received datagram. Every check runs in order and a failure is a counted drop ({@link ClocklinkView#dropped}); the
     * packet is never parsed past the check it failed.
     *
     * @param nowMonoNanos      now (replies are timestamped now)
     * @param rxMonoNanos       the datagram's receive timestamp, as early as the transport took it (&lt;= now)
     * @param peerAddressToken  the adapter's token for the source address (replies go there)
     * @return the instant the node next wants {@link #onTimer}
     */
    public long onPacket(long nowMonoNanos, long rxMonoNanos, byte[] buf, int off, int len, long peerAddressToken) {
        transmitter.received();
        if (rxMonoNanos > nowMonoNanos) {
            rxMonoNanos = nowMonoNanos;
        }
        PeerLink link = linkByToken(peerAddressToken);
        int clientIndex = link == null ? server.clientAt(peerAddressToken) : -1;
        long[] sourceDrops = link != null ? link.drops : clientIndex >= 0 ? server.client(clientIndex).drops : null;
        DropReason reason = off < 0 || len < 0 || off > buf.length - len ? DropReason.TRUNCATED
                : ClocklinkCodec.checkFrame(buf, off, len);
        if (reason == null) {
            reason = ClocklinkCodec.checkAuth(auth, buf, off, len);
        }
        if (reason != null) {
            return drop(reason, sourceDrops);
        }
        ClocklinkCodec.decodeHeader(buf, off, rx);
        if (rx.sender == nodeNumber) {
            return drop(DropReason.UNEXPECTED, sourceDrops); // our own packet reflected back
        }
        if (link != null) {
            if (!link.replay.accept(rx.sequence)) {
                return drop(DropReason.REPLAYED, sourceDrops);
            }
        } else if (clientIndex >= 0) {
            Server.Client c = server.client(clientIndex);
            if (c.nodeNumber != rx.sender && rx.type != Wire.TYPE_JOIN) {
                return drop(DropReason.NOT_JOINED, sourceDrops); // another node behind the address: must join
            }
            if (c.nodeNumber == rx.sender && !c.replay.accept(rx.sequence)) {
                return drop(DropReason.REPLAYED, sourceDrops);
            }
        } else if (rx.type != Wire.TYPE_JOIN) {
            return drop(DropReason.NOT_JOINED, null);
        }
        reason = ClocklinkCodec.decodeBody(buf, off, len, rx);
        if (reason != null) {
            return drop(reason, sourceDrops);
        }
        if (link != null) {
            onLinkMessage(link, rx, nowMonoNanos, rxMonoNanos);
        } else if (clientIndex >= 0) {
            server.onClientMessage(clientIndex, peerAddressToken, rx, nowMonoNanos, rxMonoNanos);
        } else {
            server.onJoin(peerAddressToken, rx, nowMonoNanos);
        }
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

    /**
     * What a gateway's servers ask: the upper median of the intervals its active, trusted upstreams advertise (0 for
     * none), so that a faulty minority can neither slow it down nor speed it up beyond what an honest server asks.
     * Also notes whether most of them are in a loaded fleet ({@link Wire#FLAG_LOADED}, or asking a slower poll).
     */
    private long serversPoll() {
        int n = 0;
        int loaded = 0;
        for (PeerLink link : links) {
            if (link.state == PeerLink.State.ACTIVE && !link.trust.isolated) {
                long p = link.serverPollNanos;
                loaded += link.peerLoaded || p > 0 ? 1 : 0;
                int k = n++;
                while (k > 0 && pollScratch[k - 1] > p) {
                    pollScratch[k] = pollScratch[k - 1];
                    k--;
                }
                pollScratch[k] = p;
            }
        }
        serversLoaded = 2 * loaded > n;
        return n == 0 ? 0 : Math.min(CycleClock.SERVER_POLL_NANOS_MAX, pollScratch[n / 2]);
    }

    private void startCycle(long now) {
        if (cycles.isOpen()) {
            completeCycle(now);
        }
        long ask = master ? 0 : serversPoll();
        cycles.begin(now, ask, serversLoaded);
        int polled = 0;
        for (PeerLink link : links) {
            link.newCycle();
            switch (link.state) {
                case JOINING, REFUSED -> {
                    if (link.joinDue(cycles.cycle)) {
                        sendJoin(link);
                        link.joinSent(cycles.cycle);
                    }
                }
                case ACTIVE, UNREACHABLE -> {
                    if (link.rejoinDue()) {
                        sendJoin(link);
                    }
                    sendRequest(link, now);
                    link.requested = true;
                    polled++;
                }
            }
        }
        if (election.state() == State.CANDIDATE) {
            election.sendVoteRequests(); // retransmitted every round until the election is decided
        }
        cycles.open(now, polled);
        if (polled == 0) {
            completeCycle(now);
        }
    }

    /** At the cycle's first deadline: re-sends the requests that look lost; true when it did (the cycle waits on). */
    private boolean retryUnanswered(long now) {
        if (!cycles.takeRetry()) {
            return false;
        }
        boolean any = false;
        for (PeerLink link : links) {
            if (link.requested && !link.answered && link.state == PeerLink.State.ACTIVE
                    && cycles.looksLost(now, link.filter.minDelayNanos())) {
                sendRequest(link, now);
                cycles.retried();
                any = true;
            }
        }
        if (any) {
            cycles.extend(now);
        }
        return any;
    }

    private void completeCycle(long now) {
        cycles.close();
        combine(now);
    }

    /**
     * At the end of a cycle: combines the links' estimates at {@code now} (a master with its own clock), judges the
     * links, and hands on the result: a gateway's sample; a master's sample of its links alone, and the leader's
     * update. Between a gateway's slow polls {@link SampleEmitter#extrapolate} carries the result on.
     */
    private void combine(long now) {
        combiner.combine(now, cycles.periodNanos(), master);
        if (combiner.usableLinks() == 0) {
            cycles.lostEverySource(now);
        }
        Judge.judge(links, combiner.selection(), combiner.resultValid(), combiner.resultX(), now);
        settling = settlingNow(now);
        if (!master && anySelectedSettling()) {
            cycles.fastTrackWhileSourcesSettle(now); // their clocks still move: measure them often, as they allow
        }
        if (!master) {
            updateTier();
        }
        if (master) {
            Selection linksOnly = combiner.selectLinksOnly();
            if (linksOnly != null) {
                emitter.emit(now, linksOnly.valueNanos(), linksOnly.boundNanos(), combiner.windowNanosNow());
            }
            if (election.isLeader() && combiner.resultValid()) {
                updates.send(cycles.cycle);
            }
        } else if (combiner.resultValid()) {
            Selection s = combiner.selection();
            emitter.emit(now, s.valueNanos(), s.boundNanos(), combiner.windowNanosNow());
        }
    }

    /**
     * Whether this node's clock is still settling, which its answers say ({@link Wire#FLAG_SETTLING}): not a master on
     * its own reference, and fast-tracking, or not yet settled: its published clock has not yet agreed with its
     * combination (within the combination's precision) {@link #SETTLED_CYCLES} cycles running; until then the
     * discipline is still moving it. Once settled, it stays so until it fast-tracks again (every source lost).
     */
    private boolean settlingNow(long now) {
        if (master && referenceAvailable) {
            return false;
        }
        if (cycles.fastTracking()) {
            settledCycles = 0;
            return true;
        }
        if (!settling) {
            return false; // settled stays settled (no flapping) until every source was lost and it fast-tracks again
        }
        if (!combiner.resultValid()) {
            settledCycles = 0;
            return true;
        }
        clock.read(now, reading);
        long behindNanos = reading.epochNanos - (now + combiner.resultX());
        boolean agrees = Math.abs(behindNanos) <= combiner.resultPrecision() + config.precisionFloorNanos();
        settledCycles = agrees ? settledCycles + 1 : 0;
        return settledCycles < SETTLED_CYCLES;
    }

    private boolean anySelectedSettling() {
        for (PeerLink link : links) {
            if (link.selIndex >= 0 && link.peerSettling) {
                return true;
            }
        }
        return false;
    }

    /** A gateway is one tier below the best tier among its selected upstreams. */
    private void updateTier() {
        int best = Integer.MAX_VALUE;
        for (PeerLink link : links) {
            if (link.verdict == Verdict.SELECTED) {
                best = Math.min(best, link.peerTier);
            }
        }
        if (best != Integer.MAX_VALUE) {
            tier = Math.min(ClocklinkCodec.TIER_MAX, best + 1);
        }
    }

    // ---------------------------------------------------------------- messages from configured peers

    private void onLinkMessage(PeerLink link, ClocklinkMessage msg, long now, long rxMono) {
        link.heardFrom(msg);
        switch (msg.type) {
            case Wire.TYPE_JOIN -> {
                if (msg.nameLength > 0) {
                    link.name = msg.nameString();
                }
                server.sendJoinAck(link.token, Wire.JOIN_ACCEPTED, msg.sequence);
            }
            case Wire.TYPE_JOIN_ACK -> {
                if (link.onJoinAck(msg, cycles.cycle)) {
                    sendJoin(link); // at once, with the cookie; the backoff retransmits it if this one is lost
                }
            }
            case Wire.TYPE_SYNC_REQUEST -> {
                if (master && msg.role == Wire.ROLE_MASTER) {
                    election.onMasterRequest(link, msg, now);
                }
                server.respond(link.token, msg.sequence, rxMono, now, Server.TO_PEER, msg.interleavedFlag());
            }
            case Wire.TYPE_SYNC_RESPONSE -> onResponse(link, msg, now, rxMono);
            case Wire.TYPE_SYNC_UPDATE -> updates.onUpdate(link, msg, now);
            case Wire.TYPE_VOTE_REQUEST -> election.onVoteRequest(link, msg, now);
            case Wire.TYPE_VOTE_RESPONSE -> election.onVoteResponse(link, msg, now);
            default -> drop(DropReason.UNEXPECTED, link.drops);
        }
    }

    /** An answer to one of our requests: into the link's filter; the cycle completes when every answer is in. */
    private void onResponse(PeerLink link, ClocklinkMessage msg, long now, long rxMono) {
        boolean interleaved = msg.version >= 2; // kernel timestamps on both ends (see setKernelTimestamps)
        long t1 = link.takePendingT1(msg.echoSequence, interleaved);
        if (t1 == Long.MIN_VALUE) {
            drop(DropReason.UNEXPECTED, link.drops); // answers nothing we asked (late past PENDING_MAX, or duplicated)
            return;
        }
        long t4 = interleaved || !kernelTimestamps ? rxMono : now;
        long t2 = msg.rxEpochNanos;
        long t3 = msg.txEpochNanos;
        long delayNanos = (t4 - t1) - (t3 - t2);
        long slack = 2 * config.timestampErrorNanos() + 2 * Math.min(msg.boundNanos, 1_000_000_000L) + 1_000;
        if (t4 < t1 || delayNanos < -slack) {
            drop(DropReason.UNEXPECTED, link.drops); // a negative round trip: not a real exchange
            return;
        }
        if (master && msg.role == Wire.ROLE_MASTER) {
            election.observeTerm(link, msg.term, now);
        } else {
            election.observeGatewayTerm(msg.term, msg.leader);
        }
        boolean firstAnswer = !link.answered; // a retried request may be answered twice
        link.answeredBy(msg, now);
        boolean reprobe = false;
        if (PeerLink.usableAnswer(msg)) {
            reprobe = cycles.isOpen() && firstAnswer && !link.reprobed && !link.trust.isolated
                    && link.filter.exchangesInWindow() >= REPROBE_EXCHANGES_MIN
                    && link.filter.queueingExcessNanos(t1, t2, t3, t4) > Math.max(REPROBE_JITTERS * link.filter.meanExcessNanos(),
                            REPROBE_FLOOR_NANOS + 4.0 * config.timestampErrorNanos());
            link.filter.add(t1, t2, t3, t4, msg.boundNanos);
            if (interleaved) {
                completeHeld(link, msg);
                link.hold(msg.echoSequence, t1, t2, t3, t4);
            } else {
                link.releaseHeld();
            }
        } else {
            link.releaseHeld(); // an unusable answer: the server's clock is not to be measured now
        }
        if (firstAnswer) {
            cycles.answered++;
        } else if (link.reprobed && !link.reprobeAnswered) {
            link.reprobeAnswered = true;
            cycles.answered++;
        }
        if (reprobe) {
            link.reprobed = true;
            cycles.reprobed();
            sendRequest(link, now);
        }
        if (cycles.isOpen() && cycles.allAnswered()) {
            completeCycle(now);
        }
    }

    /**
     * Interleaved mode: this answer carries the true transmit time of the server's previous answer to us (as the delay
     * from the t3 that answer carried). If that answered the exchange we hold, the exchange's lower point goes into the
     * filter again with it: {@code L = t3 - t4} with the true t3 (chrony's interleaved mode). The exchange itself went in
     * when it came, with the t3 the server wrote before sending: its L is then lower than the truth (a valid bound, and
     * one the envelope of the true points dominates), so the filter is never a poll behind.
     */
    private void completeHeld(PeerLink link, ClocklinkMessage msg) {
        if (!link.holding()) {
            return;
        }
        if ((msg.flags & Wire.FLAG_INTERLEAVED) != 0 && msg.xleaveEcho == (int) link.heldSeq
                && link.heldT3 + msg.xleaveTxDelayNanos >= link.heldT2 - T3_BEFORE_T2_NANOS_MAX
                && (link.heldT4 - link.heldT1) - (link.heldT3 + msg.xleaveTxDelayNanos - link.heldT2)
                        >= -2 * config.timestampErrorNanos()
                && link.filter.addLower(link.heldT3 + msg.xleaveTxDelayNanos, link.heldT4)) {
            transmitter.interleavedExchanges++;
        } else {
            transmitter.interleaveMisses++;
        }
        link.releaseHeld();
    }

    // ---------------------------------------------------------------- transmit times

    /**
     * Tells the node whether its transport timestamps in the kernel: the receive time it passes is the kernel's, and it
     * reports the kernel's transmit time of what the node sends ({@link #onTransmitted}). Then the node asks its servers
     * for interleaved answers ({@link Wire#FLAG_INTERLEAVED}) and gives them to clients that ask (version 2). Both ends
     * of an exchange take their timestamps the same way: with a peer that does not interleave (a version-1 node, or one
     * timestamping in user space) the node uses its own user-space times (t1 before sending, t4 and t2 at handling, as a
     * version-1 node does), so a mixed pair keeps the old accuracy rather than half of a new one.
     */
    public void setKernelTimestamps(boolean on) {
        kernelTimestamps = on;
        server.setInterleaving(on);
    }

    /**
     * The transport's transmit time of a SYNC_REQUEST or SYNC_RESPONSE the node sent (the kernel's, taken as it left;
     * other types are of no use: the transport need not report them): {@code token} and {@code sequence} name it (the
     * adapter reads the type and sequence from the header of what the outbox got). A request's
     * replaces its t1; a response's is carried in the next response to that client (interleaved mode). A report that
     * matches nothing in flight, or that is implausible, is counted and changes nothing.
     *
     * @param nowMonoNanos the instant of the call (a transmit time after it is refused)
     */
    public void onTransmitted(long nowMonoNanos, long token, long sequence, long txMonoNanos) {
        int k = transmitter.counterIndex(token);
        if (k >= 0 && txMonoNanos <= nowMonoNanos) {
            if (server.transmitted(k, sequence, txMonoNanos)) {
                transmitter.transmitTimes++;
                return;
            }
            PeerLink link = k < links.length ? links[k] : null;
            if (link != null && link.transmitted(sequence, txMonoNanos, config.timestampErrorNanos())) {
                transmitter.transmitTimes++;
                return;
            }
        }
        transmitter.transmitTimesUnmatched++;
    }

    // ---------------------------------------------------------------- sending

    private int flags() {
        return (election.isLeader() ? Wire.FLAG_LEADER : 0) | (referenceAvailable ? Wire.FLAG_HAS_REFERENCE : 0)
                | (settling && !(master && referenceAvailable) ? Wire.FLAG_SETTLING : 0)
                | (server.loaded() || serversLoaded ? Wire.FLAG_LOADED : 0);
    }

    /** The transmitter's sequence counter for a destination: a link's, a client's, or -1 for a stranger. */
    private int counterOf(long token) {
        PeerLink l = linkByToken(token);
        if (l != null) {
            return l.index;
        }
        int ci = server.clientAt(token);
        return ci >= 0 ? links.length + ci : -1;
    }

    private void sendJoin(PeerLink link) {
        ClocklinkMessage tx = transmitter.message(Wire.TYPE_JOIN);
        tx.cookie = link.joinCookie;
        System.arraycopy(nameBytes, 0, tx.name, 0, nameBytes.length);
        tx.nameLength = nameBytes.length;
        transmitter.send(link.token);
    }

    private void sendRequest(PeerLink link, long now) {
        ClocklinkMessage tx = transmitter.message(Wire.TYPE_SYNC_REQUEST);
        tx.term = election.term();
        tx.flags = kernelTimestamps ? Wire.FLAG_INTERLEAVED : 0;
        link.requestSent(transmitter.send(link.token), now);
    }

    private long drop(DropReason reason, long[] sourceDrops) {
        transmitter.dropped(reason, sourceDrops);
        return nextWakeMonoNanos();
    }

    private PeerLink linkByToken(long token) {
        for (PeerLink link : links) {
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

    /** The node's state, counters and peers, read-only (same thread as the node). */
    public ClocklinkView view() {
        return view;
    }

    @Override
    public String toString() {
        return "ClocklinkNode{" + config.nodeId() + ", " + election.state() + ", term " + election.term() + "}";
    }
}
