package io.ionclock.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * The scenario's faults, assigned to nodes once from a seeded random: which node lies (and by how much, to whom),
 * crashes, loses its reference, and which groups a partition cuts apart, each over a span of true time
 * {@code [from, to)}. Read-only afterwards; every question takes the true instant as a parameter.
 */
final class FaultPlan {
    private static final long SECOND = FleetSim.SECOND;

    private final int nodes;
    private final long[] crashFromNanos;
    private final long[] crashToNanos;
    private final long[] lieFromNanos;
    private final long[] lieToNanos;
    private final long[] lieNanos;
    private final boolean[] twoFaced;
    private final long[] referenceLossFromNanos;
    private final long[] referenceLossToNanos;
    private final boolean[] faulty;
    private final long[] joinAtNanos; // a late joiner boots then (0: at the start)
    private final long[] faultStartNanos;
    private final List<long[]> partitions = new ArrayList<>(); // {fromNanos, toNanos}
    private final List<BitSet> partitionMembers = new ArrayList<>();

    /**
     * @param fr   the fault plan's own random (which nodes, which side of a partition)
     * @param leaf which gateways serve nobody (only they join late: a late relay would starve its children)
     */
    FaultPlan(Scenario sc, SplittableRandom fr, IntPredicate leaf) {
        this.nodes = sc.nodes();
        joinAtNanos = new long[nodes];
        crashFromNanos = filled(Long.MAX_VALUE);
        crashToNanos = filled(Long.MAX_VALUE);
        lieFromNanos = filled(Long.MAX_VALUE);
        lieToNanos = filled(Long.MAX_VALUE);
        lieNanos = new long[nodes];
        twoFaced = new boolean[nodes];
        referenceLossFromNanos = filled(Long.MAX_VALUE);
        referenceLossToNanos = filled(Long.MAX_VALUE);
        faulty = new boolean[nodes];
        faultStartNanos = filled(Long.MAX_VALUE);
        assign(sc, fr, leaf);
    }

    private long[] filled(long v) {
        long[] a = new long[nodes];
        Arrays.fill(a, v);
        return a;
    }

    private void assign(Scenario sc, SplittableRandom fr, IntPredicate leaf) {
        int n = nodes;
        int m = sc.masters();
        for (Scenario.Fault f : sc.faults()) {
            long from = Math.round(f.fromSecond() * SECOND);
            long to = Double.isInfinite(f.toSecond()) ? Long.MAX_VALUE : Math.round(f.toSecond() * SECOND);
            if (f.kind().equals("partition")) {
                BitSet members = new BitSet(n);
                int count = (int) Math.round(f.fraction() * n);
                int[] all = shuffled(n, fr);
                for (int k = 0; k < count; k++) {
                    members.set(all[k]);
                }
                partitions.add(new long[] {from, to});
                partitionMembers.add(members);
                continue;
            }
            boolean refLoss = f.kind().equals("reference-loss");
            boolean join = f.kind().equals("join");
            List<Integer> eligible = new ArrayList<>();
            List<Integer> second = new ArrayList<>();
            for (int i : shuffled(n, fr)) {
                boolean isMaster = i < m;
                if (f.role().equals("master") && !isMaster || f.role().equals("gateway") && isMaster) {
                    continue;
                }
                if (join) {
                    if (leaf.test(i) && !faulty[i] && joinAtNanos[i] == 0) {
                        eligible.add(i);
                    }
                } else if (refLoss) {
                    if (!isMaster || referenceLossFromNanos[i] != Long.MAX_VALUE) {
                        continue;
                    }
                    (faulty[i] ? second : eligible).add(i); // prefer honest masters: the fault is theirs to survive
                } else if (!faulty[i] && joinAtNanos[i] == 0) {
                    eligible.add(i);
                }
            }
            eligible.addAll(second);
            if (eligible.size() < f.count()) {
                throw new IllegalArgumentException("scenario fault " + f.kind() + ": " + f.count() + " " + f.role()
                        + " node(s) wanted, only " + eligible.size() + " eligible");
            }
            for (int k = 0; k < f.count(); k++) {
                int i = eligible.get(k);
                switch (f.kind()) {
                    case "liar", "two-faced" -> {
                        faulty[i] = true;
                        lieFromNanos[i] = from;
                        lieToNanos[i] = to;
                        lieNanos[i] = Math.round(f.offsetMicros() * 1000);
                        twoFaced[i] = f.kind().equals("two-faced");
                        faultStartNanos[i] = from;
                    }
                    case "crash" -> {
                        faulty[i] = true;
                        crashFromNanos[i] = from;
                        crashToNanos[i] = to;
                        faultStartNanos[i] = from;
                    }
                    case "join" -> joinAtNanos[i] = Math.max(1, from);
                    case "reference-loss" -> {
                        referenceLossFromNanos[i] = from;
                        referenceLossToNanos[i] = to;
                    }
                    default -> throw new IllegalStateException(f.kind());
                }
            }
        }
    }

    private static int[] shuffled(int count, SplittableRandom r) {
        int[] a = new int[count];
        for (int i = 0; i < count; i++) {
            a[i] = i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** A liar, a two-faced node or a crashing one (reference loss is not a fault of the node's: it must survive it). */
    boolean faulty(int i) {
        return faulty[i];
    }

    /** When node {@code i}'s fault begins (Long.MAX_VALUE for an honest node). */
    long faultStartNanos(int i) {
        return faultStartNanos[i];
    }

    /** The faulty node's kind for the output: crash, two-faced or liar. */
    String kind(int i) {
        return crashFromNanos[i] != Long.MAX_VALUE ? "crash" : twoFaced[i] ? "two-faced" : "liar";
    }

    /** When gateway {@code i} boots (0: at the start with the fleet; later for a late joiner). */
    long joinAtNanos(int i) {
        return joinAtNanos[i];
    }

    boolean crashed(int i, long tNanos) {
        return tNanos >= crashFromNanos[i] && tNanos < crashToNanos[i];
    }

    /** When node {@code i} comes back from its crash (Long.MAX_VALUE: never, or it never crashes). */
    long crashEndNanos(int i) {
        return crashToNanos[i];
    }

    boolean lying(int i, long tNanos) {
        return tNanos >= lieFromNanos[i] && tNanos < lieToNanos[i];
    }

    /** What liar {@code src} adds to the times it reports to {@code dst} (a two-faced one: the opposite to odd nodes). */
    long lieShiftNanos(int src, int dst) {
        return twoFaced[src] && (dst % 2 == 1) ? -lieNanos[src] : lieNanos[src];
    }

    boolean referenceLost(int i, long tNanos) {
        return tNanos >= referenceLossFromNanos[i] && tNanos < referenceLossToNanos[i];
    }

    /** Whether a partition separates nodes {@code a} and {@code b} at {@code tNanos}. */
    boolean cut(int a, int b, long tNanos) {
        for (int k = 0; k < partitions.size(); k++) {
            long[] p = partitions.get(k);
            if (tNanos >= p[0] && tNanos < p[1]) {
                BitSet s = partitionMembers.get(k);
                if (s.get(a) != s.get(b)) {
                    return true;
                }
            }
        }
        return false;
    }
}
