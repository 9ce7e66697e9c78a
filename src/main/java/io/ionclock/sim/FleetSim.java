package io.ionclock.sim;

import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.DisciplineConfig;
import io.ionclock.core.DisciplinedClock;
import io.ionclock.core.LeapIndicator;
import io.ionclock.core.Sample;
import io.ionclock.core.clocklink.ClocklinkAuth;
import io.ionclock.core.clocklink.ClocklinkConfig;
import io.ionclock.core.clocklink.ClocklinkKeys;
import io.ionclock.core.clocklink.ClocklinkNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The seeded, deterministic fleet simulator: the same core code as the appliance ({@link ClocklinkNode} and one
 * {@link DisciplinedClock} per node) on simulated oscillators and links, driven by one event queue in true time.
 * Everything random comes from {@link SplittableRandom}s split from the seed in a fixed order, and events at one
 * instant run in the order they were scheduled, so a seed reproduces a run exactly (but {@code wallSeconds}).
 *
 * <p>What is simulated (docs/simulation.md): each node's oscillator (a frequency offset up to frequencyPpmMax,
 * random-walk wander), each packet's delay (base, jitter, asymmetry on the upward direction), loss, timestamp
 * jitter at both ends (Gaussian, clipped at 3 sigma: the nodes are told that bound), the masters' references
 * (Gaussian noise clipped at the bound), and faults (liar, two-faced, crash, partition, reference-loss).
 */
public final class FleetSim {
    static final long SECOND = 1_000_000_000L;
    /** True time of the simulation's start, ns since the Unix epoch (2026-09-20). */
    static final long EPOCH_START_NANOS = 1_790_000_000L * SECOND;
    /** How often every honest node's clock is read against true time. */
    static final long MEASURE_NANOS = 100_000_000L;
    /** A master's reference gives a sample this often (PPS). */
    static final long REFERENCE_NANOS = SECOND;
    /** Initial error of every node's clock (its host clock at boot): uniform within this. */
    static final long INITIAL_ERROR_NANOS_MAX = 100_000_000L;
    /** The nodes are told their oscillator's wander (as their timestamp error): at least this (the config needs > 0). */
    static final double WANDER_PPB_MIN = 0.01;

    static final boolean TRACE = Boolean.getBoolean("ionclock.sim.trace");
    static final int EV_TIMER = 0;
    static final int EV_PACKET = 1;
    static final int EV_REFERENCE = 2;
    static final int EV_MEASURE = 3;
    static final int EV_ROUND = 4;
    static final int EV_SECOND = 5;

    private final Scenario sc;
    private final long seed;
    private final SplittableRandom rnd;
    private final int n;
    private final int m;
    private final EventQueue queue = new EventQueue();
    private final Topology topology;
    private final FaultPlan faults;
    private final Network network;

    // Nodes.
    private final Oscillator[] osc;
    private final DisciplinedClock[] clocks;
    private final ClocklinkNode[] nodes;
    private final long[] scheduled;
    private final long[] lastEpoch;

    private final SplittableRandom[] refRnd;

    /**
     * True instant of the event being handled, set by the loop once per event. Read only by the callbacks a node
     * makes while the loop calls it ({@link #onSend}, {@link #onClocklinkSample}), which the core API gives no time;
     * everything else takes the instant as a parameter.
     */
    private long eventNanos;

    private final boolean secondThread;
    private DisciplineWorker worker; // while running, when secondThread
    private final long roundNanos;
    private final long endNanos;
    private final long warmupNanos;
    private final ClockReading reading = new ClockReading();

    // Results.
    private final Histogram offsets = new Histogram();
    private final Histogram gatewayOffsets = new Histogram();
    private final Histogram gatewayBounds = new Histogram();
    private final Histogram gatewayEstimates = new Histogram();
    private long skewMax;
    private long boundViolations;
    private long monotonicViolations;
    private long firstViolationNanos = -1;
    private String firstViolation = "";
    private long convergedAtNanos = -1;
    private long clocklinkSamplesApplied;
    private long referenceSamples;
    private final long[] isolatedAt;
    private final int[] lastBlocker;
    private final BitSet honestIsolated = new BitSet();
    private long events;
    private long leaderChanges;
    private int lastLeader = -1;

    public FleetSim(Scenario scenario, long seed) {
        this(scenario, seed, Runtime.getRuntime().availableProcessors() >= 2);
    }

