package io.ionclock.core.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NtpClientTableTest {

    @Test
    void evictsTheLeastRecentlySeenAtTheLimit() {
        NtpClientTable t = new NtpClientTable(4, 16, 32, 1);
        for (int i = 1; i <= 4; i++) {
            t.touch(0, NtpClientTable.ipv4Lo(i), i);
        }
        assertEquals(4, t.size());
        t.touch(0, NtpClientTable.ipv4Lo(1), 10); // 1 seen again: 2 is now the least recent
        t.touch(0, NtpClientTable.ipv4Lo(5), 11);
        assertEquals(4, t.size());
        assertEquals(1, t.evictions());
        assertEquals(-1, t.find(0, NtpClientTable.ipv4Lo(2)));
        for (int i : new int[] {1, 3, 4, 5}) {
            assertNotEquals(-1, t.find(0, NtpClientTable.ipv4Lo(i)), "client " + i);
        }
        assertEquals(5, t.insertions());
        assertTrue(t.consistent());
    }

    @Test
    void ipv6AndIpv4AreDistinctKeys() {
        NtpClientTable t = new NtpClientTable(8, 16, 32, 1);
        int a = t.touch(0, NtpClientTable.ipv4Lo(0x7F000001), 0);
        int b = t.touch(0x2001_0db8_0000_0000L, 1, 0); // 2001:db8::1
        int c = t.touch(0, 1, 0); // ::1
        assertEquals(3, t.size());
        assertNotEquals(a, b);
        assertNotEquals(b, c);
        assertEquals(a, t.touch(0, NtpClientTable.ipv4Lo(0x7F000001), 1));
    }

    /** Seeded churn through a small table: it never exceeds its size and its index stays exact. */
    @Test
    void churnKeepsTheIndexConsistent() {
        Random random = new Random(5);
        NtpClientTable t = new NtpClientTable(100, 16, 32, random.nextLong());
        for (int i = 0; i < 200_000; i++) {
            long lo = NtpClientTable.ipv4Lo(random.nextInt(400));
            int slot = t.touch(0, lo, i);
            assertEquals(slot, t.find(0, lo));
            assertTrue(t.size() <= 100);
            if (i % 10_000 == 0) {
                assertTrue(t.consistent(), "at " + i);
            }
        }
        assertTrue(t.consistent());
        assertEquals(t.insertions() - 100, t.evictions());
    }

    @Test
    void tokenBucket() {
        NtpClientTable t = new NtpClientTable(4, 2, 3, 1); // 2 a second, bursts of 3
        int s = t.touch(0, 1, 0);
        assertTrue(t.admit(s, 0));
        assertTrue(t.admit(s, 0));
        assertTrue(t.admit(s, 0));
        assertTrue(!t.admit(s, 0));
        assertTrue(!t.admit(s, 499_999_999L));
        assertTrue(t.admit(s, 500_000_000L));
        assertTrue(!t.admit(s, 500_000_000L));
        assertTrue(t.kodDue(s, 0, 2_000_000_000L));
        assertTrue(!t.kodDue(s, 1_999_999_999L, 2_000_000_000L));
        assertTrue(t.kodDue(s, 2_000_000_000L, 2_000_000_000L));
    }
}
