package io.ionclock.core.clocklink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.ClockStatus;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Interleaved mode (wire version 2) and its interop with version 1. The hosts' stacks are not symmetric: a master takes
 * 60 us from its send call to the wire and 10 us from the wire to its handler, a gateway 5 us and 25 us; the path is
 * 200 us each way. User-space timestamps then see a 35 us offset that no filter can remove (half the difference of
 * the two paths through the stacks); kernel timestamps with the server's true transmit time see none.
 */
class InterleavedTest {
    static final long SECOND = MiniNet.SECOND;
    static final long USER_SPACE_ERROR_NANOS = 35_000; // ((10 + 5) - (60 + 25)) / 2 from the latencies above
    static final int GATEWAY = 3;

    static MiniNet fleet(boolean mastersKernel, boolean gatewayKernel) {
        MiniNet net = ClocklinkNodeTest.fleet(3, 1);
        net.sendLatencyNanos = i -> i < 3 ? 60_000L : 5_000L;
        net.receiveLatencyNanos = i -> i < 3 ? 10_000L : 25_000L;
        for (int i = 0; i < 3; i++) {
            net.kernelTimestamps(i, mastersKernel);
        }
        net.kernelTimestamps(GATEWAY, gatewayKernel);
        return net;
    }

    /** Runs 90 s checking every bound and monotonicity; returns the gateway's |error|, ns. */
    static long run(MiniNet net) {
        assertEquals(0, net.runChecked(90 * SECOND, List.of()), "bound or monotonicity broken");
        MiniNet.Node gw = net.nodes.get(GATEWAY);
        assertEquals(ClockStatus.SYNCHRONIZED, gw.read().status);
        return gw.errorNanos();
    }

    /** The responses the masters sent the gateway: every one of {@code version} and its size. */
    static void responsesToGatewayAre(MiniNet net, int version) {
        long n = 0;
        for (MiniNet.Event e : net.sent) {
            if (e.dst() == GATEWAY && Wire.type(e.bytes(), 0) == Wire.TYPE_SYNC_RESPONSE) {
                n++;
                assertEquals(version, e.bytes()[Wire.OFF_VERSION]);
                assertEquals(Wire.sizeBytes(Wire.TYPE_SYNC_RESPONSE, 0, version), e.bytes().length);
            }
        }
        assertTrue(n > 100, "responses: " + n);
    }

    @Test
    void kernelTimestampsOnBothEndsRemoveTheStacksAsymmetry() {
        MiniNet net = fleet(true, true);
        long err = run(net);
        assertTrue(err < 2_000, "interleaved: |error| " + err + " ns");
        responsesToGatewayAre(net, 2);
        ClocklinkView v = net.nodes.get(GATEWAY).link.view();
        assertTrue(v.interleavedExchanges() > 1_000, "interleaved exchanges " + v.interleavedExchanges());
        assertTrue(v.interleaveMisses() <= 3, "misses " + v.interleaveMisses()); // one per link, the first
        assertTrue(v.transmitTimes() > 1_000);
        assertEquals(0, v.transmitTimesUnmatched());
        assertTrue(net.nodes.get(0).link.view().interleavedResponses() > 300);
    }

    @Test
    void userSpaceTimestampsShowTheAsymmetryTheTestAssumes() {
        long err = run(fleet(false, false)); // two version-1 nodes, as before
        assertTrue(Math.abs(err - USER_SPACE_ERROR_NANOS) < 2_000, "basic: |error| " + err + " ns");
    }

    @Test
    void aNewGatewayWithAnOldMasterKeepsTheOldAccuracy() {
        MiniNet net = fleet(false, true);
        long err = run(net);
        assertTrue(Math.abs(err - USER_SPACE_ERROR_NANOS) < 2_000, "new gateway, old masters: |error| " + err + " ns");
        responsesToGatewayAre(net, 1);
        assertEquals(0, net.nodes.get(GATEWAY).link.view().interleavedExchanges());
        for (DropReason r : DropReason.values()) {
            assertEquals(0, net.nodes.get(GATEWAY).link.view().dropped(r), r.name());
        }
    }

    @Test
    void anOldGatewayWithANewMasterKeepsTheOldAccuracy() {
        MiniNet net = fleet(true, false);
        long err = run(net);
        assertTrue(Math.abs(err - USER_SPACE_ERROR_NANOS) < 2_000, "old gateway, new masters: |error| " + err + " ns");
        responsesToGatewayAre(net, 1); // it never asked: it would drop version 2 as BAD_VERSION
        assertEquals(0, net.nodes.get(0).link.view().dropped(DropReason.BAD_VERSION));
        for (DropReason r : DropReason.values()) {
            assertEquals(0, net.nodes.get(GATEWAY).link.view().dropped(r), r.name());
        }
    }

    @Test
    void lostAnswersLeaveExchangesInBasicModeAndKeepTheBound() {
        MiniNet net = fleet(true, true);
        SplittableRandom rnd = new SplittableRandom(18);
        // A tenth of everything is lost either way (a response whose predecessor was lost cannot complete it).
        net.tamper = (src, dst, b) -> rnd.nextInt(10) == 0 ? null : b;
        long err = run(net);
        ClocklinkView v = net.nodes.get(GATEWAY).link.view();
        assertTrue(v.interleaveMisses() > 50, "misses " + v.interleaveMisses());
        assertTrue(v.interleavedExchanges() > 3 * v.interleaveMisses(), v.interleavedExchanges() + " interleaved");
        // An exchange left in basic mode has a lower L point than the truth: the true points' envelope dominates it.
        assertTrue(err < 2_000, "with losses: |error| " + err + " ns");
    }

    @Test
    void transmitTimesThatMatchNothingAreCountedAndChangeNothing() {
        MiniNet net = fleet(true, true);
        net.runUntil(20 * SECOND);
        MiniNet.Node gw = net.nodes.get(GATEWAY);
        long mono = gw.mono(net.truth.monoNanos());
        long before = gw.link.view().transmitTimesUnmatched();
        gw.link.onTransmitted(mono, 0, 123_456_789L, mono - 1_000); // a sequence never sent
        gw.link.onTransmitted(mono, 77, 1, mono - 1_000); // a stranger's token
        gw.link.onTransmitted(mono, 0, 1, mono + 1_000); // a time after now
        assertEquals(before + 3, gw.link.view().transmitTimesUnmatched());
        assertEquals(0, net.runChecked(40 * SECOND, List.of()));
    }
}
