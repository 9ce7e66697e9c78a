package io.ionclock.core.clocklink;

import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.select.Selection;
import java.util.function.DoubleUnaryOperator;

/**
 * The combination at the end of a cycle: each link's filter window sized from its jitter, the common slope refitted
 * ({@link SlopeTracker}), every link's estimate ({@link PeerLink#estimate}) and the fault-tolerant {@link Selection}
 * over those with weight (a master adds its own clock as a strong source). The result is {@code x = truth - mono} at
 * the cycle's instant, with its honest bound and precision.
 */
final class Combiner {
    /** The window on a peer that says it is still settling, in polls (then its filter tracks its moving clock). */
    static final int SETTLING_WINDOW_POLLS = 8;
    /** Links whose reputation is below this do not steer the slope. */
    static final double SLOPE_REPUTATION_MIN = 0.5;

    private final ClocklinkConfig config;
    private final ClocklinkNode.LocalClock clock;
    private final ClockReading reading = new ClockReading();
    private final PeerLink[] links;
    private final Selection selection;
    private final Selection sampleSelection;
    private final SlopeTracker slope = new SlopeTracker();
    private final boolean[] slopeLinks;
    private final DoubleUnaryOperator totalGapOfSlope = this::totalGap;
    private long windowNanosNow; // the longest window a link uses now (sizes the automatic sample period)
    private int usableLinks;

    // Self, for masters.
    private long selfX;
    private long selfBound;
    private boolean selfUsable;
    private int selfSelIndex = -1;

    // The last result (x = truth - mono at resultMono).
    private boolean resultValid;
    private long resultMono;
    private long resultX;
    private long resultBound;
    private long resultPrecision;
    private long resultOffsetSelfNanos; // master: own clock minus fleet, from this node's own view

    Combiner(ClocklinkConfig config, ClocklinkNode.LocalClock clock, PeerLink[] links) {
        this.config = config;
        this.clock = clock;
        this.links = links;
        this.slopeLinks = new boolean[links.length];
        this.selection = new Selection(Math.min(Selection.SOURCES_MAX, links.length + 1));
        this.sampleSelection = new Selection(Math.min(Selection.SOURCES_MAX, Math.max(1, links.length)));
    }

    /**
     * Combines the links (and, with {@code withSelf}, the master's own clock) at {@code now}, the node polling every
     * {@code periodNanos}. The result is valid when the selection found one.
     */
    void combine(long now, long periodNanos, boolean withSelf) {
        sizeWindows(periodNanos);
        fitSlope();
        selection.clear();
        usableLinks = 0;
        int weighted = 0;
        int settledWeighted = 0;
        for (PeerLink link : links) {
            link.selIndex = -1;
            link.usable = link.estimate(now, slope.slope(), slope.known(), config.precisionFloorNanos());
            if (link.usable) {
                usableLinks++;
            }
            if (link.weight() > 0) {
                weighted++;
                settledWeighted += link.peerSettling ? 0 : 1;
            }
        }
        // Peers still settling take part only while the settled ones are not a majority (a whole fleet starting).
        boolean settledOnly = 2 * settledWeighted > weighted;
        for (PeerLink link : links) {
            double weight = link.weight();
            if (weight > 0 && !(settledOnly && link.peerSettling)) {
                link.selIndex = selection.add(link.valueX, link.boundX, link.precisionX, weight, link.voteX,
                        link.voteHalfWidthX);
            }
        }
        selfSelIndex = -1;
        selfUsable = false;
        if (withSelf) {
            clock.read(now, reading);
            if (reading.status != ClockStatus.UNSYNCHRONIZED && reading.boundNanos < PeerLink.PEER_BOUND_USABLE_MAX) {
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
    }

    /** A master's own sample must not count its own clock: the links alone. Null when they give no result. */
    Selection selectLinksOnly() {
        sampleSelection.clear();
        for (PeerLink link : links) {
            double weight = link.weight();
            if (weight > 0) {
                sampleSelection.add(link.valueX, link.boundX, link.precisionX, weight);
            }
        }
        return sampleSelection.count() > 0 && sampleSelection.select() ? sampleSelection : null;
    }

    /** Sizes each link's filter window from its measured jitter and the poll period (see {@link LinkFilter#windowNanosFor}). */
    private void sizeWindows(long periodNanos) {
        long longest = 0;
        for (PeerLink link : links) {
            double jitter = link.filter.meanExcessNanos();
            if (jitter >= 0) {
                long window = windowNanosFor(jitter, periodNanos);
                // A peer still settling moves: only its newest few exchanges describe its clock now.
                link.filter.setWindow(link.peerSettling ? Math.min(window, SETTLING_WINDOW_POLLS * periodNanos) : window);
            }
            if (link.filter.hasData()) {
                longest = Math.max(longest, Math.min(link.filter.windowNanos(), (long) link.filter.spanNanos()));
            }
        }
        windowNanosNow = longest;
    }

    /** {@link LinkFilter#windowNanosFor} with this node's oscillator and window limit. */
    long windowNanosFor(double jitterNanos, long periodNanos) {
        return LinkFilter.windowNanosFor(jitterNanos, periodNanos, config.wanderPpbPerSqrtSecond(), config.filterWindowNanos());
    }

    /** Refits the common slope on the trusted, active links with two or more bins, and gives it to every filter. */
    private void fitSlope() {
        int n = 0;
        for (PeerLink link : links) {
            slopeLinks[link.index] = !link.trust.isolated && link.state == PeerLink.State.ACTIVE
                    && link.filter.bins() >= 2 && link.trust.reputation >= SLOPE_REPUTATION_MIN;
            if (slopeLinks[link.index]) {
                n++;
            }
        }
        if (n > 0) {
            slope.update(totalGapOfSlope, 2.0 * config.frequencyTolerancePpb() * 1e-9);
        }
        for (PeerLink link : links) {
            link.filter.setSlope(slope.slope());
        }
    }

    private double totalGap(double s) {
        double g = 0;
        for (PeerLink link : links) {
            if (slopeLinks[link.index]) {
                g += link.trust.reputation * link.filter.gap(s);
            }
        }
        return g;
    }

    Selection selection() {
        return selection;
    }

    int usableLinks() {
        return usableLinks;
    }

    long windowNanosNow() {
        return windowNanosNow;
    }

    double slope() {
        return slope.slope();
    }

    boolean selfUsable() {
        return selfUsable;
    }

    long selfX() {
        return selfX;
    }

    long selfBound() {
        return selfBound;
    }

    int selfSelIndex() {
        return selfSelIndex;
    }

    boolean resultValid() {
        return resultValid;
    }

    long resultMono() {
        return resultMono;
    }

    long resultX() {
        return resultX;
    }

    long resultBound() {
        return resultBound;
    }

    long resultPrecision() {
        return resultPrecision;
    }

    long resultOffsetSelfNanos() {
        return resultOffsetSelfNanos;
    }
}
