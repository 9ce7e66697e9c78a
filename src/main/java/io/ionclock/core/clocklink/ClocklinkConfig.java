package io.ionclock.core.clocklink;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A Clocklink node's configuration, validated here (TigerStyle preconditions); the app maps
 * {@code ionclock.sync.*} onto it and reports a violation with the key's name. Build one with
 * {@link #master} or {@link #gateway} and the {@code with...} methods.
 *
 * @param role                  MASTER (has a reference, takes part in elections) or GATEWAY (follows)
 * @param nodeId                the node's name, 1..31 bytes of UTF-8 (default in the app: the host name)
 * @param incarnation           0..2^31-1, larger at every start (the adapter: epoch seconds - 1.6e9): the
 *                              high half of every sequence number, so a restarted node is not taken for a replay
 * @param seed                  seeds the node's randomised timers (election timeout, cycle phase)
 * @param keys                  the keyfile's keys; the node signs with {@link ClocklinkKeys#sendKeyId()}
 * @param peers                 a master: the other masters; a gateway: its upstream servers (masters or relays)
 * @param roundPeriodNanos      the round among masters, and a gateway's poll while fast-tracking (default 100 ms)
 * @param pollPeriodNanos       a gateway's fastest steady poll of its upstreams (a master polls every round); it polls
 *                              slower when its servers ask for it (see {@link #clientRequestsPerRound})
 * @param fastTrackCycles       after start or after losing every source a gateway polls at the round period (or as
 *                              fast as its servers allow) for this many rounds' time
 * @param clientsMax            joined clients served at most (masters: gateways; gateways: relay children)
 * @param serveClients          a gateway answers joined children (relay); masters always serve
 * @param timestampErrorNanos   bound on each of this node's own timestamps' error (where the transport takes them)
 * @param frequencyTolerancePpb the local oscillator's worst frequency error: honest intervals are carried across
 *                              time with it
 * @param disciplineFrequencyPpbMax the local discipline's frequencyPpbMax (its slope is used once its noise is under
 *                              this): the automatic sample period spreads samples enough for it
 * @param filterWindowNanos     each link's longest filter window: the node sizes each link's window within it from
 *                              the link's measured jitter, its poll period and the oscillator's wander
 * @param samplePeriodNanos     at most one Sample per this; 0: automatic (see {@link ClocklinkNode})
 * @param precisionFloorNanos   disagreements below this are never held against a source
 * @param clientRequestsPerRound a server answers its joined clients at most this many requests per round on average:
 *                              with more clients than this it asks each to poll every {@code round x clients / this}
 *                              (per-node traffic stays flat as a fleet grows)
 * @param wanderPpbPerSqrtSecond the local oscillator's frequency random walk (ppb per sqrt(s)): with the jitter it sets
 *                              how long a filter window pays (a longer window averages more jitter, a wandering
 *                              oscillator bends the line it fits)
 * @param budgetBytesPerSecond  a gateway's steady traffic budget (its requests and their answers, UDP payload bytes a
 *                              second): in a loaded fleet ({@link Wire#FLAG_LOADED}), after fast-tracking, it polls its
 *                              upstreams no faster than this allows; 0: no budget (the servers' pace alone)
 */
public record ClocklinkConfig(
        Role role,
        String nodeId,
        int incarnation,
        long seed,
        ClocklinkKeys keys,
        List<Peer> peers,
        long roundPeriodNanos,
        long pollPeriodNanos,
        int fastTrackCycles,
        int clientsMax,
        boolean serveClients,
        long timestampErrorNanos,
        long frequencyTolerancePpb,
        long disciplineFrequencyPpbMax,
        long filterWindowNanos,
        long samplePeriodNanos,
        long precisionFloorNanos,
        int clientRequestsPerRound,
        double wanderPpbPerSqrtSecond,
        long budgetBytesPerSecond) {

    public enum Role { MASTER, GATEWAY }

    /**
     * A configured peer.
     *
     * @param addressToken the adapter's token for its address (what {@link ClocklinkNode.Outbox#send} gets)
     * @param label        how status names it until it tells its name (e.g. {@code host:port})
     */
    public record Peer(long addressToken, String label) {
        public Peer {
            if (label == null || label.isEmpty() || label.length() > 255) {
                throw new IllegalArgumentException("peer label must be 1..255 characters");
            }
        }
    }

    /** Masters in one fleet at most (the leader's update lists them all in one message). */
    public static final int MASTERS_MAX = Wire.UPDATE_ENTRIES_MAX;
    /** Upstream servers a gateway takes at most. */
    public static final int UPSTREAMS_MAX = 16;
    /** Clients a node may serve at most. */
    public static final int CLIENTS_MAX_LIMIT = 4096;
    public static final long ROUND_NANOS_MIN = 10_000_000L;
    public static final long ROUND_NANOS_MAX = 10_000_000_000L;
    public static final long POLL_NANOS_MAX = 1_024_000_000_000L;
    public static final long FILTER_WINDOW_NANOS_MIN = 1_000_000_000L;
    public static final long FILTER_WINDOW_NANOS_MAX = 3_600_000_000_000L;
    public static final long TIMESTAMP_ERROR_NANOS_MAX = 100_000_000L;

    public static final long ROUND_NANOS_DEFAULT = 100_000_000L;
    /** A gateway's fastest poll: every round (its servers slow it down when they are busy). */
    public static final long POLL_NANOS_DEFAULT = ROUND_NANOS_DEFAULT;
    public static final int FAST_TRACK_CYCLES_DEFAULT = 300;
    public static final int CLIENTS_MAX_DEFAULT = 64;
    /** The longest filter window by default (a link on a LAN at 10 Hz uses about a minute of it, a WAN link more). */
    public static final long FILTER_WINDOW_NANOS_DEFAULT = 1_024_000_000_000L;
    public static final long PRECISION_FLOOR_NANOS_DEFAULT = 2_000;
    /**
     * Client requests a server answers per round on average, by default: 256 (2,560 a second, at most about 215 kB/s of
     * answers): 4,096 clients on the default budget poll a master about every 2.1 s, under this.
     */
    public static final int CLIENT_REQUESTS_PER_ROUND_DEFAULT = 256;
    /**
     * The share of the budget a gateway's polls take. The rest covers its re-probes and retries (about a sixth of its
     * requests) and its share of the masters' mesh (m x (m - 1) exchanges a round: 50 B/s a node for 20 masters and
     * 10,000 nodes), so that the fleet's mean stays within the budget.
     */
    public static final double BUDGET_POLL_SHARE = 0.7;
    /** The oscillator's assumed frequency random walk by default: 1 ppb per sqrt(s) (a plain crystal). */
    public static final double WANDER_PPB_PER_SQRT_SECOND_DEFAULT = 1.0;
    public static final double WANDER_PPB_PER_SQRT_SECOND_MAX = 1000;
    /**
     * A gateway's steady traffic budget by default: 250 bytes a second (the seed's 2 kb/s), so 4 upstreams are each
     * polled about every 3.2 s in a loaded fleet. More bytes buy accuracy (docs/benchmarks.md).
     */
    public static final long BUDGET_BYTES_PER_SECOND_DEFAULT = 250;
    public static final long BUDGET_BYTES_PER_SECOND_MAX = 1_000_000_000L;
    /** One exchange: a SYNC_REQUEST and its SYNC_RESPONSE (UDP payload bytes), what the budget counts. */
    public static final int EXCHANGE_BYTES = Wire.SYNC_REQUEST_SIZE_BYTES + Wire.SYNC_RESPONSE_V2_SIZE_BYTES;

    public ClocklinkConfig {
        check(role != null, "role is required");
        check(nodeId != null, "nodeId is required");
        int nameBytes = nodeId.getBytes(StandardCharsets.UTF_8).length;
        check(nameBytes >= 1 && nameBytes <= Wire.NAME_BYTES_MAX, "nodeId must be 1.." + Wire.NAME_BYTES_MAX
                + " bytes of UTF-8: '" + nodeId + "'");
        check(nodeId.chars().noneMatch(c -> c < 0x20 || c == 0x7F), "nodeId must not hold control characters");
        check(incarnation >= 0, "incarnation must be 0..2^31-1: " + incarnation);
        check(keys != null, "keys are required");
        check(peers != null, "peers are required (may be empty for a lone master)");
        peers = List.copyOf(peers);
        if (role == Role.MASTER) {
            check(peers.size() + 1 <= MASTERS_MAX, "at most " + MASTERS_MAX + " masters: " + (peers.size() + 1));
        } else {
            check(!peers.isEmpty(), "a gateway needs at least one upstream peer");
            check(peers.size() <= UPSTREAMS_MAX, "at most " + UPSTREAMS_MAX + " upstream peers: " + peers.size());
        }
        Set<Long> tokens = new HashSet<>();
        for (Peer p : peers) {
            check(tokens.add(p.addressToken()), "peer listed twice: " + p.label());
        }
        check(roundPeriodNanos >= ROUND_NANOS_MIN && roundPeriodNanos <= ROUND_NANOS_MAX,
                "roundPeriodNanos must be " + ROUND_NANOS_MIN + ".." + ROUND_NANOS_MAX + ": " + roundPeriodNanos);
        check(pollPeriodNanos >= roundPeriodNanos && pollPeriodNanos <= POLL_NANOS_MAX,
                "pollPeriodNanos must be roundPeriodNanos.." + POLL_NANOS_MAX + ": " + pollPeriodNanos);
        check(fastTrackCycles >= 0 && fastTrackCycles <= 100_000, "fastTrackCycles must be 0..100000: " + fastTrackCycles);
        check(clientsMax >= 0 && clientsMax <= CLIENTS_MAX_LIMIT, "clientsMax must be 0.." + CLIENTS_MAX_LIMIT + ": " + clientsMax);
        check(timestampErrorNanos >= 0 && timestampErrorNanos <= TIMESTAMP_ERROR_NANOS_MAX,
                "timestampErrorNanos must be 0.." + TIMESTAMP_ERROR_NANOS_MAX + ": " + timestampErrorNanos);
        check(frequencyTolerancePpb > 0 && frequencyTolerancePpb < 100_000_000L,
                "frequencyTolerancePpb must be 1..1e8: " + frequencyTolerancePpb);
        check(disciplineFrequencyPpbMax > 0 && disciplineFrequencyPpbMax < 100_000_000L,
                "disciplineFrequencyPpbMax must be 1..1e8: " + disciplineFrequencyPpbMax);
        check(filterWindowNanos >= FILTER_WINDOW_NANOS_MIN && filterWindowNanos <= FILTER_WINDOW_NANOS_MAX,
                "filterWindowNanos must be " + FILTER_WINDOW_NANOS_MIN + ".." + FILTER_WINDOW_NANOS_MAX + ": " + filterWindowNanos);
        check(samplePeriodNanos >= 0 && samplePeriodNanos <= POLL_NANOS_MAX, "samplePeriodNanos must be 0.." + POLL_NANOS_MAX);
        check(precisionFloorNanos >= 0 && precisionFloorNanos <= 1_000_000_000L, "precisionFloorNanos must be 0..1e9");
        check(budgetBytesPerSecond >= 0 && budgetBytesPerSecond <= BUDGET_BYTES_PER_SECOND_MAX,
                "budgetBytesPerSecond must be 0.." + BUDGET_BYTES_PER_SECOND_MAX + ": " + budgetBytesPerSecond);
        check(clientRequestsPerRound >= 1 && clientRequestsPerRound <= CLIENTS_MAX_LIMIT,
                "clientRequestsPerRound must be 1.." + CLIENTS_MAX_LIMIT + ": " + clientRequestsPerRound);
        check(wanderPpbPerSqrtSecond > 0 && wanderPpbPerSqrtSecond <= WANDER_PPB_PER_SQRT_SECOND_MAX,
                "wanderPpbPerSqrtSecond must be > 0 and <= " + WANDER_PPB_PER_SQRT_SECOND_MAX + ": " + wanderPpbPerSqrtSecond);
    }

    /** A master with defaults: 100 ms rounds, 64 clients answered every round (more are asked to poll slower). */
    public static ClocklinkConfig master(String nodeId, int incarnation, ClocklinkKeys keys, List<Peer> otherMasters) {
        return new ClocklinkConfig(Role.MASTER, nodeId, incarnation, Wire.nodeNumber(nodeId), keys, otherMasters,
                ROUND_NANOS_DEFAULT, ROUND_NANOS_DEFAULT, FAST_TRACK_CYCLES_DEFAULT, CLIENTS_MAX_DEFAULT, true, 50_000,
                500_000, 500_000, FILTER_WINDOW_NANOS_DEFAULT, 0, PRECISION_FLOOR_NANOS_DEFAULT,
                CLIENT_REQUESTS_PER_ROUND_DEFAULT, WANDER_PPB_PER_SQRT_SECOND_DEFAULT, BUDGET_BYTES_PER_SECOND_DEFAULT);
    }

    /** A gateway with defaults: polls its upstreams every round unless they ask for less, serves no children. */
    public static ClocklinkConfig gateway(String nodeId, int incarnation, ClocklinkKeys keys, List<Peer> upstreams) {
        return new ClocklinkConfig(Role.GATEWAY, nodeId, incarnation, Wire.nodeNumber(nodeId), keys, upstreams,
                ROUND_NANOS_DEFAULT, POLL_NANOS_DEFAULT, FAST_TRACK_CYCLES_DEFAULT, CLIENTS_MAX_DEFAULT, false, 50_000,
                500_000, 500_000, FILTER_WINDOW_NANOS_DEFAULT, 0, PRECISION_FLOOR_NANOS_DEFAULT,
                CLIENT_REQUESTS_PER_ROUND_DEFAULT, WANDER_PPB_PER_SQRT_SECOND_DEFAULT, BUDGET_BYTES_PER_SECOND_DEFAULT);
    }

    public ClocklinkConfig withSeed(long s) {
        return copy(c -> c.seed = s);
    }

    public ClocklinkConfig withPeriods(long roundNanos, long pollNanos) {
        return copy(c -> {
            c.roundPeriodNanos = roundNanos;
            c.pollPeriodNanos = pollNanos;
        });
    }

    public ClocklinkConfig withFastTrackCycles(int cycles) {
        return copy(c -> c.fastTrackCycles = cycles);
    }

    public ClocklinkConfig withClients(int max, boolean serve) {
        return copy(c -> {
            c.clientsMax = max;
            c.serveClients = serve;
        });
    }

    public ClocklinkConfig withTiming(long tsErrorNanos, long tolerancePpb, long windowNanos) {
        return copy(c -> {
            c.timestampErrorNanos = tsErrorNanos;
            c.frequencyTolerancePpb = tolerancePpb;
            c.filterWindowNanos = windowNanos;
        });
    }

    public ClocklinkConfig withDisciplineFrequencyPpbMax(long ppb) {
        return copy(c -> c.disciplineFrequencyPpbMax = ppb);
    }

    public ClocklinkConfig withSampling(long samplePeriodNanos, long precisionFloorNanos) {
        return copy(c -> {
            c.samplePeriodNanos = samplePeriodNanos;
            c.precisionFloorNanos = precisionFloorNanos;
        });
    }

    public ClocklinkConfig withKeys(ClocklinkKeys k) {
        return copy(c -> c.keys = k);
    }

    /** A server's client load: {@code requestsPerRound} client requests per round on average (1..CLIENTS_MAX_LIMIT). */
    public ClocklinkConfig withClientRequestsPerRound(int requestsPerRound) {
        return copy(c -> c.clientRequestsPerRound = requestsPerRound);
    }

    /** A gateway's steady traffic budget, payload bytes a second (0: none). */
    public ClocklinkConfig withBudget(long bytesPerSecond) {
        return copy(c -> c.budgetBytesPerSecond = bytesPerSecond);
    }

    /**
     * The fastest steady poll the budget allows a gateway with {@code links} upstreams: each poll is one exchange a
     * link, and the polls take {@link #BUDGET_POLL_SHARE} of the budget; 0 without a budget.
     */
    public long budgetPollNanos(int links) {
        return budgetBytesPerSecond == 0 ? 0
                : (long) Math.ceil((double) links * EXCHANGE_BYTES * 1e9 / (BUDGET_POLL_SHARE * budgetBytesPerSecond));
    }

    /** The local oscillator's frequency random walk, ppb per sqrt(s) (it sizes the filter windows). */
    public ClocklinkConfig withWander(double ppbPerSqrtSecond) {
        return copy(c -> c.wanderPpbPerSqrtSecond = ppbPerSqrtSecond);
    }

    /** This configuration with {@code change} applied to a copy of its fields (validated again, as every new one). */
    private ClocklinkConfig copy(java.util.function.Consumer<Fields> change) {
        Fields f = new Fields(this);
        change.accept(f);
        return f.build();
    }

    /** The components as mutable fields: the one place that lists them all for the {@code with...} methods. */
    private static final class Fields {
        Role role;
        String nodeId;
        int incarnation;
        long seed;
        ClocklinkKeys keys;
        List<Peer> peers;
        long roundPeriodNanos;
        long pollPeriodNanos;
        int fastTrackCycles;
        int clientsMax;
        boolean serveClients;
        long timestampErrorNanos;
        long frequencyTolerancePpb;
        long disciplineFrequencyPpbMax;
        long filterWindowNanos;
        long samplePeriodNanos;
        long precisionFloorNanos;
        int clientRequestsPerRound;
        double wanderPpbPerSqrtSecond;
        long budgetBytesPerSecond;

        Fields(ClocklinkConfig c) {
            role = c.role;
            nodeId = c.nodeId;
            incarnation = c.incarnation;
            seed = c.seed;
            keys = c.keys;
            peers = c.peers;
            roundPeriodNanos = c.roundPeriodNanos;
            pollPeriodNanos = c.pollPeriodNanos;
            fastTrackCycles = c.fastTrackCycles;
            clientsMax = c.clientsMax;
            serveClients = c.serveClients;
            timestampErrorNanos = c.timestampErrorNanos;
            frequencyTolerancePpb = c.frequencyTolerancePpb;
            disciplineFrequencyPpbMax = c.disciplineFrequencyPpbMax;
            filterWindowNanos = c.filterWindowNanos;
            samplePeriodNanos = c.samplePeriodNanos;
            precisionFloorNanos = c.precisionFloorNanos;
            clientRequestsPerRound = c.clientRequestsPerRound;
            wanderPpbPerSqrtSecond = c.wanderPpbPerSqrtSecond;
            budgetBytesPerSecond = c.budgetBytesPerSecond;
        }

        ClocklinkConfig build() {
            return new ClocklinkConfig(role, nodeId, incarnation, seed, keys, peers, roundPeriodNanos, pollPeriodNanos,
                    fastTrackCycles, clientsMax, serveClients, timestampErrorNanos, frequencyTolerancePpb,
                    disciplineFrequencyPpbMax, filterWindowNanos, samplePeriodNanos, precisionFloorNanos,
                    clientRequestsPerRound, wanderPpbPerSqrtSecond, budgetBytesPerSecond);
        }
    }

    public int nodeNumber() {
        return Wire.nodeNumber(nodeId);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
