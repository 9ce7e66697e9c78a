package io.ionclock.core.clocklink;

import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The masters' leader election, Raft-like: terms that only grow, one vote a term, a randomized election timeout
 * (doubled for a master without its reference, so masters on their reference win), and the leader's SYNC_REQUESTs as
 * its heartbeats. A gateway takes no part: it only learns the highest term and its leader from its servers' answers.
 * Isolated links neither vote nor lead.
 */
final class Election {
    /** Election timeout: uniformly this many rounds (doubled for a master without its reference). */
    static final int ELECTION_ROUNDS_MIN = 3;
    static final int ELECTION_ROUNDS_MAX = 6;

    private final ClocklinkConfig config;
    private final Transmitter transmitter;
    private final SplittableRandom random;
    private final BooleanSupplier referenceAvailable;
    private final PeerLink[] links;
    private final boolean[] votedForMe;
    private final int nodeNumber;
    private final boolean master;
    private final int mastersTotal;

    private ClocklinkNode.State state;
    private long term;
    private int votedFor; // node number; 0 = none
    private boolean votedThisTerm;
    private int votes;
    private PeerLink leaderLink; // null: none known, or self when LEADER
    private long electionDeadline = Long.MAX_VALUE;
    private long lastHeartbeatMono = Long.MIN_VALUE;
    private long elections;
    private int observedLeader; // a gateway: the leader its servers name

    Election(ClocklinkConfig config, Transmitter transmitter, SplittableRandom random, BooleanSupplier referenceAvailable,
            PeerLink[] links) {
        this.config = config;
        this.transmitter = transmitter;
        this.random = random;
        this.referenceAvailable = referenceAvailable;
        this.links = links;
        this.votedForMe = new boolean[links.length];
        this.nodeNumber = config.nodeNumber();
        this.master = config.role() == ClocklinkConfig.Role.MASTER;
        this.mastersTotal = master ? links.length + 1 : 0;
        this.state = master ? ClocklinkNode.State.FOLLOWER : ClocklinkNode.State.GATEWAY;
    }

    /** A master's first election timeout starts now. */
    void start(long now) {
        if (master) {
            electionDeadline = now + electionTimeoutNanos();
        }
    }

    /** When this node next starts an election if nothing happens (Long.MAX_VALUE: never). */
    long deadlineMonoNanos() {
        return master && state != ClocklinkNode.State.LEADER ? electionDeadline : Long.MAX_VALUE;
    }

    private long electionTimeoutNanos() {
        long rounds = ELECTION_ROUNDS_MIN + random.nextLong(ELECTION_ROUNDS_MAX - ELECTION_ROUNDS_MIN + 1);
        long t = rounds * config.roundPeriodNanos() + random.nextLong(config.roundPeriodNanos());
        return referenceAvailable.getAsBoolean() ? t : 2 * t;
    }

    /** The timeout passed without a leader's heartbeat: a new term, with this node as candidate. */
    void startElection(long now) {
        term++;
        elections++;
        state = ClocklinkNode.State.CANDIDATE;
        votedFor = nodeNumber;
        votedThisTerm = true;
        votes = 1;
        leaderLink = null;
        java.util.Arrays.fill(votedForMe, false);
        electionDeadline = now + electionTimeoutNanos();
        if (votes * 2 > mastersTotal) {
            becomeLeader();
            return;
        }
        sendVoteRequests();
    }

    private void becomeLeader() {
        state = ClocklinkNode.State.LEADER;
        leaderLink = null;
        electionDeadline = Long.MAX_VALUE;
    }

    /** A candidate asks every active, trusted master that has not voted for it yet (every round until decided). */
    void sendVoteRequests() {
        for (PeerLink link : links) {
            if (link.state == PeerLink.State.ACTIVE && !votedForMe[link.index] && !link.trust.isolated) {
                ClocklinkMessage tx = transmitter.message(Wire.TYPE_VOTE_REQUEST);
                tx.term = term;
                transmitter.send(link.token);
            }
        }
    }

