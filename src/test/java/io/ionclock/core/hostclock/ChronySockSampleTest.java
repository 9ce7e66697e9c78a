package io.ionclock.core.hostclock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ionclock.core.LeapIndicator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The 40-byte {@code struct sock_sample}. The golden bytes were printed by a C program compiled with gcc on x86_64
 * Linux (glibc) from chrony's own struct definition (refclock_sock.c): {@code sizeof} 40, {@code tv_usec} at 8,
 * {@code offset} at 16, {@code pulse} 24, {@code leap} 28, {@code _pad} 32, {@code magic} 36.
 */
class ChronySockSampleTest {
    /** tv 1767225600.123456 (2026-01-01), offset (1500 + 789) ns, leap insert. */
    static final String GOLDEN_INSERT = "00b955690000000040e20100000000009568d80e9733c33e0000000001000000000000004b434f53";
    /** tv 1.999999, offset -0.25 s, leap delete. */
    static final String GOLDEN_DELETE = "01000000000000003f420f0000000000000000000000d0bf0000000002000000000000004b434f53";

    @Test
    void goldenBytesMatchGccsLayoutOfChronysStruct() {
        byte[] b = new byte[ChronySockSample.SIZE_BYTES];
        double offset = ChronySockSample.encode(b, 0, 1_767_225_600_123_456_789L, 1_500, LeapIndicator.INSERT,
                ByteOrder.LITTLE_ENDIAN);
        assertEquals(GOLDEN_INSERT, HexFormat.of().formatHex(b));
        assertEquals(2.289e-6, offset, 0.0, "the 789 ns the timeval cannot hold are in the offset");
        ChronySockSample.encode(b, 0, 1_999_999_000L, -250_000_000L, LeapIndicator.DELETE, ByteOrder.LITTLE_ENDIAN);
        assertEquals(GOLDEN_DELETE, HexFormat.of().formatHex(b));
    }

    @Test
    void writesAtTheCallersOffsetAndNothingElse() {
        byte[] b = new byte[ChronySockSample.SIZE_BYTES + 8];
        java.util.Arrays.fill(b, (byte) 0x77);
        ChronySockSample.encode(b, 4, 1_999_999_000L, -250_000_000L, LeapIndicator.DELETE, ByteOrder.LITTLE_ENDIAN);
        byte[] inner = java.util.Arrays.copyOfRange(b, 4, 4 + ChronySockSample.SIZE_BYTES);
        assertEquals(GOLDEN_DELETE, HexFormat.of().formatHex(inner));
        for (int i : new int[] {0, 1, 2, 3, 44, 45, 46, 47}) {
            assertEquals((byte) 0x77, b[i]);
        }
        assertThrows(IllegalArgumentException.class, () -> ChronySockSample.encode(b, 9, 0, 0, LeapIndicator.NONE,
                ByteOrder.LITTLE_ENDIAN));
        assertThrows(IllegalArgumentException.class, () -> ChronySockSample.encode(b, 0, -1, 0, LeapIndicator.NONE,
                ByteOrder.LITTLE_ENDIAN));
        assertThrows(IllegalArgumentException.class, () -> ChronySockSample.encode(b, 0, 0,
                ChronySockSample.OFFSET_NANOS_MAX + 1, LeapIndicator.NONE, ByteOrder.LITTLE_ENDIAN));
    }

    /** What chrony computes from the datagram (tv + offset) is the true time to well under a nanosecond. */
    @Test
    void roundTripGivesTrueTimeBack() {
        SplittableRandom r = new SplittableRandom(20);
        byte[] b = new byte[ChronySockSample.SIZE_BYTES];
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            for (int i = 0; i < 10_000; i++) {
                long system = r.nextLong(0, 4_000_000_000L * 1_000_000_000L);
                long offset = r.nextLong(-10_000_000_000L, 10_000_000_000L);
                LeapIndicator leap = LeapIndicator.values()[r.nextInt(3)];
                ChronySockSample.encode(b, 0, system, offset, leap, order);
                ByteBuffer buf = ByteBuffer.wrap(b).order(order);
                long tvSec = buf.getLong(ChronySockSample.TV_SEC_OFFSET);
                long tvUsec = buf.getLong(ChronySockSample.TV_USEC_OFFSET);
                double off = buf.getDouble(ChronySockSample.OFFSET_OFFSET);
                long tvNanos = tvSec * 1_000_000_000L + tvUsec * 1_000L;
                assertEquals(system - system % 1_000, tvNanos);
                assertEquals(system + offset, tvNanos + Math.round(off * 1e9), "true time, seed 20 draw " + i);
                assertEquals(0, buf.getInt(ChronySockSample.PULSE_OFFSET));
                assertEquals(ChronySockSample.leapCode(leap), buf.getInt(ChronySockSample.LEAP_OFFSET));
                assertEquals(ChronySockSample.MAGIC, buf.getInt(ChronySockSample.MAGIC_OFFSET));
            }
        }
    }

    @Test
    void leapCodesAreChronys() {
        assertEquals(0, ChronySockSample.leapCode(LeapIndicator.NONE));
        assertEquals(1, ChronySockSample.leapCode(LeapIndicator.INSERT));
        assertEquals(2, ChronySockSample.leapCode(LeapIndicator.DELETE));
        assertArrayEquals(new byte[] {0x4b, 0x43, 0x4f, 0x53}, java.util.Arrays.copyOfRange(
                ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(ChronySockSample.MAGIC).array(), 0, 4),
                "'SOCK' read as a little-endian int");
    }
}
