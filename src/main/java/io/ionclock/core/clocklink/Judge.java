package io.ionclock.core.clocklink;

import io.ionclock.core.select.Selection;
import io.ionclock.core.select.Verdict;

/**
 * After each combination: every link's verdict, and its trust ({@link LinkTrust}) from it. A link votes against its
 * own learned baseline (a path's fixed asymmetry is physics, a lie that starts is a change); a link that disagrees two
 * judged cycles running (one, grossly) is isolated. Only a decisive selection judges, and only links whose filters have
 * seen enough ({@link PeerLink#judgeable()}); a peer that said recently it was coasting is not punished, and a peer
 * whose clock is still settling ({@link Wire#FLAG_SETTLING}: it may move anywhere within its bound) is neither judged
 * nor learned from: only an honest interval that misses the truth's (FALSETICKER) counts against it.
 */
final class Judge {
    /** A disagreement beyond this many vote half-widths isolates at the first judged cycle. */
    static final double GROSS_FACTOR = 2;
    /** A peer that reported HOLDOVER or FREE_RUNNING within this is not punished for disagreeing. */
    static final long DEGRADED_GRACE_NANOS = 60_000_000_000L;

    private Judge() {
    }

    /**
     * @param selection   the cycle's selection (each usable, weighted link's verdict at its {@code selIndex})
     * @param resultValid whether it gave a result, then {@code resultX}
     */
    static void judge(PeerLink[] links, Selection selection, boolean resultValid, long resultX, long now) {
        boolean decisive = resultValid && selection.decisive();
        for (PeerLink link : links) {
            LinkTrust trust = link.trust;
            if (!link.usable) {
                link.verdict = link.state == PeerLink.State.UNREACHABLE || link.misses >= PeerLink.MISSES_UNREACHABLE
                        ? Verdict.UNREACHABLE : trust.isolated ? Verdict.ISOLATED : Verdict.NO_DATA;
                continue;
            }
            if (trust.isolated) {
                link.verdict = Verdict.ISOLATED;
                if (resultValid) {
                    trust.observeWhileIsolated(Math.abs(link.voteX - resultX) <= link.voteHalfWidthX, now);
                }
                continue;
            }
            if (link.selIndex < 0) {
                link.verdict = Verdict.EXCLUDED;
                continue;
            }
            Verdict v = selection.verdict(link.selIndex);
            link.verdict = v;
            boolean judged = decisive && link.judgeable() && trust.learnedEnough();
            if (link.peerSettling) {
                if (judged && v == Verdict.FALSETICKER) {
                    trust.penalize(true); // its honest interval misses the truth's: a fault, settling or not
                }
                continue;
            }
            if (resultValid && (v == Verdict.SELECTED || !judged)) {
                trust.learn(link.valueX - (double) resultX, link.uncertaintyX);
            }
            if (!judged) {
                continue;
            }
            if (v == Verdict.SELECTED) {
                trust.reward();
            } else if ((v == Verdict.OUTLIER || v == Verdict.FALSETICKER)
                    && now - link.lastDegradedMono >= DEGRADED_GRACE_NANOS) {
                // A peer that said recently it was coasting may come back with a correction: not a liar. Otherwise a
                // disagreement far beyond its vote interval isolates at once; a marginal one needs two cycles.
                trust.penalize(Math.abs(link.voteX - resultX) > GROSS_FACTOR * link.voteHalfWidthX);
            }
        }
    }
}
