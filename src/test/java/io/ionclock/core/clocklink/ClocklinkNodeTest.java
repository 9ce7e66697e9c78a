package io.ionclock.core.clocklink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.ClockStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The protocol on a manual clock: joins, sync, election, a lying leader, liars, two-faced nodes, bad packets. */
class ClocklinkNodeTest {
    static final long SECOND = MiniNet.SECOND;
    static final long ROUND = 100_000_000L;

    static ClocklinkConfig master(int i, int masters) {
        return ClocklinkConfig.master("n" + i, 1, MiniNet.KEYS, MiniNet.peers(MiniNet.others(masters, i)))
                .withTiming(100, 200_000, ClocklinkConfig.FILTER_WINDOW_NANOS_DEFAULT).withSeed(1000 + i);
    }

    static ClocklinkConfig gateway(int i, int... upstreams) {
        return ClocklinkConfig.gateway("n" + i, 1, MiniNet.KEYS, MiniNet.peers(upstreams))
                .withPeriods(ROUND, ROUND) // poll every round: isolation is counted in rounds
                .withTiming(100, 200_000, ClocklinkConfig.FILTER_WINDOW_NANOS_DEFAULT).withSeed(2000 + i);
    }

    /** {@code masters} masters (0..m-1) and {@code gateways} gateways polling all masters. */
    static MiniNet fleet(int masters, int gateways) {
        MiniNet net = new MiniNet();
        for (int i = 0; i < masters; i++) {
            net.addMaster(master(i, masters), (i - masters / 2.0) * 7);
        }
        int[] all = java.util.stream.IntStream.range(0, masters).toArray();
        for (int g = 0; g < gateways; g++) {
            int i = masters + g;
            net.addGateway(gateway(i, all), 30 - 11 * g, (g % 2 == 0 ? 1 : -1) * 40_000_000L);
        }
        net.start();
        return net;
    }

    @Test
    void aGatewayLearnsTheTimeFromThreeMastersAndItsBoundCoversTheAsymmetry() {
        MiniNet net = fleet(3, 1);
        // 300 us one way and 200 us the other: the unknown asymmetry is 50 us of offset, which the bound must cover.
        net.delayNanos = sd -> sd[0] == 3 ? 300_000L : 200_000L;
        long violations = net.runChecked(90 * SECOND, List.of());
        assertEquals(0, violations, "bound or monotonicity broken");
        MiniNet.Node gw = net.nodes.get(3);
        assertEquals(ClockStatus.SYNCHRONIZED, gw.read().status);
        long err = gw.errorNanos();
        assertTrue(Math.abs(err - 50_000) < 3_000, "the offset is half the asymmetry: " + err + " ns");
        assertTrue(gw.read().boundNanos >= 50_000, "the bound covers the asymmetry: " + gw.read().boundNanos);
        assertTrue(gw.samples.size() > 50);
        List<PeerStatus> peers = gw.link.view().peerStatus(gw.mono(net.truth.monoNanos()));
        assertEquals(3, peers.size());
        for (PeerStatus p : peers) {
            assertEquals("ACTIVE", p.state(), p.toString());
            assertEquals("SELECTED", p.verdict(), p.toString());
            assertEquals("master", p.role());
            assertTrue(p.name().startsWith("n"));
            assertTrue(p.delayNanos() >= 490_000 && p.delayNanos() <= 510_000, "delay " + p.delayNanos());
            assertTrue(p.reputation() > 0.9);
        }
        // The masters learned the gateway from its join and list it as a client.
        List<PeerStatus> onMaster = net.nodes.get(0).link.view().peerStatus(net.nodes.get(0).mono(net.truth.monoNanos()));
        assertTrue(onMaster.stream().anyMatch(p -> !p.upstream() && p.name().equals("n3")), onMaster.toString());
        assertEquals(1, net.nodes.get(0).link.view().clientCount());
    }

