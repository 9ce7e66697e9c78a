package io.ionclock.sim;

import io.ionclock.core.clocklink.ClocklinkConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fleet scenario (docs/simulation.md): the fleet, its links, its oscillators and its faults. Parsed from
 * JSON with defaults for what is left out; every value is checked against a named limit and an error names
 * the key. Keys the simulator does not know are reported in {@link #unknownKeys()} and otherwise ignored.
 */
public record Scenario(
        String name,
        double durationSeconds,
        double warmupSeconds,
        int masters,
        int gateways,
        double roundMillis,
        Reference reference,
        Oscillator oscillator,
        Link link,
        Topology topology,
        List<Fault> faults,
        double convergenceMicros,
        List<String> unknownKeys) {

    public static final int NODES_MAX = 50_000;
    public static final double DURATION_SECONDS_MAX = 86_400;
    public static final int FAULTS_MAX = 64;

    public record Reference(double jitterNanos, double boundNanos) {
    }

    public record Oscillator(double frequencyPpmMax, double wanderPpbPerSqrtSecond) {
    }

    /** {@code jitter}: "exponential" (mean jitterMicros) or "gaussian" (sigma jitterMicros, delay never below 0). */
    public record Link(double delayMicros, String jitter, double jitterMicros, double asymmetryMicros,
            double lossPercent, double timestampJitterNanos) {
        public boolean exponential() {
            return jitter.equals("exponential");
        }
    }

    /**
     * How the fleet is wired (all optional).
     *
     * @param upstreams        upstream servers each gateway polls (default: every master, up to 16, while the masters
     *                         can answer them all every round; at least min(masters, 4))
     * @param masterClients    client links a master serves at most (default 4096, the core's limit)
     * @param relayClients     client links a relay gateway serves at most (default 32)
     * @param pollMillis       a gateway's fastest steady poll (default: the round, the appliance's); its servers slow it
     * @param fastTrackCycles  cycles at the round period after start (default 300)
     * @param filterWindowSeconds each link's longest filter window (default 1024, the appliance's)
     * @param sampleMillis     a node's sample period (default 0: the appliance's automatic period)
     * @param clientRequestsPerRound client requests a server answers per round on average (default: the appliance's)
     * @param budgetBytesPerSecond a gateway's steady traffic budget (default: the appliance's; 0: none)
     */
    public record Topology(int upstreams, int masterClients, int relayClients, double pollMillis, int fastTrackCycles,
            double filterWindowSeconds, double sampleMillis, int clientRequestsPerRound, long budgetBytesPerSecond) {
    }

    /**
     * One fault. kind: liar, two-faced, crash, partition, reference-loss, join (a leaf gateway that boots cold at
     * fromSecond: an event, not a fault of the node's). role: master, gateway, any.
     * offsetMicros: liar and two-faced. fraction: partition. toSecond: end (partition, reference-loss, crash; default never).
     */
    public record Fault(String kind, int count, String role, double offsetMicros, double fraction, double fromSecond,
            double toSecond) {
    }

    public int nodes() {
        return masters + gateways;
    }

    public static Scenario parse(String json) {
        Object root = Json.parse(json);
        if (!(root instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("scenario: the top level must be an object");
        }
        List<String> unknown = new ArrayList<>();
        Obj o = new Obj(m, "", unknown, Set.of("name", "durationSeconds", "warmupSeconds", "masters", "gateways",
                "roundMillis", "reference", "oscillator", "link", "faults", "topology", "convergenceMicros", "description"));
        String name = o.string("name", "unnamed");
        double duration = o.number("durationSeconds", 300, 1, DURATION_SECONDS_MAX);
        double warmup = o.number("warmupSeconds", Math.min(100, duration / 3), 0, duration - 0.1);
        int masters = o.integer("masters", 5, 1, 28);
        int gateways = o.integer("gateways", 45, 0, NODES_MAX - masters);
        double round = o.number("roundMillis", 100, 10, 10_000);

        Obj r = o.child("reference", Set.of("jitterNanos", "boundNanos"));
        double refJitter = r.number("jitterNanos", 50, 0, 1e8);
        double refBound = r.number("boundNanos", Math.max(100, 3 * refJitter), 1, 1e9);
        if (refBound < refJitter) {
            throw new IllegalArgumentException("scenario reference.boundNanos must be >= jitterNanos (the noise is clipped at the bound)");
        }

        Obj osc = o.child("oscillator", Set.of("frequencyPpmMax", "wanderPpbPerSqrtSecond"));
        double ppm = osc.number("frequencyPpmMax", 50, 0, 500);
        double wander = osc.number("wanderPpbPerSqrtSecond", 1.0, 0, 1000);

        Obj l = o.child("link", Set.of("delayMicros", "jitter", "jitterMicros", "asymmetryMicros", "lossPercent",
                "timestampJitterNanos"));
        double delay = l.number("delayMicros", 500, 0, 10_000_000);
        String jitter = l.string("jitter", "exponential");
        if (!jitter.equals("exponential") && !jitter.equals("gaussian")) {
            throw new IllegalArgumentException("scenario link.jitter must be 'exponential' or 'gaussian': '" + jitter + "'");
        }
        double jitterMicros = l.number("jitterMicros", 50, 0, 10_000_000);
        double asym = l.number("asymmetryMicros", 0, 0, 10_000_000);
        double loss = l.number("lossPercent", 0, 0, 50);
        double tsJitter = l.number("timestampJitterNanos", 0, 0, 10_000_000);

        Obj t = o.child("topology", Set.of("upstreams", "masterClients", "relayClients", "pollMillis", "fastTrackCycles",
                "filterWindowSeconds", "sampleMillis", "clientRequestsPerRound", "budgetBytesPerSecond"));
        int perRound = t.integer("clientRequestsPerRound", ClocklinkConfig.CLIENT_REQUESTS_PER_ROUND_DEFAULT, 1,
                ClocklinkConfig.CLIENTS_MAX_LIMIT);
        int upstreams = t.integer("upstreams", upstreamsDefault(masters, gateways, perRound), 1, UPSTREAMS_MAX);
        int masterClients = t.integer("masterClients", ClocklinkConfig.CLIENTS_MAX_LIMIT, 1, ClocklinkConfig.CLIENTS_MAX_LIMIT);
        int relayClients = t.integer("relayClients", 32, 0, ClocklinkConfig.CLIENTS_MAX_LIMIT);
        double poll = t.number("pollMillis", Math.max(ClocklinkConfig.POLL_NANOS_DEFAULT / 1e6, round), round, 1_024_000);
        int fastTrack = t.integer("fastTrackCycles", 300, 0, 100_000);
        double window = t.number("filterWindowSeconds", ClocklinkConfig.FILTER_WINDOW_NANOS_DEFAULT / 1e9, 1, 3600);
        double sample = t.number("sampleMillis", 0, 0, 1_024_000);
        long budget = Math.round(t.number("budgetBytesPerSecond", ClocklinkConfig.BUDGET_BYTES_PER_SECOND_DEFAULT, 0,
                ClocklinkConfig.BUDGET_BYTES_PER_SECOND_MAX));

        double convergence = o.number("convergenceMicros", 10, 0.001, 1e9);

        List<Fault> faults = new ArrayList<>();
        Object fl = m.get("faults");
        if (fl != null) {
            if (!(fl instanceof List<?> list)) {
                throw new IllegalArgumentException("scenario faults must be an array");
            }
            if (list.size() > FAULTS_MAX) {
                throw new IllegalArgumentException("scenario faults: at most " + FAULTS_MAX);
            }
            for (int k = 0; k < list.size(); k++) {
                if (!(list.get(k) instanceof Map<?, ?> fm)) {
                    throw new IllegalArgumentException("scenario faults[" + k + "] must be an object");
                }
                Obj f = new Obj(fm, "faults[" + k + "].", unknown,
                        Set.of("kind", "count", "role", "offsetMicros", "fraction", "fromSecond", "toSecond"));
                String kind = f.string("kind", null);
                if (!Set.of("liar", "two-faced", "crash", "partition", "reference-loss", "join").contains(kind)) {
                    throw new IllegalArgumentException("scenario faults[" + k + "].kind must be liar, two-faced, crash,"
                            + " partition, reference-loss or join: '" + kind + "'");
                }
                String role = f.string("role", kind.equals("reference-loss") ? "master" : "any");
                if (!Set.of("master", "gateway", "any").contains(role)) {
                    throw new IllegalArgumentException("scenario faults[" + k + "].role must be master, gateway or any");
                }
                if (kind.equals("join") && !role.equals("gateway") && !role.equals("any")) {
                    throw new IllegalArgumentException("scenario faults[" + k + "]: only gateways join late");
                }
                if (kind.equals("reference-loss") && role.equals("gateway")) {
                    throw new IllegalArgumentException("scenario faults[" + k + "]: only masters have a reference to lose");
                }
                int count = f.integer("count", kind.equals("partition") ? 0 : 1, 0, NODES_MAX);
                double offset = f.number("offsetMicros", kind.equals("liar") || kind.equals("two-faced") ? 100 : 0, -1e7, 1e7);
                double fraction = f.number("fraction", kind.equals("partition") ? 0.1 : 0, 0, 1);
                double from = f.number("fromSecond", 0, 0, duration);
                double to = f.number("toSecond", Double.POSITIVE_INFINITY, from, Double.POSITIVE_INFINITY);
                faults.add(new Fault(kind, count, role, offset, fraction, from, to));
            }
        }
        return new Scenario(name, duration, warmup, masters, gateways, round, new Reference(refJitter, refBound),
                new Oscillator(ppm, wander), new Link(delay, jitter, jitterMicros, asym, loss, tsJitter),
                new Topology(upstreams, masterClients, relayClients, poll, fastTrack, window, sample, perRound, budget), List.copyOf(faults),
                convergence, List.copyOf(unknown));
    }

    public static final int UPSTREAMS_MAX = ClocklinkConfig.UPSTREAMS_MAX;

    /**
     * Upstreams per gateway when the scenario does not say: every master (up to 16, for the most fault tolerance)
     * while the masters can still answer every gateway every round ({@code gateways x upstreams <= masters x
     * clientRequestsPerRound}); fewer as the fleet grows, but never under 4 (f = 1) or the masters there are. A
     * gateway's traffic is set by its servers' load, not by its upstreams, and fewer links each polled more often
     * filter better, so a large fleet takes the fewest that tolerate a fault.
     */
    static int upstreamsDefault(int masters, int gateways, int perRound) {
        int most = Math.min(masters, UPSTREAMS_MAX);
        int least = Math.min(masters, 4);
        long fit = gateways == 0 ? most : (long) masters * perRound / gateways;
        return (int) Math.max(least, Math.min(most, fit));
    }

    /** One JSON object with typed, range-checked getters; unknown keys are collected. */
    private static final class Obj {
        private final Map<?, ?> m;
        private final String prefix;
        private final List<String> unknown;

        Obj(Map<?, ?> m, String prefix, List<String> unknown, Set<String> known) {
            this.m = m;
            this.prefix = prefix;
            this.unknown = unknown;
            for (Object k : m.keySet()) {
                if (!known.contains(k)) {
                    unknown.add(prefix + k);
                }
            }
        }

        Obj child(String key, Set<String> known) {
            Object v = m.get(key);
            if (v == null) {
                return new Obj(Map.of(), prefix + key + ".", unknown, known);
            }
            if (!(v instanceof Map<?, ?> cm)) {
                throw new IllegalArgumentException("scenario " + prefix + key + " must be an object");
            }
            return new Obj(cm, prefix + key + ".", unknown, known);
        }

        String string(String key, String dflt) {
            Object v = m.get(key);
            if (v == null) {
                if (dflt == null) {
                    throw new IllegalArgumentException("scenario " + prefix + key + " is required");
                }
                return dflt;
            }
            if (!(v instanceof String s)) {
                throw new IllegalArgumentException("scenario " + prefix + key + " must be a string");
            }
            return s;
        }

        double number(String key, double dflt, double min, double max) {
            Object v = m.get(key);
            if (v == null) {
                return dflt;
            }
            if (!(v instanceof Double d) || d.isNaN()) {
                throw new IllegalArgumentException("scenario " + prefix + key + " must be a number");
            }
            if (d < min || d > max) {
                throw new IllegalArgumentException("scenario " + prefix + key + " must be " + min + ".." + max + ": " + d);
            }
            return d;
        }

        int integer(String key, int dflt, int min, int max) {
            double d = number(key, dflt, min, max);
            if (d != Math.rint(d)) {
                throw new IllegalArgumentException("scenario " + prefix + key + " must be a whole number: " + d);
            }
            return (int) d;
        }
    }
}