    /**
     * @param secondThread apply leaf gateways' samples to their disciplines on a second thread
     *                     ({@link DisciplineWorker}); the results are the same either way
     */
    FleetSim(Scenario scenario, long seed, boolean secondThread) {
        this.secondThread = secondThread;
        this.sc = scenario;
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
        // The order of the splits is part of every seed's meaning: network, topology, faults, nodes, start (in run()).
        SplittableRandom netRnd = rnd.split();
        this.m = scenario.masters();
        this.n = scenario.nodes();
        this.roundNanos = Math.round(scenario.roundMillis() * 1e6);
        this.endNanos = Math.round(scenario.durationSeconds() * SECOND);
        this.warmupNanos = Math.round(scenario.warmupSeconds() * SECOND);
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (0x5A ^ i * 7);
        }
        ClocklinkKeys keys = ClocklinkKeys.of(1, new long[] {1}, new byte[][] {secret});

        osc = new Oscillator[n];
        clocks = new DisciplinedClock[n];
        nodes = new ClocklinkNode[n];
        scheduled = new long[n];
        lastEpoch = new long[n];
        isolatedAt = filled(-1);
        lastBlocker = new int[n];
        Arrays.fill(lastBlocker, -1);
        refRnd = new SplittableRandom[n];
        Arrays.fill(lastEpoch, Long.MIN_VALUE);
        Arrays.fill(scheduled, -1);

