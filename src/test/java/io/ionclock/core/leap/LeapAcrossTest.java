package io.ionclock.core.leap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockSnapshot;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.DisciplineConfig;
import io.ionclock.core.DisciplineLoop;
import io.ionclock.core.DisciplinedClock;
import io.ionclock.core.LeapIndicator;
import io.ionclock.core.Sample;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The whole discipline through a leap second on a manual timeline: a reference telling UTC (POSIX, its inserted second
 * held) with noise at the edge of its declared error, an oscillator 30 ppm fast, samples every second, reads every
 * 250 ms from 14 h before the leap to 14 h after. At every read the served time must be inside its bound around the
 * truth on the stated timescale (UTC held, or smeared UTC) and never before the previous read; insert and delete,
 * both policies, the leap decided by a list or by the sources' majority.
 */
class LeapAcrossTest {
    static final long S = 1_000_000_000L;
    static final long LEAP = Instant.parse("2027-01-01T00:00:00Z").getEpochSecond(); // the midnight after the leap
    static final long ERROR_NANOS = 20_000;

    static LeapSecondsList list(LeapIndicator leap) throws Exception {
        // 2017-01-01: 37 (as today); 2027-01-01: 38 (insert) or 36 (delete).
        return LeapSecondsList.parse(LeapSecondsListTest.synthetic("3692217600 37",
                "4007750400 " + (leap == LeapIndicator.INSERT ? 38 : 36)));
    }

    @ParameterizedTest
    @CsvSource({"INSERT, STEP, list", "INSERT, SMEAR, list", "DELETE, STEP, list", "DELETE, SMEAR, list",
            "INSERT, STEP, sources", "DELETE, SMEAR, sources"})
    void throughALeap(LeapIndicator leap, LeapSchedule.Policy policy, String by) throws Exception {
        DisciplineConfig config = new DisciplineConfig(500_000, 200, 100_000, 5 * S, S);
        long startUtc = (LEAP - 14 * 3600) * S;
        long mono = 1_000_000 * S;
        double ppm = 30;
        DisciplinedClock clock = new DisciplinedClock(config, mono, startUtc + 3 * S, Double.NaN);
        DisciplineLoop loop = new DisciplineLoop(clock);
        int src = loop.addOwnReference("sim", 0);
        loop.configureLeap(by.equals("list") ? list(leap) : null, policy);
        // The truth: C (continuous) and the true schedule (offset 0, the leap pending).
        LeapSchedule truth = LeapSchedule.steady(0, policy).withLeap(LEAP, leap);
        SplittableRandom noise = new SplittableRandom(leap.ordinal() * 10L + policy.ordinal());
        long trueC = startUtc;
        long previous = Long.MIN_VALUE;
        long reads = 0;
        long violations = 0;
        boolean announced = false;
        ClockReading r = new ClockReading();
        long end = (LEAP + 14 * 3600) * S;
        for (long step = 0; trueC < end; step++) {
            trueC += S / 4;
            mono += Math.round(S / 4 * (1 + ppm * 1e-6));
            if (step % 4 == 0) {
                // The reference: UTC with its leap second held (a kernel-like clock), noise at the edge of its error.
                long utc = truth.serve(trueC, LeapSchedule.Policy.STEP);
                long n = (long) ((noise.nextDouble() * 2 - 1) * ERROR_NANOS);
                LeapIndicator says = by.equals("sources") ? truth.announcedAt(trueC) : LeapIndicator.NONE;
                loop.offer(src, new Sample("SIM", mono, utc + n, 0, ERROR_NANOS, says), mono);
            }
            clock.read(mono, r);
            if (r.status != ClockStatus.SYNCHRONIZED) {
                continue;
            }
            long truthServed = truth.serve(trueC, policy);
            reads++;
            if (Math.abs(r.epochNanos - truthServed) > r.boundNanos) {
                violations++;
                assertTrue(false, leap + " " + policy + ": served " + r.epochNanos + " is " + (r.epochNanos - truthServed)
                        + " ns from the truth, bound " + r.boundNanos + " at " + (trueC / S - LEAP) + " s from the leap");
            }
            assertTrue(r.epochNanos >= previous, "time went back at " + (trueC / S - LEAP) + " s from the leap");
            previous = r.epochNanos;
            ClockSnapshot snap = clock.snapshot(mono);
            announced |= snap.leap() == leap;
        }
        assertTrue(reads > 400_000, "reads " + reads);
        assertEquals(0, violations);
        assertEquals(0, clock.monotonicViolations());
        assertTrue(announced, "the leap was announced");
        assertEquals(by.equals("list") ? DisciplineLoop.LEAP_BY_LIST : DisciplineLoop.LEAP_BY_SOURCES,
                by.equals("list") ? loop.leapDecidedBy() : DisciplineLoop.LEAP_BY_SOURCES);
        assertTrue(loop.leapGuardDrops() > 0 && loop.leapGuardDrops() <= 6, "guard drops " + loop.leapGuardDrops());
        // Settled: one second folded into the offset, no leap pending, and the served time is UTC again.
        assertTrue(!clock.leapSchedule().pending(), clock.leapSchedule().toString());
        assertEquals(leap == LeapIndicator.INSERT ? S : -S, clock.leapSchedule().offsetNanos());
        clock.read(mono, r);
        assertTrue(Math.abs(r.epochNanos - truth.serve(trueC, LeapSchedule.Policy.STEP)) <= r.boundNanos);
    }

