package io.ionclock.core.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.Sample;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The NTP client source against a simulated server on a manual timeline: the honest interval must hold on every
 * sample whatever the asymmetry, jitter, server error (up to its declared root dispersion) and local oscillator
 * (moving within its tolerance) do; spoofed, replayed and duplicated answers never move it.
 */
class NtpSourceTest {
    static final long S = 1_000_000_000L;
    static final long EPOCH0 = 1_796_486_400L * S; // 2026-12-05T00:00:00Z
    static final long TOLERANCE_PPB = 500_000;

    /** A server, a path and our oscillator, all simulated on one timeline (true ns). */
    static final class World {
        final SplittableRandom random;
        long trueNanos; // true time since EPOCH0
        double monoNanos = 1e12; // our monotonic clock
        double ppb; // our oscillator's error
        double driftPpbPerStep; // how far ppb moves each step (random walk), within the tolerance
        long baseDelayNanos = 200_000;
        long jitterMeanNanos = 100_000;
        long asymmetryNanos; // extra one way (server to us)
        long serverErrorNanos; // the server's clock minus true time
        long serverRootDispersionNanos = 50_000;
        long turnaroundNanos = 20_000; // from the server's receive to its true transmit
        long basicTransmitEarlyNanos = 5_000; // a basic answer's t3 is read this long before the true send
        boolean interleaves = true;
        int leap;
        int stratum = 1;
        // the server's interleaved memory: receive timestamp (raw) -> true transmit timestamp (raw) of that answer
        long savedRxRaw;
        long savedTxRaw;

        final long seed;

        World(long seed) {
            this.seed = seed;
            random = new SplittableRandom(seed);
        }

        long mono() {
            return Math.round(monoNanos);
        }

        void advance(long trueDeltaNanos) {
            trueNanos += trueDeltaNanos;
            monoNanos += trueDeltaNanos * (1 + ppb * 1e-9);
            if (driftPpbPerStep != 0) {
                ppb = Math.max(-0.8 * TOLERANCE_PPB, Math.min(0.8 * TOLERANCE_PPB,
                        ppb + driftPpbPerStep * (random.nextDouble() * 2 - 1)));
            }
        }

        long serverEpoch() {
            return EPOCH0 + trueNanos + serverErrorNanos;
        }

        long trueEpochAtMono(long mono) {
            return EPOCH0 + trueNanos + Math.round((mono - monoNanos) / (1 + ppb * 1e-9));
        }

        long oneWayNanos() {
            return baseDelayNanos + (long) (-jitterMeanNanos * Math.log(1 - random.nextDouble()));
        }

        /** Sends {@code req} over the path; returns the answer (48 bytes) or null; time moves to our receive. */
        byte[] exchange(byte[] req, NtpSource source, boolean transmitTime) {
            long t1 = mono();
            if (transmitTime) {
                source.onTransmitted(7, t1);
            }
            advance(oneWayNanos());
            NtpPacket q = new NtpPacket().read(req, 0);
            long rxRaw = NtpTime.fromEpochNanos(serverEpoch()) | 1; // chrony marks its receive timestamps
            advance(turnaroundNanos - basicTransmitEarlyNanos);
            long basicTx = serverEpoch();
            advance(basicTransmitEarlyNanos);
            long trueTxRaw = NtpTime.fromEpochNanos(serverEpoch()) & ~1L;
            NtpPacket a = new NtpPacket();
            a.leap = leap;
            a.version = q.version;
            a.mode = NtpPacket.MODE_SERVER;
            a.stratum = stratum;
            a.poll = q.poll;
            a.precision = -20;
            a.rootDispersion = NtpTime.nanosToShortCeil(serverRootDispersionNanos);
            a.referenceId = NtpPacket.REFID_GPS;
            a.receiveTimestamp = rxRaw;
            boolean interleaved = interleaves && q.originTimestamp != 0 && q.originTimestamp == savedRxRaw
                    && q.receiveTimestamp != q.transmitTimestamp;
            if (interleaved) {
                a.originTimestamp = q.receiveTimestamp;
                a.transmitTimestamp = savedTxRaw;
            } else {
                a.originTimestamp = q.transmitTimestamp;
                a.transmitTimestamp = NtpTime.fromEpochNanos(basicTx) & ~1L;
            }
            savedRxRaw = rxRaw;
            savedTxRaw = trueTxRaw;
            advance(oneWayNanos() + asymmetryNanos);
            byte[] out = new byte[NtpPacket.SIZE_BYTES];
            a.write(out, 0);
            return out;
        }
    }