    @Test
    void mastersElectOneLeaderAndReplaceACrashedOneWithinAFewRounds() {
        MiniNet net = fleet(5, 0);
        net.runUntil(3 * SECOND);
        int leader = net.leader();
        assertTrue(leader >= 0, "a leader after 3 s");
        long term = net.nodes.get(leader).link.view().term();
        for (MiniNet.Node n : net.nodes) {
            assertEquals(term, n.link.view().term(), "every master on the leader's term");
            assertEquals(net.nodes.get(leader).link.view().nodeNumber(), n.link.view().leaderNumber());
        }
        net.nodes.get(leader).crashed = true;
        long crashedAt = net.truth.monoNanos();
        int next = -1;
        while (next < 0 || next == leader) {
            net.runUntil(net.truth.monoNanos() + ROUND);
            next = net.leader();
            assertTrue(net.truth.monoNanos() - crashedAt <= 20 * ROUND, "no new leader within 20 rounds");
        }
        long rounds = (net.truth.monoNanos() - crashedAt) / ROUND;
        assertTrue(rounds <= 15, "re-elected after " + rounds + " rounds");
        assertTrue(net.nodes.get(next).link.view().term() > term);
    }

    /** The leader's updates claim every follower is 300 us off: followers that hold their own reference depose it. */
    @Test
    void aLyingLeaderIsDeposedAndIsolated() {
        MiniNet net = fleet(5, 0);
        net.runUntil(45 * SECOND); // links settle (an eighth of the filter window) before anyone is judged
        int liar = net.leader();
        assertTrue(liar >= 0);
        net.tamper = (src, dst, b) -> src == liar && Wire.type(b, 0) == Wire.TYPE_SYNC_UPDATE
                ? net.resign(b, x -> shiftUpdate(x, 300_000)) : b;
        long from = net.truth.monoNanos();
        int newLeader = -1;
        while (newLeader < 0 || newLeader == liar) {
            net.runUntil(net.truth.monoNanos() + ROUND);
            newLeader = net.leader();
            assertTrue(net.truth.monoNanos() - from <= 30 * ROUND, "the lying leader still leads after 30 rounds");
        }
        long deposals = 0;
        for (MiniNet.Node n : net.nodes) {
            if (n.index == liar) {
                continue;
            }
            deposals += n.link.view().deposals();
            int k = linkIndex(n, liar);
            assertEquals(0, n.link.view().peerWeight(k), "the liar keeps weight at n" + n.index);
        }
        assertTrue(deposals >= 3, "deposed by the honest majority: " + deposals);
        net.runUntil(net.truth.monoNanos() + 5 * SECOND);
        assertNotEquals(liar, net.leader(), "the liar came back");
    }

    /** A two-faced master tells even peers +150 us and odd ones -150 us: isolated by every honest listener within 3 rounds. */
    @Test
    void aTwoFacedMasterIsIsolatedByEveryHonestListenerWithinThreeRounds() {
        MiniNet net = fleet(4, 3); // n = 4 >= 3f + 1 for f = 1
        net.runUntil(45 * SECOND);
        int liar = 2;
        net.tamper = (src, dst, b) -> src == liar && Wire.type(b, 0) == Wire.TYPE_SYNC_RESPONSE
                ? net.resign(b, x -> shiftResponse(x, dst % 2 == 0 ? 150_000 : -150_000)) : b;
        long violations = runUntilIsolatedWithinThreeRounds(net, liar);
        violations += net.runChecked(net.truth.monoNanos() + 20 * SECOND, List.of(liar));
        assertEquals(0, violations);
        for (int g = 4; g < 7; g++) {
            assertTrue(net.nodes.get(g).errorNanos() < 5_000, "gateway n" + g + " off by " + net.nodes.get(g).errorNanos());
        }
        assertTrue(isolatedEverywhere(net, liar), "stays isolated");
    }

