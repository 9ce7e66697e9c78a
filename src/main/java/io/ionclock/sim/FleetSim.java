package io.ionclock.sim;

import io.ionclock.core.DisciplineLoop;
import io.ionclock.core.DisciplinedClock;
import io.ionclock.core.LeapIndicator;
import io.ionclock.core.Sample;
import io.ionclock.core.clocklink.ClocklinkAuth;
import io.ionclock.core.clocklink.ClocklinkKeys;
import io.ionclock.core.clocklink.Wire;
import io.ionclock.core.clocklink.ClocklinkNode;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The seeded, deterministic fleet simulator: the same core code as the appliance ({@link ClocklinkNode} and one
 * {@link DisciplineLoop} per node: source selection, then the {@link DisciplinedClock}) on simulated oscillators and
 * links, driven by one event queue in true time.
 * Everything random comes from {@link SplittableRandom}s split from the seed in a fixed order (the network's, the
 * topology's, the faults', one per node, the start's), and events at one instant run in the order they were
 * scheduled, so a seed reproduces a run exactly (but {@code wallSeconds}).
 *
 * <p>What is simulated (docs/simulation.md): each node's oscillator (a frequency offset up to frequencyPpmMax,
 * random-walk wander), each packet's delay (base, jitter, asymmetry on the upward direction), loss, timestamp
 * jitter at both ends (Gaussian, clipped at 3 sigma: the nodes are told that bound), the masters' references
 * (Gaussian noise clipped at the bound), and faults (liar, two-faced, crash, partition, reference-loss).
 *
 * <p>This class is the event loop: it owns the queue and the order of every call, and takes each event's instant
 * from the queue once. The concerns live apart: {@link Topology} (who polls whom), {@link FaultPlan} (who fails,
 * when), {@link Fleet} (the nodes, built), {@link Oscillator} (one per node), {@link Network} (loss, partitions,
 * delay, timestamp noise, liars' rewrites, traffic) and {@link FleetMetrics} (what is measured and reported).
 */
public final class FleetSim {
    static final long SECOND = 1_000_000_000L;
    /** True time of the simulation's start, ns since the Unix epoch (2026-09-20). */
    static final long EPOCH_START_NANOS = 1_790_000_000L * SECOND;
    /** How often every honest node's clock is read against true time. */
    static final long MEASURE_NANOS = 100_000_000L;
    /** A master's reference gives a sample this often (PPS). */
    static final long REFERENCE_NANOS = SECOND;

    static final int EV_TIMER = 0;
    static final int EV_PACKET = 1;
    static final int EV_REFERENCE = 2;
    static final int EV_MEASURE = 3;
    static final int EV_ROUND = 4;
    static final int EV_SECOND = 5;
    /** A sent packet's kernel transmit time reaches its sender (interleaved mode). */
    static final int EV_TRANSMIT = 6;

    private final Scenario sc;
    private final SplittableRandom rnd;
    private final int n;
    private final long roundNanos;
    private final long endNanos;
    private final EventQueue queue = new EventQueue();
    private final Topology topology;
    private final FaultPlan faults;
    private final Network network;
    private final Fleet fleet;
    private final FleetMetrics metrics;
    private final boolean secondThread;
    private DisciplineWorker worker; // while running, when secondThread
    /** Each node's next timer (true ns), -1 when none is queued. */
    private final long[] scheduled;

    /**
     * True instant of the event being handled, set by the loop once per event. Read only by the callbacks a node
     * makes while the loop calls it ({@link #onSend}, {@link #onClocklinkSample}), which the core API gives no time;
     * everything else takes the instant as a parameter.
     */
    private long eventNanos;

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
        this.rnd = new SplittableRandom(seed);
        this.n = scenario.nodes();
        this.roundNanos = Fleet.roundNanos(scenario);
        this.endNanos = Math.round(scenario.durationSeconds() * SECOND);
        this.scheduled = new long[n];
        Arrays.fill(scheduled, -1);
        // The order of the splits is part of every seed's meaning: network, topology, faults, nodes, start (in run()).
        SplittableRandom netRnd = rnd.split();
        ClocklinkKeys keys = Fleet.keys();
        this.topology = new Topology(scenario, rnd.split());
        this.faults = new FaultPlan(scenario, rnd.split(), topology::leafGateway);
        this.network = new Network(scenario, topology, faults, new ClocklinkAuth(keys), netRnd);
        this.fleet = new Fleet(scenario, topology, keys, rnd, network.timestampNanosMax(),
                i -> (token, buf, off, len) -> onSend(i, (int) token, buf, off, len),
                i -> s -> onClocklinkSample(i, s),
                this::drainWorker);
        this.metrics = new FleetMetrics(scenario, seed, topology, faults, fleet);
    }

    // ---------------------------------------------------------------- running

    /**
     * Runs the scenario to its end, collecting the run over time into {@code series} as it goes, and returns the result
     * (one JSON object's worth).
     */
    Map<String, Object> run(FleetSeries series) {
        metrics.series(series);
        return run();
    }

    /** Runs the scenario to its end and returns the result (one JSON object's worth). */
    public Map<String, Object> run() {
        long wallStart = System.nanoTime();
        worker = secondThread ? new DisciplineWorker(fleet.loops) : null;
        try {
            loop();
        } finally {
            if (worker != null) {
                worker.close();
                metrics.countClocklinkSamples(worker.applied());
                worker = null;
            }
        }
        double wallSeconds = (System.nanoTime() - wallStart) / 1e9;
        return metrics.result(network, wallSeconds);
    }

    private void loop() {
        SplittableRandom startRnd = rnd.split();
        for (int i = 0; i < n; i++) {
            long t0 = faults.joinAtNanos(i) + startRnd.nextLong(SECOND);
            queue.push(t0, EV_TIMER, i);
            scheduled[i] = t0;
            if (topology.isMaster(i)) {
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
            metrics.countEvent();
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
                    long mono = fleet.oscillators[a].mono(t);
                    long next = startedNode[a] ? fleet.nodes[a].onTimer(mono) : fleet.nodes[a].start(mono);
                    startedNode[a] = true;
                    schedule(a, next, t);
                }
                case EV_PACKET -> deliver(a, t);
                case EV_TRANSMIT -> transmitted(a, t);
                case EV_REFERENCE -> reference(a, t);
                case EV_MEASURE -> {
                    drainWorker();
                    metrics.measure(t);
                    queue.push(t + MEASURE_NANOS, EV_MEASURE, 0);
                }
                case EV_ROUND -> {
                    metrics.checkIsolation(t);
                    queue.push(t + roundNanos, EV_ROUND, 0);
                }
                case EV_SECOND -> {
                    metrics.checkHonestIsolation(t);
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
        Oscillator osc = fleet.oscillators[i];
        long t = Math.max(tNanos, osc.trueAt(wakeMono));
        while (osc.mono(t) < wakeMono) {
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
            int type = Wire.type(buf, off);
            if (type == Wire.TYPE_SYNC_REQUEST || type == Wire.TYPE_SYNC_RESPONSE) { // what onTransmitted takes
                queue.push(Math.max(eventNanos, network.departNanos(slot)), EV_TRANSMIT, slot);
            } else {
                network.takeTransmit(slot);
            }
        }
    }

    /** The sender of the packet in {@code slot} learns when it left, as the appliance's kernel timestamps tell it. */
    private void transmitted(int slot, long t) {
        if (!network.takeTransmit(slot)) {
            return;
        }
        int src = network.source(slot);
        if (faults.crashed(src, t)) {
            return;
        }
        Oscillator osc = fleet.oscillators[src];
        fleet.nodes[src].onTransmitted(osc.mono(t), network.destination(slot), Wire.sequence(network.buffer(slot), 0),
                osc.mono(Math.min(t, network.departNanos(slot))));
    }

    private void deliver(int slot, long t) {
        transmitted(slot, t); // before its answer can come (a tie in the queue may order them either way)
        int dst = network.destination(slot);
        if (!faults.crashed(dst, t)) {
            Oscillator osc = fleet.oscillators[dst];
            long mono = osc.mono(t);
            long rxMono = network.rxMonoNanos(osc, t, mono);
            long next = fleet.nodes[dst].onPacket(mono, rxMono, network.buffer(slot), 0, network.length(slot),
                    network.source(slot));
            schedule(dst, next, t);
        }
        network.free(slot);
    }

    /**
     * A master's reference tick: a sample into its discipline loop (none while the reference is lost: the loop runs
     * its selection without one, as the appliance's does when no sample comes), then the appliance's rule for the
     * node: it is on its own reference while the selection uses it.
     */
    private void reference(int i, long t) {
        queue.push(t + REFERENCE_NANOS, EV_REFERENCE, i);
        if (faults.crashed(i, t)) {
            return;
        }
        DisciplineLoop loop = fleet.loops[i];
        long mono = fleet.oscillators[i].mono(t);
        if (faults.referenceLost(i, t)) {
            loop.refresh(mono);
        } else {
            Scenario.Reference r = sc.reference();
            double g = fleet.referenceRnds[i].nextGaussian() * r.jitterNanos();
            long noise = Math.round(Math.max(-r.boundNanos(), Math.min(r.boundNanos(), g)));
            loop.offer(Fleet.SOURCE_REFERENCE, new Sample("GNSS+PPS", mono, EPOCH_START_NANOS + t + noise, 0,
                    (long) Math.ceil(r.boundNanos()), LeapIndicator.NONE), mono);
            metrics.countReferenceSample();
        }
        fleet.nodes[i].setReferenceAvailable(loop.onOwnReference());
    }

    /** What node {@code i} learns from Clocklink goes into its discipline loop, which selects among its sources. */
    private void onClocklinkSample(int i, Sample s) {
        long mono = fleet.oscillators[i].mono(eventNanos);
        int source = Fleet.clocklinkSource(topology, i);
        if (worker != null && topology.leafGateway(i)) {
            worker.submit(i, source, s, mono);
            return;
        }
        DisciplineLoop loop = fleet.loops[i];
        if (loop.offer(source, s, mono) != null) {
            metrics.countClocklinkSamples(1);
        }
        if (topology.isMaster(i)) {
            fleet.nodes[i].setReferenceAvailable(loop.onOwnReference());
        }
    }
}
