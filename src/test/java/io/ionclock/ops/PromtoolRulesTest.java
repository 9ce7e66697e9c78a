package io.ionclock.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ionclock.testing.Peers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus rules under ops/prometheus load as they are ({@code promtool check rules}), every alert has a
 * unit test that fires it and one that does not, those tests pass ({@code promtool test rules}), and every alert's
 * runbook_url names a section of docs/runbooks.md. The Grafana dashboards under ops/grafana import as they are (a
 * {@code DS_PROMETHEUS} datasource variable every panel uses) and their queries parse.
 */
class PromtoolRulesTest {
    static final Path RULES = Path.of("ops/prometheus/ionclock-rules.yml");
    static final Path RULE_TESTS = Path.of("ops/prometheus/ionclock-rules.test.yml");
    static final Path RUNBOOKS = Path.of("docs/runbooks.md");
    static final Path DASHBOARDS = Path.of("ops/grafana");
    static final ObjectMapper JSON = new ObjectMapper();
    static final long PROMTOOL_TIMEOUT_SECONDS = 120;
    private static final Pattern ALERT = Pattern.compile("(?m)^\\s*- alert: (\\S+)\\s*$");
    private static final Pattern RUNBOOK = Pattern.compile("runbook_url: \"docs/runbooks\\.md#([a-z0-9-]+)\"");

    static List<String> alerts() throws IOException {
        List<String> names = new ArrayList<>();
        Matcher m = ALERT.matcher(Files.readString(RULES));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void promtoolChecksTheRules() throws Exception {
        Peers.require(Peers.PROMTOOL);
        String out = promtool("check", "rules", RULES.toString());
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void promtoolUnitTestsPass() throws Exception {
        Peers.require(Peers.PROMTOOL);
        String out = promtool("test", "rules", RULE_TESTS.toString());
        assertTrue(out.contains("SUCCESS") && !out.contains("FAILED"), out);
    }

    @Test
    void everyAlertHasATestThatFiresItAndOneThatDoesNot() throws IOException {
        List<String> alerts = alerts();
        assertTrue(alerts.size() >= 12, "alerts: " + alerts);
        Set<String> firing = new LinkedHashSet<>();
        Set<String> silent = new LinkedHashSet<>();
        String tests = Files.readString(RULE_TESTS);
        // One block per evaluation: "- eval_time: T / alertname: A / exp_alerts: [] or a list".
        for (String block : tests.split("(?m)^\\s*- eval_time: ")) {
            Matcher name = Pattern.compile("(?m)^\\s*alertname: (\\S+)\\s*$").matcher(block);
            if (!name.find()) {
                continue;
            }
            (block.contains("exp_alerts: []") ? silent : firing).add(name.group(1));
        }
        for (String alert : alerts) {
            assertTrue(firing.contains(alert), alert + " has no test that fires it");
            assertTrue(silent.contains(alert), alert + " has no test where it does not fire");
        }
    }

    @Test
    void everyAlertHasARunbookSection() throws IOException {
        String rules = Files.readString(RULES);
        String runbooks = Files.readString(RUNBOOKS);
        Set<String> anchors = new LinkedHashSet<>();
        Matcher h = Pattern.compile("(?m)^## (\\S+)\\s*$").matcher(runbooks);
        while (h.find()) {
            anchors.add(h.group(1).toLowerCase(java.util.Locale.ROOT));
        }
        Matcher m = RUNBOOK.matcher(rules);
        int urls = 0;
        while (m.find()) {
            urls++;
            assertTrue(anchors.contains(m.group(1)), "no section '## ...' for runbook_url #" + m.group(1) + " in " + RUNBOOKS);
        }
        assertEquals(alerts().size(), urls, "every alert carries a runbook_url");
        assertFalse(anchors.isEmpty());
    }

    /** The dashboards' queries, with the Grafana variables they use replaced by what they stand for. */
    static List<String> dashboardQueries() throws IOException {
        List<String> queries = new ArrayList<>();
        try (var files = Files.list(DASHBOARDS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode d = JSON.readTree(f.toFile());
                for (JsonNode panel : d.path("panels")) {
                    for (JsonNode target : panel.path("targets")) {
                        queries.add(target.path("expr").asText());
                    }
                }
            }
        }
        return queries;
    }

    @Test
    void dashboardsImportAsTheyAre() throws IOException {
        Set<String> uids = new LinkedHashSet<>();
        try (var files = Files.list(DASHBOARDS)) {
            List<Path> dashboards = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
            assertEquals(3, dashboards.size(), "executive, on-call, debug: " + dashboards);
            for (Path f : dashboards) {
                JsonNode d = JSON.readTree(f.toFile());
                assertTrue(uids.add(d.path("uid").asText()), "uid unique: " + f);
                assertFalse(d.path("title").asText().isEmpty(), f.toString());
                assertFalse(d.has("id") && !d.get("id").isNull(), "no instance id in an importable dashboard: " + f);
                boolean dsVariable = false;
                for (JsonNode v : d.path("templating").path("list")) {
                    dsVariable |= v.path("name").asText().equals("DS_PROMETHEUS") && v.path("type").asText().equals("datasource");
                }
                assertTrue(dsVariable, "a DS_PROMETHEUS datasource variable: " + f);
                for (JsonNode panel : d.path("panels")) {
                    if (panel.path("type").asText().equals("row")) {
                        continue;
                    }
                    assertEquals("${DS_PROMETHEUS}", panel.path("datasource").path("uid").asText(), f + ": " + panel.path("title"));
                    assertTrue(panel.path("targets").size() > 0, f + ": " + panel.path("title"));
                    for (JsonNode target : panel.path("targets")) {
                        assertEquals("${DS_PROMETHEUS}", target.path("datasource").path("uid").asText(), f + ": " + panel.path("title"));
                    }
                }
            }
        }
    }

    @Test
    void dashboardQueriesParse(@TempDir Path dir) throws Exception {
        Peers.require(Peers.PROMTOOL);
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
        List<String> queries = dashboardQueries();
        for (int i = 0; i < queries.size(); i++) {
            rules.append("      - record: dashboard:query:").append(i).append("\n        expr: ")
                    .append(JSON.writeValueAsString(queries.get(i).replace("$instance", ".*"))).append('\n');
        }
        Path file = dir.resolve("dashboard-queries.yml");
        Files.writeString(file, rules);
        String out = promtool("check", "rules", file.toString());
        assertTrue(out.contains("SUCCESS: " + queries.size() + " rules found"), out);
    }

    private static String promtool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Peers.find(Peers.PROMTOOL.program()).orElseThrow().toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean done = p.waitFor(PROMTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done, "promtool " + String.join(" ", args) + " did not finish in " + PROMTOOL_TIMEOUT_SECONDS + " s");
        assertEquals(0, p.exitValue(), "promtool " + String.join(" ", args) + ":\n" + out);
        return out;
    }
}
