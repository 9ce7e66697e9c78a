package io.ionclock.core.clocklink;

import java.util.function.DoubleUnaryOperator;

/**
 * The node's common slope of {@code x = peer - mono} (minus the local oscillator's frequency error: the same on every
 * honest link): the slope that maximises a concave score (the trusted links' summed envelope gaps,
 * {@link LinkFilter#gap}), found by golden-section search over the whole tolerance at first, then within a bracket
 * around the last one (the oscillator wanders slowly), widened when the optimum lands on its edge. The node and the
 * envelope benchmark ({@code EnvelopeLimit}) both use this one.
 */
public final class SlopeTracker {
    /** Once the slope is known it is searched within a bracket around the last one: at least this ... */
    static final double SLOPE_SEARCH_NEAR = 2e-7;
    /** ... widened fourfold up to this when the optimum lands on its edge. */
    static final double SLOPE_SEARCH_NEAR_MAX = 2e-5;
    /** Golden-section steps near the last slope: 0.618^n of the bracket (2e-7 x 0.618^20: 1.3e-11); 3n at first. */
    static final int SLOPE_SEARCH_STEPS = 20;

    private double slope;
    private boolean known;
    private double near = SLOPE_SEARCH_NEAR;

    /**
     * Searches the slope that maximises {@code score} within {@code [-limit, limit]} (dimensionless, ns per ns), near
     * the last one once known.
     */
    public void update(DoubleUnaryOperator score, double limit) {
        double lo = known ? Math.max(-limit, slope - near) : -limit;
        double hi = known ? Math.min(limit, slope + near) : limit;
        double found = goldenSectionMax(score, lo, hi, known ? SLOPE_SEARCH_STEPS : 3 * SLOPE_SEARCH_STEPS);
        if (known) {
            near = nextSlopeSearchNear(near, found - slope);
        }
        slope = found;
        known = true;
    }

    /** The slope (0 until the first {@link #update}). */
    public double slope() {
        return slope;
    }

    public boolean known() {
        return known;
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
}
