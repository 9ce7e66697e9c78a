package io.ionclock.adapter.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RealtimeToMonoTest {

    private static final long AGE_NANOS_MAX = 1_000_000_000L;
    private static final long BRACKET_NANOS = 4_000;
    private static final long START_MONO_NANOS = 5_000_000_000L;
    private static final long REALTIME_MINUS_MONO_NANOS = 1_700_000_000_000_000_000L;

    /**
     * A host whose CLOCK_REALTIME is {@code mono + offsetNanos}; each pair reads realtime exactly at the midpoint of
     * a {@code BRACKET_NANOS} bracket starting at {@code monoNanos}. A test moves time and steps the offset.
     */
    private static final class FakeClocks implements ClockPairReader {
        long monoNanos = START_MONO_NANOS;
        long offsetNanos = REALTIME_MINUS_MONO_NANOS;

        @Override
        public void read(ClockPair out) {
            long midNanos = monoNanos + BRACKET_NANOS / 2;
            out.set(monoNanos, midNanos + offsetNanos, monoNanos + BRACKET_NANOS);
            monoNanos += BRACKET_NANOS;
        }

        /** What the kernel would stamp now, on CLOCK_REALTIME. */
        long kernelRealtimeNanos() {
            return monoNanos + offsetNanos;
        }
    }

    private final FakeClocks clocks = new FakeClocks();
    private final ClockPair before = new ClockPair();
    private final ClockPair after = new ClockPair();

    @Test
    void withoutAStepTheEventConvertsExactly() {
        clocks.read(before);
        clocks.monoNanos += 300_000;
        long eventMonoNanos = clocks.monoNanos;
        long eventRealtimeNanos = clocks.kernelRealtimeNanos();
        clocks.monoNanos += 700_000;
        clocks.read(after);

        assertFalse(RealtimeToMono.stepped(before, after));
        assertEquals(eventMonoNanos, RealtimeToMono.monoNanos(eventRealtimeNanos, after, AGE_NANOS_MAX));
        assertEquals(eventMonoNanos, RealtimeToMono.monoNanos(eventRealtimeNanos, before, after, AGE_NANOS_MAX));
    }

    @Test
    void aForwardStepBetweenTheEventAndThePairIsSeenOnlyWithAPairFromBefore() {
        clocks.read(before);
        clocks.monoNanos += 300_000;
        long eventMonoNanos = clocks.monoNanos;
        long eventRealtimeNanos = clocks.kernelRealtimeNanos();
        clocks.offsetNanos += 1_000_000; // settimeofday 1 ms forward
        clocks.monoNanos += 700_000;
        clocks.read(after);

        // The pair after alone puts the event 1 ms early, still a plausible age: wrong, and not detectable.
        assertEquals(eventMonoNanos - 1_000_000, RealtimeToMono.monoNanos(eventRealtimeNanos, after, AGE_NANOS_MAX));
        assertTrue(RealtimeToMono.stepped(before, after));
        assertEquals(RealtimeToMono.IMPLAUSIBLE,
                RealtimeToMono.monoNanos(eventRealtimeNanos, before, after, AGE_NANOS_MAX));
    }

    @Test
    void aBackwardStepPutsTheEventAfterThePair() {
        clocks.read(before);
        clocks.monoNanos += 300_000;
        long eventRealtimeNanos = clocks.kernelRealtimeNanos();
        clocks.offsetNanos -= 1_000_000;
        clocks.monoNanos += 100_000;
        clocks.read(after);

        assertEquals(RealtimeToMono.IMPLAUSIBLE, RealtimeToMono.monoNanos(eventRealtimeNanos, after, AGE_NANOS_MAX));
        assertEquals(RealtimeToMono.IMPLAUSIBLE,
                RealtimeToMono.monoNanos(eventRealtimeNanos, before, after, AGE_NANOS_MAX));
    }

    @Test
    void aStepLargerThanTheAgeLimitIsCaughtByTheAgeAlone() {
        clocks.monoNanos += 300_000;
        long eventRealtimeNanos = clocks.kernelRealtimeNanos();
        clocks.offsetNanos += 5_000_000_000L;
        clocks.read(after);

        assertEquals(RealtimeToMono.IMPLAUSIBLE, RealtimeToMono.monoNanos(eventRealtimeNanos, after, AGE_NANOS_MAX));
    }

    @Test
    void theStepThresholdIsTheTwoHalfBracketsPlusTheTolerance() {
        long allowedNanos = BRACKET_NANOS / 2 + BRACKET_NANOS / 2 + RealtimeToMono.STEP_TOLERANCE_NANOS;
        clocks.read(before);
        clocks.offsetNanos += allowedNanos;
        clocks.read(after);
        assertFalse(RealtimeToMono.stepped(before, after));

        clocks.read(before);
        clocks.offsetNanos -= allowedNanos + 1;
        clocks.read(after);
        assertTrue(RealtimeToMono.stepped(before, after));
    }

    @Test
    void theAgeLimitIsInclusiveAndAnEventAtTheEndOfTheBracketIsPlausible() {
        clocks.read(after);
        // realtime of the instant the bracket closed: age 0
        long atEndRealtimeNanos = after.monoAfterNanos() + REALTIME_MINUS_MONO_NANOS;
        assertEquals(after.monoAfterNanos(), RealtimeToMono.monoNanos(atEndRealtimeNanos, after, AGE_NANOS_MAX));
        assertEquals(RealtimeToMono.IMPLAUSIBLE,
                RealtimeToMono.monoNanos(atEndRealtimeNanos + 1, after, AGE_NANOS_MAX));
        assertEquals(after.monoAfterNanos() - AGE_NANOS_MAX,
                RealtimeToMono.monoNanos(atEndRealtimeNanos - AGE_NANOS_MAX, after, AGE_NANOS_MAX));
        assertEquals(RealtimeToMono.IMPLAUSIBLE,
                RealtimeToMono.monoNanos(atEndRealtimeNanos - AGE_NANOS_MAX - 1, after, AGE_NANOS_MAX));
    }

    @Test
    void garbageTimestampsAreImplausibleNotAnOverflow() {
        clocks.read(after);
        for (long garbage : new long[] {Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE, 0, -1}) {
            assertEquals(RealtimeToMono.IMPLAUSIBLE, RealtimeToMono.monoNanos(garbage, after, AGE_NANOS_MAX),
                    "realtime " + garbage);
        }
        // a pair whose monotonic clock sits near the top of the range
        ClockPair high = new ClockPair();
        high.set(Long.MAX_VALUE - 10, 0, Long.MAX_VALUE - 6);
        assertEquals(RealtimeToMono.IMPLAUSIBLE, RealtimeToMono.monoNanos(Long.MIN_VALUE, high, Long.MAX_VALUE));
        assertNotEquals(RealtimeToMono.IMPLAUSIBLE, RealtimeToMono.monoNanos(-8, high, Long.MAX_VALUE));
    }

    @Test
    void rejectsANegativeAgeLimit() {
        clocks.read(after);
        assertThrows(IllegalArgumentException.class,
                () -> RealtimeToMono.monoNanos(clocks.kernelRealtimeNanos(), after, -1));
    }
}
