package io.ionclock.adapter.pps;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
