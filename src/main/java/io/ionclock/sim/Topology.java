package io.ionclock.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Who polls whom. Nodes {@code 0..masters-1} are the masters, in a full mesh; the rest are gateways, each taking
 * {@code upstreams} servers from the lowest tier with room (masters serve {@code masterClients} links each; a gateway
 * that gets children becomes a relay serving {@code relayClients}), so the fleet grows as a tree with bounded fan-out.
 * Built once from the scenario and a seeded random; read-only afterwards.
 */
final class Topology {
    /** Nodes, masters first. */
    final int nodes;
    final int masters;
    /** Node to its configured peers' indices, in link order (a link's index in the node is its position here). */
    private final int[][] peersOf;
    /** A gateway's tier: 1 under the masters, 2 under tier-1 relays, ...; 0 for a master. */
    private final int[] tier;
    private final boolean[] relay;
    /** Node to the {listener, link} pairs (flattened) of the nodes that have it as a peer. */
    private final int[][] listeners;

    /** @param topo the topology's own random (ties between equally free servers) */
    Topology(Scenario sc, SplittableRandom topo) {
        this.nodes = sc.nodes();
        this.masters = sc.masters();
        this.tier = new int[nodes];
        this.relay = new boolean[nodes];
        this.peersOf = build(sc, topo);
        this.listeners = listenersOf(peersOf);
    }

    private int[][] build(Scenario sc, SplittableRandom topo) {
        int n = nodes;
        int m = masters;
        int[][] peers = new int[n][];
        for (int i = 0; i < m; i++) {
            int[] p = new int[m - 1];
            for (int j = 0, k = 0; j < m; j++) {
                if (j != i) {
                    p[k++] = j;
                }
            }
            peers[i] = p;
        }
        Scenario.Topology t = sc.topology();
        int[] capacity = new int[n];
        for (int i = 0; i < m; i++) {
            capacity[i] = t.masterClients();
        }
        int[] order = new int[sc.gateways()];
        for (int k = 0; k < order.length; k++) {
            order[k] = m + k;
        }
        List<Integer> tierServers = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            tierServers.add(i);
        }
        List<Integer> nextTier = new ArrayList<>();
        int currentTier = 1;
        for (int g : order) {
            int want = Math.min(t.upstreams(), m);
            List<Integer> chosen = pick(tierServers, capacity, want, topo);
            if (chosen.size() < want) {
                if (nextTier.size() >= want) {
                    // This tier is full: the gateways placed under it become the next tier's servers (relays).
                    tierServers = nextTier;
                    nextTier = new ArrayList<>();
                    currentTier++;
                    for (int s : tierServers) {
                        capacity[s] = t.relayClients();
                    }
                    chosen = pick(tierServers, capacity, want, topo);
                }
                if (chosen.size() < want && chosen.isEmpty()) {
                    throw new IllegalArgumentException("scenario topology: no room for gateway " + g + " (raise"
                            + " topology.masterClients or topology.relayClients, or lower topology.upstreams)");
                }
            }
            int[] p = new int[chosen.size()];
            for (int k = 0; k < p.length; k++) {
                int s = chosen.get(k);
                p[k] = s;
                capacity[s]--;
                if (s >= m) {
                    relay[s] = true;
                }
            }
            peers[g] = p;
            tier[g] = currentTier;
            nextTier.add(g);
        }
        return peers;
    }

    /** Picks up to {@code want} distinct servers with the most room (ties broken by the seeded random). */
    private static List<Integer> pick(List<Integer> servers, int[] capacity, int want, SplittableRandom r) {
        int[] idx = new int[servers.size()];
        double[] key = new double[servers.size()];
        int c = 0;
        for (int s : servers) {
            if (capacity[s] > 0) {
                idx[c] = s;
                key[c] = capacity[s] + r.nextDouble() * 0.5;
                c++;
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < want && k < c; k++) {
            int best = k;
            for (int j = k + 1; j < c; j++) {
                if (key[j] > key[best]) {
                    best = j;
                }
            }
            int ti = idx[k];
            idx[k] = idx[best];
            idx[best] = ti;
            double tk = key[k];
            key[k] = key[best];
            key[best] = tk;
            out.add(idx[k]);
        }
        return out;
    }

    private static int[][] listenersOf(int[][] peersOf) {
        int n = peersOf.length;
        List<List<int[]>> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < peersOf[i].length; k++) {
                l.get(peersOf[i][k]).add(new int[] {i, k});
            }
        }
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            List<int[]> li = l.get(i);
            int[] flat = new int[li.size() * 2];
            for (int k = 0; k < li.size(); k++) {
                flat[2 * k] = li.get(k)[0];
                flat[2 * k + 1] = li.get(k)[1];
            }
            out[i] = flat;
        }
        return out;
    }

    boolean isMaster(int i) {
        return i < masters;
    }

    /** Node {@code i}'s configured peers, in link order (do not modify). */
    int[] peersOf(int i) {
        return peersOf[i];
    }

    int tier(int i) {
        return tier[i];
    }

    /** A gateway serving children. */
    boolean relay(int i) {
        return relay[i];
    }

    /** A gateway that serves no children: only the simulator reads its clock, so its discipline may run apart. */
    boolean leafGateway(int i) {
        return i >= masters && !relay[i];
    }

    /** The {listener, link} pairs (flattened) of the nodes that have node {@code i} as a peer (do not modify). */
    int[] listenersOf(int i) {
        return listeners[i];
    }

    /** The deepest gateway tier (0 without gateways). */
    int tiersMax() {
        int tiers = 0;
        for (int i = masters; i < nodes; i++) {
            tiers = Math.max(tiers, tier[i]);
        }
        return tiers;
    }

    /**
     * Whether a packet from {@code src} to {@code dst} goes upward (the direction that takes the link's asymmetry):
     * gateway to its server, relay child to its parent, master to a lower-numbered master.
     */
    boolean upward(int src, int dst) {
        int m = masters;
        if (src >= m && dst >= m) {
            return tier[src] > tier[dst]; // relay child to its parent
        } else if (src >= m) {
            return true; // gateway to master
        } else if (dst >= m) {
            return false; // master to gateway
        } else {
            return src > dst; // between masters: toward the lower index
        }
    }
}
