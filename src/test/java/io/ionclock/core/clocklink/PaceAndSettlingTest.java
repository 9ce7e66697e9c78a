package io.ionclock.core.clocklink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.select.Selection;
import io.ionclock.core.select.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 17's rules in isolation: a gateway's pace (fast-track by time, its servers' pace, the traffic budget once they
 * are loaded), and the judging of a peer whose clock is still settling (never voted out for moving within its bound;
 * its link's filter and learning start again once it has settled).
 */
class PaceAndSettlingTest {
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;

    static ClocklinkConfig gateway(int upstreams) {
        List<ClocklinkConfig.Peer> peers = new ArrayList<>();
        for (int i = 0; i < upstreams; i++) {
            peers.add(new ClocklinkConfig.Peer(i + 1, "m" + i));
        }
        return ClocklinkConfig.gateway("g", 1, MiniNet.KEYS, peers);
    }

    @Test
    void theBudgetSetsThePollOfALoadedFleetFromTheExchangeSize() {
        ClocklinkConfig c = gateway(4);
        assertEquals(250, c.budgetBytesPerSecond());
        // 4 exchanges of 48 + 84 bytes each poll, within 0.7 of 250 B/s (the rest for re-probes, retries and a share of
        // the masters' mesh): 3.02 s.
        assertEquals((long) Math.ceil(4.0 * 140 * 1e9 / 175), c.budgetPollNanos(4)); // interleaved exchanges: 48 + 92 bytes
        assertEquals(0, c.withBudget(0).budgetPollNanos(4));
        assertEquals(2 * c.budgetPollNanos(4), c.withBudget(125).budgetPollNanos(4), 1);
    }

    @Test
    void fastTrackLastsItsTimeWhateverTheServersAskThenTheBudgetHoldsOnceTheyAreLoaded() {
        ClocklinkConfig c = gateway(4); // 300 cycles x 100 ms: 30 s of fast-track
        CycleClock cycles = new CycleClock(c);
        cycles.start(0);
        cycles.begin(S, 0, false);
        assertEquals(100 * MS, cycles.periodNanos(), "fast-tracking with idle servers: every round");
        cycles.begin(2 * S, 6_400 * MS, true);
        assertEquals(6_400 * MS, cycles.periodNanos(), "a loaded server's pace holds while fast-tracking too");
        // Five cycles at 6.4 s is far from 300 cycles, but 30 s have passed: fast-track is over (by time, not count).
        cycles.begin(31 * S, 0, false);
        assertFalse(cycles.fastTracking());
        assertEquals(100 * MS, cycles.periodNanos(), "servers with room (a small fleet): the configured poll");
        cycles.begin(32 * S, 1_600 * MS, true);
        assertEquals(c.budgetPollNanos(4), cycles.periodNanos(), "loaded servers asking for less than the budget");
        cycles.begin(33 * S, 6_400 * MS, true);
        assertEquals(6_400 * MS, cycles.periodNanos(), "servers asking for more than the budget");
        cycles.begin(34 * S, 0, true);
        assertEquals(c.budgetPollNanos(4), cycles.periodNanos(),
                "relays with room in a loaded fleet (they say LOADED, ask nothing): the budget still holds");
        cycles.lostEverySource(34 * S);
        cycles.begin(34 * S, 0, true);
        assertEquals(100 * MS, cycles.periodNanos(), "fast-tracking again: every round, as the servers allow");
        cycles.begin(35 * S, 0, false);
        assertTrue(cycles.fastTracking(), "every source lost: fast-tracking again");
        cycles.begin(65 * S, 0, false);
        assertFalse(cycles.fastTracking());
        cycles.fastTrackWhileSourcesSettle(70 * S);
        cycles.begin(89 * S, 0, true);
        assertTrue(cycles.fastTracking(), "a source still settling at 70 s: fast-tracking until 20 s after");
        cycles.begin(91 * S, 0, true);
        assertFalse(cycles.fastTracking());
    }

    /** Four links, three agreeing at 0 and link 3 disagreeing by {@code offsetNanos}, each judgeable and learned. */
    static PeerLink[] links(ClocklinkConfig c) {
        PeerLink[] links = new PeerLink[4];
        for (int i = 0; i < links.length; i++) {
            PeerLink l = new PeerLink(i, c.peers().get(i), c);
            l.state = PeerLink.State.ACTIVE;
            l.filter.setWindow(16 * S);
            for (int k = 0; k < 20; k++) {
                long t1 = k * S;
                long t = MiniNet.EPOCH0 + t1 + 100_000;
                l.filter.add(t1, t, t + 1_000, t1 + 201_000, 1_000);
            }
            for (int k = 0; k < LinkTrust.LEARNED_CYCLES_MIN; k++) {
                l.trust.learn(0, 1_000);
            }
            links[i] = l;
        }
        return links;
    }

    /** One cycle's selection over the links: values as given, bound {@code boundNanos}, precision 2 µs. */
    static boolean judgeCycle(PeerLink[] links, long[] values, long boundNanos, long now) {
        Selection sel = new Selection(8);
        for (int i = 0; i < links.length; i++) {
            PeerLink l = links[i];
            l.usable = true;
            l.valueX = values[i];
            l.voteX = values[i];
            l.boundX = boundNanos;
            l.precisionX = 2_000;
            l.voteHalfWidthX = 4_000;
            l.uncertaintyX = 500;
            l.selIndex = l.weight() > 0 ? sel.add(l.valueX, l.boundX, l.precisionX, l.weight(), l.voteX, l.voteHalfWidthX) : -1;
        }
        boolean valid = sel.select();
        Judge.judge(links, sel, valid, valid ? sel.valueNanos() : 0, now);
        return valid;
    }

    @Test
    void aSettlingPeerThatMovesWithinItsBoundIsNeverVotedOutASettledOneIs() {
        ClocklinkConfig c = gateway(4);
        long[] values = {0, 100, -100, 60_000}; // link 3 is 60 µs away, well inside a 1 ms bound
        PeerLink[] settling = links(c);
        settling[3].peerSettling = true;
        for (int k = 0; k < 20; k++) {
            assertTrue(judgeCycle(settling, values, 1_000_000, 100 * S + k * S));
        }
        assertFalse(settling[3].trust.isolated, "a peer still settling moved inside its bound: no fault");
        assertEquals(1.0, settling[3].trust.reputation, 1e-9);

        PeerLink[] settled = links(c);
        for (int k = 0; k < 2; k++) {
            judgeCycle(settled, values, 1_000_000, 100 * S + k * S);
        }
        assertEquals(Verdict.ISOLATED, isolatedVerdict(settled[3]), "the same disagreement from a settled peer is a lie");
    }

    private static Verdict isolatedVerdict(PeerLink l) {
        return l.trust.isolated ? Verdict.ISOLATED : l.verdict;
    }

    @Test
    void aSettlingPeerWhoseIntervalMissesTheTruthIsStillAFalseticker() {
        ClocklinkConfig c = gateway(4);
        PeerLink[] links = links(c);
        links[3].peerSettling = true;
        long[] values = {0, 100, -100, 5_000_000}; // 5 ms away with a 1 ms bound: its interval misses the others'
        judgeCycle(links, values, 1_000_000, 100 * S);
        assertTrue(links[3].trust.isolated, "an honest interval misses the truth's: a fault, settling or not");
    }

    @Test
    void aPeerThatSettlesIsLearnedAgainOnceAndItsFilterKeepsOnlyItsNewestExchangesWhileItSettles() {
        ClocklinkConfig c = gateway(4);
        PeerLink link = links(c)[0];
        link.trust.learn(90_000, 1_000); // learned while the peer's clock was still forming
        ClocklinkMessage rx = new ClocklinkMessage();
        rx.flags = Wire.FLAG_SETTLING;
        link.answeredBy(rx, 30 * S);
        assertTrue(link.peerSettling);
        assertTrue(link.trust.baselineSet, "still settling: nothing relearned yet");
        rx.flags = 0;
        link.answeredBy(rx, 31 * S);
        assertFalse(link.peerSettling);
        assertFalse(link.trust.baselineSet);
        assertFalse(link.trust.learnedEnough(), "not judged until learned again");
        link.trust.learn(0, 1_000);
        link.answeredBy(rx, 32 * S);
        assertTrue(link.trust.baselineSet, "settled stays settled: no second relearn");

        // The window on a settling peer: its newest 8 polls.
        PeerLink[] links = links(c);
        links[1].peerSettling = true;
        Combiner combiner = new Combiner(c, (mono, out) -> { }, links);
        combiner.combine(20 * S, S, false);
        assertEquals(Combiner.SETTLING_WINDOW_POLLS * S, links[1].filter.windowNanos());
        assertTrue(links[0].filter.windowNanos() > Combiner.SETTLING_WINDOW_POLLS * S);
    }

    @Test
    void aGatewaySaysItIsSettlingUntilItsClockFollowsItsCombinationThenStaysSettled() {
        MiniNet net = ClocklinkNodeTest.fleet(3, 1);
        MiniNet.Node gw = net.nodes.get(3);
        net.runUntil(5 * S);
        assertTrue(gw.link.view().settling(), "fast-tracking: settling");
        assertFalse(net.nodes.get(0).link.view().settling(), "a master on its own reference never settles");
        net.runUntil(60 * S);
        assertFalse(gw.link.view().settling(), "30 s of fast-track, then its clock agreed with its combination");
        long err = gw.errorNanos();
        assertTrue(Math.abs(err) < 10_000, "settled means close: " + err + " ns");
        for (int k = 7; k <= 30; k++) {
            net.runUntil(k * 10 * S);
            assertFalse(gw.link.view().settling(), "settled stays settled (at " + k * 10 + " s)");
        }
    }

    @Test
    void aLoadedServerLetsOnlyItsNewestClientsPollEveryRoundAndOnlyForAWhile() {
        MiniNet net = new MiniNet();
        // Room for 4 requests a round: one fast slot for a client that just joined, the other 3 shared by the rest.
        net.addMaster(ClocklinkNodeTest.master(0, 1).withClientRequestsPerRound(4).withClients(64, true), 0);
        for (int g = 1; g <= 8; g++) {
            net.addGateway(ClocklinkNodeTest.gateway(g, 0), 10 * g, 0);
        }
        net.start();
        net.runUntil(5 * S);
        int everyRound = 0;
        for (int g = 1; g <= 8; g++) {
            long period = net.nodes.get(g).link.view().pollNanos();
            everyRound += period == 100 * MS ? 1 : 0;
            assertTrue(period == 100 * MS || period >= 8 * 100 * MS / 3, "the shared pace, 8 clients x round / 3: " + period);
        }
        assertEquals(1, everyRound, "one fast slot: the first client to join polls every round");
        net.runUntil(15 * S);
        for (int g = 1; g <= 8; g++) {
            assertTrue(net.nodes.get(g).link.view().pollNanos() >= 8 * 100 * MS / 3, "the slot lasts 10 s");
        }
    }
}
