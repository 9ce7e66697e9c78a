package io.ionclock.core.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.DisciplinedClock;
import io.ionclock.core.LeapIndicator;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NtpServerTest {
    static final long EPOCH_NANOS = 1_700_000_000_500_000_000L; // 2023-11-14T22:13:20.5Z
    static final long CLIENT_HI = NtpClientTable.IPV4_MAPPED_HI;
    static final long CLIENT_LO = NtpClientTable.ipv4Lo(0xC0A8_0102); // 192.168.1.2
    static final NtpServer.Upstream PPS = new NtpServer.Upstream(1, NtpPacket.REFID_PPS, 0);

    /** A manual clock: epoch = EPOCH + (mono - 0) + offset, with a settable bound and status. */
    static final class ManualServedClock implements NtpServer.Clock {
        long nowMonoNanos;
        long epochAtZeroNanos = EPOCH_NANOS;
        long boundNanos = 1_000;
        ClockStatus status = ClockStatus.SYNCHRONIZED;
        /** Added to now at each monoNanos() read (the time the engine takes to build a response). */
        long advanceOnReadNanos;

        @Override
        public long monoNanos() {
            nowMonoNanos += advanceOnReadNanos;
            return nowMonoNanos;
        }

        @Override
        public void readAt(long monoNanos, ClockReading out) {
            out.monoNanos = monoNanos;
            out.epochNanos = epochAtZeroNanos + monoNanos;
            out.boundNanos = boundNanos;
            out.status = status;
        }
    }

    static NtpServer server(ManualServedClock clock) {
        NtpServer s = new NtpServer(clock, 16, 16, 32, 42);
        s.setReference(new NtpServer.Reference(PPS, LeapIndicator.NONE, EPOCH_NANOS - 300_000_000L));
        return s;
    }

    /** A client request: version 4, mode 3, poll 6, with the given origin/receive/transmit. */
    static byte[] request(int version, int mode, long origin, long receive, long transmit) {
        NtpPacket p = new NtpPacket();
        p.version = version;
        p.mode = mode;
        p.poll = 6;
        p.precision = 32;
        p.originTimestamp = origin;
        p.receiveTimestamp = receive;
        p.transmitTimestamp = transmit;
        byte[] b = new byte[NtpPacket.SIZE_BYTES];
        p.write(b, 0);
        return b;
    }

    static NtpPacket answer(NtpServer s, byte[] req, long rxMonoNanos) {
        byte[] out = new byte[NtpPacket.SIZE_BYTES];
        int n = s.answer(req, 0, req.length, CLIENT_HI, CLIENT_LO, rxMonoNanos, out, 0);
        if (n == 0) {
            return null;
        }
        assertEquals(NtpPacket.SIZE_BYTES, n);
        return new NtpPacket().read(out, 0);
    }

    @Test
    void goldenBytesOfABasicResponse() {
        ManualServedClock clock = new ManualServedClock();
        clock.nowMonoNanos = 20_000; // transmit read 20 us after the receive instant
        NtpServer s = server(clock);
        byte[] req = request(4, 3, 0, 0, 0x0123_4567_89AB_CDEFL);
        byte[] out = new byte[NtpPacket.SIZE_BYTES];
        assertEquals(48, s.answer(req, 0, req.length, CLIENT_HI, CLIENT_LO, 0, out, 0));
        // LI 0 VN 4 mode 4; stratum 1; poll 6; precision -20; root delay 0; root dispersion ceil(1 us) = 1/65536 s;
        // "PPS\0"; reference 0.3 s before; origin echoed; receive .5 s (low bit set); transmit .50002 s (low bit clear).
        assertEquals("24" + "01" + "06" + "ec" + "00000000" + "00000001" + "50505300"
                + "e8fe6f80" + "33333333"
                + "0123456789abcdef"
                + "e8fe6f80" + "80000001"
                + "e8fe6f80" + "80014f8a",
                HexFormat.of().formatHex(out));
    }

    @Test
    void everyDropReasonIsCountedAndNothingIsAnswered() {
        ManualServedClock clock = new ManualServedClock();
        NtpServer s = server(clock);
        byte[] out = new byte[NtpPacket.SIZE_BYTES];
        byte[] good = request(4, 3, 0, 0, 1234);
        assertDrop(s, new byte[47], 47, NtpDropReason.TRUNCATED);
        assertDrop(s, new byte[2000], NtpPacket.DATAGRAM_BYTES_MAX + 1, NtpDropReason.OVERSIZED);
        assertDrop(s, request(0, 3, 0, 0, 1), 48, NtpDropReason.BAD_VERSION);
        assertDrop(s, request(5, 3, 0, 0, 1), 48, NtpDropReason.BAD_VERSION);
        assertDrop(s, request(7, 3, 0, 0, 1), 48, NtpDropReason.BAD_VERSION);
        assertDrop(s, request(2, 6, 0, 0, 1), 48, NtpDropReason.CONTROL);
        assertDrop(s, request(2, 7, 0, 0, 1), 48, NtpDropReason.CONTROL);
        assertDrop(s, request(4, 5, 0, 0, 1), 48, NtpDropReason.BROADCAST);
        for (int mode : new int[] {0, 1, 2, 4}) {
            assertDrop(s, request(4, mode, 0, 0, 1), 48, NtpDropReason.BAD_MODE);
        }
        byte[] withExtension = new byte[48 + 20];
        System.arraycopy(good, 0, withExtension, 0, 48);
        assertDrop(s, withExtension, withExtension.length, NtpDropReason.UNSUPPORTED_EXTENSION);
        assertEquals(1, s.dropped(NtpDropReason.TRUNCATED));
        assertEquals(1, s.dropped(NtpDropReason.OVERSIZED));
        assertEquals(3, s.dropped(NtpDropReason.BAD_VERSION));
        assertEquals(2, s.dropped(NtpDropReason.CONTROL));
        assertEquals(1, s.dropped(NtpDropReason.BROADCAST));
        assertEquals(4, s.dropped(NtpDropReason.BAD_MODE));
        assertEquals(1, s.dropped(NtpDropReason.UNSUPPORTED_EXTENSION));
        assertEquals(0, s.clients(), "malformed packets take no table entry");
        // Versions 1..4 are answered, each with its own version.
        for (int v = 1; v <= 4; v++) {
            NtpPacket r = answer(s, request(v, 3, 0, 0, 99), 0);
            assertEquals(v, r.version);
        }
        assertEquals(s.requests(), s.droppedTotal() + s.answeredBasic());
        // RATE_LIMITED: see rateLimitAndKodCadence.
        assertNotEquals(0, s.answer(good, 0, 48, CLIENT_HI, CLIENT_LO, 0, out, 0));
    }

    static void assertDrop(NtpServer s, byte[] req, int len, NtpDropReason reason) {
        byte[] out = new byte[NtpPacket.SIZE_BYTES];
        assertEquals(0, s.answer(req, 0, len, CLIENT_HI, CLIENT_LO, 0, out, 0), reason.name());
        assertEquals(reason, s.lastDrop());
        assertEquals(-1, s.lastSlot());
    }

    /** rootDelay/2 + rootDispersion covers the bound at the transmit reading, or LI says unsynchronised. */
    @Test
    void rootDistanceCoversTheBound() {
        Random random = new Random(19);
        ClockStatus[] statuses = ClockStatus.values();
        for (int i = 0; i < 20_000; i++) {
            ManualServedClock clock = new ManualServedClock();
            clock.status = statuses[random.nextInt(statuses.length)];
            clock.boundNanos = switch (random.nextInt(5)) {
                case 0 -> random.nextInt(1000);
                case 1 -> random.nextLong(1_000_000_000L);
                case 2 -> random.nextLong(70_000L * 1_000_000_000L); // around the short format's 65536 s
                case 3 -> DisciplinedClock.BOUND_NANOS_UNKNOWN;
                default -> random.nextLong(1, 100_000);
            };
            clock.advanceOnReadNanos = random.nextInt(100_000);
            NtpServer s = new NtpServer(clock, 4, 16, 32, i);
            long rootDelayNanos = random.nextBoolean() ? 0 : random.nextLong(3_000_000_000L);
            LeapIndicator leap = LeapIndicator.values()[random.nextInt(3)];
            s.setReference(new NtpServer.Reference(random.nextInt(10) == 0 ? null
                    : new NtpServer.Upstream(1 + random.nextInt(15), 0x0A000001, rootDelayNanos), leap, EPOCH_NANOS));
            NtpPacket r = answer(s, request(4, 3, 0, 0, random.nextLong()), 0);
            long distanceNanos = NtpTime.shortToNanos(r.rootDelay) / 2 + NtpTime.shortToNanos(r.rootDispersion);
            String what = "case " + i + " status " + clock.status + " bound " + clock.boundNanos + " delay "
                    + rootDelayNanos;
            if (r.leap != NtpPacket.LI_UNSYNCHRONIZED) {
                assertTrue(distanceNanos >= clock.boundNanos, what + ": distance " + distanceNanos);
                assertTrue(clock.status == ClockStatus.SYNCHRONIZED || clock.status == ClockStatus.HOLDOVER, what);
                assertEquals(leap.ordinal(), r.leap, what);
                assertTrue(r.stratum >= 1 && r.stratum <= 15, what);
            } else if (clock.status == ClockStatus.UNSYNCHRONIZED || clock.status == ClockStatus.FREE_RUNNING) {
                assertEquals(0, r.stratum, what);
                assertEquals(0, r.referenceId, what);
            }
            if (clock.boundNanos <= 65_535L * 1_000_000_000L) {
                assertTrue(distanceNanos >= clock.boundNanos, what + ": distance " + distanceNanos);
            }
            if (distanceNanos < clock.boundNanos) {
                assertEquals(NtpPacket.LI_UNSYNCHRONIZED, r.leap, what + ": a bound past 65535 s is unsynchronised");
            }
        }
    }

    @Test
    void unsynchronisedAsChronySendsIt() {
        ManualServedClock clock = new ManualServedClock();
        clock.status = ClockStatus.UNSYNCHRONIZED;
        clock.boundNanos = DisciplinedClock.BOUND_NANOS_UNKNOWN;
        NtpServer s = server(clock);
        NtpPacket r = answer(s, request(4, 3, 0, 0, 5), 0);
        assertEquals(3, r.leap);
        assertEquals(0, r.stratum);
        assertEquals(0, r.referenceId);
        assertEquals(0, r.referenceTimestamp);
        assertEquals(NtpTime.SHORT_MAX, r.rootDispersion);
        assertEquals(5, r.originTimestamp);
    }

    @Test
    void interleavedSequenceAsChronysClientDrivesIt() {
        ManualServedClock clock = new ManualServedClock();
        clock.advanceOnReadNanos = 10_000;
        NtpServer s = server(clock);
        long second = 1_000_000_000L;
        // 1: chrony's first request is basic (origin 0, receive 0, transmit a random cookie).
        clock.nowMonoNanos = 0;
        NtpPacket r1 = answer(s, request(4, 3, 0, 0, 0xAAAA_0001L), 0);
        assertEquals(0xAAAA_0001L, r1.originTimestamp);
        assertEquals(1, r1.receiveTimestamp & 1);
        assertEquals(0, r1.transmitTimestamp & 1);
        // 2: interleaved form (origin = T2 of 1): nothing saved for it yet: basic, and this response is saved.
        clock.nowMonoNanos = second;
        NtpPacket r2 = answer(s, request(4, 3, r1.receiveTimestamp, 0xBBBB_0002L, 0xCCCC_0002L), second);
        assertEquals(0xCCCC_0002L, r2.originTimestamp, "basic");
        int slot = s.lastSlot();
        long rx2 = s.lastRxNtp();
        assertEquals(r2.receiveTimestamp, rx2);
        // The kernel reports response 2's transmit 15 us after the user-space reading.
        long kernelTxMono = second + 10_000 + 15_000;
        assertTrue(s.onTransmitted(slot, rx2, kernelTxMono));
        // 3: origin = T2 of 2: interleaved. Origin = the request's receive; transmit = response 2's kernel time.
        clock.nowMonoNanos = 2 * second;
        NtpPacket r3 = answer(s, request(4, 3, r2.receiveTimestamp, 0xBBBB_0003L, 0xCCCC_0003L), 2 * second);
        assertEquals(0xBBBB_0003L, r3.originTimestamp, "interleaved");
        assertEquals(NtpTime.fromEpochNanos(EPOCH_NANOS + kernelTxMono) & ~1L, r3.transmitTimestamp);
        assertEquals(NtpTime.fromEpochNanos(EPOCH_NANOS + 2 * second) | 1, r3.receiveTimestamp);
        assertEquals(1, s.answeredInterleaved());
        // 4: a replay of request 3 (origin T2 of 2 again): the saved entry was used once: basic.
        clock.nowMonoNanos = 3 * second;
        NtpPacket r4 = answer(s, request(4, 3, r2.receiveTimestamp, 0xBBBB_0004L, 0xCCCC_0004L), 3 * second);
        assertEquals(0xCCCC_0004L, r4.originTimestamp, "mismatch: basic");
        // 5: origin = T2 of 3 was replaced by 4's save: mismatch, basic.
        NtpPacket r5 = answer(s, request(4, 3, r3.receiveTimestamp, 0xBBBB_0005L, 0xCCCC_0005L), 4 * second);
        assertEquals(0xCCCC_0005L, r5.originTimestamp, "mismatch: basic");
        // 6: origin = T2 of 5 (the last saved, no kernel time): interleaved with the user-space transmit of 5.
        NtpPacket r6 = answer(s, request(4, 3, r5.receiveTimestamp, 0xBBBB_0006L, 0xCCCC_0006L), 5 * second);
        assertEquals(0xBBBB_0006L, r6.originTimestamp);
        assertEquals(r5.transmitTimestamp, r6.transmitTimestamp);
        // Version 3, or receive == transmit: never interleaved.
        NtpPacket r7 = answer(s, request(3, 3, r6.receiveTimestamp, 0xBBBB_0007L, 0xCCCC_0007L), 6 * second);
        assertEquals(0xCCCC_0007L, r7.originTimestamp);
        NtpPacket r8 = answer(s, request(4, 3, r6.receiveTimestamp, 0xDDDD_0008L, 0xDDDD_0008L), 7 * second);
        assertEquals(0xDDDD_0008L, r8.originTimestamp);
        assertEquals(2, s.answeredInterleaved());
        // A kernel time a second and more late is not believed.
        NtpPacket r9 = answer(s, request(4, 3, 0x1235L, 0xBBBB_0009L, 0xCCCC_0009L), 8 * second);
        assertEquals(0xCCCC_0009L, r9.originTimestamp);
        assertTrue(!s.onTransmitted(s.lastSlot(), s.lastRxNtp(), 9 * second + 200_000_000L));
        assertEquals(1, s.transmitTimesRejected());
    }

    @Test
    void interleavedResponseCarriesTheBoundOfItsOlderTransmit() {
        ManualServedClock clock = new ManualServedClock();
        NtpServer s = server(clock);
        clock.boundNanos = 5_000_000; // 5 ms at response 2
        NtpPacket r1 = answer(s, request(4, 3, 0, 0, 1), 0);
        NtpPacket r2 = answer(s, request(4, 3, r1.receiveTimestamp, 2, 3), 1_000_000_000L);
        clock.boundNanos = 1_000; // a new sample shrank it
        NtpPacket r3 = answer(s, request(4, 3, r2.receiveTimestamp, 4, 5), 2_000_000_000L);
        assertEquals(4, r3.originTimestamp);
        assertTrue(NtpTime.shortToNanos(r3.rootDispersion) >= 5_000_000);
    }

    @Test
    void rateLimitAndKodCadence() {
        ManualServedClock clock = new ManualServedClock();
        NtpServer s = new NtpServer(clock, 16, 4, 3, 1); // 4 a second, bursts of 3
        s.setReference(new NtpServer.Reference(PPS, LeapIndicator.NONE, EPOCH_NANOS));
        long t = 0;
        for (int i = 0; i < 3; i++) {
            assertEquals(1, answer(s, request(4, 3, 0, 0, 10 + i), t).stratum, "burst " + i);
        }
        NtpPacket kod = answer(s, request(4, 3, 0, 0, 77), t);
        assertEquals(0, kod.stratum);
        assertEquals(3, kod.leap);
        assertEquals(NtpPacket.KISS_RATE, kod.referenceId);
        assertEquals(77, kod.originTimestamp);
        assertEquals(1, s.kodSent());
        assertNull(answer(s, request(4, 3, 0, 0, 78), t));
        assertEquals(NtpDropReason.RATE_LIMITED, s.lastDrop());
        // 250 ms later one token is back.
        t += 250_000_000L;
        assertEquals(1, answer(s, request(4, 3, 0, 0, 79), t).stratum);
        // Hammering at 100/s for 10 s: at most one KoD per KOD_INTERVAL, about 4 answers a second.
        long answered = 0;
        long kods = 0;
        for (int i = 0; i < 1000; i++) {
            t += 10_000_000L;
            NtpPacket r = answer(s, request(4, 3, 0, 0, i), t);
            if (r != null && r.stratum == 0) {
                kods++;
            } else if (r != null) {
                answered++;
            }
        }
        assertEquals(10_000_000_000L / NtpServer.KOD_INTERVAL_NANOS, kods, "one KoD per interval");
        assertTrue(answered >= 38 && answered <= 41, "answered " + answered);
        assertEquals(1000 - answered - kods, s.dropped(NtpDropReason.RATE_LIMITED) - 1);
        // Another client is not limited.
        byte[] out = new byte[48];
        assertEquals(48, s.answer(request(4, 3, 0, 0, 1), 0, 48, 0, NtpClientTable.ipv4Lo(0x0A000002), t, out, 0));
    }

    @Test
    void pollEchoesTheRequestAtLeastTheRateLimitsInterval() {
        ManualServedClock clock = new ManualServedClock();
        NtpServer s = server(clock); // 16 a second: 2^-4 s
        byte[] req = request(4, 3, 0, 0, 1);
        req[NtpPacket.OFF_POLL] = (byte) -10;
        assertEquals(-4, answer(s, req, 0).poll);
        req[NtpPacket.OFF_POLL] = 10;
        assertEquals(10, answer(s, req, 1_000_000_000L).poll);
        req[NtpPacket.OFF_POLL] = 127;
        assertEquals(NtpServer.POLL_LOG2_MAX, answer(s, req, 2_000_000_000L).poll);
        assertEquals(0, NtpServer.pollLog2(1));
        assertEquals(-2, NtpServer.pollLog2(5)); // 200 ms: 2^-2 s is the shortest not faster
        assertEquals(NtpServer.POLL_LOG2_MIN, NtpServer.pollLog2(1_000_000));
    }

    @Test
    void stratumAndRefidFollowTheUpstream() {
        ManualServedClock clock = new ManualServedClock();
        NtpServer s = server(clock);
        s.setReference(new NtpServer.Reference(new NtpServer.Upstream(3, 0xC0A80001, 40_000_000L), LeapIndicator.INSERT,
                EPOCH_NANOS));
        clock.boundNanos = 30_000_000L;
        NtpPacket r = answer(s, request(4, 3, 0, 0, 1), 0);
        assertEquals(3, r.stratum);
        assertEquals(0xC0A80001, r.referenceId);
        assertEquals(1, r.leap);
        assertEquals(NtpTime.nanosToShortCeil(40_000_000L), r.rootDelay);
        assertTrue(NtpTime.shortToNanos(r.rootDelay) / 2 + NtpTime.shortToNanos(r.rootDispersion) >= 30_000_000L);
        assertTrue(NtpTime.shortToNanos(r.rootDispersion) < 10_000_000L + 2 * 15_259, // a short unit is 15.26 us
                "not more than needed: " + NtpTime.shortToNanos(r.rootDispersion));
    }

    /** Around 2036-02-07T06:28:16Z the NTP seconds wrap: the timestamps name the right instants with that pivot. */
    @Test
    void eraPast2036() {
        long eraEndEpochSeconds = (1L << 32) - NtpTime.UNIX_EPOCH_NTP_SECONDS; // 2085978496
        for (long days = -3; days <= 3; days++) {
            for (long delta : new long[] {-1_000_000_000L, -1, 0, 1, 250_000_000L}) {
                ManualServedClock clock = new ManualServedClock();
                long nowEpochNanos = (eraEndEpochSeconds + days * 86_400) * 1_000_000_000L + delta;
                clock.epochAtZeroNanos = nowEpochNanos;
                NtpServer s = server(clock);
                NtpPacket r = answer(s, request(4, 3, 0, 0, 1), 0);
                long rx = NtpTime.toEpochNanos(r.receiveTimestamp, nowEpochNanos);
                long tx = NtpTime.toEpochNanos(r.transmitTimestamp, nowEpochNanos);
                assertEquals(nowEpochNanos, rx, 1, "days " + days + " delta " + delta);
                assertEquals(nowEpochNanos, tx, 1);
                assertEquals(days >= 0 && !(days == 0 && delta < 0), (r.receiveTimestamp >>> 32) < 86_400 * 4L,
                        "era 1 has small seconds");
            }
        }
    }

    /** Seeded random datagrams: never throws, never answers mode 5/6/7, never answers larger than the request. */
    @Test
    void fuzz() {
        Random random = new Random(0x19);
        ManualServedClock clock = new ManualServedClock();
        NtpServer s = new NtpServer(clock, 64, 1_000_000, 1_000_000, 7);
        s.setReference(new NtpServer.Reference(PPS, LeapIndicator.NONE, EPOCH_NANOS));
        byte[] buf = new byte[1100];
        byte[] out = new byte[NtpPacket.SIZE_BYTES];
        long answered = 0;
        for (int i = 0; i < 200_000; i++) {
            int len = random.nextInt(1101);
            random.nextBytes(buf);
            if (random.nextInt(4) == 0 && len >= 1) {
                buf[0] = (byte) ((buf[0] & 0xC0) | (random.nextInt(1, 5) << 3) | random.nextInt(8)); // plausible version
            }
            if (random.nextInt(8) == 0) {
                len = 48;
            }
            int mode = len > 0 ? buf[0] & 7 : -1;
            clock.nowMonoNanos += 1_000;
            int n = s.answer(buf, 0, len, 0, NtpClientTable.ipv4Lo(random.nextInt(256)), clock.nowMonoNanos, out, 0);
            if (n > 0) {
                answered++;
                assertEquals(48, n);
                assertTrue(n <= len);
                assertEquals(3, mode);
                assertEquals(NtpPacket.MODE_SERVER, out[0] & 7);
            }
        }
        assertTrue(answered > 1000, "some answered: " + answered);
        assertEquals(s.requests(), s.droppedTotal() + s.answeredBasic() + s.answeredInterleaved() + s.kodSent());
        assertTrue(s.table().consistent());
    }
}
