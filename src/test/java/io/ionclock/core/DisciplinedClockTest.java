package io.ionclock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DisciplinedClockTest {
    static final long SECOND_NANOS = 1_000_000_000L;
    static final long START_EPOCH_NANOS = 1_790_000_000L * SECOND_NANOS;

    /**
     * A local oscillator running {@code frequencyPpb} fast against true time, a reference with bounded
     * noise, and the clock under test; every instant comes from the manual clock.
     */
    static final class Rig {
        final ManualClock mono = new ManualClock(5 * SECOND_NANOS);
        final long monoStartNanos = mono.monoNanos();
        final double frequencyPpb;
        final long noiseNanosMax;
        final SplittableRandom random;
        final DisciplinedClock clock;
        final ClockReading reading = new ClockReading();
        long lastEpochNanos = Long.MIN_VALUE;
        long worstErrorNanos;
        /** Moves true time (and so the reference) against the local oscillator. */
        long truthShiftNanos;

        Rig(double frequencyPpb, long noiseNanosMax, long seed, long hostGuessErrorNanos) {
            this.frequencyPpb = frequencyPpb;
            this.noiseNanosMax = noiseNanosMax;
            this.random = new SplittableRandom(seed);
            this.clock = new DisciplinedClock(DisciplineConfig.defaults(), mono.monoNanos(),
                    trueEpochNanos() + hostGuessErrorNanos, Double.NaN);
        }

        long trueEpochNanos() {
            double elapsedLocalNanos = mono.monoNanos() - monoStartNanos;
            return START_EPOCH_NANOS + truthShiftNanos + Math.round(elapsedLocalNanos / (1 + frequencyPpb * 1e-9));
        }

        DisciplinedClock.Verdict sample(long extraErrorNanos) {
            long noise = noiseNanosMax == 0 ? 0 : random.nextLong(-noiseNanosMax, noiseNanosMax + 1);
            Sample s = new Sample("TEST", mono.monoNanos(), trueEpochNanos() + noise + extraErrorNanos, 0,
                    noiseNanosMax, LeapIndicator.NONE);
            return clock.onSample(s, mono.monoNanos());
        }

        /** Reads the clock, checks monotonicity and that true time is inside the bound once there is a reference. */
        ClockReading read() {
            clock.read(mono.monoNanos(), reading);
            assertTrue(reading.epochNanos >= lastEpochNanos, "time went backwards");
            lastEpochNanos = reading.epochNanos;
            long errorNanos = Math.abs(reading.epochNanos - trueEpochNanos());
            if (reading.boundNanos < DisciplinedClock.BOUND_NANOS_UNKNOWN) {
                assertTrue(errorNanos <= reading.boundNanos,
                        "true time outside the bound: error " + errorNanos + " ns > bound " + reading.boundNanos + " ns");
                worstErrorNanos = Math.max(worstErrorNanos, errorNanos);
            }
            return reading;
        }

        /** One second of life: a sample, then reads every 100 ms. */
        void second(boolean withSample) {
            if (withSample) {
                sample(0);
            }
            for (int i = 0; i < 10; i++) {
                read();
                mono.advanceNanos(SECOND_NANOS / 10);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {-100_000, -25_000, 0, 25_000, 100_000})
    void convergesFromLargeFrequencyErrorsWithTheBoundAlwaysHonest(double frequencyPpb) {
        Rig rig = new Rig(frequencyPpb, 1_000, 42, 3_000_000);
        assertEquals(ClockStatus.UNSYNCHRONIZED, rig.read().status);
        for (int s = 0; s < 30; s++) {
            rig.second(true);
        }
        rig.worstErrorNanos = 0; // the start may hold time after a backward step; judge the settled clock
        for (int s = 0; s < 30; s++) {
            rig.second(true);
        }
        ClockSnapshot snap = rig.clock.snapshot(rig.mono.monoNanos());
        assertEquals(ClockStatus.SYNCHRONIZED, snap.status());
        assertEquals(frequencyPpb, snap.frequencyPpb(), 50, "learned frequency");
        assertTrue(snap.boundNanos() < 20_000, "bound after a minute: " + snap.boundNanos());
        assertTrue(rig.worstErrorNanos < 20_000, "worst error " + rig.worstErrorNanos);
        assertEquals(0, rig.clock.monotonicViolations());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 1_000, 20_000, 1_000_000, 100_000_000})
    void learnsTheFrequencyAtAnyNoiseLevelAndTheBoundStaysHonest(long noiseNanosMax) {
        Rig rig = new Rig(25_000, noiseNanosMax, 17, 0);
        for (int s = 0; s < 64; s++) {
            rig.second(true);
        }
        ClockSnapshot snap = rig.clock.snapshot(rig.mono.monoNanos());
        assertEquals(ClockStatus.SYNCHRONIZED, snap.status());
        // The window's worst-case slope error is about 3 x noise / span; beyond the prior it is not used.
        double expectedErrorPpb = Math.min(500_000, 3.0 * noiseNanosMax / 64 + 1);
        assertEquals(25_000, snap.frequencyPpb(), expectedErrorPpb, "learned frequency");
        assertTrue(snap.frequencyErrorPpb() <= expectedErrorPpb + 15_000, "frequency error bound " + snap.frequencyErrorPpb());
    }

    @Test
    void synchronizesOnTheSecondSampleAndStepsOnlyBefore() {
        Rig rig = new Rig(25_000, 1_000, 7, 2 * SECOND_NANOS);
        rig.second(true);
        assertEquals(ClockStatus.UNSYNCHRONIZED, rig.read().status, "one sample does not give a frequency");
        rig.second(true);
        assertEquals(ClockStatus.SYNCHRONIZED, rig.read().status);
        long stepsAtSync = rig.clock.steps();
        for (int s = 0; s < 10; s++) {
            rig.second(true);
        }
        assertEquals(stepsAtSync, rig.clock.steps(), "no step after the first SYNCHRONIZED");
    }

    @Test
    void holdoverGrowsTheBoundThenFreeRunsAndRecovers() {
        Rig rig = new Rig(25_000, 1_000, 3, 0);
        for (int s = 0; s < 30; s++) {
            rig.second(true);
        }
        long syncedBoundNanos = rig.read().boundNanos;
        for (int s = 0; s < 6; s++) {
            rig.second(false);
        }
        ClockReading r = rig.read();
        assertEquals(ClockStatus.HOLDOVER, r.status);
        assertTrue(r.boundNanos > syncedBoundNanos + 6 * 15_000 - 1, "bound grows at maxDriftPpb at least");
        long previousBound = r.boundNanos;
        // 15 ppm of drift allowance reaches the 1 s maximum after about 18 hours.
        for (int h = 0; h < 20; h++) {
            rig.mono.advanceNanos(3600 * SECOND_NANOS);
            ClockReading later = rig.read();
            assertTrue(later.boundNanos >= previousBound, "bound never shrinks while coasting");
            previousBound = later.boundNanos;
        }
        assertEquals(ClockStatus.FREE_RUNNING, rig.read().status);
        rig.sample(0);
        rig.mono.advanceNanos(SECOND_NANOS);
        rig.second(true);
        assertEquals(ClockStatus.SYNCHRONIZED, rig.read().status);
    }

    @Test
    void aNegativeCorrectionIsSlewedNeverStepped() {
        Rig rig = new Rig(0, 0, 1, 0);
        for (int s = 0; s < 10; s++) {
            rig.second(true);
        }
        // True time jumps 10 ms back against us (we are now ahead): three agreeing samples move the estimate.
        long before = rig.read().epochNanos;
        rig.truthShiftNanos = -10_000_000;
        for (int s = 0; s < 3; s++) {
            rig.sample(0);
            rig.read();
            rig.mono.advanceNanos(SECOND_NANOS);
        }
        ClockSnapshot snap = rig.clock.snapshot(rig.mono.monoNanos());
        assertTrue(snap.offsetNanos() > 0, "we are ahead: positive pending offset, slewing out");
        assertTrue(snap.boundNanos() >= snap.offsetNanos(), "the bound covers what is not slewed out yet");
        for (int i = 0; i < 300; i++) {
            rig.read(); // asserts monotonic at every read
            rig.mono.advanceNanos(SECOND_NANOS / 10);
        }
        assertTrue(rig.read().epochNanos > before);
        assertEquals(0, rig.clock.monotonicViolations());
        assertEquals(1, rig.clock.windowResets());
    }

    @Test
    void aSingleOutlierIsDroppedAndWidensTheBoundMeanwhile() {
        Rig rig = new Rig(10_000, 1_000, 11, 0);
        for (int s = 0; s < 20; s++) {
            rig.second(true);
        }
        long boundBefore = rig.read().boundNanos;
        assertEquals(DisciplinedClock.Verdict.REJECTED_SUSPECT, rig.sample(50_000_000));
        assertTrue(rig.read().boundNanos > 50_000_000 - 2 * rig.noiseNanosMax, "the disagreement is in the bound");
        assertTrue(boundBefore < 50_000);
        rig.mono.advanceNanos(SECOND_NANOS);
        assertEquals(DisciplinedClock.Verdict.ACCEPTED, rig.sample(0));
        assertTrue(rig.read().boundNanos < 50_000, "back to normal once the outlier is outvoted");
        assertEquals(0, rig.clock.windowResets());
    }

    @Test
    void backwardStepBeforeSyncHoldsTimeInsteadOfGoingBack() {
        Rig rig = new Rig(0, 0, 5, 500_000_000); // host guess 0.5 s ahead
        ClockReading first = rig.read();
        long handedOut = first.epochNanos;
        rig.mono.advanceNanos(SECOND_NANOS / 10);
        rig.sample(0);
        ClockReading held = rig.read();
        assertEquals(handedOut, held.epochNanos, "held at the highest time handed out");
        assertTrue(held.boundNanos >= Math.abs(held.epochNanos - rig.trueEpochNanos()));
    }

    @Test
    void staleAndFutureSamplesAreRejectedWithoutMovingTheClock() {
        Rig rig = new Rig(0, 100, 9, 0);
        for (int s = 0; s < 5; s++) {
            rig.second(true);
        }
        long now = rig.mono.monoNanos();
        Sample future = new Sample("TEST", now + 1, rig.trueEpochNanos(), 0, 100, LeapIndicator.NONE);
        Sample old = new Sample("TEST", now - 10 * SECOND_NANOS, rig.trueEpochNanos(), 0, 100, LeapIndicator.NONE);
        ClockSnapshot before = rig.clock.snapshot(now);
        assertEquals(DisciplinedClock.Verdict.REJECTED_STALE, rig.clock.onSample(future, now));
        assertEquals(DisciplinedClock.Verdict.REJECTED_STALE, rig.clock.onSample(old, now));
        ClockSnapshot after = rig.clock.snapshot(now);
        assertEquals(before.epochNanos(), after.epochNanos());
        assertEquals(before.boundNanos(), after.boundNanos());
    }

    @Test
    void driftFileFrequencyIsTheStartingEstimate() {
        ManualClock mono = new ManualClock(0);
        DisciplinedClock clock = new DisciplinedClock(DisciplineConfig.defaults(), 0, START_EPOCH_NANOS, 25_000);
        assertEquals(25_000, clock.snapshot(0).frequencyPpb(), 1e-6);
        assertTrue(Double.isNaN(clock.frequencyPpbForDriftFile()), "nothing measured yet");
        clock.onSample(new Sample("TEST", 0, START_EPOCH_NANOS, 0, 1000, LeapIndicator.NONE), 0);
        mono.advanceNanos(SECOND_NANOS);
        assertEquals(ClockStatus.SYNCHRONIZED, clock.snapshot(mono.monoNanos()).status(),
                "a drift file gives the frequency: one sample synchronises");
    }
}
