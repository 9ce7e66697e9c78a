package io.ionclock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The drift monitor's suspect path on a hand-made timeline: what widens the allowance, what does not, and when it shows. */
class DriftMonitorTest {
    static final long SECOND_NANOS = 1_000_000_000L;
    static final long START_EPOCH_NANOS = 1_790_000_000L * SECOND_NANOS;

    /** A clock fed honest samples (truth = mono + epoch) every second; returns the next mono instant. */
    static long calm(DisciplinedClock clock, long mono, int seconds) {
        for (int i = 0; i < seconds; i++, mono += SECOND_NANOS) {
            clock.onSample(new Sample("T", mono, START_EPOCH_NANOS + mono, 0, 100, LeapIndicator.NONE), mono);
        }
        return mono;
    }

    static DisciplinedClock.Verdict off(DisciplinedClock clock, long mono, long offNanos) {
        return clock.onSample(new Sample("T", mono, START_EPOCH_NANOS + mono + offNanos, 0, 100, LeapIndicator.NONE), mono);
    }

    /**
     * Three samples outside the bound within 16 samples (not in a row, so no reset) prove the allowance broken: the
     * widening shows in the clock's state at the third, before any sample is accepted after it.
     */
    @Test
    void threeSuspectsWithinSixteenSamplesWidenAtOnce() {
        DisciplinedClock clock = new DisciplinedClock(DisciplineConfig.defaults(), 0, START_EPOCH_NANOS, Double.NaN);
        long mono = calm(clock, SECOND_NANOS, 64);
        for (int k = 0; k < 3; k++) {
            assertEquals(DisciplinedClock.Verdict.REJECTED_SUSPECT, off(clock, mono, 60_000));
            mono += SECOND_NANOS;
            if (k < 2) {
                assertEquals(0, clock.driftAllowance().widenings());
                mono = calm(clock, mono, 1);
            }
        }
        DriftAllowance d = clock.driftAllowance();
        assertEquals(1, d.widenings(), d.toString());
        assertTrue(d.widened() && d.inForcePpb() >= 3 * DisciplineConfig.defaults().maxDriftPpb(), d.toString());
        assertTrue(clock.rateErrorPpbMax(mono) >= d.inForcePpb(), "the selection sees the widened allowance");
    }

    /** Suspects too far apart, and a jump no oscillator makes (a reference glitch), widen nothing. */
    @Test
    void sparseSuspectsAndImplausibleJumpsWidenNothing() {
        DisciplinedClock clock = new DisciplinedClock(DisciplineConfig.defaults(), 0, START_EPOCH_NANOS, Double.NaN);
        long mono = calm(clock, SECOND_NANOS, 64);
        for (int k = 0; k < 4; k++) {
            assertEquals(DisciplinedClock.Verdict.REJECTED_SUSPECT, off(clock, mono, 60_000));
            mono = calm(clock, mono + SECOND_NANOS, 16);
        }
        for (int k = 0; k < 2; k++) { // 5 s off: 5e9 ppb over a second, beyond 100 x the allowance
            assertEquals(DisciplinedClock.Verdict.REJECTED_SUSPECT, off(clock, mono, 5 * SECOND_NANOS));
            mono = calm(clock, mono + SECOND_NANOS, 1);
        }
        assertEquals(DisciplinedClock.Verdict.REJECTED_SUSPECT, off(clock, mono, 5 * SECOND_NANOS));
        assertEquals(0, clock.driftAllowance().widenings(), clock.driftAllowance().toString());
    }
}
