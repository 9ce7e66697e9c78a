package io.ionclock.core.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.LeapIndicator;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TickBinaryTest {
    static ClockSnapshot snapshot(long epochNanos, long boundNanos, ClockStatus status, String source, LeapIndicator leap) {
        return new ClockSnapshot(0, epochNanos, boundNanos, status, source, leap, 0, 0, 0, 0, 0, 0, 0);
    }

    /** The README's worked example, byte by byte. */
    @Test
    void goldenBytes() {
        byte[] out = new byte[TickBinary.SIZE_BYTES];
        ClockSnapshot s = snapshot(1_795_295_454_000_012_345L, 10_123, ClockStatus.SYNCHRONIZED, "SIM", LeapIndicator.NONE);
        assertEquals(TickBinary.SIZE_BYTES, TickBinary.write(out, 0, 42, s));
        assertEquals("01010001" + "0000002a" + "18ea2bb41a8b5c39" + "000000000000278b", HexFormat.of().formatHex(out));
        assertTrue(TickBinary.SIZE_BYTES <= 32);
    }

    @Test
    void roundTripsAndRefusesBadInput() {
        Random r = new Random(3);
        byte[] out = new byte[40];
        for (int i = 0; i < 10_000; i++) {
            ClockStatus status = ClockStatus.values()[r.nextInt(4)];
            LeapIndicator leap = LeapIndicator.values()[r.nextInt(3)];
            String source = new String[] {"NONE", "SIM", "GNSS", "GNSS+PPS", "PPS", "X"}[r.nextInt(6)];
            long seq = r.nextLong() & 0xffff_ffffL;
            ClockSnapshot s = snapshot(r.nextLong(), r.nextLong() & Long.MAX_VALUE, status, source, leap);
            int at = r.nextInt(17);
            TickBinary.write(out, at, seq, s);
            TickBinary.Tick t = TickBinary.read(out, at, TickBinary.SIZE_BYTES);
            assertEquals(seq, t.seq());
            assertEquals(s.epochNanos(), t.epochNanos());
            assertEquals(s.boundNanos(), t.boundNanos());
            assertEquals(status, t.status());
            assertEquals(leap, t.leap());
            assertEquals(source.equals("X") ? TickBinary.SOURCE_OTHER : TickBinary.sourceCode(source), t.sourceCode());
        }
        assertThrows(IllegalArgumentException.class, () -> TickBinary.read(new byte[24], 0, 24), "version 0");
        assertThrows(IllegalArgumentException.class, () -> TickBinary.read(new byte[24], 0, 23));
        assertThrows(IllegalArgumentException.class, () -> TickBinary.write(new byte[24], 1, 0,
                snapshot(0, 0, ClockStatus.SYNCHRONIZED, "SIM", LeapIndicator.NONE)));
    }
}
