package io.ionclock.core.leap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.LeapIndicator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The leap-seconds list: tzdata's real copy (public domain, in the test resources), and damaged or synthetic ones. */
class LeapSecondsListTest {
    static String real() throws IOException {
        try (InputStream in = LeapSecondsListTest.class.getResourceAsStream("/leap/leap-seconds-2025-08.list")) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    static long nanos(String iso) {
        Instant i = Instant.parse(iso);
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    @Test
    void tzdatasListParsesWithItsHashAndExpiry() throws Exception {
        LeapSecondsList l = LeapSecondsList.parse(real());
        assertEquals(28, l.entries());
        assertEquals(Instant.parse("2026-06-28T00:00:00Z").getEpochSecond(), l.expiresEpochSeconds());
        assertFalse(l.expired(nanos("2026-06-27T23:59:59Z")));
        assertTrue(l.expired(nanos("2026-06-28T00:00:00Z")));
        assertTrue(l.expired(nanos("2026-12-05T00:00:00Z"))); // today: tzdata's copy has expired
        assertEquals(37, l.taiMinusUtcSeconds(nanos("2026-12-05T00:00:00Z")));
        assertEquals(36, l.taiMinusUtcSeconds(nanos("2016-12-31T23:59:59Z")));
        assertEquals(LeapIndicator.INSERT, l.leapAtEndOfDay(nanos("2016-12-31T00:00:00Z")));
        assertEquals(LeapIndicator.INSERT, l.leapAtEndOfDay(nanos("2016-12-31T23:59:59.999Z")));
        assertEquals(LeapIndicator.NONE, l.leapAtEndOfDay(nanos("2016-12-30T12:00:00Z")));
        assertEquals(LeapIndicator.NONE, l.leapAtEndOfDay(nanos("2017-01-01T00:00:00Z")));
        assertEquals(LeapIndicator.INSERT, l.leapAtEndOfDay(nanos("2015-06-30T10:00:00Z")));
    }

    @Test
    void aChangedByteARemovedLineOrNoHashIsRefused() throws Exception {
        String text = real();
        assertTrue(text.matches("(?s).*3692217600\\s+37.*") && text.matches("(?s).*#@\\s+3991593600.*"), "the fixture");
        // One digit of one data line changed.
        LeapSecondsList.Invalid e = assertThrows(LeapSecondsList.Invalid.class,
                () -> LeapSecondsList.parse(text.replaceFirst("3692217600(\\s+)37", "3692217600$138")));
        assertTrue(e.getMessage().contains("hash"), e.getMessage());
        // A data line removed.
        assertThrows(LeapSecondsList.Invalid.class, () -> LeapSecondsList.parse(text.replaceFirst("3644697600\\s+36[^\n]*\n", "")));
        // The expiry moved (the commonest hand edit).
        assertThrows(LeapSecondsList.Invalid.class, () -> LeapSecondsList.parse(text.replaceFirst("#@(\\s+)3991593600", "#@$14023129600")));
        // No hash line.
        e = assertThrows(LeapSecondsList.Invalid.class, () -> LeapSecondsList.parse(text.replaceAll("#h[^\n]*\n", "")));
        assertTrue(e.getMessage().contains("no hash"), e.getMessage());
        // Garbage.
        assertThrows(LeapSecondsList.Invalid.class, () -> LeapSecondsList.parse("hello\n"));
        assertThrows(LeapSecondsList.Invalid.class, () -> LeapSecondsList.parse("x".repeat(LeapSecondsList.TEXT_CHARS_MAX + 1)));
        assertThrows(LeapSecondsList.Invalid.class, () -> LeapSecondsList.parse(""));
    }

    /** A list built here, its hash computed as NIST does: so a delete (never seen yet) can be tested. */
    static String synthetic(String... dataLines) throws Exception {
        String updated = "3960835200";
        String expires = "4102444800"; // 2030-01-01
        StringBuilder digits = new StringBuilder(updated).append(expires);
        StringBuilder body = new StringBuilder();
        for (String d : dataLines) {
            String[] f = d.split("\\s+");
            digits.append(f[0]).append(f[1]);
            body.append(d).append("\t# synthetic\n");
        }
        byte[] h = MessageDigest.getInstance("SHA-1").digest(digits.toString().getBytes(StandardCharsets.US_ASCII));
        String hex = HexFormat.of().formatHex(h);
        return "# synthetic list\n#$\t" + updated + "\n#@\t" + expires + "\n" + body + "#h\t" + hex.substring(0, 8) + " "
                + hex.substring(8, 16) + " " + hex.substring(16, 24) + " " + hex.substring(24, 32) + " " + hex.substring(32)
                + "\n";
    }

    @Test
    void aDeletionAndAnInsertionInASyntheticList() throws Exception {
        // 2027-01-01 (NTP 4007750400): TAI - UTC 37 -> 36, a deleted second at the end of 2026-12-31;
        // 2028-07-01 (NTP 4055011200): 36 -> 37, an inserted one.
        LeapSecondsList l = LeapSecondsList.parse(synthetic("3692217600 37", "4007750400 36", "4055011200 37"));
        assertEquals(LeapIndicator.DELETE, l.leapAtEndOfDay(nanos("2026-12-31T12:00:00Z")));
        assertEquals(LeapIndicator.INSERT, l.leapAtEndOfDay(nanos("2028-06-30T23:00:00Z")));
        assertEquals(36, l.taiMinusUtcSeconds(nanos("2027-06-01T00:00:00Z")));
        assertFalse(l.expired(nanos("2029-12-31T23:59:59Z")));
        // Out of order, or not at a midnight.
        assertThrows(LeapSecondsList.Invalid.class, () -> LeapSecondsList.parse(synthetic("4007750400 36", "3692217600 37")));
        assertThrows(LeapSecondsList.Invalid.class, () -> LeapSecondsList.parse(synthetic("3692217601 37")));
    }
}
