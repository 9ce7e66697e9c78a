package io.ionclock.core;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Sums that used to wrap: a sample's total error, and the interval ends of a reading at the ends of the epoch. */
class EdgeArithmeticTest {
    @Test
    void aSampleWhoseErrorsSumPastTheLimitIsRefusedNotWrapped() {
        assertThrows(IllegalArgumentException.class,
                () -> new Sample("X", 0, 0, Long.MAX_VALUE - 5, 10, LeapIndicator.NONE)); // wrapped to < 0 before
        assertThrows(IllegalArgumentException.class,
                () -> new Sample("X", 0, 0, 10, Long.MAX_VALUE - 5, LeapIndicator.NONE));
        assertThrows(IllegalArgumentException.class,
                () -> new Sample("X", 0, 0, Sample.ERROR_NANOS_MAX, 1, LeapIndicator.NONE));
        Sample edge = assertDoesNotThrow(() -> new Sample("X", 0, 0, Sample.ERROR_NANOS_MAX - 1, 1, LeapIndicator.NONE));
        assertEquals(Sample.ERROR_NANOS_MAX, edge.errorNanos());
    }

    /** 2262-04-11, an hour before the last instant a long holds: an unsynchronized clock's "unknown" bound. */
    @Test
    void latestSaturatesInsteadOfWrappingIntoThePast() {
        long epochNanos = Long.MAX_VALUE - 3_600_000_000_000L;
        ClockReading r = new ClockReading();
        r.epochNanos = epochNanos;
        r.boundNanos = DisciplinedClock.BOUND_NANOS_UNKNOWN;
        assertEquals(Long.MAX_VALUE, r.latestNanos());
        assertEquals(epochNanos - DisciplinedClock.BOUND_NANOS_UNKNOWN, r.earliestNanos());
        assertTrue(Rfc3339.ofEpochNanos(r.latestNanos()).startsWith("2262-04-11"), Rfc3339.ofEpochNanos(r.latestNanos()));

        DisciplinedClock clock = new DisciplinedClock(DisciplineConfig.defaults(), 0, epochNanos, Double.NaN);
        ClockSnapshot s = clock.snapshot(1_000);
        assertEquals(ClockStatus.UNSYNCHRONIZED, s.status());
        assertTrue(s.latestNanos() >= s.epochNanos(), "latest " + s.latestNanos() + " before now " + s.epochNanos());
        assertTrue(s.earliestNanos() <= s.epochNanos());
        assertTrue(Rfc3339.ofEpochNanos(s.latestNanos()).startsWith("2262-04-11"));

        r.epochNanos = Long.MIN_VALUE + 5;
        r.boundNanos = 10;
        assertEquals(Long.MIN_VALUE, r.earliestNanos());
    }

    @Test
    void saturatingArithmetic() {
        assertEquals(Long.MAX_VALUE, Saturating.add(Long.MAX_VALUE, 1));
        assertEquals(Long.MIN_VALUE, Saturating.add(Long.MIN_VALUE, -1));
        assertEquals(Long.MIN_VALUE, Saturating.subtract(Long.MIN_VALUE, 1));
        assertEquals(Long.MAX_VALUE, Saturating.subtract(Long.MAX_VALUE, -1));
        assertEquals(-3, Saturating.subtract(2, 5));
        assertEquals(7, Saturating.add(2, 5));
    }
}
