package io.ionclock.core.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NtpTimeTest {
    static long nanos(String iso) {
        Instant i = Instant.parse(iso);
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    @Test
    void knownTimestamps() {
        // 1970-01-01 is 2208988800 s after 1900 (RFC 5905 figure 4).
        assertEquals(2_208_988_800L << 32, NtpTime.fromEpochNanos(0));
        // Half a second is 0x80000000 of the fraction.
        assertEquals((2_208_988_800L << 32) | 0x8000_0000L, NtpTime.fromEpochNanos(500_000_000L));
        // Era 1 begins 2036-02-07T06:28:16Z: seconds field 0.
        assertEquals(0L, NtpTime.fromEpochNanos(nanos("2036-02-07T06:28:16Z")));
        assertEquals(nanos("2036-02-07T06:28:16Z"), NtpTime.toEpochNanos(0L, nanos("2036-01-01T00:00:00Z")));
    }

    @Test
    void eraIsTheOneNearestThePivot() {
        long before = nanos("2036-02-07T06:28:15Z");
        long after = nanos("2036-02-07T06:28:17Z");
        for (String pivot : new String[] {"2026-12-05T00:00:00Z", "2036-02-07T06:28:16Z", "2040-01-01T00:00:00Z"}) {
            long p = nanos(pivot);
            assertEquals(before, NtpTime.toEpochNanos(NtpTime.fromEpochNanos(before), p), pivot);
            assertEquals(after, NtpTime.toEpochNanos(NtpTime.fromEpochNanos(after), p), pivot);
        }
        // Seconds 0 seen in 2026 is 2036, not 1900.
        assertEquals(nanos("2036-02-07T06:28:16Z"), NtpTime.toEpochNanos(0, nanos("2026-12-05T00:00:00Z")));
    }

    @Test
    void roundTripWithinHalfANanosecondOfTheFraction() {
        SplittableRandom r = new SplittableRandom(19);
        long pivot = nanos("2030-01-01T00:00:00Z");
        for (int i = 0; i < 100_000; i++) {
            long t = pivot + r.nextLong(-(1L << 31) * 1_000_000_000L + 1_000_000_000L, (1L << 31) * 1_000_000_000L - 1_000_000_000L);
            long back = NtpTime.toEpochNanos(NtpTime.fromEpochNanos(t), pivot);
            assertTrue(Math.abs(back - t) <= 1, t + " came back as " + back);
        }
    }

    @Test
    void shortFormatRoundsUp() {
        assertEquals(0, NtpTime.nanosToShortCeil(0));
        assertEquals(1, NtpTime.nanosToShortCeil(1)); // never understates
        assertEquals(1 << 16, NtpTime.nanosToShortCeil(1_000_000_000L));
        assertEquals(NtpTime.SHORT_MAX, NtpTime.nanosToShortCeil(Long.MAX_VALUE));
        for (long n = 1; n < 10_000_000_000L; n = n * 3 + 7) {
            assertTrue(NtpTime.shortToNanos(NtpTime.nanosToShortCeil(n)) >= n, "short of " + n);
        }
    }

    @Test
    void headerGoldenBytes() {
        // chronyd 4.3 (-x, "local stratum 3") answering a version-4 request whose transmit timestamp was
        // 0123456789abcdef, captured on loopback on 2026-12-05 with a Python socket.
        byte[] b = HexFormat.of().parseHex("240306e600000000000000007f7f0101eebeacf6a13eb9b10123456789abcdef"
                + "eebeacf898689f37eebeacf8987d7478");
        NtpPacket p = new NtpPacket().read(b, 0);
        assertEquals(NtpPacket.LI_NONE, p.leap);
        assertEquals(4, p.version);
        assertEquals(NtpPacket.MODE_SERVER, p.mode);
        assertEquals(3, p.stratum);
        assertEquals(6, p.poll);
        assertEquals(-26, p.precision);
        assertEquals(0, p.rootDelay);
        assertEquals(0, p.rootDispersion);
        assertEquals(0x7f7f0101, p.referenceId); // 127.127.1.1: chrony's local reference
        assertEquals(0x0123456789abcdefL, p.originTimestamp); // the request's transmit timestamp, echoed
        assertEquals(nanos("2026-12-05T15:32:08.595346Z"), NtpTime.toEpochNanos(p.receiveTimestamp, nanos("2026-12-05T00:00:00Z")), 1_000);
        byte[] out = new byte[NtpPacket.SIZE_BYTES];
        p.write(out, 0);
        assertEquals(HexFormat.of().formatHex(b), HexFormat.of().formatHex(out));
    }

    @Test
    void refIdText() {
        assertEquals("RATE", NtpPacket.refIdText(NtpPacket.KISS_RATE));
        assertEquals("GPS", NtpPacket.refIdText(NtpPacket.REFID_GPS));
    }
}
