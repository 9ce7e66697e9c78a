package io.ionclock.core.clocklink;

import io.ionclock.core.select.Selection;

/**
 * The leader's SYNC_UPDATE after its round (every master's offset from the fleet's combined time, its bound,
 * reputation and verdict), and a follower's check of each update against its own measurements: the update's offset
 * for this node must agree with this node's own view of itself against the fleet, within the honest bounds always and
 * without a change beyond the precision from what it has been under this leader. {@link #DEPOSE_AFTER_UPDATES}
 * inconsistent updates running depose the leader: its link is isolated and an election starts.
 */
final class LeaderUpdates {
    /** Consecutive inconsistent updates after which a follower deposes the leader. */
    static final int DEPOSE_AFTER_UPDATES = 2;

    private final ClocklinkConfig config;
    private final Transmitter transmitter;
    private final Election election;
    private final Combiner combiner;
    private final PeerLink[] links;
    private final int nodeNumber;
    private final boolean master;

    private int inconsistentUpdates;
    private double updateCheckSq = -1;
    private boolean updateBaselineSet;
    private int updateBaselineLeader;
    private double updateBaselineNanos;
    private long deposals;
    private long updatesSent;
    private long updatesReceived;

    LeaderUpdates(ClocklinkConfig config, Transmitter transmitter, Election election, Combiner combiner, PeerLink[] links) {
        this.config = config;
        this.transmitter = transmitter;
        this.election = election;
        this.combiner = combiner;
        this.links = links;
        this.nodeNumber = config.nodeNumber();
        this.master = config.role() == ClocklinkConfig.Role.MASTER;
    }

    /** The leader, after a valid combination: one update to every active master. */
    void send(long cycle) {
        Combiner c = combiner;
        Selection selection = c.selection();
        ClocklinkMessage tx = transmitter.message(Wire.TYPE_SYNC_UPDATE);
        tx.term = election.term();
        tx.round = (int) cycle;
        int n = 0;
        if (c.selfUsable()) {
            tx.entryNode[n] = nodeNumber;
            tx.entryOffsetNanos[n] = Wire.saturateI32(c.selfX() - c.resultX());
            tx.entryBoundNanos[n] = Wire.saturateU32(c.selfBound() + c.resultBound());
            tx.entryReputation[n] = 255;
            tx.entryVerdict[n] = selection.verdict(c.selfSelIndex()).wireCode();
            n++;
        }
        for (PeerLink link : links) {
            if (n == Wire.UPDATE_ENTRIES_MAX || !link.numberKnown) {
                continue;
            }
            tx.entryNode[n] = link.nodeNumber;
            tx.entryOffsetNanos[n] = link.usable ? Wire.saturateI32(link.valueX - c.resultX()) : 0;
            tx.entryBoundNanos[n] = link.usable ? Wire.saturateU32(link.boundX + c.resultBound()) : Wire.U32_MAX;
            tx.entryReputation[n] = (int) Math.round(255 * (link.trust.isolated ? 0 : link.trust.reputation));
            tx.entryVerdict[n] = link.verdict.wireCode();
            n++;
        }
        tx.entryCount = n;
        for (PeerLink link : links) {
            if (link.state == PeerLink.State.ACTIVE && link.role == Wire.ROLE_MASTER) {
                transmitter.send(link.token);
                updatesSent++;
            }
        }
    }

    /** A SYNC_UPDATE from {@code link}: accepted from the leader we follow, then checked against our own view. */
    void onUpdate(PeerLink link, ClocklinkMessage rx, long now) {
        if (!master || rx.role != Wire.ROLE_MASTER || link.trust.isolated || rx.term < election.term()
                || !election.fromLeader(link, rx, now)) {
            transmitter.dropped(DropReason.UNEXPECTED, link.drops);
            return;
        }
        updatesReceived++;
        Combiner c = combiner;
        if (!c.resultValid() || !c.selfUsable() || !link.judgeable()) {
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
            double d = rx.entryOffsetNanos[mine] - (double) c.resultOffsetSelfNanos();
            double honest = link.boundX + c.selfBound() + c.resultBound() + config.precisionFloorNanos();
            if (!updateBaselineSet || updateBaselineLeader != link.nodeNumber) {
                updateBaselineSet = true;
                updateBaselineLeader = link.nodeNumber;
                updateBaselineNanos = d;
                updateCheckSq = -1;
            }
            double change = d - updateBaselineNanos;
            double scale = updateCheckSq < 0 ? 0 : Math.sqrt(updateCheckSq);
            double tol = PeerLink.PRECISION_SIGMAS * scale + link.precisionX + c.resultPrecision()
                    + config.precisionFloorNanos();
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
            link.trust.isolate();
            election.depose(now);
        }
    }

    long deposals() {
        return deposals;
    }

    long updatesSent() {
        return updatesSent;
    }

    long updatesReceived() {
        return updatesReceived;
    }
}
