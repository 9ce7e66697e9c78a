package io.ionclock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FrequencyTrendTest {
    private static final long MINUTE_NANOS = 60_000_000_000L;

    @Test
    void aLinearRampGivesItsSlopeInPpbPerHour() {
        FrequencyTrend t = new FrequencyTrend();
        long now = 0;
        for (int m = 0; m <= 30; m++) {
            now = m * MINUTE_NANOS;
            t.offer(now, 100 + 0.5 * m); // 0.5 ppb a minute = 30 ppb an hour
        }
        assertEquals(30.0, t.ppbPerHour(now), 1e-9);
    }

    @Test
    void aSteadyFrequencyHasNoTrend() {
        FrequencyTrend t = new FrequencyTrend();
        for (int m = 0; m <= 20; m++) {
            t.offer(m * MINUTE_NANOS, -1234.5);
        }
        assertEquals(0.0, t.ppbPerHour(20 * MINUTE_NANOS), 1e-12);
    }

    @Test
    void tooShortASpanIsNaN() {
        FrequencyTrend t = new FrequencyTrend();
        for (int m = 0; m <= 9; m++) {
            t.offer(m * MINUTE_NANOS, m);
        }
        assertTrue(Double.isNaN(t.ppbPerHour(9 * MINUTE_NANOS)));
    }

    @Test
    void readingsCloserThanAMinuteAreIgnored() {
        FrequencyTrend t = new FrequencyTrend();
        assertTrue(t.offer(0, 1));
        assertFalse(t.offer(MINUTE_NANOS - 1, 1000));
        assertTrue(t.offer(MINUTE_NANOS, 1));
        assertFalse(t.offer(2 * MINUTE_NANOS, Double.NaN));
    }

    @Test
    void onlyTheLastHourCounts() {
        FrequencyTrend t = new FrequencyTrend();
        long now = 0;
        for (int m = 0; m <= 180; m++) {
            now = m * MINUTE_NANOS;
            // a ramp for the first two hours, flat in the last
            t.offer(now, m < 120 ? m : 120);
        }
        assertEquals(0.0, t.ppbPerHour(now), 1e-9);
        // a window with no readings in it
        assertTrue(Double.isNaN(t.ppbPerHour(now + 2 * FrequencyTrend.WINDOW_NANOS)));
    }
}
