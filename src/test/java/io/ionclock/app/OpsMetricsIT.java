package io.ionclock.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ionclock.testing.ApplianceProcess;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric the rules (ops/prometheus/ionclock-rules.yml) and the dashboards (ops/grafana/*.json) name is one a
 * packaged appliance exports. The appliance runs every subsystem that has metrics: the sim reference, Clocklink as a
 * master with one configured peer (a silent port, so the per-peer metrics exist), the NTP client (a silent server)
 * and the NTP server. Names are taken from the PromQL roughly: identifiers {@code ionclock_[a-z0-9_]+}; a histogram's
 * {@code _bucket}, {@code _sum} and {@code _count} count as its name; recording rules' outputs ({@code ionclock:...})
 * are not metrics.
 */
class OpsMetricsIT {
    static final Duration SYNC_DEADLINE = Duration.ofSeconds(45);
    static final Pattern METRIC = Pattern.compile("(?<![a-z0-9_:])ionclock_[a-z0-9_]+");
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path RULES = Path.of("ops/prometheus/ionclock-rules.yml");
    static final Path DASHBOARDS = Path.of("ops/grafana");

    @TempDir
    Path dir;

    /** Metric names in the rules (comments, names and annotations left out) and in the dashboards' queries. */
    static Set<String> referenced() throws Exception {
        Set<String> names = new TreeSet<>();
        StringBuilder rules = new StringBuilder();
        for (String line : Files.readAllLines(RULES)) {
            String t = line.strip();
            if (!t.startsWith("#") && !t.matches("^(- )?(record|alert|summary|description|runbook_url|severity):.*")) {
                rules.append(t).append('\n');
            }
        }
        collect(rules, names);
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                for (JsonNode panel : JSON.readTree(f.toFile()).path("panels")) {
                    for (JsonNode target : panel.path("targets")) {
                        collect(target.path("expr").asText(), names);
                    }
                }
            }
        }
        return names;
    }

    private static void collect(CharSequence promql, Set<String> names) {
        Matcher m = METRIC.matcher(promql);
        while (m.find()) {
            names.add(m.group());
        }
    }

    /** Metric names in Prometheus text. */
    static Set<String> exported(String text) {
        Set<String> names = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    static boolean isExported(String name, Set<String> exported) {
        if (exported.contains(name)) {
            return true;
        }
        for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            if (name.endsWith(suffix) && exported.contains(name.substring(0, name.length() - suffix.length()) + "_bucket")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyMetricTheRulesAndDashboardsNameIsExported() throws Exception {
        Set<String> referenced = referenced();
        assertTrue(referenced.size() > 40, "the rough PromQL parse found too few names: " + referenced);
        Path keyFile = dir.resolve("clocklink.keys");
        byte[] secret = new byte[32];
        new SplittableRandom(21).nextBytes(secret);
        Files.writeString(keyFile, "1 SHA256 HEX:" + HexFormat.of().withUpperCase().formatHex(secret) + "\n");
        // Two bound, silent UDP ports: a peer master and an NTP server that never answer.
        try (DatagramSocket silentPeer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                DatagramSocket silentNtp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ApplianceProcess app = ApplianceProcess.start(System.getProperty("ionclock.jar"), dir, "ops", Map.of(
                        "IONCLOCK_REFERENCE", "sim", "IONCLOCK_SYNC_ROLE", "master", "IONCLOCK_SYNC_PORT", "0",
                        "IONCLOCK_SYNC_NODE_ID", "ops", "IONCLOCK_SYNC_KEY_FILE", keyFile.toString(),
                        "IONCLOCK_SYNC_PEERS", "127.0.0.1:" + silentPeer.getLocalPort(),
                        "IONCLOCK_NTP_SERVERS", "127.0.0.1:" + silentNtp.getLocalPort(),
                        "IONCLOCK_NTP_SERVER", "true", "IONCLOCK_NTP_PORT", "0"))) {
            long end = System.nanoTime() + SYNC_DEADLINE.toNanos();
            String status = "";
            while (System.nanoTime() < end && app.process().isAlive()) {
                status = app.get("/api/v1/time").body();
                if (status.contains("\"SYNCHRONIZED\"")) {
                    break;
                }
                app.process().waitFor(200, TimeUnit.MILLISECONDS);
            }
            assertTrue(status.contains("\"SYNCHRONIZED\""), "not SYNCHRONIZED within " + SYNC_DEADLINE + ": " + status
                    + "\nlog:\n" + app.logText());
            String metrics = app.get("/q/metrics").body();
            Set<String> exported = exported(metrics);
            Set<String> missing = new TreeSet<>();
            for (String name : referenced) {
                if (!isExported(name, exported)) {
                    missing.add(name);
                }
            }
            assertTrue(missing.isEmpty(), "named by ops/ rules or dashboards but not exported: " + missing
                    + "\nexported: " + exported);
        }
    }
}
