package io.ionclock.adapter.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TransmitKeysTest {

    private final TransmitKeys.Sent out = new TransmitKeys.Sent();

    @Test
    void takesWhatWasRecordedOnce() {
        TransmitKeys keys = new TransmitKeys(8);
        keys.record(0, 11, 100, 5_000);
        keys.record(1, 12, 101, 6_000);
        assertEquals(2, keys.held());

        assertTrue(keys.take(1, out));
        assertEquals(1, out.key());
        assertEquals(12, out.token());
        assertEquals(101, out.sequence());
        assertEquals(6_000, out.sendMonoNanos());
        assertFalse(keys.take(1, out), "already taken");
        assertTrue(keys.take(0, out));
        assertEquals(11, out.token());
        assertEquals(0, keys.held());
        assertEquals(2, keys.taken());
        assertEquals(1, keys.takeMisses());
        assertEquals(0, keys.takesAhead());
        assertEquals(0, keys.overwritten());
    }

    @Test
    void findsReportsThatComeOutOfOrder() {
        TransmitKeys keys = new TransmitKeys(16);
        for (long key = 0; key < 10; key++) {
            keys.record(key, key, key + 1_000, key * 10);
        }
        for (long key : new long[] {3, 0, 9, 1, 2, 8, 4, 7, 6, 5}) {
            assertTrue(keys.take(key, out), "key " + key);
            assertEquals(key + 1_000, out.sequence());
        }
        assertEquals(0, keys.takeMisses());
    }

    @Test
    void aKeyNeverReportedIsOverwrittenAndCountedAndItsLateReportMisses() {
        TransmitKeys keys = new TransmitKeys(4);
        for (long key = 0; key < 4; key++) {
            keys.record(key, 0, key, 0);
        }
        assertTrue(keys.take(0, out));
        assertTrue(keys.take(2, out));
        assertTrue(keys.take(3, out));
        // key 1 lost; keys 4..7 reuse the slots
        for (long key = 4; key < 8; key++) {
            keys.record(key, 0, key, 0);
        }
        assertEquals(1, keys.overwritten());
        assertFalse(keys.take(1, out), "the lost key's slot now holds key 5");
        assertTrue(keys.take(5, out));
        assertEquals(5, out.sequence());
        assertEquals(1, keys.takeMisses());
        assertEquals(3, keys.held());
    }

    @Test
    void aReportBeforeItsRecordIsCountedAhead() {
        TransmitKeys keys = new TransmitKeys(8);
        keys.record(0, 0, 0, 0);
        assertFalse(keys.take(1, out));
        assertFalse(keys.take(TransmitKeys.KEY_MAX, out), "older than the newest: not ahead");
        assertEquals(2, keys.takeMisses());
        assertEquals(1, keys.takesAhead());
        assertFalse(keys.take(-1, out));
        assertFalse(keys.take(TransmitKeys.KEY_MAX + 1, out));
        assertEquals(4, keys.takeMisses());
    }

    @Test
    void keysWrapAfterTwoToTheThirtyTwo() {
        TransmitKeys keys = new TransmitKeys(4);
        keys.record(TransmitKeys.KEY_MAX - 1, 1, 1, 0);
        keys.record(TransmitKeys.KEY_MAX, 2, 2, 0);
        keys.record(0, 3, 3, 0);
        assertFalse(keys.take(1, out));
        assertEquals(1, keys.takesAhead(), "1 is newer than 0 after the wrap");
        assertTrue(keys.take(0, out));
        assertEquals(3, out.token());
        assertTrue(keys.take(TransmitKeys.KEY_MAX, out));
        assertEquals(2, out.token());
        assertTrue(keys.take(TransmitKeys.KEY_MAX - 1, out));
        assertEquals(1, out.token());
    }

    @Test
    void matchesAModelUnderSeededLossAndReordering() {
        long seed = 18;
        Random random = new Random(seed);
        int capacity = 64;
        TransmitKeys keys = new TransmitKeys(capacity);
        Map<Long, Long> live = new HashMap<>(); // key -> sequence, not yet taken nor overwritten
        List<Long> inFlight = new ArrayList<>();
        long expectedOverwritten = 0;
        long expectedMisses = 0;
        long key = TransmitKeys.KEY_MAX - 5_000; // crosses the wrap
        for (int step = 0; step < 20_000; step++) {
            long sequence = step;
            if (live.remove((key - capacity) & TransmitKeys.KEY_MAX) != null) {
                expectedOverwritten++;
            }
            keys.record(key, 7, sequence, step);
            live.put(key, sequence);
            if (random.nextInt(10) != 0) { // 10 % of reports lost
                inFlight.add(key);
            }
            key = (key + 1) & TransmitKeys.KEY_MAX;
            if (inFlight.size() > 100 || random.nextInt(8) == 0) {
                Collections.shuffle(inFlight, random); // reports in any order, some very late
                int deliver = random.nextInt(inFlight.size() + 1);
                for (int i = 0; i < deliver; i++) {
                    long reported = inFlight.remove(inFlight.size() - 1);
                    Long expected = live.remove(reported);
                    boolean found = keys.take(reported, out);
                    assertEquals(expected != null, found, "seed " + seed + " key " + reported);
                    if (found) {
                        assertEquals(expected, out.sequence(), "seed " + seed);
                    } else {
                        expectedMisses++;
                    }
                }
            }
        }
        assertEquals(expectedOverwritten, keys.overwritten(), "seed " + seed);
        assertEquals(expectedMisses, keys.takeMisses(), "seed " + seed);
        assertEquals(live.size(), keys.held(), "seed " + seed);
        assertEquals(0, keys.takesAhead());
        assertTrue(expectedOverwritten > 0 && expectedMisses > 0, "the run exercised loss and lateness");
    }

    @Test
    void rejectsBadCapacitiesAndKeys() {
        assertThrows(IllegalArgumentException.class, () -> new TransmitKeys(0));
        assertThrows(IllegalArgumentException.class, () -> new TransmitKeys(3));
        assertThrows(IllegalArgumentException.class, () -> new TransmitKeys(TransmitKeys.CAPACITY_MAX * 2));
        assertEquals(TransmitKeys.CAPACITY_DEFAULT, new TransmitKeys().capacity());
        TransmitKeys keys = new TransmitKeys(4);
        assertThrows(IllegalArgumentException.class, () -> keys.record(-1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> keys.record(TransmitKeys.KEY_MAX + 1, 0, 0, 0));
    }
}
