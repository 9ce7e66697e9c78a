package io.ionclock.core.clocklink;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    @Test
    void acceptsEachSequenceOnceWithinTheWindow() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.accept(100));
        assertFalse(w.accept(100));
        assertTrue(w.accept(90)); // late but inside the window
        assertFalse(w.accept(90));
        assertTrue(w.accept(200));
        assertFalse(w.accept(200 - ReplayWindow.WINDOW)); // too old now
        assertTrue(w.accept(200 - ReplayWindow.WINDOW + 1));
        assertTrue(w.accept((2L << 32) | 1)); // a restart with a higher incarnation
        assertFalse(w.accept(201));
    }

    /** Random reordering, duplication and replays: each sequence is accepted at most once, never one too old. */
    @Test
    void neverAcceptsTwiceUnderRandomReordering() {
        SplittableRandom r = new SplittableRandom(11);
        ReplayWindow w = new ReplayWindow();
        Set<Long> accepted = new HashSet<>();
        long highest = Long.MIN_VALUE;
        long next = 0;
        for (int i = 0; i < 200_000; i++) {
            long s = r.nextInt(4) == 0 ? Math.max(0, next - r.nextLong(200)) : next++;
            boolean would = w.wouldAccept(s);
            boolean ok = w.accept(s);
            assertTrue(would == ok);
            if (ok) {
                assertTrue(accepted.add(s), "accepted twice: " + s);
                assertTrue(highest == Long.MIN_VALUE || s > highest - ReplayWindow.WINDOW, "too old accepted");
                highest = Math.max(highest, s);
            }
        }
    }
}
