package io.ionclock.sim;

import io.ionclock.core.DisciplineConfig;
import io.ionclock.core.DisciplineLoop;
import io.ionclock.core.DisciplinedClock;
import io.ionclock.core.Sample;
import io.ionclock.core.clocklink.ClocklinkConfig;
import io.ionclock.core.clocklink.ClocklinkKeys;
import io.ionclock.core.clocklink.ClocklinkNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The fleet's nodes, built from the scenario: each one's {@link Oscillator}, its reference's noise, its
 * {@link DisciplinedClock} (booted with an error up to {@link #INITIAL_ERROR_NANOS_MAX}) and its {@link ClocklinkNode}
 * (a master's or a gateway's configuration, with the peers the {@link Topology} gives it). Each node draws from its
 * own random, split from the simulation's in node order. The arrays are indexed by node; the event loop and the
 * metrics use them, nothing replaces them.
 */
final class Fleet {
    /** Initial error of every node's clock (its host clock at boot): uniform within this. */
    static final long INITIAL_ERROR_NANOS_MAX = 100_000_000L;
    /** The nodes are told their oscillator's wander (as their timestamp error): at least this (the config needs > 0). */
    static final double WANDER_PPB_MIN = 0.01;
    private static final long SECOND = FleetSim.SECOND;
    /** The ranks of a node's sources, as the appliance's: its own reference first, then Clocklink. */
    static final int RANK_REFERENCE = 0;
    static final int RANK_CLOCKLINK = 1;
    /** A master's source indices in its discipline loop; a gateway has Clocklink alone, at 0. */
    static final int SOURCE_REFERENCE = 0;

    final Oscillator[] oscillators;
    /** Each master's reference noise (every node has one; only masters draw). */
    final SplittableRandom[] referenceRnds;
    final DisciplinedClock[] clocks;
    /** Each node's discipline loop (the appliance's): a master's reference (source 0) and Clocklink; a gateway's Clocklink. */
    final DisciplineLoop[] loops;
    final ClocklinkNode[] nodes;

    /**
     * @param rnd               the simulation's random: one random is split from it per node, in node order
     * @param timestampNanosMax the largest timestamp error, which the nodes are told
     * @param outboxOf          node index to its outbox (the outbox knows its sender)
     * @param sampleSinkOf      node index to where its Clocklink samples go
     * @param drainLeaves       run before a leaf gateway's clock is read (its discipline may run on another thread)
     */
    Fleet(Scenario sc, Topology topology, ClocklinkKeys keys, SplittableRandom rnd, long timestampNanosMax,
            IntFunction<ClocklinkNode.Outbox> outboxOf, IntFunction<Consumer<Sample>> sampleSinkOf, Runnable drainLeaves) {
        int n = sc.nodes();
        oscillators = new Oscillator[n];
        referenceRnds = new SplittableRandom[n];
        clocks = new DisciplinedClock[n];
        loops = new DisciplineLoop[n];
        nodes = new ClocklinkNode[n];
        Scenario.Oscillator o = sc.oscillator();
        double wanderPpb = o.wanderPpbPerSqrtSecond();
        // Honest limits for the discipline: the wander over the whole run at 6 sigma; the appliance's 500 ppm tolerance.
        long maxDriftPpb = Math.max(1, (long) Math.ceil(6 * wanderPpb * Math.sqrt(sc.durationSeconds())));
        DisciplineConfig dcfg = new DisciplineConfig(500_000, maxDriftPpb, 500_000, 15 * SECOND, SECOND);
        // Clocklink's oscillator tolerance: the scenario's largest frequency plus its wander, with margin.
        long tolerancePpb = (long) Math.ceil(o.frequencyPpmMax() * 1000 * 1.1 + maxDriftPpb + 1000);
        for (int i = 0; i < n; i++) {
            SplittableRandom nr = rnd.split();
            double f0 = (nr.nextDouble() * 2 - 1) * o.frequencyPpmMax() * 1000;
            oscillators[i] = new Oscillator(nr.nextLong(SECOND, 1_000_000 * SECOND), f0, wanderPpb, nr.split());
            referenceRnds[i] = nr.split();
            long initialError = nr.nextLong(-INITIAL_ERROR_NANOS_MAX, INITIAL_ERROR_NANOS_MAX + 1);
            clocks[i] = new DisciplinedClock(dcfg, oscillators[i].mono(0), FleetSim.EPOCH_START_NANOS + initialError,
                    Double.NaN);
            loops[i] = new DisciplineLoop(clocks[i]);
            if (topology.isMaster(i)) {
                loops[i].addOwnReference("gnss", RANK_REFERENCE);
            }
            loops[i].addSource("clocklink", RANK_CLOCKLINK);
            ClocklinkConfig cfg = config(sc, topology, keys, i).withSeed(nr.nextLong())
                    .withTiming(timestampNanosMax + 1, tolerancePpb, Math.round(sc.topology().filterWindowSeconds() * SECOND))
                    .withSampling(Math.round(sc.topology().sampleMillis() * 1e6), ClocklinkConfig.PRECISION_FLOOR_NANOS_DEFAULT)
                    .withClientRequestsPerRound(sc.topology().clientRequestsPerRound())
                    .withWander(Math.max(WANDER_PPB_MIN, wanderPpb));
            DisciplinedClock clock = clocks[i];
            ClocklinkNode.LocalClock local = clock::readAt;
            if (topology.leafGateway(i)) {
                local = (mono, out) -> { // not expected (a leaf serves no one), but then its discipline must be current
                    drainLeaves.run();
                    clock.readAt(mono, out);
                };
            }
            nodes[i] = new ClocklinkNode(cfg, local, outboxOf.apply(i), sampleSinkOf.apply(i));
            nodes[i].setKernelTimestamps(true); // the appliance's kernel timestamps: FleetSim reports every departure
        }
    }

    /** Node {@code i}'s role, peers, periods and clients (the seed and timing are added by the caller). */
    private static ClocklinkConfig config(Scenario sc, Topology topology, ClocklinkKeys keys, int i) {
        Scenario.Topology t = sc.topology();
        long roundNanos = roundNanos(sc);
        long pollNanos = Math.round(t.pollMillis() * 1e6);
        List<ClocklinkConfig.Peer> peers = new ArrayList<>();
        for (int p : topology.peersOf(i)) {
            peers.add(new ClocklinkConfig.Peer(p, nodeId(p)));
        }
        if (topology.isMaster(i)) {
            return ClocklinkConfig.master(nodeId(i), 1, keys, peers)
                    .withPeriods(roundNanos, roundNanos)
                    .withClients(t.masterClients(), true);
        }
        return ClocklinkConfig.gateway(nodeId(i), 1, keys, peers)
                .withPeriods(roundNanos, Math.max(roundNanos, pollNanos))
                .withClients(topology.relay(i) ? t.relayClients() : 0, topology.relay(i))
                .withFastTrackCycles(t.fastTrackCycles())
                .withBudget(t.budgetBytesPerSecond());
    }

    /** The fleet's one key (id 1), the same on every node. */
    static ClocklinkKeys keys() {
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (0x5A ^ i * 7);
        }
        return ClocklinkKeys.of(1, new long[] {1}, new byte[][] {secret});
    }

    /** Node {@code i}'s Clocklink source in its discipline loop. */
    static int clocklinkSource(Topology topology, int i) {
        return topology.isMaster(i) ? 1 : 0;
    }

    /** The masters' round. */
    static long roundNanos(Scenario sc) {
        return Math.round(sc.roundMillis() * 1e6);
    }

    /** Node {@code i}'s Clocklink name (its address token is {@code i}). */
    static String nodeId(int i) {
        return "n" + i;
    }
}
