package io.ionclock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.select.Verdict;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The source selection of a node's discipline loop on a manual timeline: the {@link DisciplineLoop} that ClockService
 * and the simulator run ({@link SourceSelector} in front of a {@link DisciplinedClock}), fed what a node's sources
 * would send.
 */
class SourceSelectorTest {
    static final long SECOND_NANOS = 1_000_000_000L;
    static final long START_EPOCH_NANOS = 1_790_000_000L * SECOND_NANOS;
    static final double OSCILLATOR_PPB = 30_000;

    /** A local oscillator 30 ppm fast and a node's discipline loop. */
    static final class Node {
        final ManualClock mono = new ManualClock(7 * SECOND_NANOS);
        final long monoStartNanos = mono.monoNanos();
        final DisciplinedClock clock = new DisciplinedClock(DisciplineConfig.defaults(), mono.monoNanos(),
                START_EPOCH_NANOS + 40_000_000L, Double.NaN); // the host's guess 40 ms off
        final DisciplineLoop loop = new DisciplineLoop(clock);
        final SourceSelector selector = loop.selector();
        final SplittableRandom random = new SplittableRandom(11);
        final ClockReading reading = new ClockReading();
        final long[] applied = new long[SourceSelector.SOURCES_MAX];

        long trueEpochNanos() {
            return START_EPOCH_NANOS + Math.round((mono.monoNanos() - monoStartNanos) / (1 + OSCILLATOR_PPB * 1e-9));
        }

        /** Source {@code index} tells the time {@code liarOffsetNanos} off, with noise inside its declared error. */
        void sample(int index, String name, long errorNanos, long liarOffsetNanos) {
            long noise = random.nextLong(-errorNanos, errorNanos + 1);
            Sample s = new Sample(name, mono.monoNanos(), trueEpochNanos() + liarOffsetNanos + noise, 0, errorNanos,
                    LeapIndicator.NONE);
            if (loop.offer(index, s, mono.monoNanos()) != null) {
                applied[index]++;
            }
        }

        /** The host clock (truth here) must lie in the published bound once synchronized. */
        void assertHonest() {
            clock.read(mono.monoNanos(), reading);
            if (reading.status == ClockStatus.SYNCHRONIZED) {
                long errorNanos = Math.abs(reading.epochNanos - trueEpochNanos());
                assertTrue(errorNanos <= reading.boundNanos, "error " + errorNanos + " ns over bound " + reading.boundNanos);
            }
        }

        Verdict state(int index) {
            return selector.view().get(index).stateAt(mono.monoNanos());
        }
    }

    @Test
    void aFalsetickerIsNeverAppliedEvenWhenItIsTheBestRankedSource() {
        Node n = new Node();
        int gnss = n.selector.add("gnss", 0); // the node's own reference, lying by 5 ms
        int peerA = n.selector.add("clocklink-a", 1);
        int peerB = n.selector.add("clocklink-b", 1);
        for (int second = 0; second < 300; second++) {
            n.sample(peerA, "CLOCKLINK", 20_000, 0);
            n.sample(peerB, "CLOCKLINK", 30_000, 0);
            n.sample(gnss, "GNSS+PPS", 1_000, 5_000_000);
            n.assertHonest();
            n.mono.advanceNanos(SECOND_NANOS);
        }
        assertEquals(0, n.applied[gnss], "the falseticker's samples were applied");
        assertEquals(Verdict.FALSETICKER, n.state(gnss));
        assertEquals("clocklink-a", n.selector.selectedName(), "the narrower of the two agreeing sources");
        assertEquals(Verdict.CANDIDATE, n.state(peerB));
        n.clock.read(n.mono.monoNanos(), n.reading);
        assertEquals(ClockStatus.SYNCHRONIZED, n.reading.status);
        assertTrue(Math.abs(n.reading.epochNanos - n.trueEpochNanos()) < 100_000, "follows the honest majority");
    }

    @Test
    void aMasterUsesItsReferenceWhileItHasOneAndClocklinkOnlyWithoutIt() {
        Node n = new Node();
        int sim = n.loop.addOwnReference("sim", 0);
        int clocklink = n.loop.addSource("clocklink", 1);
        for (int second = 0; second < 120; second++) {
            n.sample(sim, "SIM", 1_500, 0);
            if (second % 2 == 0) {
                n.sample(clocklink, "CLOCKLINK", 80_000, 0);
            }
            n.assertHonest();
            n.mono.advanceNanos(SECOND_NANOS);
        }
        assertEquals(120, n.applied[sim]);
        assertEquals(0, n.applied[clocklink], "a master with its reference takes no Clocklink sample");
        assertEquals(Verdict.CANDIDATE, n.state(clocklink));
        assertTrue(n.loop.onOwnReference(), "a master on its reference leads and votes with its clock");
        long clocklinkBefore = n.applied[clocklink];
        // The reference goes quiet: after its stale time Clocklink takes over, with no gap over the holdover age.
        for (int second = 0; second < 60; second++) {
            if (second % 2 == 0) {
                n.sample(clocklink, "CLOCKLINK", 80_000, 0);
            }
            n.loop.refresh(n.mono.monoNanos());
            n.assertHonest();
            n.mono.advanceNanos(SECOND_NANOS);
        }
        assertEquals(Verdict.UNREACHABLE, n.state(sim));
        assertEquals("clocklink", n.selector.selectedName());
        assertFalse(n.loop.onOwnReference(), "without its reference a master neither leads nor votes with its clock");
        assertTrue(n.applied[clocklink] - clocklinkBefore >= 25, "Clocklink applied without the reference");
        n.clock.read(n.mono.monoNanos(), n.reading);
        assertEquals(ClockStatus.SYNCHRONIZED, n.reading.status, "no holdover across the change of source");
        assertEquals("CLOCKLINK", n.clock.snapshot(n.mono.monoNanos()).source());
        // The reference comes back: it is used again at once.
        n.sample(sim, "SIM", 1_500, 0);
        assertEquals("sim", n.selector.selectedName());
        assertTrue(n.loop.onOwnReference());
        assertEquals("SIM", n.clock.snapshot(n.mono.monoNanos()).source());
    }

