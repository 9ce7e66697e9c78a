package io.ionclock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OffsetHistoryTest {
    static ClockSnapshot snapshot(long i) {
        return new ClockSnapshot(i, 1_000_000_000L * i, 100 + i, ClockStatus.SYNCHRONIZED, "SIM", LeapIndicator.NONE,
                0, -i, 0, 0, 0, 0, 1);
    }

    @Test
    void keepsTheNewestPointsOldestFirst() {
        OffsetHistory h = new OffsetHistory(3);
        assertEquals(0, h.copy().length);
        for (long i = 1; i <= 5; i++) {
            h.record(snapshot(i));
        }
        OffsetHistory.Point[] p = h.copy();
        assertEquals(3, p.length);
        assertEquals(3_000_000_000L, p[0].epochNanos());
        assertEquals(5_000_000_000L, p[2].epochNanos());
        assertEquals(-5, p[2].lastOffsetNanos());
        assertEquals(105, p[2].boundNanos());
    }

    @Test
    void aRingOfAnHourAtMost() {
        OffsetHistory h = new OffsetHistory();
        for (long i = 0; i < OffsetHistory.POINTS_MAX + 10; i++) {
            h.record(snapshot(i));
        }
        assertEquals(OffsetHistory.POINTS_MAX, h.copy().length);
        assertEquals(10_000_000_000L, h.copy()[0].epochNanos());
        assertThrows(IllegalArgumentException.class, () -> new OffsetHistory(OffsetHistory.POINTS_MAX + 1));
        assertThrows(IllegalArgumentException.class, () -> new OffsetHistory(0));
    }
}
