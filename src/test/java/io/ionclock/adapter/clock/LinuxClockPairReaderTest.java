package io.ionclock.adapter.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.MonoClock;
import org.junit.jupiter.api.Test;

class LinuxClockPairReaderTest {

    private static final long BRACKET_NANOS_MAX = 10_000_000L;
    private static final long REALTIME_AGREEMENT_NANOS = 50_000_000L;

    @Test
    void nanoTimeIsClockMonotonicInThisJvm() {
        assertTrue(LinuxClockPairReader.nanoTimeIsClockMonotonic());
        long beforeNanos = System.nanoTime();
        long monoNanos = LinuxClockPairReader.monotonicNanos();
        long afterNanos = System.nanoTime();
        assertTrue(beforeNanos <= monoNanos && monoNanos <= afterNanos,
                beforeNanos + " <= " + monoNanos + " <= " + afterNanos);
    }

    @Test
    void pairBracketsARealtimeReadingThatAgreesWithTheJdk() {
        ClockPair pair = new ClockPair();
        long beforeNanos = System.nanoTime();
        new LinuxClockPairReader().read(pair);
        long afterNanos = System.nanoTime();
        long jdkRealtimeNanos = System.currentTimeMillis() * 1_000_000L;

        assertTrue(pair.monoBeforeNanos() >= beforeNanos);
        assertTrue(pair.monoAfterNanos() <= afterNanos);
        assertTrue(pair.bracketNanos() >= 0 && pair.bracketNanos() < BRACKET_NANOS_MAX,
                "bracket " + pair.bracketNanos());
        assertTrue(Math.abs(pair.realtimeNanos() - jdkRealtimeNanos) < REALTIME_AGREEMENT_NANOS,
                pair.realtimeNanos() + " vs " + jdkRealtimeNanos);
        long realtimeNanos = LinuxClockPairReader.realtimeNanos();
        assertTrue(realtimeNanos >= pair.realtimeNanos());
    }

    @Test
    void bracketsWithTheGivenMonotonicClock() {
        // A timebase 1000 s ahead of nanoTime running 100 ppm fast, as the sim profile's oscillator might.
        long originNanos = System.nanoTime();
        long aheadNanos = 1_000_000_000_000L;
        MonoClock simulated = () -> {
            long elapsedNanos = System.nanoTime() - originNanos;
            return originNanos + aheadNanos + elapsedNanos + elapsedNanos / 10_000;
        };
        ClockPair nanoTimePair = new ClockPair();
        ClockPair simulatedPair = new ClockPair();
        new LinuxClockPairReader().read(nanoTimePair);
        long simBeforeNanos = simulated.monoNanos();
        new LinuxClockPairReader(simulated).read(simulatedPair);
        long simAfterNanos = simulated.monoNanos();

        assertTrue(simBeforeNanos <= simulatedPair.monoBeforeNanos());
        assertTrue(simulatedPair.monoAfterNanos() <= simAfterNanos);
        long shiftNanos = nanoTimePair.realtimeMinusMonoNanos() - simulatedPair.realtimeMinusMonoNanos();
        assertTrue(Math.abs(shiftNanos - aheadNanos) < REALTIME_AGREEMENT_NANOS, "shift " + shiftNanos);
        assertEquals(simulatedPair.monoBeforeNanos() + simulatedPair.bracketNanos(), simulatedPair.monoAfterNanos());
    }
}
