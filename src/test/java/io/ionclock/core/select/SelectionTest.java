package io.ionclock.core.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.LeapIndicator;
import io.ionclock.core.Sample;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SelectionTest {
    static final long TRUTH = 1_790_000_000_000_000_000L; // large values: the combination must not lose precision

    @Test
    void agreeingSourcesAreCombinedByPrecisionAndBoundedByTheirIntersection() {
        Selection s = new Selection();
        int a = s.add(TRUTH + 100, 1_000, 200, 1);
        int b = s.add(TRUTH - 100, 1_000, 200, 1);
        int c = s.add(TRUTH + 400, 2_000, 400, 1); // less precise: a quarter of the weight
        assertTrue(s.select());
        assertEquals(Verdict.SELECTED, s.verdict(a));
        assertEquals(Verdict.SELECTED, s.verdict(b));
        assertEquals(Verdict.SELECTED, s.verdict(c));
        assertTrue(s.decisive());
        // weights 1/200^2, 1/200^2, 1/400^2: (100 - 100 + 400/4) / 2.25 = 44.4
        assertEquals(TRUTH + 44, s.valueNanos());
        // n = 3, f = 0: region is the intersection [TRUTH - 900, TRUTH + 900] (c spans -1600..2400)
        assertEquals(TRUTH - 900, s.regionLowNanos());
        assertEquals(TRUTH + 900, s.regionHighNanos());
        assertEquals(944, s.boundNanos());
        assertFalse(s.degraded());
    }

    @Test
    void aFalsetickerOutsideTheRegionIsDropped() {
        Selection s = new Selection();
        for (int i = 0; i < 4; i++) {
            s.add(TRUTH + i * 10, 500, 50, 1);
        }
        int liar = s.add(TRUTH + 5_000, 500, 50, 1);
        assertTrue(s.select());
        assertEquals(Verdict.FALSETICKER, s.verdict(liar));
        assertTrue(Math.abs(s.valueNanos() - TRUTH) <= 30);
    }

    @Test
    void aLiarInsideTheHonestBoundIsAnOutlierAtThePrecisionLevel() {
        // The liar shifts by 300 us, less than the 500 us bound (half a round trip): its interval overlaps
        // everyone's, but at the 5 us precision it disagrees with the majority.
        Selection s = new Selection();
        for (int i = 0; i < 4; i++) {
            s.add(TRUTH + i * 500, 500_000, 5_000, 1);
        }
        int liar = s.add(TRUTH + 300_000, 500_000, 5_000, 1);
        assertTrue(s.select());
        assertTrue(s.decisive());
        assertEquals(Verdict.OUTLIER, s.verdict(liar));
        assertTrue(Math.abs(s.valueNanos() - TRUTH) <= 2_000, "combined " + (s.valueNanos() - TRUTH));
    }

    @Test
    void reputationBreaksATieBetweenTwoAgreeingGroups() {
        // Two liars agree with each other; two honest sources too. Equal weight: nobody can be judged.
        Selection s = new Selection();
        s.add(TRUTH, 500_000, 5_000, 1);
        s.add(TRUTH + 100, 500_000, 5_000, 1);
        s.add(TRUTH + 300_000, 500_000, 5_000, 1);
        s.add(TRUTH + 300_100, 500_000, 5_000, 1);
        assertTrue(s.select());
        assertFalse(s.decisive());
        // The liars' reputation has fallen: the honest pair carries the vote.
        s.clear();
        int h1 = s.add(TRUTH, 500_000, 5_000, 1);
        int h2 = s.add(TRUTH + 100, 500_000, 5_000, 1);
        int l1 = s.add(TRUTH + 300_000, 500_000, 5_000, 0.1);
        int l2 = s.add(TRUTH + 300_100, 500_000, 5_000, 0.1);
        assertTrue(s.select());
        assertTrue(s.decisive());
        assertEquals(Verdict.SELECTED, s.verdict(h1));
        assertEquals(Verdict.SELECTED, s.verdict(h2));
        assertEquals(Verdict.OUTLIER, s.verdict(l1));
        assertEquals(Verdict.OUTLIER, s.verdict(l2));
    }

    @Test
    void weightZeroIsExcludedAndTwoDisjointSourcesHaveNoMajority() {
        Selection s = new Selection();
        int a = s.add(TRUTH, 100, 10, 1);
        int b = s.add(TRUTH + 1_000, 100, 10, 1);
        int c = s.add(TRUTH + 50, 100, 10, 0);
        assertFalse(s.select());
        assertEquals(Verdict.EXCLUDED, s.verdict(c));
        assertEquals(Verdict.NO_MAJORITY, s.verdict(a));
        assertEquals(Verdict.NO_MAJORITY, s.verdict(b));
        assertThrows(IllegalStateException.class, s::valueNanos);
    }

    @Test
    void oneSourceIsItsOwnResult() {
        Selection s = new Selection();
        s.add(TRUTH + 7, 1_000, 3, 0.5);
        assertTrue(s.select());
        assertEquals(TRUTH + 7, s.valueNanos());
        assertEquals(1_000, s.boundNanos());
        assertEquals(1, s.selectedCount());
    }

    @Test
    void samplesAreOffsetsWithTheirErrorAndAge() {
        Selection s = new Selection();
        Sample gnss = new Sample("GNSS+PPS", 5, TRUTH, 0, 200, LeapIndicator.NONE);
        Sample link = new Sample("CLOCKLINK", 5, TRUTH + 300, 100, 500_000, LeapIndicator.NONE);
        int g = s.addSample(gnss, TRUTH + 1_000, 50, 300, 1);
        int l = s.addSample(link, TRUTH + 1_000, 50, 500_100, 1);
        assertTrue(s.select());
        assertEquals(Verdict.SELECTED, s.verdict(g));
        assertEquals(Verdict.SELECTED, s.verdict(l));
        // offset = local - reference: we are about 1 us ahead; the region is GNSS's [750, 1250]
        assertTrue(s.valueNanos() >= 750 && s.valueNanos() <= 1_250, "offset " + s.valueNanos());
    }

    @Test
    void rejectsImpossibleInput() {
        Selection s = new Selection(2);
        assertThrows(IllegalArgumentException.class, () -> s.add(0, -1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> s.add(0, 1, 0, 1.5));
        assertThrows(IllegalArgumentException.class, () -> s.add(0, 1, 0, Double.NaN));
        s.add(0, 1, 0, 1);
        s.add(0, 1, 0, 1);
        assertThrows(IllegalStateException.class, () -> s.add(0, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Selection(0));
        assertThrows(IllegalArgumentException.class, () -> new Selection(Selection.SOURCES_MAX + 1));
    }

    /**
     * The promise: with at most f = floor((n-1)/3) faulty sources, whatever the faulty ones claim, a valid result's
     * bound contains the truth. Honest intervals are placed anywhere that still contains the truth (edge of range),
     * faulty ones anywhere at all (near the truth, far away, tight, wide, agreeing with each other).
     */
    @Test
    void theBoundHoldsWhateverUpToFFaultySourcesClaim() {
        SplittableRandom r = new SplittableRandom(20261201);
        Selection s = new Selection();
        int valid = 0;
        for (int trial = 0; trial < 20_000; trial++) {
            s.clear();
            int n = 1 + r.nextInt(Selection.SOURCES_MAX);
            int f = r.nextInt((n - 1) / 3 + 1);
            long liarCentre = TRUTH + r.nextLong(-2_000_000, 2_000_000);
            int active = 0;
            int activeLiars = 0;
            for (int i = 0; i < n; i++) {
                long bound = 1 + r.nextLong(1_000_000);
                long precision = r.nextLong(bound + 1);
                double weight = r.nextInt(4) == 0 ? 0 : 0.01 + 0.99 * r.nextDouble();
                if (weight > 0) {
                    active++;
                    activeLiars += i < f ? 1 : 0;
                }
                if (i < f) {
                    long v = r.nextBoolean() ? liarCentre + r.nextLong(-1_000, 1_000) : TRUTH + r.nextLong(-3_000_000, 3_000_000);
                    s.add(v, r.nextBoolean() ? bound : r.nextLong(1, 100), precision, weight);
                } else {
                    double edge = r.nextInt(3) == 0 ? (r.nextBoolean() ? 1 : -1) : 2 * r.nextDouble() - 1;
                    long v = TRUTH + Math.round(edge * bound);
                    s.add(v, bound, precision, weight);
                }
            }
            boolean withinAssumption = activeLiars <= (active - 1) / 3;
            if (s.select() && withinAssumption) {
                assertFalse(s.degraded(), "trial " + trial);
                valid++;
                long err = Math.abs(s.valueNanos() - TRUTH);
                assertTrue(err <= s.boundNanos(), "trial " + trial + ": error " + err + " > bound " + s.boundNanos());
                assertTrue(s.regionLowNanos() <= TRUTH && TRUTH <= s.regionHighNanos(), "trial " + trial + ": region");
            }
        }
        assertTrue(valid > 8_000, "most trials give a result: " + valid);
    }

    /** Liars beyond every honest precision interval are judged (never SELECTED) once honest weight is the majority. */
    @Test
    void distantLiarsAreNeverSelectedWhenHonestSourcesAgree() {
        SplittableRandom r = new SplittableRandom(7);
        Selection s = new Selection();
        for (int trial = 0; trial < 5_000; trial++) {
            s.clear();
            int n = 4 + r.nextInt(Selection.SOURCES_MAX - 3);
            int f = r.nextInt((n - 1) / 3 + 1);
            long precisionMax = 1 + r.nextLong(10_000);
            int[] liars = new int[f];
            for (int i = 0; i < n; i++) {
                long p = 1 + r.nextLong(precisionMax);
                if (i < f) {
                    long shift = (r.nextBoolean() ? 1 : -1) * (3 * precisionMax + r.nextLong(1_000_000));
                    liars[i] = s.add(TRUTH + shift, 2_000_000, p, 1);
                } else {
                    s.add(TRUTH + r.nextLong(-p, p + 1), 2_000_000, p, 1);
                }
            }
            assertTrue(s.select());
            assertTrue(s.decisive(), "trial " + trial);
            for (int liar : liars) {
                assertTrue(s.verdict(liar) != Verdict.SELECTED, "trial " + trial + ": liar selected");
            }
            assertTrue(Math.abs(s.valueNanos() - TRUTH) <= precisionMax, "trial " + trial);
        }
    }
}
