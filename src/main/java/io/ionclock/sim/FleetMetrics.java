package io.ionclock.sim;

import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.DisciplinedClock;
import io.ionclock.core.clocklink.ClocklinkNode;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the simulation measures and reports: every honest node's clock read against true time ({@link #measure}:
 * offsets, bounds, skew, bound and monotonic violations, convergence, the leader), how soon the faulty nodes are
 * isolated ({@link #checkIsolation}), honest links wrongly isolated ({@link #checkHonestIsolation}), and the result
 * ({@link #result}: one JSON object's worth, its keys in a fixed order). Reads the fleet, never changes it; every
 * method takes the true instant as a parameter.
 */
final class FleetMetrics {
    static final boolean TRACE = Boolean.getBoolean("ionclock.sim.trace");
    /** With the trace on: every node's |offset| by tier, this often. */
    static final long TRACE_EVERY_NANOS = 10_000_000_000L;
    static final int TRACE_TIERS = 4;
    private final Histogram[] traceTiers = new Histogram[TRACE_TIERS];
    private int tracePollingEveryRound;
    private final int[] traceSettling = new int[TRACE_TIERS];

    {
        for (int t = 0; t < TRACE_TIERS; t++) {
            traceTiers[t] = new Histogram();
        }
    }

    private final Scenario sc;
    private final long seed;
    private final Topology topology;
    private final FaultPlan faults;
    private final Fleet fleet;
    private final int n;
    private final int m;
    private final long roundNanos;
    private final long endNanos;
    private final long warmupNanos;
    private final ClockReading reading = new ClockReading();

    private final Histogram offsets = new Histogram();
    private final Histogram gatewayOffsets = new Histogram();
    private final Histogram gatewayBounds = new Histogram();
    private final Histogram gatewayEstimates = new Histogram();
    private final long[] lastEpochNanos;
    private long skewNanosMax;
    private long boundViolations;
    private long monotonicViolations;
    private long firstViolationNanos = -1;
    private String firstViolation = "";
    private long convergedAtNanos = -1;
    private final long[] isolatedAtNanos;
    private final int[] lastBlocker;
    private final BitSet honestIsolated = new BitSet();
    /** A late joiner: since when it has been synchronized within convergenceMicros (-1: it is not). */
    private final long[] joinedAtNanos;
    private long leaderChanges;
    private int lastLeader = -1;
    private long events;
    private long clocklinkSamplesApplied;
    private long referenceSamples;
    /** The run over time for a plot, or null (the default: nothing collected). */
    private FleetSeries series;

    FleetMetrics(Scenario sc, long seed, Topology topology, FaultPlan faults, Fleet fleet) {
        this.sc = sc;
        this.seed = seed;
        this.topology = topology;
        this.faults = faults;
        this.fleet = fleet;
        this.n = topology.nodes;
        this.m = topology.masters;
        this.roundNanos = Fleet.roundNanos(sc);
        this.endNanos = Math.round(sc.durationSeconds() * FleetSim.SECOND);
        this.warmupNanos = Math.round(sc.warmupSeconds() * FleetSim.SECOND);
        lastEpochNanos = new long[n];
        joinedAtNanos = new long[n];
        Arrays.fill(joinedAtNanos, -1);
        Arrays.fill(lastEpochNanos, Long.MIN_VALUE);
        isolatedAtNanos = new long[n];
        Arrays.fill(isolatedAtNanos, -1);
        lastBlocker = new int[n];
        Arrays.fill(lastBlocker, -1);
    }

    /** Collects the run over time into {@code series} from now on. */
    void series(FleetSeries series) {
        this.series = series;
    }

    /** One event handled. */
    void countEvent() {
        events++;
    }

    /** A Clocklink sample applied to a node's discipline. */
    void countClocklinkSamples(long count) {
        clocklinkSamplesApplied += count;
    }

    /** A reference sample applied to a master's discipline. */
    void countReferenceSample() {
        referenceSamples++;
    }

    /**
     * Reads every honest node's clock at true instant {@code tNanos} (the caller has drained any discipline running
     * apart) and checks it against true time; notes the leader among the masters.
     */
    void measure(long tNanos) {
        Oscillator[] osc = fleet.oscillators;
        DisciplinedClock[] clocks = fleet.clocks;
        ClocklinkNode[] nodes = fleet.nodes;
        long trueEpoch = FleetSim.EPOCH_START_NANOS + tNanos;
        long minErr = Long.MAX_VALUE;
        long maxErr = Long.MIN_VALUE;
        boolean allConverged = true;
        long convergenceNanos = Math.round(sc.convergenceMicros() * 1000);
        boolean steady = tNanos >= warmupNanos;
        boolean traceNow = TRACE && tNanos % TRACE_EVERY_NANOS == 0;
        boolean seriesNow = series != null && series.begin(tNanos);
        if (traceNow) {
            for (Histogram h : traceTiers) {
                h.clear();
            }
        }
        for (int i = 0; i < n; i++) {
            long joinAt = faults.joinAtNanos(i);
            if (faults.faulty(i) || tNanos < joinAt) {
                continue;
            }
            clocks[i].read(osc[i].mono(tNanos), reading);
            long err = reading.epochNanos - trueEpoch;
            if (reading.epochNanos < lastEpochNanos[i]) {
                monotonicViolations++;
                noteViolation(tNanos, "monotonic: node " + Fleet.nodeId(i) + " went back "
                        + (lastEpochNanos[i] - reading.epochNanos) + " ns");
            }
            lastEpochNanos[i] = reading.epochNanos;
            if (Math.abs(err) > reading.boundNanos) {
                boundViolations++;
                noteViolation(tNanos, "bound: node " + Fleet.nodeId(i) + " error " + err + " ns, bound "
                        + reading.boundNanos + " ns, " + reading.status);
            }
            if (seriesNow) {
                series.add(Math.abs(err), reading.boundNanos);
            }
            boolean outside = reading.status != ClockStatus.SYNCHRONIZED || Math.abs(err) > convergenceNanos;
            if (joinAt > 0) {
                // A late joiner: its own time to join; the fleet's figures are the rest's.
                if (outside) {
                    joinedAtNanos[i] = -1;
                } else if (joinedAtNanos[i] < 0) {
                    joinedAtNanos[i] = tNanos;
                }
                continue;
            }
            if (outside) {
                allConverged = false;
            }
            if (traceNow) {
                traceTiers[Math.min(topology.tier(i), TRACE_TIERS - 1)].record(Math.abs(err));
                tracePollingEveryRound += nodes[i].view().pollNanos() <= roundNanos && i >= m ? 1 : 0;
                traceSettling[Math.min(topology.tier(i), TRACE_TIERS - 1)] += nodes[i].view().settling() ? 1 : 0;
            }
            if (steady) {
                long a = Math.abs(err);
                offsets.record(a);
                if (i >= m) {
                    gatewayOffsets.record(a);
                    gatewayBounds.record(reading.boundNanos);
                    if (nodes[i].view().combinedValid()) {
                        long cm = nodes[i].view().combinedMonoNanos();
                        long est = cm + nodes[i].view().combinedXNanos() - (FleetSim.EPOCH_START_NANOS + osc[i].trueAt(cm));
                        gatewayEstimates.record(Math.abs(est));
                    }
                }
                minErr = Math.min(minErr, err);
                maxErr = Math.max(maxErr, err);
            }
        }
        if (traceNow) {
            StringBuilder b = new StringBuilder("gateways polling every round: " + tracePollingEveryRound
                    + "; |offset| by tier (p50 / p99 / max ns):");
            tracePollingEveryRound = 0;
            b.append(" settling by tier: ").append(Arrays.toString(traceSettling)).append(';');
            Arrays.fill(traceSettling, 0);
            for (int t = 0; t < TRACE_TIERS; t++) {
                if (traceTiers[t].total() > 0) {
                    b.append(" tier ").append(t).append(' ').append(traceTiers[t].percentile(0.5)).append(" / ")
                            .append(traceTiers[t].percentile(0.99)).append(" / ").append(traceTiers[t].max());
                }
            }
            trace(tNanos, b.toString());
        }
        if (seriesNow) {
            series.end(tNanos);
        }
        if (steady && maxErr >= minErr) {
            skewNanosMax = Math.max(skewNanosMax, maxErr - minErr);
        }
        if (allConverged) {
            if (convergedAtNanos < 0) {
                convergedAtNanos = tNanos;
            }
        } else if (tNanos < warmupNanos) {
            convergedAtNanos = -1; // converged means: from then on through the warm-up
        }
        int leader = -1;
        long bestTerm = -1;
        for (int i = 0; i < m; i++) {
            if (nodes[i].view().isLeader() && !faults.crashed(i, tNanos) && nodes[i].view().term() > bestTerm) {
                bestTerm = nodes[i].view().term();
                leader = i;
            }
        }
        if (leader != lastLeader) {
            if (lastLeader != -1 || leader != -1) {
                leaderChanges++;
            }
            lastLeader = leader;
        }
    }

    private void noteViolation(long tNanos, String what) {
        if (firstViolationNanos < 0) {
            firstViolationNanos = tNanos;
            firstViolation = what + " at " + (tNanos / 1e9) + " s";
        }
    }

    /** A faulty node is isolated once its weight is zero at every honest, running node that has it as a peer. */
    void checkIsolation(long tNanos) {
        ClocklinkNode[] nodes = fleet.nodes;
        for (int f = 0; f < n; f++) {
            if (!faults.faulty(f) || isolatedAtNanos[f] >= 0 || tNanos < faults.faultStartNanos(f)) {
                continue;
            }
            boolean all = true;
            int[] l = topology.listenersOf(f);
            for (int k = 0; k < l.length; k += 2) {
                int listener = l[k];
                if (faults.faulty(listener) || faults.crashed(listener, tNanos)) {
                    continue;
                }
                if (nodes[listener].view().peerWeight(l[k + 1]) > 0) {
                    all = false;
                    lastBlocker[f] = listener;
                    break;
                }
            }
            if (all) {
                isolatedAtNanos[f] = tNanos;
                trace(tNanos, "faulty " + Fleet.nodeId(f) + " isolated " + (tNanos - faults.faultStartNanos(f)) / 1e6
                        + " ms after its fault began"
                        + (lastBlocker[f] >= 0 ? "; the last to isolate it: " + Fleet.nodeId(lastBlocker[f]) : ""));
            }
        }
    }

    /**
     * Late joiners ({@code join} faults): how many, and the longest any took from boot until it was synchronized within
     * convergenceMicros and stayed so to the end (null when one never did). Left out without joiners.
     */
    private void putJoiners(Map<String, Object> r) {
        int joiners = 0;
        long joinNanosMax = 0;
        boolean allJoined = true;
        for (int i = 0; i < n; i++) {
            long joinAt = faults.joinAtNanos(i);
            if (joinAt > 0) {
                joiners++;
                if (joinedAtNanos[i] < 0) {
                    allJoined = false;
                } else {
                    joinNanosMax = Math.max(joinNanosMax, joinedAtNanos[i] - joinAt);
                }
            }
        }
        if (joiners > 0) {
            r.put("joiners", joiners);
            r.put("joinSecondsMax", allJoined ? round3(joinNanosMax / 1e9) : null);
        }
    }

    /** The honest isolations by the isolating node's tier (0: masters), tiers with none left out. */
    private Map<String, Integer> honestIsolatedByTier() {
        Map<String, Integer> byTier = new TreeMap<>();
        int pair = 0;
        for (int i = 0; i < n; i++) {
            int links = topology.peersOf(i).length;
            for (int k = 0; k < links; k++, pair++) {
                if (honestIsolated.get(pair)) {
                    byTier.merge(Integer.toString(topology.tier(i)), 1, Integer::sum);
                }
            }
        }
        return byTier;
    }

    /** Notes every link between two honest nodes that the listening node has isolated (it should never happen). */
    void checkHonestIsolation(long tNanos) {
        ClocklinkNode[] nodes = fleet.nodes;
        int pair = 0;
        for (int i = 0; i < n; i++) {
            int[] peers = topology.peersOf(i);
            for (int k = 0; k < peers.length; k++, pair++) {
                if (!faults.faulty(i) && !faults.faulty(peers[k]) && nodes[i].view().peerIsolated(k) && !honestIsolated.get(pair)) {
                    honestIsolated.set(pair);
                    trace(tNanos, "honest link isolated: " + Fleet.nodeId(i) + " (tier " + topology.tier(i)
                            + ") no longer trusts " + Fleet.nodeId(peers[k]) + " (tier " + topology.tier(peers[k]) + ")");
                }
            }
        }
    }

    /** With -Dionclock.sim.trace=true, notable events go to standard error with their simulated time. */
    private static void trace(long tNanos, String what) {
        if (TRACE) {
            System.err.printf("sim trace %.3f s: %s%n", tNanos / 1e9, what);
        }
    }

    /** The run's result, its keys in a fixed order (docs/simulation.md). */
    Map<String, Object> result(Network network, double wallSeconds) {
        Map<String, Object> r = new LinkedHashMap<>();
        double seconds = sc.durationSeconds();
        double steadySeconds = seconds - sc.warmupSeconds();
        r.put("scenario", sc.name());
        r.put("seed", seed);
        r.put("nodes", n);
        r.put("masters", m);
        r.put("gateways", sc.gateways());
        r.put("offsetNanosP50", offsets.percentile(0.50));
        r.put("offsetNanosP99", offsets.percentile(0.99));
        r.put("offsetNanosMax", offsets.max());
        r.put("offsetNanosMean", Math.round(offsets.mean()));
        r.put("gatewayOffsetNanosP50", gatewayOffsets.percentile(0.50));
        r.put("gatewayOffsetNanosP99", gatewayOffsets.percentile(0.99));
        r.put("gatewayOffsetNanosMax", gatewayOffsets.max());
        r.put("gatewayEstimateNanosP50", gatewayEstimates.percentile(0.50));
        r.put("gatewayEstimateNanosP99", gatewayEstimates.percentile(0.99));
        r.put("gatewayBoundNanosP50", gatewayBounds.percentile(0.50));
        r.put("gatewayBoundNanosP99", gatewayBounds.percentile(0.99));
        r.put("skewNanosMax", skewNanosMax);
        r.put("convergenceSeconds", convergedAtNanos < 0 ? null : round3(convergedAtNanos / 1e9));
        putJoiners(r);
        r.put("boundViolations", boundViolations);
        r.put("monotonicViolations", monotonicViolations);
        r.put("messagesPerNodePerSecond", round3(network.messages() / (double) n / seconds));
        r.put("bytesPerNodePerSecond", round3(network.bytes() / (double) n / seconds));
        r.put("bytesPerNodePerSecondSteady", round3(network.bytesSteady() / (double) n / steadySeconds));
        r.put("bytesSentPerSecondBusiestNode", round3(network.bytesSentBusiestNode() / seconds));
        r.put("bytesPerLeafGatewayPerSecondSteady", round3(network.bytesSteadyMean(i -> topology.leafGateway(i)
                && faults.joinAtNanos(i) == 0) / steadySeconds));
        r.put("bytesSentPerSecondSteadyBusiestMaster", round3(network.bytesSentSteadyBusiest(topology::isMaster) / steadySeconds));
        r.put("bytesSentPerSecondSteadyBusiestRelay", round3(network.bytesSentSteadyBusiest(topology::relay) / steadySeconds));
        r.put("messageBytesMax", network.messageBytesMax());
        putFaulty(r);
        putNodeCounters(r, network);
        r.put("gatewayTiers", topology.tiersMax());
        r.put("clocklinkSamplesApplied", clocklinkSamplesApplied);
        r.put("referenceSamples", referenceSamples);
        r.put("firstViolation", firstViolation.isEmpty() ? null : firstViolation);
        r.put("events", events);
        r.put("sentDatagramsDigest", network.sentDigestHex());
        r.put("simulatedSeconds", seconds);
        r.put("wallSeconds", round3(wallSeconds));
        return r;
    }

    /** The faulty nodes: how many, how soon isolated (by kind), how many never, how many nobody listens to. */
    private void putFaulty(Map<String, Object> r) {
        int faultyCount = 0;
        long roundsMax = 0;
        Map<String, Object> byKind = new LinkedHashMap<>();
        int notIsolated = 0;
        int unheard = 0;
        for (int i = 0; i < n; i++) {
            if (!faults.faulty(i)) {
                continue;
            }
            faultyCount++;
            if (faults.faultStartNanos(i) > endNanos) {
                continue;
            }
            if (topology.listenersOf(i).length == 0) {
                unheard++;
            }
            String kind = faults.kind(i);
            if (isolatedAtNanos[i] < 0) {
                notIsolated++;
                byKind.put(kind, null);
            } else {
                long rounds = (isolatedAtNanos[i] - faults.faultStartNanos(i) + roundNanos - 1) / roundNanos;
                roundsMax = Math.max(roundsMax, rounds);
                if (!byKind.containsKey(kind) || (byKind.get(kind) != null && (Long) byKind.get(kind) < rounds)) {
                    byKind.put(kind, rounds);
                }
            }
        }
        r.put("faultyNodes", faultyCount);
        r.put("faultyIsolatedRoundsMax", notIsolated > 0 ? null : roundsMax);
        r.put("faultyIsolatedRoundsByKind", byKind);
        r.put("faultyNotIsolated", notIsolated);
        r.put("faultyUnheard", unheard);
        r.put("honestIsolatedLinks", honestIsolated.cardinality());
        r.put("honestIsolatedLinksByTier", honestIsolatedByTier());
    }

    /** The nodes' own counters (elections, terms, drops, retries) and the network's losses, in the output's order. */
    private void putNodeCounters(Map<String, Object> r, Network network) {
        ClocklinkNode[] nodes = fleet.nodes;
        long elections = 0;
        long faultyElections = 0;
        long deposals = 0;
        long maxTerm = 0;
        long drops = 0;
        long retries = 0;
        long reprobes = 0;
        Map<String, Long> dropsByReason = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            for (var e : nodes[i].view().droppedByReason().entrySet()) {
                dropsByReason.merge(e.getKey(), e.getValue(), Long::sum);
            }
            if (faults.faulty(i)) {
                faultyElections += nodes[i].view().elections();
            } else {
                elections += nodes[i].view().elections();
                deposals += nodes[i].view().deposals();
            }
            if (i < m) {
                maxTerm = Math.max(maxTerm, nodes[i].view().term());
            }
            for (var e : nodes[i].view().droppedByReason().values()) {
                drops += e;
            }
            retries += nodes[i].view().retries();
            reprobes += nodes[i].view().reprobes();
        }
        r.put("elections", elections);
        r.put("faultyElections", faultyElections);
        r.put("deposals", deposals);
        r.put("leaderChanges", leaderChanges);
        r.put("termMax", maxTerm);
        r.put("droppedPackets", drops);
        r.put("droppedByReason", new LinkedHashMap<>(dropsByReason));
        r.put("lostPackets", network.lost());
        r.put("retriedRequests", retries);
        r.put("reprobedRequests", reprobes);
        r.put("partitionedPackets", network.partitioned());
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