    static NtpSource.Config config(long pollNanos, boolean xleave) {
        return new NtpSource.Config(pollNanos, 64 * pollNanos, xleave, TOLERANCE_PPB, 1.0, 1024 * S, 2_000);
    }

    /** Runs {@code polls} exchanges; checks every sample (one a second) against the truth; returns the samples' count. */
    static int run(World w, NtpSource source, int polls, long pollNanos) {
        byte[] buf = new byte[NtpPacket.SIZE_BYTES];
        int samples = 0;
        long nextSample = w.mono();
        for (int i = 0; i < polls; i++) {
            long due = source.nextRequestMonoNanos();
            while (w.mono() < due) {
                w.advance(Math.min(S / 4, due - w.mono() + 1));
                if (w.mono() >= nextSample) {
                    samples += check(w, source);
                    nextSample = w.mono() + S;
                }
            }
            int len = source.writeRequest(w.mono(), buf, 0);
            assertEquals(NtpPacket.SIZE_BYTES, len);
            source.requestSent(7);
            byte[] answer = w.exchange(buf, source, true);
            assertNull(source.onResponse(answer, 0, answer.length, w.mono(), w.serverEpoch()));
            samples += check(w, source);
        }
        return samples;
    }

    static int check(World w, NtpSource source) {
        Sample s = source.sampleAt(w.mono());
        if (s == null) {
            return 0;
        }
        long error = s.refEpochNanos() - w.trueEpochAtMono(s.monoNanos());
        assertTrue(Math.abs(error) <= s.errorNanos(), "sample off the truth by " + error + " ns, bound " + s.errorNanos()
                + " ns at " + w.trueNanos / S + " s (seed " + w.seed + ")");
        return 1;
    }

    @Test
    void basicModeConvergesAndTheBoundHolds() {
        World w = new World(1);
        w.interleaves = false;
        NtpSource source = new NtpSource("a", config(S, false), 1, w.mono());
        assertTrue(run(w, source, 300, S) > 250);
        Sample s = source.sampleAt(w.mono());
        long error = Math.abs(s.refEpochNanos() - w.trueEpochAtMono(s.monoNanos()));
        assertTrue(error < 60_000, "error " + error + " ns");
        assertEquals(0, source.interleavedAnswers());
    }

    @Test
    void interleavedModeUsesTheTrueTransmitTimesAndTheBoundHolds() {
        World w = new World(2);
        NtpSource source = new NtpSource("a", config(S, true), 2, w.mono());
        run(w, source, 300, S);
        assertTrue(source.interleavedAnswers() >= 298, "interleaved " + source.interleavedAnswers());
    }

    @Test
    void theBoundHoldsAtTheEdgesOfEveryAssumption() {
        // Seeded random paths: the server's error at plus or minus its whole declared dispersion, all the asymmetry on
        // one side, a heavy jitter tail, our oscillator wandering fast within its tolerance.
        for (long seed = 10; seed < 30; seed++) {
            World w = new World(seed);
            SplittableRandom r = new SplittableRandom(seed);
            w.serverErrorNanos = (r.nextBoolean() ? 1 : -1) * (w.serverRootDispersionNanos - 1_000);
            w.asymmetryNanos = r.nextBoolean() ? 2_000_000 : 0;
            w.baseDelayNanos = r.nextBoolean() ? 0 : 200_000; // 0: the server's own error is all there is to hide it
            w.turnaroundNanos = w.baseDelayNanos == 0 ? 5_000 : w.turnaroundNanos;
            w.jitterMeanNanos = r.nextBoolean() ? 100 : r.nextLong(1_000, 3_000_000);
            w.ppb = r.nextDouble(-400_000, 400_000);
            w.driftPpbPerStep = r.nextDouble(0, 2_000);
            w.interleaves = r.nextBoolean();
            long poll = r.nextBoolean() ? S / 16 : 2 * S;
            NtpSource source = new NtpSource("a", config(poll, r.nextBoolean()), seed, w.mono());
            run(w, source, 400, poll);
        }
    }

