package io.ionclock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The sim profile's oscillator on a manual base: its rate, its wander within what it was given, and monotonicity. */
class SimulatedOscillatorTest {
    static final long SECOND_NANOS = 1_000_000_000L;

    @Test
    void aConstantOscillatorRunsAtItsRate() {
        ManualClock base = new ManualClock(5 * SECOND_NANOS);
        SimulatedOscillator osc = new SimulatedOscillator(base, 25_000);
        long start = osc.monoNanos();
        base.advanceNanos(100 * SECOND_NANOS);
        assertEquals(100 * SECOND_NANOS + 2_500_000, osc.monoNanos() - start, 1);
    }

    /** Random walk and temperature cycle: the frequency stays within 6 sigma of the walk plus the cycle's amplitude. */
    @Test
    void theWanderStaysWithinWhatItWasGivenAndTimeNeverGoesBack() {
        ManualClock base = new ManualClock(5 * SECOND_NANOS);
        SimulatedOscillator osc = new SimulatedOscillator(base, 25_000, 0.2, 100, 900, 7);
        SplittableRandom r = new SplittableRandom(3);
        long last = osc.monoNanos();
        long startBase = base.monoNanos();
        double minPpb = Double.MAX_VALUE;
        double maxPpb = -Double.MAX_VALUE;
        while (base.monoNanos() - startBase < 3_600 * SECOND_NANOS) {
            base.advanceNanos(r.nextLong(1, 3 * SECOND_NANOS)); // irregular reads, sometimes several seconds apart
            long now = osc.monoNanos();
            assertTrue(now >= last, "went back " + (last - now) + " ns");
            last = now;
            minPpb = Math.min(minPpb, osc.frequencyPpbNow());
            maxPpb = Math.max(maxPpb, osc.frequencyPpbNow());
        }
        double walkMax = 6 * 0.2 * Math.sqrt(3_600);
        assertTrue(minPpb >= 25_000 - 100 - walkMax && maxPpb <= 25_000 + 100 + walkMax, minPpb + " .. " + maxPpb);
        assertTrue(maxPpb - minPpb > 150, "the cycle shows: " + minPpb + " .. " + maxPpb);
        // The same seed, the same timebase.
        ManualClock b1 = new ManualClock(0);
        ManualClock b2 = new ManualClock(0);
        SimulatedOscillator o1 = new SimulatedOscillator(b1, 25_000, 0.2, 100, 900, 9);
        SimulatedOscillator o2 = new SimulatedOscillator(b2, 25_000, 0.2, 100, 900, 9);
        b1.advanceNanos(777 * SECOND_NANOS);
        b2.advanceNanos(777 * SECOND_NANOS);
        assertEquals(o1.monoNanos(), o2.monoNanos());
    }

    @Test
    void outOfRangeSettingsAreRefused() {
        ManualClock base = new ManualClock(0);
        assertThrows(IllegalArgumentException.class, () -> new SimulatedOscillator(base, 2e8));
        assertThrows(IllegalArgumentException.class, () -> new SimulatedOscillator(base, 0, -1, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new SimulatedOscillator(base, 0, 0, 0, 0, 1));
    }
}
