package io.ionclock.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The simulator's golden outputs: every shipped scenario at three seeds, the whole output but {@code wallSeconds}
 * (which includes {@code sentDatagramsDigest}, a digest of every datagram sent), recorded under
 * {@code src/test/resources/golden/sim/MODE/}. A refactor that means to change no behaviour must reproduce them
 * exactly ({@link SimGoldenTest}); a change that means to change behaviour re-records them in one commit that says why.
 *
 * <p>Two modes. {@code short} (what the test suite runs): each scenario compressed in time to at most
 * {@link #SHORT_SECONDS} ({@link #SHORT_SECONDS_LARGE} for fleets of over {@link #LARGE_NODES} nodes), its warm-up
 * and every fault's start and end scaled by the same factor, so every fault kind still happens. {@code full}: the
 * scenarios as shipped (about 7 minutes on two cores).
 *
 * <pre>
 *   ./mvnw test -Dtest=SimGoldenTest                                  # check (short)
 *   ./mvnw test -Dtest=SimGoldenTest -Dionclock.golden=full           # check (full)
 *   ./mvnw test -Dtest=SimGoldenTest -Dionclock.golden.record=true    # re-record (add -Dionclock.golden=full for full)
 * </pre>
 */
final class SimGolden {
    static final long[] SEEDS = {1, 2, 3};
    static final double SHORT_SECONDS = 180;
    static final double SHORT_SECONDS_LARGE = 45;
    static final int LARGE_NODES = 1000;
    static final Path DIR = Path.of("src/test/resources/golden/sim");
    static final String RECORD_PROPERTY = "ionclock.golden.record";
    static final String MODE_PROPERTY = "ionclock.golden";

    private SimGolden() {
    }

    static String mode() {
        String m = System.getProperty(MODE_PROPERTY, "short");
        if (!m.equals("short") && !m.equals("full")) {
            throw new IllegalArgumentException(MODE_PROPERTY + " must be short or full: " + m);
        }
        return m;
    }

    static boolean recording() {
        return Boolean.getBoolean(RECORD_PROPERTY);
    }

    /** Every (scenario, seed) case, in a fixed order. */
    static List<Object[]> cases() {
        List<Object[]> out = new ArrayList<>();
        for (String name : SimCommand.BuiltIn.NAMES) {
            for (long seed : SEEDS) {
                out.add(new Object[] {name, seed});
            }
        }
        return out;
    }

    /** The scenario as the mode runs it. */
    @SuppressWarnings("unchecked")
    static String scenarioJson(String name, String mode) {
        String json;
        try {
            json = SimCommand.load(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (mode.equals("full")) {
            return json;
        }
        Map<String, Object> s = (Map<String, Object>) Json.parse(json);
        double duration = ((Number) s.getOrDefault("durationSeconds", 300.0)).doubleValue();
        int nodes = ((Number) s.getOrDefault("masters", 5)).intValue() + ((Number) s.getOrDefault("gateways", 45)).intValue();
        double cap = nodes > LARGE_NODES ? SHORT_SECONDS_LARGE : SHORT_SECONDS;
        double f = Math.min(1, cap / duration);
        s.put("durationSeconds", duration * f);
        if (s.containsKey("warmupSeconds")) {
            s.put("warmupSeconds", ((Number) s.get("warmupSeconds")).doubleValue() * f);
        }
        Object faults = s.get("faults");
        if (faults instanceof List<?> list) {
            for (Object o : list) {
                Map<String, Object> fault = (Map<String, Object>) o;
                for (String k : new String[] {"fromSecond", "toSecond"}) {
                    if (fault.containsKey(k)) {
                        fault.put(k, ((Number) fault.get(k)).doubleValue() * f);
                    }
                }
            }
        }
        return Json.write(s);
    }

    /** Runs one case: the output without {@code wallSeconds}. */
    static Map<String, Object> run(String name, long seed, String mode) {
        Map<String, Object> r = new LinkedHashMap<>(new FleetSim(Scenario.parse(scenarioJson(name, mode)), seed).run());
        r.remove("wallSeconds");
        return r;
    }

    static Path file(String name, long seed, String mode) {
        return DIR.resolve(mode).resolve(name + ".seed" + seed + ".json");
    }

    static void record(String name, long seed, String mode, Map<String, Object> result) {
        Path f = file(name, seed, mode);
        try {
            Files.createDirectories(f.getParent());
            Files.writeString(f, Json.write(result) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The differences from the recorded output, one line a key; empty when there are none. */
    @SuppressWarnings("unchecked")
    static List<String> differences(String name, long seed, String mode, Map<String, Object> result) {
        Path f = file(name, seed, mode);
        if (!Files.isRegularFile(f)) {
            return List.of("no golden file " + f);
        }
        Map<String, Object> golden;
        try {
            golden = (Map<String, Object>) Json.parse(Files.readString(f, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Compare through the writer, so that numbers read back compare with numbers as written.
        Map<String, Object> now = (Map<String, Object>) Json.parse(Json.write(result));
        List<String> out = new ArrayList<>();
        for (var e : golden.entrySet()) {
            Object v = now.get(e.getKey());
            if (!now.containsKey(e.getKey())) {
                out.add(e.getKey() + ": missing (golden " + Json.write(e.getValue()) + ")");
            } else if (!Json.write(e.getValue()).equals(Json.write(v))) {
                out.add(e.getKey() + ": " + Json.write(v) + " (golden " + Json.write(e.getValue()) + ")");
            }
        }
        for (String k : now.keySet()) {
            if (!golden.containsKey(k)) {
                out.add(k + ": new key (" + Json.write(now.get(k)) + ")");
            }
        }
        return out;
    }

    /** {@code java ... io.ionclock.sim.SimGolden [check|record] [short|full] [NAME ...]}: without Maven. */
    public static void main(String[] args) {
        boolean record = args.length > 0 && args[0].equals("record");
        String mode = args.length > 1 ? args[1] : "short";
        List<String> only = args.length > 2 ? List.of(args).subList(2, args.length) : List.of();
        int failed = 0;
        for (Object[] c : cases()) {
            String name = (String) c[0];
            long seed = (Long) c[1];
            if (!only.isEmpty() && !only.contains(name)) {
                continue;
            }
            long t0 = System.nanoTime();
            Map<String, Object> r = run(name, seed, mode);
            double wall = (System.nanoTime() - t0) / 1e9;
            if (record) {
                record(name, seed, mode, r);
                System.out.printf("recorded %s seed %d (%.1f s)%n", name, seed, wall);
            } else {
                List<String> d = differences(name, seed, mode, r);
                System.out.printf("%s %s seed %d (%.1f s)%s%n", d.isEmpty() ? "same" : "DIFFERENT", name, seed, wall,
                        d.isEmpty() ? "" : "\n  " + String.join("\n  ", d));
                failed += d.isEmpty() ? 0 : 1;
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
