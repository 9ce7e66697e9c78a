package io.ionclock.core.gnss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class GnssPairingTest {
    static final long S = 1_000_000_000L;
    static final long MS = 1_000_000L;
    static final long FIRST_SECOND = 1_790_000_000L;
    static final long MONO_AT_FIRST_SECOND = 50 * S;

    final List<Sample> samples = new ArrayList<>();
    final GnssPairing pairing = new GnssPairing(samples::add);

    /** True time (epoch ns) of a local instant: the local clock runs 100 ppm fast. */
    static long trueEpochNanos(long monoNanos) {
        return FIRST_SECOND * S + Math.round((monoNanos - MONO_AT_FIRST_SECOND) / 1.0001);
    }

    /** The local instant of the edge of second {@code k} after the first. */
    static long edgeMono(long k) {
        return MONO_AT_FIRST_SECOND + Math.round(k * S * 1.0001);
    }

    static void assertHonest(Sample s) {
        long errorNanos = Math.abs(s.refEpochNanos() - trueEpochNanos(s.monoNanos()));
        assertTrue(errorNanos <= s.errorNanos(), "sample " + s + " is off by " + errorNanos + " ns");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void everyLabelIsRightForAnyReceiverDelay(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long baseDelay = r.nextLong(50 * MS, 850 * MS);
        for (long k = 0; k < 120; k++) {
            long edge = edgeMono(k);
            pairing.onPpsEdge(edge, 1_000);
            long delay = baseDelay + r.nextLong(0, 50 * MS); // receiver wobble
            pairing.onNmeaTime((FIRST_SECOND + k) * 1000, edge + delay);
        }
        assertEquals(120, samples.size(), "one sample per edge");
        samples.forEach(GnssPairingTest::assertHonest);
        assertTrue(pairing.calibrated());
        assertTrue(Math.abs(pairing.delayMeanNanos() - (baseDelay + 25 * MS)) < 25 * MS, "measured delay");
        assertEquals(0, pairing.ambiguousDropped());
        assertEquals(GnssPairing.SOURCE_GNSS_PPS, samples.get(0).sourceName());
        assertEquals(GnssPairing.SOURCE_GNSS_PPS, samples.get(10).sourceName(), "labelled from the anchor as it arrives");
        assertEquals(119, pairing.heldLabels(), "after the first pair every edge is labelled on arrival");
    }

    @Test
    void aSpuriousPulseInTheWindowIsDroppedNotGuessed() {
        pairing.onPpsEdge(edgeMono(0), 1_000);
        pairing.onPpsEdge(edgeMono(0) + 400 * MS, 1_000); // glitch
        pairing.onNmeaTime(FIRST_SECOND * 1000, edgeMono(0) + 600 * MS);
        assertEquals(1, pairing.ambiguousDropped());
        assertTrue(samples.isEmpty());
    }

    @Test
    void anEdgeNearTheEndOfTheWindowIsAmbiguousBeforeCalibration() {
        pairing.onPpsEdge(edgeMono(0), 1_000);
        pairing.onNmeaTime(FIRST_SECOND * 1000, edgeMono(0) + 995 * MS); // edge of S, or is S+1's late?
        assertEquals(1, pairing.unpairedNmea());
        assertTrue(samples.isEmpty());
    }

    @Test
    void ppsAloneKeepsLabellingThroughAnNmeaOutageThenStops() {
        for (long k = 0; k < 10; k++) {
            pairing.onPpsEdge(edgeMono(k), 1_000);
            pairing.onNmeaTime((FIRST_SECOND + k) * 1000, edgeMono(k) + 300 * MS);
        }
        int before = samples.size();
        for (long k = 10; k < 100; k++) {
            pairing.onPpsEdge(edgeMono(k), 1_000);
        }
        long held = samples.size() - before;
        long expected = 0;
        for (long k = 10; k < 100; k++) {
            expected += edgeMono(k) - edgeMono(9) <= GnssPairing.LABEL_HOLDOVER_NANOS_MAX ? 1 : 0;
        }
        assertTrue(expected > 50 && expected < 90);
        assertEquals(expected, held, "labels held for the holdover only");
        samples.forEach(GnssPairingTest::assertHonest);
        assertTrue(pairing.unlabelledEdges() > 0);
        assertEquals(GnssPairing.SOURCE_PPS, samples.get(samples.size() - 1).sourceName());
    }

    @Test
    void nmeaAloneGivesSamplesWhoseBoundCoversAnyDelay() {
        SplittableRandom r = new SplittableRandom(3);
        for (long k = 0; k < 30; k++) {
            long delay = r.nextLong(0, S);
            pairing.onNmeaTime((FIRST_SECOND + k) * 1000, edgeMono(k) + delay);
            pairing.onNmeaTime((FIRST_SECOND + k) * 1000, edgeMono(k) + delay + 10 * MS); // GGA of the same second
        }
        assertEquals(30, samples.size(), "one sample per second");
        samples.forEach(GnssPairingTest::assertHonest);
        assertEquals(GnssPairing.SOURCE_GNSS, samples.get(0).sourceName());
        assertTrue(samples.get(0).errorNanos() >= 500 * MS);
    }

    @Test
    void afterCalibrationNmeaAloneUsesTheMeasuredDelay() {
        for (long k = 0; k < 10; k++) {
            pairing.onPpsEdge(edgeMono(k), 1_000);
            pairing.onNmeaTime((FIRST_SECOND + k) * 1000, edgeMono(k) + 300 * MS + (k % 3) * 10 * MS);
        }
        samples.clear();
        for (long k = 20; k < 30; k++) { // PPS gone
            pairing.onNmeaTime((FIRST_SECOND + k) * 1000, edgeMono(k) + 310 * MS);
        }
        assertEquals(10, samples.size());
        samples.forEach(GnssPairingTest::assertHonest);
        assertTrue(samples.get(0).errorNanos() < 100 * MS, "calibrated: " + samples.get(0).errorNanos());
    }

    @Test
    void nmeaThatDisagreesWithPpsCountingIsNotUsed() {
        for (long k = 0; k < 5; k++) {
            pairing.onPpsEdge(edgeMono(k), 1_000);
            pairing.onNmeaTime((FIRST_SECOND + k) * 1000, edgeMono(k) + 300 * MS);
        }
        int before = samples.size();
        pairing.onPpsEdge(edgeMono(5), 1_000); // held label FIRST_SECOND + 5: emitted
        pairing.onNmeaTime((FIRST_SECOND + 7) * 1000, edgeMono(5) + 300 * MS); // receiver jumps 2 s
        assertEquals(1, pairing.labelConflicts());
        assertEquals(before + 1, samples.size(), "the jumped label made no sample");
        samples.forEach(GnssPairingTest::assertHonest);
        pairing.onPpsEdge(edgeMono(6), 1_000);
        assertEquals(before + 1, samples.size(), "no anchor after a conflict: no held labels");
        assertFalse(samples.stream().anyMatch(s -> s.refEpochNanos() == (FIRST_SECOND + 7) * S));
    }

    @Test
    void anImpreciseEdgeIsDroppedAndCountedNeverThrown() {
        pairing.onPpsEdge(edgeMono(0), GnssPairing.EDGE_ERROR_NANOS_MAX + 1);
        pairing.onPpsEdge(edgeMono(1), -1);
        pairing.onNmeaTime(FIRST_SECOND * 1000, edgeMono(0) + 300 * MS);
        assertEquals(2, pairing.impreciseEdges());
        assertEquals(0, pairing.pairs());
        assertEquals(GnssPairing.SOURCE_GNSS, samples.get(0).sourceName(), "no usable PPS: NMEA alone");
    }

    @Test
    void fractionalEpochsOfFastReceiversDoNotPair() {
        pairing.onPpsEdge(edgeMono(0), 1_000);
        pairing.onNmeaTime(FIRST_SECOND * 1000 + 100, edgeMono(0) + 150 * MS);
        pairing.onNmeaTime(FIRST_SECOND * 1000 + 200, edgeMono(0) + 250 * MS);
        assertTrue(samples.isEmpty());
        assertEquals(0, pairing.pairs());
    }
}