    @Test
    void spoofedReplayedAndDuplicatedAnswersAreDroppedAndMoveNothing() {
        World w = new World(3);
        NtpSource source = new NtpSource("a", config(S, true), 3, w.mono());
        run(w, source, 20, S);
        byte[] buf = new byte[NtpPacket.SIZE_BYTES];
        source.writeRequest(source.nextRequestMonoNanos(), buf, 0);
        // The time is now the due instant.
        while (w.mono() < source.nextRequestMonoNanos() - S) {
            w.advance(S / 8);
        }
        byte[] answer = w.exchange(buf, source, true);
        Sample before = source.sampleAt(w.mono());
        // A spoofer who does not know the cookie.
        byte[] spoof = answer.clone();
        spoof[NtpPacket.OFF_ORIGIN_TS + 7] ^= 1;
        spoof[NtpPacket.OFF_RECEIVE_TS] ^= 0x10; // a different time
        assertEquals(NtpDropReason.BOGUS, source.onResponse(spoof, 0, spoof.length, w.mono(), w.serverEpoch()));
        assertEquals(before, source.sampleAt(w.mono()));
        assertNull(source.onResponse(answer, 0, answer.length, w.mono(), w.serverEpoch()));
        // The same answer again (duplicated or replayed).
        assertEquals(NtpDropReason.BOGUS, source.onResponse(answer, 0, answer.length, w.mono(), w.serverEpoch()));
        assertEquals(2, source.drops(NtpDropReason.BOGUS));
        // Wrong mode, truncated, control.
        byte[] control = answer.clone();
        control[0] = (byte) (control[0] & ~7 | NtpPacket.MODE_CONTROL);
        assertEquals(NtpDropReason.CONTROL, source.onResponse(control, 0, control.length, w.mono(), w.serverEpoch()));
        assertEquals(NtpDropReason.TRUNCATED, source.onResponse(answer, 0, 47, w.mono(), w.serverEpoch()));
    }

    @Test
    void kissOfDeathRateSlowsAndDenyStops() {
        World w = new World(4);
        NtpSource source = new NtpSource("a", config(S, false), 4, w.mono());
        run(w, source, 10, S);
        byte[] buf = new byte[NtpPacket.SIZE_BYTES];
        long now = source.nextRequestMonoNanos();
        source.writeRequest(now, buf, 0);
        NtpPacket kod = new NtpPacket().read(w.exchange(buf, source, false), 0);
        kod.stratum = 0;
        kod.leap = NtpPacket.LI_UNSYNCHRONIZED;
        kod.referenceId = NtpPacket.KISS_RATE;
        byte[] k = new byte[48];
        kod.write(k, 0);
        long pollBefore = source.pollNanos();
        assertEquals(NtpDropReason.KISS, source.onResponse(k, 0, 48, w.mono(), w.serverEpoch()));
        assertEquals(2 * pollBefore, source.pollNanos());
        assertTrue(source.nextRequestMonoNanos() >= w.mono() + NtpSource.KOD_RATE_HOLD_POLLS * source.pollNanos());
        assertEquals(1, source.kissRate());
        // DENY: no more requests.
        now = source.nextRequestMonoNanos();
        source.writeRequest(now, buf, 0);
        NtpPacket q = new NtpPacket().read(buf, 0);
        kod.originTimestamp = q.transmitTimestamp;
        kod.referenceId = NtpPacket.KISS_DENY;
        kod.write(k, 0);
        assertEquals(NtpDropReason.KISS, source.onResponse(k, 0, 48, now + 1_000_000, w.serverEpoch()));
        assertEquals(Long.MAX_VALUE, source.nextRequestMonoNanos());
        assertEquals(0, source.writeRequest(now + 100 * S, buf, 0));
        assertEquals(NtpSource.State.DENIED, source.state(now));
    }