    /**
     * A fallback feeds the discipline only with samples tighter than the clock's bound: a master that loses its
     * reference coasts on what it learned until Clocklink is the better of the two, then follows Clocklink.
     */
    @Test
    void aFallbackFeedsTheDisciplineOnlyWhereItNarrowsTheBound() {
        Node n = new Node();
        int gnss = n.loop.addOwnReference("gnss", 0);
        int clocklink = n.loop.addSource("clocklink", 1);
        for (int second = 0; second < 120; second++) {
            n.sample(gnss, "GNSS+PPS", 1_000, 0);
            n.sample(clocklink, "CLOCKLINK", 200_000, 0);
            n.mono.advanceNanos(SECOND_NANOS);
        }
        assertEquals(0, n.applied[clocklink]);
        long firstAppliedBoundNanos = -1;
        for (int second = 0; second < 120; second++) { // the reference is gone
            long boundBeforeNanos = n.clock.boundNanosAt(n.mono.monoNanos());
            long before = n.applied[clocklink];
            n.sample(clocklink, "CLOCKLINK", 200_000, 0);
            if (n.applied[clocklink] > before) {
                assertTrue(boundBeforeNanos > 200_000, "a Clocklink sample applied under a bound of " + boundBeforeNanos);
                if (firstAppliedBoundNanos < 0) {
                    firstAppliedBoundNanos = boundBeforeNanos;
                }
            } else if (second > 10) {
                assertTrue(boundBeforeNanos <= 200_000 + 1_000, "not applied under a bound of " + boundBeforeNanos);
            }
            n.assertHonest();
            n.mono.advanceNanos(SECOND_NANOS);
        }
        assertEquals("clocklink", n.selector.selectedName());
        assertFalse(n.loop.onOwnReference());
        assertTrue(firstAppliedBoundNanos > 0, "Clocklink never applied");
        assertTrue(n.applied[clocklink] >= 90, "Clocklink applied " + n.applied[clocklink] + " of 120");
    }

    @Test
    void twoSourcesThatDisagreeLeaveTheNodeOnItsOwnReference() {
        Node n = new Node();
        int gnss = n.selector.add("gnss", 0);
        int clocklink = n.selector.add("clocklink", 1);
        for (int second = 0; second < 30; second++) {
            n.sample(gnss, "GNSS+PPS", 1_000, 0);
            n.sample(clocklink, "CLOCKLINK", 50_000, 3_000_000);
            n.assertHonest();
            n.mono.advanceNanos(SECOND_NANOS);
        }
        assertEquals(0, n.applied[clocklink]);
        assertEquals(Verdict.NO_MAJORITY, n.state(clocklink));
        assertEquals(Verdict.SELECTED, n.state(gnss));
    }

    /**
     * The selection reads the discipline without moving the readers' shared floor: a timestamp for an earlier instant
     * (a packet's receive time) read after a selection is the clock at that instant, not held at the selection's.
     */
    @Test
    void theSelectionDoesNotMoveTheReadersFloor() {
        Node n = new Node();
        int sim = n.loop.addSource("sim", 0);
        for (int second = 0; second < 30; second++) {
            n.sample(sim, "SIM", 1_000, 0);
            n.mono.advanceNanos(SECOND_NANOS);
        }
        long earlierMonoNanos = n.mono.monoNanos() - 1_000_000;
        n.loop.refresh(n.mono.monoNanos());
        n.clock.read(earlierMonoNanos, n.reading);
        long earlierEpochNanos = n.reading.epochNanos;
        n.clock.read(n.mono.monoNanos(), n.reading);
        assertTrue(n.reading.epochNanos - earlierEpochNanos > 900_000, "the read 1 ms earlier was held at the floor");
    }

    @Test
    void aSampleNoNewerThanTheSourcesNewestIsNotApplied() {
        Node n = new Node();
        int sim = n.selector.add("sim", 0);
        assertEquals(Verdict.NO_DATA, n.state(sim));
        Sample s = new Sample("SIM", n.mono.monoNanos(), n.trueEpochNanos(), 0, 1_000, LeapIndicator.NONE);
        assertTrue(n.selector.offer(sim, s, n.mono.monoNanos()));
        assertFalse(n.selector.offer(sim, s, n.mono.monoNanos()), "the same sample twice");
        assertEquals(Verdict.SELECTED, n.state(sim));
    }
}
