package io.ionclock.core.hostclock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ionclock.core.ClockStatus;
import io.ionclock.core.LeapIndicator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class ChronyFeedPolicyTest {
    static final long SYSTEM_EPOCH_NANOS = 1_767_225_600_000_000_000L;
    static final long SECOND_NANOS = 1_000_000_000L;

    final ChronyFeedPolicy policy = new ChronyFeedPolicy(100_000, ByteOrder.LITTLE_ENDIAN);
    final byte[] buf = new byte[ChronySockSample.SIZE_BYTES];

    FeedResult at(long monoNanos, ClockStatus status, long boundNanos, long bracketNanos) {
        return policy.prepare(status, boundNanos, LeapIndicator.NONE, SYSTEM_EPOCH_NANOS + monoNanos,
                SYSTEM_EPOCH_NANOS + monoNanos + 3_000, bracketNanos, monoNanos, buf);
    }

    @Test
    void sendsOnlyWhileSynchronized() {
        assertEquals(FeedResult.SKIPPED_UNSYNCHRONIZED, at(0, ClockStatus.UNSYNCHRONIZED, 10, 100));
        assertEquals(FeedResult.SKIPPED_HOLDOVER, at(SECOND_NANOS, ClockStatus.HOLDOVER, 10, 100));
        assertEquals(FeedResult.SKIPPED_FREE_RUNNING, at(2 * SECOND_NANOS, ClockStatus.FREE_RUNNING, 10, 100));
        assertEquals(FeedResult.READY, at(3 * SECOND_NANOS, ClockStatus.SYNCHRONIZED, 10, 100));
        assertEquals(1, policy.count(FeedResult.SKIPPED_UNSYNCHRONIZED));
        assertEquals(1, policy.count(FeedResult.SKIPPED_HOLDOVER));
        assertEquals(1, policy.count(FeedResult.SKIPPED_FREE_RUNNING));
        assertEquals(0, policy.count(FeedResult.READY), "READY is not counted: the send's result is");
    }

    @Test
    void theBoundWithHalfTheBracketIsHeldAgainstTheMaximum() {
        assertEquals(FeedResult.READY, at(0, ClockStatus.SYNCHRONIZED, 99_000, 2_000));
        assertEquals(FeedResult.SKIPPED_BOUND_OVER_MAX, at(SECOND_NANOS, ClockStatus.SYNCHRONIZED, 99_000, 2_002));
        assertEquals(FeedResult.SKIPPED_BOUND_OVER_MAX, at(2 * SECOND_NANOS, ClockStatus.SYNCHRONIZED, 100_001, 0));
        assertEquals(FeedResult.SKIPPED_PAIR_WIDE,
                at(3 * SECOND_NANOS, ClockStatus.SYNCHRONIZED, 10, ChronyFeedPolicy.PAIR_BRACKET_NANOS_MAX + 1));
        assertEquals(2, policy.count(FeedResult.SKIPPED_BOUND_OVER_MAX));
        assertEquals(1, policy.count(FeedResult.SKIPPED_PAIR_WIDE));
    }

    @Test
    void atMostTheNamedRate() {
        long t = 0;
        assertEquals(FeedResult.READY, at(t, ClockStatus.SYNCHRONIZED, 10, 100));
        assertEquals(FeedResult.SKIPPED_RATE_LIMITED,
                at(t + ChronyFeedPolicy.SEND_INTERVAL_NANOS_MIN - 1, ClockStatus.SYNCHRONIZED, 10, 100));
        assertEquals(FeedResult.READY, at(t + ChronyFeedPolicy.SEND_INTERVAL_NANOS_MIN, ClockStatus.SYNCHRONIZED, 10, 100));
        // Ten updates a second (a Clocklink gateway) all pass.
        for (int i = 1; i <= 100; i++) {
            assertEquals(FeedResult.READY, at(SECOND_NANOS + i * 100_000_000L, ClockStatus.SYNCHRONIZED, 10, 100));
        }
        // A hundred a second for ten seconds are thinned to at most the maximum (every 7th: 62.5 ms is the minimum).
        int ready = 0;
        for (int i = 1; i <= 1000; i++) {
            if (at(20 * SECOND_NANOS + i * 10_000_000L, ClockStatus.SYNCHRONIZED, 10, 100) == FeedResult.READY) {
                ready++;
            }
        }
        assertEquals(143, ready, "i = 1, 8, 15, ... 995");
        assertEquals(1 + 1000 - 143, policy.count(FeedResult.SKIPPED_RATE_LIMITED));
    }

    @Test
    void theSampleCarriesTrueMinusSystemAndTheLeap() {
        long system = SYSTEM_EPOCH_NANOS + 123_456_789L;
        assertEquals(FeedResult.READY, policy.prepare(ClockStatus.SYNCHRONIZED, 500, LeapIndicator.DELETE, system,
                system - 4_200, 300, 0, buf));
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((-4_200 + 789) / 1e9, b.getDouble(ChronySockSample.OFFSET_OFFSET), 1e-15,
                "ionclock minus the system clock, plus the ns the timeval drops");
        assertEquals(ChronySockSample.LEAP_DELETE, b.getInt(ChronySockSample.LEAP_OFFSET));
        assertEquals(-1, policy.lastSentBoundNanos(), "nothing sent yet");
        policy.record(FeedResult.SENT);
        assertEquals(-4_200, policy.lastSentTrueMinusSystemNanos());
        assertEquals(650, policy.lastSentBoundNanos());
        assertEquals(1, policy.count(FeedResult.SENT));
        policy.record(FeedResult.NO_SOCKET);
        assertEquals(1, policy.count(FeedResult.NO_SOCKET));
        assertThrows(IllegalArgumentException.class, () -> policy.record(FeedResult.SKIPPED_HOLDOVER));
        assertThrows(IllegalArgumentException.class, () -> policy.record(FeedResult.READY));
    }

    @Test
    void aSystemClockIn1970IsStillFedButNotOneOutOfChronysRange() {
        assertEquals(FeedResult.READY, policy.prepare(ClockStatus.SYNCHRONIZED, 10, LeapIndicator.NONE, 5 * SECOND_NANOS,
                SYSTEM_EPOCH_NANOS, 0, 0, buf), "a gateway without an RTC: chrony steps");
        assertEquals(FeedResult.SKIPPED_OFFSET_OUT_OF_RANGE, policy.prepare(ClockStatus.SYNCHRONIZED, 10,
                LeapIndicator.NONE, 0, ChronySockSample.OFFSET_NANOS_MAX + 1, 0, SECOND_NANOS, buf));
    }

    @Test
    void rejectsImpossibleArguments() {
        assertThrows(IllegalArgumentException.class, () -> new ChronyFeedPolicy(0, ByteOrder.LITTLE_ENDIAN));
        assertThrows(IllegalArgumentException.class,
                () -> new ChronyFeedPolicy(ChronyFeedPolicy.BOUND_NANOS_MAX_LIMIT + 1, ByteOrder.LITTLE_ENDIAN));
        assertThrows(IllegalArgumentException.class, () -> at(0, ClockStatus.SYNCHRONIZED, 10, -1));
    }
}
