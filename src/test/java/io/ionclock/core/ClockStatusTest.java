package io.ionclock.core;

import static io.ionclock.core.ClockStatus.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ClockStatusTest {
    static final long HOLDOVER_AFTER_NANOS = 5_000;
    static final long BOUND_NANOS_MAX = 1_000;

    ClockStatus next(ClockStatus s, boolean freq, long age, long bound) {
        return s.next(freq, age, bound, HOLDOVER_AFTER_NANOS, BOUND_NANOS_MAX);
    }

    @Test
    void transitions() {
        assertEquals(UNSYNCHRONIZED, next(UNSYNCHRONIZED, false, 0, 10));
        assertEquals(UNSYNCHRONIZED, next(UNSYNCHRONIZED, true, 0, BOUND_NANOS_MAX + 1));
        assertEquals(UNSYNCHRONIZED, next(UNSYNCHRONIZED, true, HOLDOVER_AFTER_NANOS + 1, 10));
        assertEquals(SYNCHRONIZED, next(UNSYNCHRONIZED, true, HOLDOVER_AFTER_NANOS, BOUND_NANOS_MAX));
        assertEquals(HOLDOVER, next(SYNCHRONIZED, true, HOLDOVER_AFTER_NANOS + 1, BOUND_NANOS_MAX));
        assertEquals(FREE_RUNNING, next(SYNCHRONIZED, true, HOLDOVER_AFTER_NANOS + 1, BOUND_NANOS_MAX + 1));
        assertEquals(FREE_RUNNING, next(HOLDOVER, true, HOLDOVER_AFTER_NANOS + 1, BOUND_NANOS_MAX + 1));
        assertEquals(SYNCHRONIZED, next(HOLDOVER, true, 0, 10));
        assertEquals(SYNCHRONIZED, next(FREE_RUNNING, true, 0, 10));
        assertEquals(FREE_RUNNING, next(FREE_RUNNING, true, HOLDOVER_AFTER_NANOS + 1, BOUND_NANOS_MAX + 1));
    }
}
