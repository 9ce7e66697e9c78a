package io.ionclock.core.clocklink;

import io.ionclock.core.ClockReading;
import io.ionclock.core.DisciplineConfig;
import io.ionclock.core.DisciplinedClock;
import io.ionclock.core.LeapIndicator;
import io.ionclock.core.ManualClock;
import io.ionclock.core.Sample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Function;

/**
 * A small deterministic network for node tests: true time is a {@link ManualClock}, every node has its own
 * oscillator (offset and rate against true time) and {@link DisciplinedClock}, packets take a fixed delay per
 * direction, and hooks drop, tamper with or inject packets. Masters get a perfect reference each second (bound
 * 100 ns) unless {@link #referenceOff} says otherwise. Address tokens are node indices.
 */
final class MiniNet {
    static final long SECOND = 1_000_000_000L;
    static final long EPOCH0 = 1_790_000_000L * SECOND;
    static final ClocklinkKeys KEYS = WireCodecTest.KEYS;

    /** A packet in flight, or a node's timer. */
    record Event(long t, long seq, int dst, int src, byte[] bytes, long rxT) {
        Event(long t, long seq, int dst, int src, byte[] bytes) {
            this(t, seq, dst, src, bytes, t);
        }
    }

    final ManualClock truth = new ManualClock(0);
    final List<Node> nodes = new ArrayList<>();
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.t != b.t ? Long.compare(a.t, b.t) : Long.compare(a.seq, b.seq));
    private long seq;
    private int current = -1;
    /** One-way delay src to dst, ns. */
    Function<int[], Long> delayNanos = sd -> 200_000L;
    /**
     * Per sending node: from the node's send call (where it takes its own t1 or t3) to the packet leaving (a host's
     * stack and scheduling); the one-way delay starts there.
     */
    Function<Integer, Long> sendLatencyNanos = i -> 0L;
    /**
     * Per receiving node: from the packet's arrival (a kernel receive timestamp) to the node handling it (where a node
     * without kernel timestamps takes its own).
     */
    Function<Integer, Long> receiveLatencyNanos = i -> 0L;
    /** Returns the bytes to deliver (possibly changed), or null to drop. Gets src, dst, bytes. */
    Tamper tamper = (src, dst, b) -> b;
    /** Every packet sent, for capture and replay. */
    final List<Event> sent = new ArrayList<>();
    final ClocklinkAuth auth = new ClocklinkAuth(KEYS);

    interface Tamper {
        byte[] apply(int src, int dst, byte[] bytes);
    }

    final class Node {
        final int index;
        final boolean master;
        final long monoStart;
        final double rate;
        final DisciplinedClock clock;
        ClocklinkNode link;
        long nextTimerT = -1;
        boolean crashed;
        boolean referenceOff;
        /** Its transport timestamps in the kernel (arrivals, and reports departures): set with {@link #kernelTimestamps}. */
        boolean kernelTimestamps;
        long nextReferenceT;
        final List<Sample> samples = new ArrayList<>();
        long lastEpoch = Long.MIN_VALUE;

        Node(int index, boolean master, double ppm, long initialErrorNanos) {
            this.index = index;
            this.master = master;
            this.monoStart = 1_000 * SECOND + index * 7_777_777L;
            this.rate = 1 + ppm * 1e-6;
            this.clock = new DisciplinedClock(new DisciplineConfig(500_000, 1_000, 500_000, 15 * SECOND, SECOND),
                    mono(0), EPOCH0 + initialErrorNanos, Double.NaN);
            this.nextReferenceT = index * 10_000_000L;
        }

        long mono(long t) {
            return monoStart + Math.round(t * rate);
        }

        long trueAt(long mono) {
            return (long) Math.ceil((mono - monoStart) / rate);
        }

        ClockReading read() {
            ClockReading r = new ClockReading();
            clock.read(mono(truth.monoNanos()), r);
            return r;
        }

        /** |published - true| now, ns. */
        long errorNanos() {
            return Math.abs(read().epochNanos - (EPOCH0 + truth.monoNanos()));
        }
    }

    Node addMaster(ClocklinkConfig config, double ppm) {
        return add(config, true, ppm, 0);
    }

    Node addGateway(ClocklinkConfig config, double ppm, long initialErrorNanos) {
        return add(config, false, ppm, initialErrorNanos);
    }

    private Node add(ClocklinkConfig config, boolean master, double ppm, long initialErrorNanos) {
        Node n = new Node(nodes.size(), master, ppm, initialErrorNanos);
        nodes.add(n);
        n.link = new ClocklinkNode(config, n.clock::read, (token, buf, off, len) -> send(n.index, (int) token, buf, off, len),
                s -> {
                    n.samples.add(s);
                    if (!n.master || n.referenceOff) {
                        n.clock.onSample(s, n.mono(truth.monoNanos()));
                    }
                });
        return n;
    }

    /** Node {@code i}'s transport timestamps in the kernel (and the node interleaves), or in user space. */
    void kernelTimestamps(int i, boolean on) {
        Node n = nodes.get(i);
        n.kernelTimestamps = on;
        n.link.setKernelTimestamps(on);
    }

    static List<ClocklinkConfig.Peer> peers(int... indices) {
        List<ClocklinkConfig.Peer> p = new ArrayList<>();
        for (int i : indices) {
            p.add(new ClocklinkConfig.Peer(i, "n" + i));
        }
        return p;
    }

    /** Indices 0..count-1 without {@code self}. */
    static int[] others(int count, int self) {
        return java.util.stream.IntStream.range(0, count).filter(i -> i != self).toArray();
    }

    void start() {
        for (Node n : nodes) {
            current = n.index;
            schedule(n, n.link.start(n.mono(truth.monoNanos())));
            current = -1;
        }
    }

    private void send(int src, int dst, byte[] buf, int off, int len) {
        byte[] b = Arrays.copyOfRange(buf, off, off + len);
        sent.add(new Event(truth.monoNanos(), 0, dst, src, b));
        if (nodes.get(src).crashed) {
            return;
        }
        long departT = truth.monoNanos() + sendLatencyNanos.apply(src);
        int type = Wire.type(b, 0);
        if (nodes.get(src).kernelTimestamps && (type == Wire.TYPE_SYNC_REQUEST || type == Wire.TYPE_SYNC_RESPONSE)) {
            queue.add(new Event(departT, seq++, src, TRANSMITTED_TO - dst, b)); // a lost packet left too
        }
        byte[] d = tamper.apply(src, dst, b);
        if (d == null || dst < 0 || dst >= nodes.size()) {
            return;
        }
        long arriveT = departT + delayNanos.apply(new int[] {src, dst});
        queue.add(new Event(arriveT + receiveLatencyNanos.apply(dst), seq++, dst, src, d, arriveT));
    }

    /** An event's src at or below this is a transmit report to dst for a packet it sent to {@code TRANSMITTED_TO - src}. */
    static final int TRANSMITTED_TO = -2;

    /** Delivers {@code bytes} to {@code dst} as if from address {@code srcToken}, now. */
    long inject(int dst, long srcToken, byte[] bytes) {
        Node n = nodes.get(dst);
        current = dst;
        long mono = n.mono(truth.monoNanos());
        long next = n.link.onPacket(mono, mono, bytes, 0, bytes.length, srcToken);
        current = -1;
        schedule(n, next);
        return next;
    }

    private void schedule(Node n, long wakeMono) {
        if (wakeMono == Long.MAX_VALUE) {
            return;
        }
        long t = Math.max(truth.monoNanos(), n.trueAt(wakeMono));
        while (n.mono(t) < wakeMono) {
            t++;
        }
        if (n.nextTimerT < truth.monoNanos() || t < n.nextTimerT) {
            n.nextTimerT = t;
            queue.add(new Event(t, seq++, n.index, -1, null));
        }
    }

    /** Runs events up to true time {@code endNanos}, checking every node's bound and monotonicity at each reference tick. */
    void runUntil(long endNanos) {
        while (true) {
            long nextRef = Long.MAX_VALUE;
            Node refNode = null;
            for (Node n : nodes) {
                if (n.master && n.nextReferenceT < nextRef) {
                    nextRef = n.nextReferenceT;
                    refNode = n;
                }
            }
            Event e = queue.peek();
            long te = e == null ? Long.MAX_VALUE : e.t;
            long t = Math.min(te, nextRef);
            if (t > endNanos) {
                truth.advanceNanos(endNanos - truth.monoNanos());
                return;
            }
            truth.advanceNanos(t - truth.monoNanos());
            if (nextRef <= te) {
                refNode.nextReferenceT += SECOND;
                if (!refNode.referenceOff && !refNode.crashed) {
                    long mono = refNode.mono(t);
                    refNode.clock.onSample(new Sample("REF", mono, EPOCH0 + t, 0, 100, LeapIndicator.NONE), mono);
                }
                refNode.link.setReferenceAvailable(!refNode.referenceOff);
                continue;
            }
            queue.poll();
            Node n = nodes.get(e.dst);
            if (n.crashed) {
                continue;
            }
            current = n.index;
            long mono = n.mono(t);
            long next;
            if (e.bytes == null) {
                if (e.t != n.nextTimerT) {
                    continue; // superseded by an earlier wake-up
                }
                n.nextTimerT = -1;
                next = n.link.onTimer(mono);
            } else if (e.src <= TRANSMITTED_TO) {
                n.link.onTransmitted(mono, TRANSMITTED_TO - e.src, Wire.sequence(e.bytes, 0), mono);
                current = -1;
                continue;
            } else {
                long rxMono = n.kernelTimestamps ? n.mono(e.rxT) : mono;
                next = n.link.onPacket(mono, rxMono, e.bytes, 0, e.bytes.length, e.src);
            }
            current = -1;
            schedule(n, next);
        }
    }

    /** Runs to {@code endNanos}, asserting at every 100 ms that no node's bound is broken and no clock went back. */
    long runChecked(long endNanos, List<Integer> skip) {
        long violations = 0;
        while (truth.monoNanos() < endNanos) {
            runUntil(Math.min(endNanos, truth.monoNanos() + 100_000_000L));
            for (Node n : nodes) {
                if (skip.contains(n.index) || n.crashed) {
                    continue;
                }
                ClockReading r = n.read();
                long err = Math.abs(r.epochNanos - (EPOCH0 + truth.monoNanos()));
                if (err > r.boundNanos || r.epochNanos < n.lastEpoch) {
                    violations++;
                }
                n.lastEpoch = r.epochNanos;
            }
        }
        return violations;
    }

    /** A signed copy of {@code bytes} after {@code change} (a liar re-signing what it changed). */
    byte[] resign(byte[] bytes, java.util.function.Consumer<byte[]> change) {
        byte[] b = bytes.clone();
        change.accept(b);
        auth.sign(b, 0, b.length);
        return b;
    }

    /** The current leader among running masters with the highest term, or -1. */
    int leader() {
        int best = -1;
        for (Node n : nodes) {
            if (n.master && !n.crashed && n.link.view().isLeader() && (best < 0 || n.link.view().term() > nodes.get(best).link.view().term())) {
                best = n.index;
            }
        }
        return best;
    }
}
