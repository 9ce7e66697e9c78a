package io.ionclock.sim;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code ionclock sim SCENARIO [--seed N] [--plot FILE.svg]}: runs a fleet scenario (a JSON file, or the name of one
 * shipped in the jar under {@code scenarios/}) and prints one JSON object on standard output; with {@code --plot}, also
 * draws the run's |offset| (p50, p99) and bound (median, largest) over time into FILE.svg ({@link SvgPlot}). Exit 0 when the run held its
 * promises (no bound or monotonic violation), 1 when it did not (the seed to reproduce it goes to standard error),
 * 2 for bad usage or a bad scenario.
 */
public final class SimCommand {
    public static final int EXIT_OK = 0;
    public static final int EXIT_VIOLATION = 1;
    public static final int EXIT_USAGE = 2;
    public static final long SEED_DEFAULT = 1;
    static final String USAGE = "usage: ionclock sim SCENARIO.json|NAME [--seed N|random] [--plot FILE.svg]   (built in: "
            + String.join(", ", BuiltIn.NAMES) + ")";

    private SimCommand() {
    }

    /** Runs without the application around it: {@code java -cp target/classes io.ionclock.sim.SimCommand ...}. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String scenarioArg = null;
        long seed = SEED_DEFAULT;
        Path plot = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--seed")) {
                if (i + 1 >= args.length) {
                    err.println("sim: --seed needs a value\n" + USAGE);
                    return EXIT_USAGE;
                }
                String v = args[++i];
                if (v.equals("random")) {
                    seed = new java.util.SplittableRandom().nextLong();
                } else {
                    try {
                        seed = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        err.println("sim: --seed must be a whole number or 'random': " + v);
                        return EXIT_USAGE;
                    }
                }
            } else if (a.startsWith("--seed=")) {
                return run(replace(args, i, a.substring(7)), out, err);
            } else if (a.equals("--plot") || a.startsWith("--plot=")) {
                String v = a.startsWith("--plot=") ? a.substring(7) : i + 1 < args.length ? args[++i] : "";
                if (v.isEmpty()) {
                    err.println("sim: --plot needs a file name\n" + USAGE);
                    return EXIT_USAGE;
                }
                plot = Path.of(v);
            } else if (a.equals("-h") || a.equals("--help")) {
                out.println(USAGE);
                return EXIT_OK;
            } else if (scenarioArg == null) {
                scenarioArg = a;
            } else {
                err.println("sim: unexpected argument '" + a + "'\n" + USAGE);
                return EXIT_USAGE;
            }
        }
        if (scenarioArg == null) {
            err.println(USAGE);
            return EXIT_USAGE;
        }
        Scenario scenario;
        try {
            scenario = Scenario.parse(load(scenarioArg));
        } catch (IOException | IllegalArgumentException e) {
            err.println("sim: " + scenarioArg + ": " + e.getMessage());
            return EXIT_USAGE;
        }
        for (String k : scenario.unknownKeys()) {
            err.println("sim: " + scenarioArg + ": ignoring unknown key '" + k + "'");
        }
        Map<String, Object> result;
        FleetSeries series = plot == null ? null
                : new FleetSeries(Math.round(scenario.durationSeconds() * FleetSim.SECOND), scenario.nodes());
        try {
            result = new FleetSim(scenario, seed).run(series);
        } catch (IllegalArgumentException e) {
            err.println("sim: " + scenarioArg + ": " + e.getMessage());
            return EXIT_USAGE;
        }
        out.println(Json.write(result));
        if (plot != null) {
            String title = scenario.name() + ", seed " + seed + ", " + scenario.nodes() + " nodes: |offset| and bound";
            try {
                Files.writeString(plot, SvgPlot.render(series, title, scenario.warmupSeconds(), scenario.durationSeconds()),
                        StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("sim: --plot " + plot + ": " + e);
                return EXIT_USAGE;
            }
        }
        return verdict(result, scenarioArg, seed, err);
    }

    /** Exit code for a result; a failed run names its seed and how to reproduce it. */
    static int verdict(Map<String, Object> result, String scenarioArg, long seed, PrintStream err) {
        long violations = (Long) result.get("boundViolations") + (Long) result.get("monotonicViolations");
        if (violations > 0) {
            err.println("sim: FAILED: " + result.get("boundViolations") + " bound and " + result.get("monotonicViolations")
                    + " monotonic violations (first: " + result.get("firstViolation") + "); seed " + seed
                    + "; reproduce with: ionclock sim " + scenarioArg + " --seed " + seed);
            return EXIT_VIOLATION;
        }
        return EXIT_OK;
    }

    private static String[] replace(String[] args, int i, String seed) {
        String[] r = new String[args.length + 1];
        System.arraycopy(args, 0, r, 0, i);
        r[i] = "--seed";
        r[i + 1] = seed;
        System.arraycopy(args, i + 1, r, i + 2, args.length - i - 1);
        return r;
    }

    /** A path, else a built-in name (with or without .json). */
    static String load(String arg) throws IOException {
        Path p = Path.of(arg);
        if (Files.isRegularFile(p)) {
            if (Files.size(p) > Json.CHARS_MAX) {
                throw new IOException("larger than " + Json.CHARS_MAX + " bytes");
            }
            return Files.readString(p, StandardCharsets.UTF_8);
        }
        String name = arg.endsWith(".json") ? arg.substring(0, arg.length() - 5) : arg;
        if (name.matches("[a-z0-9-]{1,64}")) {
            try (InputStream in = SimCommand.class.getResourceAsStream("/scenarios/" + name + ".json")) {
                if (in != null) {
                    return new String(in.readNBytes(Json.CHARS_MAX), StandardCharsets.UTF_8);
                }
            }
        }
        throw new NoSuchFileException(arg, null, "no such file and no built-in scenario of that name");
    }

    /** The scenarios shipped in the jar. */
    static final class BuiltIn {
        static final String[] NAMES = {"lan-50", "lan-50-clean", "wan-50", "faulty-30", "asymmetric-50", "partition-50", "fleet-10000"};
    }
}