    /** Adopts a higher term seen from a master we trust (stepping down). */
    void observeTerm(PeerLink link, long seenTerm, long now) {
        if (seenTerm > term && !link.trust.isolated) {
            term = seenTerm;
            votedThisTerm = false;
            votedFor = 0;
            if (state != ClocklinkNode.State.FOLLOWER) {
                state = ClocklinkNode.State.FOLLOWER;
                electionDeadline = now + electionTimeoutNanos();
            }
            leaderLink = null;
        }
    }

    /** A master's SYNC_REQUEST: from the leader of a term not older than ours it is a heartbeat. */
    void onMasterRequest(PeerLink link, ClocklinkMessage rx, long now) {
        if (!rx.leaderFlag() || link.trust.isolated || rx.term < term) {
            return;
        }
        if (rx.term > term || state != ClocklinkNode.State.LEADER) {
            observeTerm(link, rx.term, now);
            state = ClocklinkNode.State.FOLLOWER;
            leaderLink = link;
            lastHeartbeatMono = now;
            electionDeadline = now + electionTimeoutNanos();
        }
    }

    void onVoteRequest(PeerLink link, ClocklinkMessage rx, long now) {
        if (!master || rx.role != Wire.ROLE_MASTER) {
            transmitter.dropped(DropReason.UNEXPECTED, link.drops);
            return;
        }
        boolean grant = false;
        boolean leaderAlive = leaderLink != null && leaderLink != link && !leaderLink.trust.isolated
                && now - lastHeartbeatMono < ELECTION_ROUNDS_MIN * config.roundPeriodNanos();
        if (!link.trust.isolated && rx.term >= term && !(rx.term > term && leaderAlive)
                && !(state == ClocklinkNode.State.LEADER && rx.term == term)) {
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
        ClocklinkMessage tx = transmitter.message(Wire.TYPE_VOTE_RESPONSE);
        tx.term = term;
        tx.granted = grant;
        transmitter.send(link.token);
    }

    void onVoteResponse(PeerLink link, ClocklinkMessage rx, long now) {
        if (!master || rx.role != Wire.ROLE_MASTER) {
            transmitter.dropped(DropReason.UNEXPECTED, link.drops);
            return;
        }
        if (rx.term > term) {
            observeTerm(link, rx.term, now);
            return;
        }
        if (state == ClocklinkNode.State.CANDIDATE && rx.term == term && rx.granted && !votedForMe[link.index]
                && !link.trust.isolated) {
            votedForMe[link.index] = true;
            votes++;
            if (votes * 2 > mastersTotal) {
                becomeLeader();
            }
        }
    }

    /**
     * A SYNC_UPDATE's sender and term: whether it comes from the leader we follow (a newer term's update makes its
     * sender our leader). True: it is the leader's, and counts as its heartbeat.
     */
    boolean fromLeader(PeerLink link, ClocklinkMessage rx, long now) {
        if (rx.term > term || (state != ClocklinkNode.State.LEADER && leaderLink == null)) {
            observeTerm(link, rx.term, now);
            state = ClocklinkNode.State.FOLLOWER;
            leaderLink = link;
        }
        if (leaderLink != link) {
            return false;
        }
        lastHeartbeatMono = now;
        electionDeadline = now + electionTimeoutNanos();
        return true;
    }

    /** The leader lied (its link is isolated already): no leader, and a new election at once. */
    void depose(long now) {
        leaderLink = null;
        startElection(now);
    }

    /** A gateway learns the highest term its servers tell, and the leader of it. */
    void observeGatewayTerm(long seenTerm, int leader) {
        if (seenTerm >= term) {
            term = seenTerm;
            observedLeader = leader;
        }
    }

    ClocklinkNode.State state() {
        return state;
    }

    long term() {
        return term;
    }

    boolean isLeader() {
        return state == ClocklinkNode.State.LEADER;
    }

    /** The leader's node number (unsigned 32-bit in an int); 0 when none is known. */
    int leaderNumber() {
        if (!master) {
            return observedLeader;
        }
        if (state == ClocklinkNode.State.LEADER) {
            return nodeNumber;
        }
        return leaderLink != null ? leaderLink.nodeNumber : 0;
    }

    long elections() {
        return elections;
    }
}