    /**
     * A lie hidden in queueing: from the lie on, the gateway's first request of every cycle to the liar waits 800 us
     * in a queue, so its answer, shifted -150 us, still sits above the forward envelope (it looks like a slow path,
     * not a moved clock). Only a second look in the same cycle sees it; without one the liar is never isolated.
     * On the calm path before, nobody is asked twice.
     */
    @Test
    void aLieHiddenInOnePathsQueueingIsCaughtBySecondLookInTheSameCycle() {
        MiniNet net = fleet(4, 1);
        int liar = 1;
        int gw = 4;
        boolean[] lying = {false};
        boolean[] slow = {false};
        long[] lastRequest = {Long.MIN_VALUE / 2};
        net.tamper = (src, dst, b) -> {
            slow[0] = false;
            if (lying[0] && src == gw && dst == liar && Wire.type(b, 0) == Wire.TYPE_SYNC_REQUEST) {
                long t = net.truth.monoNanos();
                slow[0] = t - lastRequest[0] > ROUND / 2; // the cycle's first request
                lastRequest[0] = t;
            }
            return lying[0] && src == liar && Wire.type(b, 0) == Wire.TYPE_SYNC_RESPONSE
                    ? net.resign(b, x -> shiftResponse(x, -150_000)) : b;
        };
        net.delayNanos = sd -> 200_000L + (slow[0] ? 800_000L : 0);
        net.runUntil(45 * SECOND);
        for (MiniNet.Node n : net.nodes) {
            assertEquals(0, n.link.view().reprobes(), "n" + n.index + " asked a calm link twice");
        }
        lying[0] = true;
        long violations = runUntilIsolatedWithinThreeRounds(net, liar);
        assertTrue(net.nodes.get(gw).link.view().reprobes() >= 1);
        assertEquals(0, violations);
    }

    /** A lost answer is asked for again before the cycle closes: the cycle still has it, and no miss is counted. */
    @Test
    void aLostAnswerIsAskedForAgainInTheSameCycle() {
        MiniNet net = fleet(3, 1);
        net.runUntil(30 * SECOND);
        int gw = 3;
        int[] dropped = {0};
        net.tamper = (src, dst, b) -> {
            if (dropped[0] == 0 && src == 0 && dst == gw && Wire.type(b, 0) == Wire.TYPE_SYNC_RESPONSE) {
                dropped[0]++;
                return null;
            }
            return b;
        };
        int k = linkIndex(net.nodes.get(gw), 0);
        long exchangesBefore = net.nodes.get(gw).link.view().peerExchanges(k);
        net.runUntil(net.truth.monoNanos() + 5 * ROUND);
        assertEquals(1, dropped[0]);
        assertEquals(1, net.nodes.get(gw).link.view().retries());
        assertEquals(5, net.nodes.get(gw).link.view().peerExchanges(k) - exchangesBefore, "one exchange every cycle");
    }

    /** f = floor((n-1)/3) = 2 liars among 7 masters, lying in the same direction (they agree with each other). */
    @Test
    void twoAgreeingLiarsAmongSevenAreOutvotedAndIsolated() {
        MiniNet net = fleet(7, 2);
        net.runUntil(45 * SECOND);
        net.tamper = (src, dst, b) -> (src == 1 || src == 5) && Wire.type(b, 0) == Wire.TYPE_SYNC_RESPONSE
                ? net.resign(b, x -> shiftResponse(x, 200_000)) : b;
        long violations = net.runChecked(net.truth.monoNanos() + 30 * SECOND, List.of(1, 5));
        assertEquals(0, violations);
        assertTrue(isolatedEverywhere(net, 1) && isolatedEverywhere(net, 5));
        for (MiniNet.Node n : net.nodes) {
            if (n.index == 1 || n.index == 5) {
                continue;
            }
            for (int k = 0; k < n.link.view().peerCount(); k++) {
                int peer = (int) n.link.view().peerAddressToken(k);
                if (peer != 1 && peer != 5) {
                    assertFalse(n.link.view().peerIsolated(k), "honest n" + peer + " isolated at n" + n.index);
                }
            }
        }
        assertTrue(net.nodes.get(7).errorNanos() < 5_000 && net.nodes.get(8).errorNanos() < 5_000);
    }