    @Test
    void silenceBacksOffAndEndsTheSamples() {
        World w = new World(5);
        NtpSource source = new NtpSource("a", config(S, true), 5, w.mono());
        run(w, source, 40, S);
        assertNotNull(source.sampleAt(w.mono()));
        byte[] buf = new byte[NtpPacket.SIZE_BYTES];
        for (int i = 0; i < 16; i++) {
            long due = source.nextRequestMonoNanos();
            while (w.mono() < due) {
                w.advance(S / 2);
                check(w, source);
            }
            source.writeRequest(w.mono(), buf, 0);
        }
        assertEquals(0, source.reach());
        assertTrue(source.pollNanos() >= 4 * S, "poll " + source.pollNanos());
        assertNull(source.sampleAt(w.mono()));
        assertEquals(NtpSource.State.UNREACHABLE, source.state(w.mono()));
    }

    @Test
    void anUnsynchronisedServerGivesNoTime() {
        World w = new World(6);
        w.leap = NtpPacket.LI_UNSYNCHRONIZED;
        NtpSource source = new NtpSource("a", config(S, false), 6, w.mono());
        byte[] buf = new byte[NtpPacket.SIZE_BYTES];
        source.writeRequest(w.mono(), buf, 0);
        byte[] a = w.exchange(buf, source, true);
        assertEquals(NtpDropReason.MALFORMED, source.onResponse(a, 0, a.length, w.mono(), w.serverEpoch()));
        assertNull(source.sampleAt(w.mono()));
        assertEquals(NtpSource.State.SERVER_UNSYNCHRONIZED, source.state(w.mono()));
    }

    @Test
    void chronysUnsynchronisedAnswerIsNotAKiss() {
        // chrony (and this appliance's server) answer unsynchronised with LI 3, stratum 0 and reference id 0.
        World w = new World(9);
        w.leap = NtpPacket.LI_UNSYNCHRONIZED;
        w.stratum = 0;
        NtpSource source = new NtpSource("a", config(S, false), 9, w.mono());
        byte[] buf = new byte[NtpPacket.SIZE_BYTES];
        source.writeRequest(w.mono(), buf, 0);
        NtpPacket a = new NtpPacket().read(w.exchange(buf, source, true), 0);
        a.referenceId = 0;
        byte[] out = new byte[48];
        a.write(out, 0);
        assertEquals(NtpDropReason.MALFORMED, source.onResponse(out, 0, 48, w.mono(), w.serverEpoch()));
        assertEquals(0, source.kissRate());
        assertEquals(NtpSource.State.SERVER_UNSYNCHRONIZED, source.state(w.mono()));
        assertEquals(1, source.reach());
    }

    @Test
    void acrossTheEraBoundaryOf2036() {
        World w = new World(7);
        w.trueNanos = (2_085_978_496L - 1_796_486_400L) * S - 60 * S; // a minute before 2036-02-07T06:28:16Z
        NtpSource source = new NtpSource("a", config(S, true), 7, w.mono());
        assertTrue(run(w, source, 120, S) > 100);
    }

    @Test
    void randomAnswersNeverThrowNorGiveTime() {
        SplittableRandom r = new SplittableRandom(8);
        World w = new World(8);
        NtpSource source = new NtpSource("a", config(S, true), 8, w.mono());
        byte[] buf = new byte[NtpPacket.SIZE_BYTES];
        for (int i = 0; i < 20_000; i++) {
            w.advance(S / 10);
            source.writeRequest(w.mono(), buf, 0);
            byte[] junk = new byte[r.nextInt(0, 1100)];
            r.nextBytes(junk);
            source.onResponse(junk, 0, junk.length, w.mono(), w.serverEpoch());
        }
        assertNull(source.sampleAt(w.mono()));
        assertFalse(source.answers() > 0);
    }
}
