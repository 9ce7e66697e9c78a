package io.ionclock.core.clocklink;

import io.ionclock.core.ClockReading;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A node's state, counters and peers, read-only: what status, metrics and the simulator read of a
 * {@link ClocklinkNode} ({@code node.view()}). It reads the node's parts as they are now; call it on the node's
 * thread (the adapter copies what it publishes).
 */
public final class ClocklinkView {
    private final ClocklinkConfig config;
    private final ClocklinkNode.LocalClock clock;
    private final PeerLink[] links;
    private final Transmitter transmitter;
    private final CycleClock cycles;
    private final Combiner combiner;
    private final SampleEmitter emitter;
    private final Election election;
    private final LeaderUpdates updates;
    private final Server server;

    ClocklinkView(ClocklinkConfig config, ClocklinkNode.LocalClock clock, PeerLink[] links, Transmitter transmitter,
            CycleClock cycles, Combiner combiner, SampleEmitter emitter, Election election, LeaderUpdates updates,
            Server server) {
        this.config = config;
        this.clock = clock;
        this.links = links;
        this.transmitter = transmitter;
        this.cycles = cycles;
        this.combiner = combiner;
        this.emitter = emitter;
        this.election = election;
        this.updates = updates;
        this.server = server;
    }

    /** The node says its clock is still settling ({@link Wire#FLAG_SETTLING}). */
    public boolean settling() {
        return (transmitter.flagsNow() & Wire.FLAG_SETTLING) != 0;
    }

    /** The node says it is in a loaded fleet ({@link Wire#FLAG_LOADED}): it keeps to its traffic budget. */
    public boolean loaded() {
        return (transmitter.flagsNow() & Wire.FLAG_LOADED) != 0;
    }

    public ClocklinkNode.State state() {
        return election.state();
    }

    /** The current term (a gateway: the highest a master told it). */
    public long term() {
        return election.term();
    }

    public boolean isLeader() {
        return election.isLeader();
    }

    /** The leader's node number (unsigned 32-bit in an int); 0 when none is known. */
    public int leaderNumber() {
        return election.leaderNumber();
    }

    /** The leader's name ("" when unknown). */
    public String leaderName() {
        if (election.isLeader()) {
            return config.nodeId();
        }
        int n = election.leaderNumber();
        for (PeerLink link : links) {
            if (link.numberKnown && link.nodeNumber == n) {
                return link.name;
            }
        }
        return "";
    }

    public int nodeNumber() {
        return config.nodeNumber();
    }

    /** Packets dropped for {@code reason} since start. */
    public long dropped(DropReason reason) {
        return transmitter.dropped(reason);
    }

    /** Dropped packets by reason (non-zero only). */
    public Map<String, Long> droppedByReason() {
        return transmitter.droppedByReason();
    }

    public long messagesSent() {
        return transmitter.messagesSent();
    }

    public long bytesSent() {
        return transmitter.bytesSent();
    }

    /** Requests sent again at a cycle's deadline because they looked lost. */
    public long retries() {
        return cycles.retries();
    }

    /** Requests sent again in a cycle because an answer's queueing could hide a lie. */
    public long reprobes() {
        return cycles.reprobes();
    }

    /** Exchanges that went into a filter with the server's true transmit time (interleaved mode). */
    public long interleavedExchanges() {
        return transmitter.interleavedExchanges;
    }

    /** Exchanges the next answer did not complete with their true transmit time (they count with the server's t3). */
    public long interleaveMisses() {
        return transmitter.interleaveMisses;
    }

    /** Transmit times from the transport that matched a request or response in flight. */
    public long transmitTimes() {
        return transmitter.transmitTimes;
    }

    /** Transmit times from the transport that matched nothing (late, unknown, implausible). */
    public long transmitTimesUnmatched() {
        return transmitter.transmitTimesUnmatched;
    }

    /** Responses sent in version 2 (interleaved). */
    public long interleavedResponses() {
        return server.interleavedResponses();
    }

    public long messagesReceived() {
        return transmitter.messagesReceived();
    }

    public long samplesEmitted() {
        return emitter.samplesEmitted();
    }

    public long elections() {
        return election.elections();
    }

    public long deposals() {
        return updates.deposals();
    }

    public long updatesSent() {
        return updates.updatesSent();
    }

    public long updatesReceived() {
        return updates.updatesReceived();
    }

    /** JOINs answered with a CHALLENGE (no or a stale cookie: a first contact, or a replay). */
    public long joinChallenges() {
        return server.joinChallenges();
    }

    public long joinsRefused() {
        return server.joinsRefused();
    }

    public int clientCount() {
        return server.clientCount();
    }

    /** The poll interval this server asks of its clients now, ns (0: every round is fine). */
    public long clientPollNanos() {
        return server.clientPollNanos();
    }

    /** A gateway: the interval it polls its upstreams at now, ns (a master: its round). */
    public long pollNanos() {
        return cycles.periodNanos();
    }

    /** Configured peers (upstreams of a gateway, other masters of a master). */
    public int peerCount() {
        return links.length;
    }

    /** Link {@code i}'s weight in this node's selection now: 0 when isolated, unreachable or without data. */
    public double peerWeight(int i) {
        return links[i].weight();
    }

    /** Exchanges completed with peer {@code i} (answers matched to our requests). */
    public long peerExchanges(int i) {
        return links[i].exchanges;
    }

    /** Whether link {@code i} is isolated for its reputation (not merely unreachable). */
    public boolean peerIsolated(int i) {
        return links[i].trust.isolated;
    }

    public long peerAddressToken(int i) {
        return links[i].token;
    }

    /** Whether the last combination is valid (then {@link #combinedXNanos()} and its instant mean something). */
    public boolean combinedValid() {
        return combiner.resultValid();
    }

    /** The last combination: {@code truth - mono} estimated at {@link #combinedMonoNanos()} (for the simulator's diagnostics). */
    public long combinedXNanos() {
        return combiner.resultX();
    }

    public long combinedMonoNanos() {
        return combiner.resultMono();
    }

    /** The last combination's honest bound (ns), or -1 when there is none. */
    public long combinedBoundNanos() {
        return combiner.resultValid() ? combiner.resultBound() : -1;
    }

    /** The slope of {@code peer - mono} the node uses (about minus the local oscillator's frequency error). */
    public double slope() {
        return combiner.slope();
    }

    /** Every configured peer and every client, for status (allocates). */
    public List<PeerStatus> peerStatus(long nowMonoNanos) {
        List<PeerStatus> out = new ArrayList<>(links.length + config.clientsMax());
        ClockReading reading = new ClockReading();
        clock.read(nowMonoNanos, reading);
        long localX = reading.epochNanos - nowMonoNanos;
        double slope = combiner.slope();
        for (PeerLink link : links) {
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
                    PeerStatus.roleName(link.role), true, link.stateName(), link.verdict.name(), offset,
                    link.filter.minDelayNanos(), bound, precision, link.trust.isolated ? 0 : link.trust.reputation,
                    link.exchanges, link.lastResponseMono == Long.MIN_VALUE ? -1 : nowMonoNanos - link.lastResponseMono,
                    Transmitter.nonZero(link.drops)));
        }
        server.addStatus(nowMonoNanos, out);
        return Collections.unmodifiableList(out);
    }
}