        topology = new Topology(scenario, rnd.split());
        faults = new FaultPlan(scenario, rnd.split());
        network = new Network(scenario, topology, faults, new ClocklinkAuth(keys), netRnd);
        buildNodes(keys);
    }

    private long[] filled(long v) {
        long[] a = new long[n];
        Arrays.fill(a, v);
        return a;
    }

    // ---------------------------------------------------------------- building

    private void buildNodes(ClocklinkKeys keys) {
        Scenario.Oscillator o = sc.oscillator();
        double wanderPpb = o.wanderPpbPerSqrtSecond();
        // Honest limits for the discipline: the wander over the whole run at 6 sigma; the appliance's 500 ppm tolerance.
        long maxDriftPpb = Math.max(1, (long) Math.ceil(6 * wanderPpb * Math.sqrt(sc.durationSeconds())));
        DisciplineConfig dcfg = new DisciplineConfig(500_000, maxDriftPpb, 500_000, 15 * SECOND, SECOND);
        // Clocklink's oscillator tolerance: the scenario's largest frequency plus its wander, with margin.
        long tolerancePpb = (long) Math.ceil(o.frequencyPpmMax() * 1000 * 1.1 + maxDriftPpb + 1000);
        Scenario.Topology t = sc.topology();
        long pollNanos = Math.round(t.pollMillis() * 1e6);
        long windowNanos = Math.round(t.filterWindowSeconds() * SECOND);
        for (int i = 0; i < n; i++) {
            SplittableRandom nr = rnd.split();
            double f0 = (nr.nextDouble() * 2 - 1) * o.frequencyPpmMax() * 1000;
            osc[i] = new Oscillator(nr.nextLong(SECOND, 1_000_000 * SECOND), f0, wanderPpb, nr.split());
            refRnd[i] = nr.split();
            long initialError = nr.nextLong(-INITIAL_ERROR_NANOS_MAX, INITIAL_ERROR_NANOS_MAX + 1);
            clocks[i] = new DisciplinedClock(dcfg, osc[i].mono(0), EPOCH_START_NANOS + initialError, Double.NaN);
            List<ClocklinkConfig.Peer> peers = new ArrayList<>();
            for (int p : topology.peersOf(i)) {
                peers.add(new ClocklinkConfig.Peer(p, nodeId(p)));
            }
            ClocklinkConfig cfg;
            if (i < m) {
                cfg = ClocklinkConfig.master(nodeId(i), 1, keys, peers)
                        .withPeriods(roundNanos, roundNanos)
                        .withClients(t.masterClients(), true);
            } else {
                cfg = ClocklinkConfig.gateway(nodeId(i), 1, keys, peers)
                        .withPeriods(roundNanos, Math.max(roundNanos, pollNanos))
                        .withClients(topology.relay(i) ? t.relayClients() : 0, topology.relay(i))
                        .withFastTrackCycles(t.fastTrackCycles());
            }
            cfg = cfg.withSeed(nr.nextLong()).withTiming(network.timestampNanosMax() + 1, tolerancePpb, windowNanos)
                    .withSampling(Math.round(t.sampleMillis() * 1e6), ClocklinkConfig.PRECISION_FLOOR_NANOS_DEFAULT)
                    .withClientRequestsPerRound(t.clientRequestsPerRound())
                    .withWander(Math.max(WANDER_PPB_MIN, wanderPpb));
            final int index = i;
            DisciplinedClock clock = clocks[i];
            ClocklinkNode.LocalClock local = clock::read;
            if (topology.leafGateway(i)) {
                local = (mono, out) -> { // not expected (a leaf serves no one), but then its discipline must be current
                    drainWorker();
                    clock.read(mono, out);
                };
            }
            ClocklinkNode.Outbox outbox = (token, buf, off, len) -> onSend(index, (int) token, buf, off, len);
            nodes[i] = new ClocklinkNode(cfg, local, outbox, s -> onClocklinkSample(index, s));
        }
    }

    static String nodeId(int i) {
        return "n" + i;
    }

    // ---------------------------------------------------------------- running

    /** Runs the scenario to its end and returns the result (one JSON object's worth). */
    public Map<String, Object> run() {
        long wallStart = System.nanoTime();
        worker = secondThread ? new DisciplineWorker(clocks) : null;
        try {
            loop();
        } finally {
            if (worker != null) {
                worker.close();
                worker = null;
            }
        }
        double wallSeconds = (System.nanoTime() - wallStart) / 1e9;
        return result(wallSeconds);
    }

    private void loop() {
        SplittableRandom startRnd = rnd.split();
        for (int i = 0; i < n; i++) {
            long t0 = startRnd.nextLong(SECOND);
            queue.push(t0, EV_TIMER, i);
            scheduled[i] = t0;
            if (i < m) {
                queue.push(startRnd.nextLong(SECOND), EV_REFERENCE, i);
            }
        }
        queue.push(0, EV_MEASURE, 0);
        queue.push(roundNanos, EV_ROUND, 0);
        queue.push(SECOND, EV_SECOND, 0);
        boolean[] startedNode = new boolean[n];
        while (queue.pop()) {
            long t = queue.topTime;
            if (t > endNanos) {
                break;
            }
            eventNanos = t;
            events++;
            int a = queue.topArg;
            switch (queue.topKind) {
                case EV_TIMER -> {
                    if (scheduled[a] != t) {
                        break; // superseded by an earlier wake-up
                    }
                    scheduled[a] = -1;
                    if (faults.crashed(a, t)) {
                        long backNanos = faults.crashEndNanos(a);
                        if (backNanos != Long.MAX_VALUE) {
                            scheduled[a] = backNanos;
                            queue.push(backNanos, EV_TIMER, a);
                        }
                        break;
                    }
                    long mono = osc[a].mono(t);
                    long next = startedNode[a] ? nodes[a].onTimer(mono) : nodes[a].start(mono);
                    startedNode[a] = true;
                    schedule(a, next, t);
                }
                case EV_PACKET -> deliver(a, t);
                case EV_REFERENCE -> reference(a, t);
                case EV_MEASURE -> {
                    measure(t);
                    queue.push(t + MEASURE_NANOS, EV_MEASURE, 0);
                }
                case EV_ROUND -> {
                    checkIsolation(t);
                    queue.push(t + roundNanos, EV_ROUND, 0);
                }
                case EV_SECOND -> {
                    checkHonestIsolation(t);
                    queue.push(t + SECOND, EV_SECOND, 0);
                }
                default -> throw new IllegalStateException("event " + queue.topKind);
            }
        }
    }

    private void drainWorker() {
        if (worker != null) {
            worker.drain();
        }
    }

    /** Schedules node {@code i}'s next timer at the true instant its oscillator reads {@code wakeMono}, not before {@code tNanos}. */
    private void schedule(int i, long wakeMono, long tNanos) {
        if (wakeMono == Long.MAX_VALUE) {
            return;
        }
        long t = Math.max(tNanos, osc[i].trueAt(wakeMono));
        while (osc[i].mono(t) < wakeMono) {
            t++;
        }
        if (scheduled[i] < 0 || t < scheduled[i]) {
            scheduled[i] = t;
            queue.push(t, EV_TIMER, i);
        }
    }

    /** Node {@code src}'s outbox: the datagram goes to the network, which may put it in flight to {@code dst}. */
    private void onSend(int src, int dst, byte[] buf, int off, int len) {
        int slot = network.send(eventNanos, src, dst, buf, off, len);
        if (slot >= 0) {
            queue.push(network.deliverAtNanos(slot), EV_PACKET, slot);
        }
    }

    private void deliver(int slot, long t) {
        int dst = network.destination(slot);
        if (!faults.crashed(dst, t)) {
            long mono = osc[dst].mono(t);
            long rxMono = network.rxMonoNanos(osc[dst], t, mono);
            long next = nodes[dst].onPacket(mono, rxMono, network.buffer(slot), 0, network.length(slot),
                    network.source(slot));
            schedule(dst, next, t);
        }
        network.free(slot);
    }

    private void reference(int i, long t) {
        queue.push(t + REFERENCE_NANOS, EV_REFERENCE, i);
        boolean lost = faults.referenceLost(i, t);
        nodes[i].setReferenceAvailable(!lost && !faults.crashed(i, t));
        if (lost || faults.crashed(i, t)) {
            return;
        }
        Scenario.Reference r = sc.reference();
        double g = refRnd[i].nextGaussian() * r.jitterNanos();
        long noise = Math.round(Math.max(-r.boundNanos(), Math.min(r.boundNanos(), g)));
        long mono = osc[i].mono(t);
        clocks[i].onSample(new Sample("GNSS+PPS", mono, EPOCH_START_NANOS + t + noise, 0,
                (long) Math.ceil(r.boundNanos()), LeapIndicator.NONE), mono);
        referenceSamples++;
    }

    /**
     * What a node learns from Clocklink. A gateway applies it; a master only while its reference is lost, and only a
     * sample that would narrow its bound (the stand-in for the app's selection among a node's sources).
     */
    private void onClocklinkSample(int i, Sample s) {
        long t = eventNanos;
        long mono = osc[i].mono(t);
        if (i < m) {
            if (!faults.referenceLost(i, t)) {
                return;
            }
            clocks[i].read(mono, reading);
            if (s.errorNanos() >= reading.boundNanos) {
                return;
            }
        }
        if (worker != null && topology.leafGateway(i)) {
            worker.submit(i, s, mono);
        } else {
            clocks[i].onSample(s, mono);
        }
        clocklinkSamplesApplied++;
    }

    // ---------------------------------------------------------------- measuring

    private void measure(long t) {
        drainWorker();
        long trueEpoch = EPOCH_START_NANOS + t;
        long minErr = Long.MAX_VALUE;
        long maxErr = Long.MIN_VALUE;
        boolean allConverged = true;
        long convergenceNanos = Math.round(sc.convergenceMicros() * 1000);
        boolean steady = t >= warmupNanos;
        for (int i = 0; i < n; i++) {
            if (faults.faulty(i)) {
                continue;
            }
            clocks[i].read(osc[i].mono(t), reading);
            long err = reading.epochNanos - trueEpoch;
            if (reading.epochNanos < lastEpoch[i]) {
                monotonicViolations++;
                noteViolation(t, "monotonic: node " + nodeId(i) + " went back " + (lastEpoch[i] - reading.epochNanos) + " ns");
            }
            lastEpoch[i] = reading.epochNanos;
            if (Math.abs(err) > reading.boundNanos) {
                boundViolations++;
                noteViolation(t, "bound: node " + nodeId(i) + " error " + err + " ns, bound " + reading.boundNanos + " ns, "
                        + reading.status);
            }
            if (reading.status != ClockStatus.SYNCHRONIZED || Math.abs(err) > convergenceNanos) {
                allConverged = false;
            }
            if (steady) {
                long a = Math.abs(err);
                offsets.record(a);
                if (i >= m) {
                    gatewayOffsets.record(a);
                    gatewayBounds.record(reading.boundNanos);
                    if (nodes[i].combinedValid()) {
                        long cm = nodes[i].combinedMonoNanos();
                        long est = cm + nodes[i].combinedXNanos() - (EPOCH_START_NANOS + osc[i].trueAt(cm));
                        gatewayEstimates.record(Math.abs(est));
                    }
                }
                minErr = Math.min(minErr, err);
                maxErr = Math.max(maxErr, err);
            }
        }
        if (steady && maxErr >= minErr) {
            skewMax = Math.max(skewMax, maxErr - minErr);
        }
        if (allConverged) {
            if (convergedAtNanos < 0) {
                convergedAtNanos = t;
            }
        } else if (t < warmupNanos) {
            convergedAtNanos = -1; // converged means: from then on through the warm-up
        }
        int leader = -1;
        long bestTerm = -1;
        for (int i = 0; i < m; i++) {
            if (nodes[i].isLeader() && !faults.crashed(i, t) && nodes[i].term() > bestTerm) {
                bestTerm = nodes[i].term();
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

    private void noteViolation(long t, String what) {
        if (firstViolationNanos < 0) {
            firstViolationNanos = t;
            firstViolation = what + " at " + (t / 1e9) + " s";
        }
    }

    /** A faulty node is isolated once its weight is zero at every honest, running node that has it as a peer. */
    private void checkIsolation(long t) {
        for (int f = 0; f < n; f++) {
            if (!faults.faulty(f) || isolatedAt[f] >= 0 || t < faults.faultStartNanos(f)) {
                continue;
            }
            boolean all = true;
            int[] l = topology.listenersOf(f);
            for (int k = 0; k < l.length; k += 2) {
                int listener = l[k];
                if (faults.faulty(listener) || faults.crashed(listener, t)) {
                    continue;
                }
                if (nodes[listener].peerWeight(l[k + 1]) > 0) {
                    all = false;
                    lastBlocker[f] = listener;
                    break;
                }
            }
            if (all) {
                isolatedAt[f] = t;
                trace(t, "faulty " + nodeId(f) + " isolated " + (t - faults.faultStartNanos(f)) / 1e6 + " ms after its fault began"
                        + (lastBlocker[f] >= 0 ? "; the last to isolate it: " + nodeId(lastBlocker[f]) : ""));
            }
        }
    }

    private void checkHonestIsolation(long t) {
        int pair = 0;
        for (int i = 0; i < n; i++) {
            int[] peers = topology.peersOf(i);
            for (int k = 0; k < peers.length; k++, pair++) {
                if (!faults.faulty(i) && !faults.faulty(peers[k]) && nodes[i].peerIsolated(k) && !honestIsolated.get(pair)) {
                    honestIsolated.set(pair);
                    trace(t, "honest link isolated: " + nodeId(i) + " (tier " + topology.tier(i) + ") no longer trusts "
                            + nodeId(peers[k]) + " (tier " + topology.tier(peers[k]) + ")");
                }
            }
        }
    }

    /** With -Dionclock.sim.trace=true, notable events go to standard error with their simulated time. */
    private static void trace(long t, String what) {
        if (TRACE) {
            System.err.printf("sim trace %.3f s: %s%n", t / 1e9, what);
        }
    }

    // ---------------------------------------------------------------- result

    private Map<String, Object> result(double wallSeconds) {
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
        r.put("skewNanosMax", skewMax);
        r.put("convergenceSeconds", convergedAtNanos < 0 ? null : round3(convergedAtNanos / 1e9));
        r.put("boundViolations", boundViolations);
        r.put("monotonicViolations", monotonicViolations);
        r.put("messagesPerNodePerSecond", round3(network.messages() / (double) n / seconds));
        r.put("bytesPerNodePerSecond", round3(network.bytes() / (double) n / seconds));
        r.put("bytesPerNodePerSecondSteady", round3(network.bytesSteady() / (double) n / steadySeconds));
        r.put("bytesSentPerSecondBusiestNode", round3(network.bytesSentBusiestNode() / seconds));
        r.put("messageBytesMax", network.messageBytesMax());
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
            if (isolatedAt[i] < 0) {
                notIsolated++;
                byKind.put(kind, null);
            } else {
                long rounds = (isolatedAt[i] - faults.faultStartNanos(i) + roundNanos - 1) / roundNanos;
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
        long elections = 0;
        long faultyElections = 0;
        long deposals = 0;
        long maxTerm = 0;
        long drops = 0;
        long retries = 0;
        long reprobes = 0;
        Map<String, Long> dropsByReason = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            for (var e : nodes[i].droppedByReason().entrySet()) {
                dropsByReason.merge(e.getKey(), e.getValue(), Long::sum);
            }
            if (faults.faulty(i)) {
                faultyElections += nodes[i].elections();
            } else {
                elections += nodes[i].elections();
                deposals += nodes[i].deposals();
            }
            if (i < m) {
                maxTerm = Math.max(maxTerm, nodes[i].term());
            }
            for (var e : nodes[i].droppedByReason().values()) {
                drops += e;
            }
            retries += nodes[i].retries();
            reprobes += nodes[i].reprobes();
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

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
