package io.ionclock.core.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.ManualClock;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    @Test
    void burstThenRate() {
        ManualClock clock = new ManualClock(1_000_000_000L);
        RateLimiter limiter = new RateLimiter(10, 20, clock.monoNanos());
        for (int i = 0; i < 20; i++) {
            assertTrue(limiter.tryAcquire(clock.monoNanos()), "burst " + i);
        }
        assertFalse(limiter.tryAcquire(clock.monoNanos()));
        clock.advanceNanos(99_999_999);
        assertFalse(limiter.tryAcquire(clock.monoNanos()));
        clock.advanceNanos(1);
        assertTrue(limiter.tryAcquire(clock.monoNanos()));
        assertFalse(limiter.tryAcquire(clock.monoNanos()));
        clock.advanceNanos(3_600_000_000_000L);
        int n = 0;
        while (limiter.tryAcquire(clock.monoNanos())) {
            n++;
        }
        assertEquals(20, n, "a long pause saves up no more than the burst");
    }

    /** Over any window, accepted <= burst + rate * window, whatever the arrival pattern. */
    @Test
    void neverMoreThanBurstPlusRate() {
        long seed = 5;
        Random r = new Random(seed);
        ManualClock clock = new ManualClock(0);
        RateLimiter limiter = new RateLimiter(100, 5, 0);
        long accepted = 0;
        for (int i = 0; i < 100_000; i++) {
            clock.advanceNanos(r.nextInt(2_000_000));
            if (limiter.tryAcquire(clock.monoNanos())) {
                accepted++;
            }
        }
        long allowed = 5 + clock.monoNanos() / 10_000_000L;
        assertTrue(accepted <= allowed, "seed " + seed + ": " + accepted + " > " + allowed);
        assertTrue(accepted > allowed * 9 / 10, "seed " + seed + ": the rate is given: " + accepted);
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(0, 1, 0));
    }
}