    /** Bad packets are dropped and counted by reason, never parsed past their check, and never move the clock. */
    @Test
    void forgedReplayedTruncatedOversizedAndGarbagePacketsAreDroppedByReason() {
        MiniNet net = fleet(3, 1);
        net.runUntil(20 * SECOND);
        MiniNet.Node gw = net.nodes.get(3);
        ClocklinkNode node = gw.link;
        byte[] response = lastSent(net, 0, 3, Wire.TYPE_SYNC_RESPONSE);
        long before = gw.samples.size();

        byte[] forged = response.clone();
        forged[Wire.RESPONSE_OFF_RX_EPOCH + 7] ^= 1; // a shifted timestamp without the key
        net.inject(3, 0, forged);
        assertEquals(1, node.view().dropped(DropReason.FORGED));

        net.inject(3, 0, response); // already seen
        assertEquals(1, node.view().dropped(DropReason.REPLAYED));

        net.inject(3, 0, java.util.Arrays.copyOf(response, 30));
        assertEquals(1, node.view().dropped(DropReason.TRUNCATED));
        net.inject(3, 0, new byte[600]);
        assertEquals(1, node.view().dropped(DropReason.OVERSIZED));
        byte[] otherKey = response.clone();
        Wire.putI32(otherKey, Wire.OFF_KEY_ID, 99);
        net.inject(3, 0, otherKey);
        assertEquals(1, node.view().dropped(DropReason.UNKNOWN_KEY));
        byte[] v3 = response.clone();
        v3[Wire.OFF_VERSION] = 3;
        net.inject(3, 0, v3);
        assertEquals(1, node.view().dropped(DropReason.BAD_VERSION));
        byte[] v2 = response.clone(); // version 2 with version 1's length
        v2[Wire.OFF_VERSION] = 2;
        long badLength = node.view().dropped(DropReason.BAD_LENGTH);
        net.inject(3, 0, v2);
        assertEquals(badLength + 1, node.view().dropped(DropReason.BAD_LENGTH));
        net.inject(3, 0, "not clocklink at all, just some bytes long enough to pass the size check".getBytes());
        assertEquals(1, node.view().dropped(DropReason.BAD_MAGIC));
        // An authentic response from an address that never joined: the master does not serve it.
        byte[] request = lastSent(net, 3, 0, Wire.TYPE_SYNC_REQUEST);
        net.inject(0, 77, request);
        assertEquals(1, net.nodes.get(0).link.view().dropped(DropReason.NOT_JOINED));
        // An authentic, fresh response to nothing we asked.
        byte[] stray = net.resign(response, x -> Wire.putI64(x, Wire.OFF_SEQUENCE, Wire.getI64(x, Wire.OFF_SEQUENCE) + 1_000));
        net.inject(3, 0, stray);
        assertEquals(1, node.view().dropped(DropReason.UNEXPECTED));

        assertEquals(before, gw.samples.size(), "a dropped packet produced a sample");
        assertEquals(9, node.view().droppedByReason().values().stream().mapToLong(Long::longValue).sum(), node.view().droppedByReason().toString());
        long violations = net.runChecked(40 * SECOND, List.of());
        assertEquals(0, violations);
        assertTrue(gw.errorNanos() < 5_000);
        PeerStatus p0 = node.view().peerStatus(gw.mono(net.truth.monoNanos())).get(0);
        assertEquals(1L, p0.dropped().get("FORGED"));
    }

    /**
     * A master serving 40 gateways over a path that reorders by more than a round: each gateway must still see a
     * dense sequence from it (per-destination numbering), so reordering is not taken for replay.
     */
    @Test
    void reorderingOnABusyMastersPathIsNotTakenForReplay() {
        MiniNet net = new MiniNet();
        net.addMaster(master(0, 1).withClients(64, true), 0);
        for (int g = 1; g <= 40; g++) {
            net.addGateway(gateway(g, 0), g - 20, 0);
        }
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        net.delayNanos = sd -> 1_000_000L + r.nextLong(300_000_000L); // 1..301 ms: up to 3 rounds of reordering
        net.start();
        net.runUntil(20 * SECOND);
        for (int g = 1; g <= 40; g++) {
            assertEquals(0, net.nodes.get(g).link.view().dropped(DropReason.REPLAYED), "gateway n" + g);
        }
        assertEquals(0, net.nodes.get(0).link.view().dropped(DropReason.REPLAYED));
    }

