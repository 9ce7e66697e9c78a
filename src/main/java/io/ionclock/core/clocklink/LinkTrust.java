package io.ionclock.core.clocklink;

/**
 * How much a node trusts one link, learned from its disagreement with the node's combination cycle after cycle: a
 * reputation (0..1) that agreeing raises and disagreeing cuts, isolation below {@link #ISOLATION_REPUTATION}, and the
 * link's learned disagreement (its mean square: the weight in the combination; its fixed part, the baseline: a path
 * asymmetry; the spread around that: the vote's scale). {@link Judge} applies a cycle's verdicts to it.
 */
final class LinkTrust {
    /** Reputation: gain toward 1 per agreeing cycle, factor per disagreeing cycle, isolation threshold. */
    static final double REPUTATION_GAIN = 0.02;
    static final double REPUTATION_PENALTY = 0.1;
    static final double ISOLATION_REPUTATION = 0.02;
    /** An isolated source must agree for this long without a break to come back, at this reputation. */
    static final long REINSTATE_NANOS = 300_000_000_000L;
    static final double REINSTATED_REPUTATION = 0.1;
    /** A link's change is learned clipped at this many of its vote's scales (a robust mean square). */
    static final double LEARN_CLIP_SCALES = 3;
    /** A link is judged only once its disagreement has been learned from this many cycles (again after a relearn). */
    static final int LEARNED_CYCLES_MIN = 16;
    /** The baseline moves 1/this of a (clipped) disagreement once learned; the spreads 1/32. */
    static final int BASELINE_CYCLES = 64;

    double reputation = 1;
    boolean isolated;
    long agreeingSinceMono = Long.MIN_VALUE;
    double precisionSq = -1; // mean square of (value - result): the weight in the combination
    boolean baselineSet;
    double baselineNanos; // the learned fixed part of (value - result): the path's asymmetry
    double changeSq = -1; // mean square of (value - result - baseline): the vote's scale
    int learnedCycles; // cycles learned from since the start or the last relearn (saturates at BASELINE_CYCLES)

    /** An agreeing, judged cycle. */
    void reward() {
        reputation += (1 - reputation) * REPUTATION_GAIN;
    }

    /** A disagreeing, judged cycle (a gross one counts twice); isolates below the threshold. */
    void penalize(boolean gross) {
        reputation *= gross ? REPUTATION_PENALTY * REPUTATION_PENALTY : REPUTATION_PENALTY;
        if (reputation < ISOLATION_REPUTATION) {
            isolate();
        }
    }

    /** Weight 0 until it has agreed for {@link #REINSTATE_NANOS} without a break. */
    void isolate() {
        reputation = 0;
        isolated = true;
        agreeingSinceMono = Long.MIN_VALUE;
    }

    /** An isolated link this cycle: agreeing long enough without a break brings it back at a low reputation. */
    void observeWhileIsolated(boolean agrees, long now) {
        if (!agrees) {
            agreeingSinceMono = Long.MIN_VALUE;
        } else if (agreeingSinceMono == Long.MIN_VALUE) {
            agreeingSinceMono = now;
        } else if (now - agreeingSinceMono >= REINSTATE_NANOS) {
            isolated = false;
            reputation = REINSTATED_REPUTATION;
            agreeingSinceMono = Long.MIN_VALUE;
        }
    }

    /** Forgets the learned disagreement (weight, baseline, vote scale), keeping the reputation: learned again. */
    void relearn() {
        precisionSq = -1;
        baselineSet = false;
        baselineNanos = 0;
        changeSq = -1;
        learnedCycles = 0;
    }

    /** Whether enough has been learned to hold the link's disagreement against it. */
    boolean learnedEnough() {
        return learnedCycles >= LEARNED_CYCLES_MIN;
    }

    /**
     * Learns a trusted link's disagreement {@code dNanos = value - result} with the combination: its mean square (the
     * link's weight), its fixed part (the baseline: a path asymmetry) and the spread around that (the vote's scale).
     * Robustly: a change beyond a few of the vote's scales is clipped, so a lie that begins (selected while it is still
     * within the vote) neither drags the baseline nor widens the vote that is about to catch it.
     */
    void learn(double dNanos, long uncertaintyNanos) {
        learnedCycles = Math.min(learnedCycles + 1, BASELINE_CYCLES);
        // A running mean over the first cycles, then a moving one: the first, noisiest value weighs no more than any.
        int n = learnedCycles;
        precisionSq = precisionSq < 0 ? dNanos * dNanos : precisionSq + (dNanos * dNanos - precisionSq) / Math.min(n, 32);
        if (!baselineSet) {
            baselineSet = true;
            baselineNanos = dNanos;
        }
        double scale = Math.max(changeSq < 0 ? 0 : Math.sqrt(changeSq), uncertaintyNanos);
        double limit = LEARN_CLIP_SCALES * Math.max(1, scale);
        double c = Math.max(-limit, Math.min(limit, dNanos - baselineNanos));
        baselineNanos += c / n;
        changeSq = changeSq < 0 ? c * c : changeSq + (c * c - changeSq) / Math.min(n, 32);
    }
}