    @Test
    void sourcesAnnounceOnlyByMajorityAndOnlyForAMonthsEnd() {
        DisciplineConfig config = new DisciplineConfig(500_000, 200, 100_000, 5 * S, S);
        // Three agreeing sources, no list. 2026-12-31 (a month's end) from 10:00, then 2027-01-15 (not one).
        for (int announcing = 0; announcing <= 3; announcing++) {
            for (String day : new String[] {"2026-12-31T10:00:00Z", "2027-01-15T10:00:00Z"}) {
                long t = Instant.parse(day).getEpochSecond() * S;
                long mono = S;
                DisciplinedClock clock = new DisciplinedClock(config, mono, t, Double.NaN);
                DisciplineLoop loop = new DisciplineLoop(clock);
                int[] src = {loop.addSource("a", 1), loop.addSource("b", 1), loop.addSource("c", 1)};
                loop.configureLeap(null, LeapSchedule.Policy.STEP);
                for (int i = 0; i < 60; i++) {
                    t += S;
                    mono += S;
                    for (int k = 0; k < 3; k++) {
                        LeapIndicator says = k < announcing ? LeapIndicator.INSERT : LeapIndicator.NONE;
                        loop.offer(src[k], new Sample("S" + k, mono, t, 0, ERROR_NANOS, says), mono);
                    }
                }
                boolean expected = announcing >= 2 && day.startsWith("2026-12-31");
                assertEquals(expected ? LeapIndicator.INSERT : LeapIndicator.NONE, clock.snapshot(mono).leap(),
                        announcing + " of 3 announcing on " + day);
                assertEquals(expected ? DisciplineLoop.LEAP_BY_SOURCES : DisciplineLoop.LEAP_BY_NONE, loop.leapDecidedBy());
            }
        }
    }

    @Test
    void anExpiredListInventsNothing() throws Exception {
        DisciplineConfig config = new DisciplineConfig(500_000, 200, 100_000, 5 * S, S);
        // Past the synthetic list's expiry (2030-01-01): the list says nothing, the sources nothing either.
        long t = Instant.parse("2030-06-30T20:00:00Z").getEpochSecond() * S;
        long mono = S;
        DisciplinedClock clock = new DisciplinedClock(config, mono, t, Double.NaN);
        DisciplineLoop loop = new DisciplineLoop(clock);
        int src = loop.addOwnReference("sim", 0);
        loop.configureLeap(list(LeapIndicator.INSERT), LeapSchedule.Policy.STEP);
        for (int i = 0; i < 100; i++) {
            t += S;
            mono += S;
            loop.offer(src, new Sample("SIM", mono, t, 0, ERROR_NANOS, LeapIndicator.NONE), mono);
        }
        assertEquals(LeapIndicator.NONE, clock.snapshot(mono).leap());
        assertEquals(DisciplineLoop.LEAP_BY_NONE, loop.leapDecidedBy());
    }

    @Test
    void theMapsAreMonotonicAndTheirBoundsCoverTheTruth() {
        SplittableRandom r = new SplittableRandom(5);
        for (LeapIndicator leap : new LeapIndicator[] {LeapIndicator.INSERT, LeapIndicator.DELETE}) {
            for (LeapSchedule.Policy p : LeapSchedule.Policy.values()) {
                LeapSchedule s = LeapSchedule.steady(0, p).withLeap(LEAP, leap);
                long prev = Long.MIN_VALUE;
                for (long c = (LEAP - 13 * 3600) * S; c < (LEAP + 13 * 3600) * S; c += r.nextLong(1, 2 * S)) {
                    long v = s.serve(c);
                    assertTrue(v >= prev, leap + " " + p + " at " + c);
                    prev = v;
                    long b = r.nextLong(0, 3 * S);
                    long truth = c + r.nextLong(-b, b + 1);
                    assertTrue(Math.abs(s.serve(truth) - v) <= s.servedBoundNanos(c, b, p), leap + " " + p);
                }
            }
        }
    }
}