    /**
     * A JOIN recorded on the wire and replayed from another address: at once it is a replay of a joined client's
     * sequence; after the master restarted (it then remembers no sequence), or once its cookie's slots passed, it
     * carries no current cookie, so it is answered with a CHALLENGE and takes no client slot.
     */
    @Test
    void aRecordedJoinReplayedAfterTheMasterRestartedTakesNoClientSlot() {
        MiniNet net = new MiniNet();
        net.addMaster(master(0, 1).withClients(4, true), 0);
        net.addGateway(gateway(1, 0), 10, 0);
        net.start();
        net.runUntil(10 * SECOND);
        ClocklinkNode m = net.nodes.get(0).link;
        assertEquals(1, m.view().clientCount());
        assertEquals(1, m.view().joinChallenges(), "the gateway's first JOIN carries no cookie");
        byte[] join = lastSent(net, 1, 0, Wire.TYPE_JOIN); // the accepted one, with its cookie
        assertTrue(Wire.getI64(join, Wire.JOIN_OFF_COOKIE) != 0);

        net.inject(0, 77, join);
        assertEquals(1, m.view().dropped(DropReason.REPLAYED));
        assertEquals(1, m.view().clientCount());

        long now = net.nodes.get(0).mono(net.truth.monoNanos());
        // {incarnation, mono}: a restart in the same second (same incarnation) but after the cookie's two slots; a
        // restart at once with a new incarnation.
        long[][] restarts = {{1, now + 2 * Server.JOIN_COOKIE_SLOT_NANOS}, {2, now}};
        for (long[] r : restarts) {
            List<byte[]> out = new ArrayList<>();
            ClocklinkConfig cfg = ClocklinkConfig.master("n0", (int) r[0], MiniNet.KEYS, List.of()).withClients(4, true);
            ClocklinkNode restarted = new ClocklinkNode(cfg, (mono, reading) -> {
                reading.monoNanos = mono;
                reading.epochNanos = MiniNet.EPOCH0 + mono;
                reading.boundNanos = 1_000;
                reading.status = ClockStatus.SYNCHRONIZED;
            }, (token, buf, off, len) -> out.add(java.util.Arrays.copyOfRange(buf, off, off + len)), s -> { });
            restarted.start(r[1]);
            restarted.onPacket(r[1], r[1], join, 0, join.length, 77);
            assertEquals(0, restarted.view().clientCount(), "incarnation " + r[0]);
            assertEquals(1, restarted.view().joinChallenges());
            byte[] ack = out.get(out.size() - 1);
            assertEquals(Wire.TYPE_JOIN_ACK, Wire.type(ack, 0));
            assertEquals(Wire.JOIN_CHALLENGE, ack[Wire.JOIN_ACK_OFF_RESULT]);
            assertTrue(Wire.getI64(ack, Wire.JOIN_ACK_OFF_COOKIE) != Wire.getI64(join, Wire.JOIN_OFF_COOKIE));
        }
    }

    @Test
    void aFullMasterRefusesAJoinAndTheGatewayRetriesLater() {
        MiniNet net = new MiniNet();
        net.addMaster(master(0, 1).withClients(1, true), 0);
        net.addGateway(gateway(1, 0), 10, 0);
        net.addGateway(gateway(2, 0), -10, 0);
        net.start();
        net.runUntil(10 * SECOND);
        ClocklinkNode m = net.nodes.get(0).link;
        assertEquals(1, m.view().clientCount());
        assertTrue(m.view().joinsRefused() >= 1);
        List<String> states = new ArrayList<>();
        for (int g = 1; g <= 2; g++) {
            MiniNet.Node gw = net.nodes.get(g);
            states.add(gw.link.view().peerStatus(gw.mono(net.truth.monoNanos())).get(0).state());
        }
        assertTrue(states.contains("ACTIVE") && states.contains("REFUSED"), states.toString());
        assertEquals(ClockStatus.SYNCHRONIZED, net.nodes.get(states.indexOf("ACTIVE") + 1).read().status);
    }

    @Test
    void configRejectsImpossibleValuesByName() {
        ClocklinkKeys k = MiniNet.KEYS;
        assertThrows(IllegalArgumentException.class, () -> ClocklinkConfig.gateway("g", 1, k, List.of()));
        assertThrows(IllegalArgumentException.class, () -> ClocklinkConfig.master("", 1, k, List.of()));
        assertThrows(IllegalArgumentException.class, () -> ClocklinkConfig.master("x".repeat(32), 1, k, List.of()));
        assertThrows(IllegalArgumentException.class, () -> ClocklinkConfig.master("m", -1, k, List.of()));
        assertThrows(IllegalArgumentException.class, () -> ClocklinkConfig.master("m", 1, k, MiniNet.peers(1, 1)));
        assertThrows(IllegalArgumentException.class, () -> ClocklinkConfig.master("m", 1, k,
                MiniNet.peers(java.util.stream.IntStream.range(0, ClocklinkConfig.MASTERS_MAX).toArray())));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClocklinkConfig.master("m", 1, k, List.of()).withPeriods(1_000_000, 1_000_000));
        assertTrue(e.getMessage().startsWith("roundPeriodNanos"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClocklinkConfig.master("m", 1, k, List.of()).withPeriods(ROUND, ROUND / 2));
        assertThrows(IllegalArgumentException.class, () -> ClocklinkConfig.master("m", 1, k, List.of()).withClients(-1, true));
        assertThrows(IllegalArgumentException.class, () -> ClocklinkConfig.master("m", 1, k, List.of()).withTiming(-1, 1, SECOND));
    }

    /** Runs round by round until every honest listener isolates {@code faulty}; asserts 3 rounds at most; returns violations. */
    static long runUntilIsolatedWithinThreeRounds(MiniNet net, int faulty) {
        long from = net.truth.monoNanos();
        long violations = 0;
        while (!isolatedEverywhere(net, faulty)) {
            violations += net.runChecked(net.truth.monoNanos() + ROUND, List.of(faulty));
            assertTrue(net.truth.monoNanos() - from <= 10 * ROUND, "not isolated within 10 rounds");
        }
        long rounds = (net.truth.monoNanos() - from + ROUND - 1) / ROUND;
        assertTrue(rounds <= 3, "isolated after " + rounds + " rounds");
        return violations;
    }

    static boolean isolatedEverywhere(MiniNet net, int faulty) {
        for (MiniNet.Node n : net.nodes) {
            if (n.index == faulty) {
                continue;
            }
            int k = linkIndex(n, faulty);
            if (k >= 0 && n.link.view().peerWeight(k) > 0) {
                return false;
            }
        }
        return true;
    }

    static int linkIndex(MiniNet.Node n, int peer) {
        for (int k = 0; k < n.link.view().peerCount(); k++) {
            if (n.link.view().peerAddressToken(k) == peer) {
                return k;
            }
        }
        return -1;
    }

    static byte[] lastSent(MiniNet net, int src, int dst, int type) {
        for (int i = net.sent.size() - 1; i >= 0; i--) {
            MiniNet.Event e = net.sent.get(i);
            if (e.src() == src && e.dst() == dst && Wire.type(e.bytes(), 0) == type) {
                return e.bytes();
            }
        }
        throw new AssertionError("nothing sent");
    }

    static void shiftResponse(byte[] b, long shift) {
        Wire.putI64(b, Wire.RESPONSE_OFF_RX_EPOCH, Wire.getI64(b, Wire.RESPONSE_OFF_RX_EPOCH) + shift);
        Wire.putI64(b, Wire.RESPONSE_OFF_TX_EPOCH, Wire.getI64(b, Wire.RESPONSE_OFF_TX_EPOCH) + shift);
    }

    static void shiftUpdate(byte[] b, int shift) {
        int count = b[Wire.UPDATE_OFF_COUNT] & 0xFF;
        for (int k = 0; k < count; k++) {
            int e = Wire.UPDATE_OFF_ENTRIES + k * Wire.UPDATE_ENTRY_SIZE_BYTES + Wire.ENTRY_OFF_OFFSET;
            Wire.putI32(b, e, Wire.getI32(b, e) + shift);
        }
    }
}
