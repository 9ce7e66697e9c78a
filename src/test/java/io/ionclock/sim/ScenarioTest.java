package io.ionclock.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScenarioTest {
    /** The issue's example, verbatim. */
    static final String LAN_50 = """
            {"name": "lan-50", "durationSeconds": 900, "warmupSeconds": 300, "masters": 5, "gateways": 45,
             "roundMillis": 100,
             "reference": {"jitterNanos": 50, "boundNanos": 100},
             "oscillator": {"frequencyPpmMax": 50, "wanderPpbPerSqrtSecond": 1.0},
             "link": {"delayMicros": 500, "jitter": "exponential", "jitterMicros": 50, "asymmetryMicros": 0,
                      "lossPercent": 0.5, "timestampJitterNanos": 200},
             "faults": [{"kind": "liar", "count": 2, "role": "master", "offsetMicros": 300, "fromSecond": 400},
                        {"kind": "two-faced", "count": 1, "role": "gateway", "offsetMicros": 150, "fromSecond": 420},
                        {"kind": "crash", "count": 1, "role": "master", "fromSecond": 600},
                        {"kind": "partition", "fraction": 0.2, "fromSecond": 600, "toSecond": 700},
                        {"kind": "reference-loss", "count": 2, "role": "master", "fromSecond": 650, "toSecond": 800}]}
            """;

    @Test
    void parsesTheIssuesFormat() {
        Scenario s = Scenario.parse(LAN_50);
        assertEquals("lan-50", s.name());
        assertEquals(50, s.nodes());
        assertEquals(500, s.link().delayMicros());
        assertTrue(s.link().exponential());
        assertEquals(5, s.faults().size());
        Scenario.Fault p = s.faults().get(3);
        assertEquals("partition", p.kind());
        assertEquals(0.2, p.fraction());
        assertEquals(700, p.toSecond());
        assertEquals(Double.POSITIVE_INFINITY, s.faults().get(2).toSecond());
        assertEquals(List.of(), s.unknownKeys());
        assertEquals(Math.min(5, 5), s.topology().upstreams());
    }

    @Test
    void theShippedLan50IsTheIssuesExample() throws Exception {
        assertEquals(Scenario.parse(LAN_50), Scenario.parse(SimCommand.load("lan-50")));
        for (String name : SimCommand.BuiltIn.NAMES) {
            Scenario s = Scenario.parse(SimCommand.load(name));
            assertEquals(name, s.name());
            assertEquals(List.of(), s.unknownKeys(), name);
        }
    }

    @Test
    void errorsNameTheKey() {
        String[][] cases = {
            {"{\"masters\": 0}", "masters"},
            {"{\"masters\": 2.5}", "masters"},
            {"{\"link\": {\"jitter\": \"uniform\"}}", "link.jitter"},
            {"{\"link\": {\"lossPercent\": 80}}", "link.lossPercent"},
            {"{\"reference\": {\"jitterNanos\": 500, \"boundNanos\": 100}}", "reference.boundNanos"},
            {"{\"faults\": [{\"kind\": \"meteor\"}]}", "faults[0].kind"},
            {"{\"faults\": [{\"kind\": \"reference-loss\", \"role\": \"gateway\"}]}", "faults[0]"},
            {"{\"faults\": [{\"kind\": \"join\", \"role\": \"master\"}]}", "faults[0]"},
            {"{\"topology\": {\"budgetBytesPerSecond\": -1}}", "topology.budgetBytesPerSecond"},
            {"{\"faults\": [{\"kind\": \"liar\", \"fromSecond\": 10, \"toSecond\": 5}]}", "faults[0].toSecond"},
            {"{\"durationSeconds\": \"long\"}", "durationSeconds"},
            {"[1, 2]", "top level"},
            {"{\"name\": \"x\",}", "JSON"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scenario.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void unknownKeysAreReportedNotFatal() {
        Scenario s = Scenario.parse("{\"name\": \"x\", \"colour\": \"blue\", \"link\": {\"mtu\": 1500}}");
        assertEquals(List.of("colour", "link.mtu"), s.unknownKeys());
    }

    @Test
    void jsonReadsAndWritesWhatItShould() {
        Object v = Json.parse("{\"a\": [1, 2.5, -3e2, true, null, \"x\\u0041\\n\"], \"b\": {}}");
        assertEquals(Map.of("a", java.util.Arrays.asList(1.0, 2.5, -300.0, true, null, "xA\n"), "b", Map.of()), v);
        assertEquals("{\"k\": [1, 2.5, \"q\\\"\", null]}", Json.write(Map.of("k", java.util.Arrays.asList(1L, 2.5, "q\"", null))));
        for (String bad : new String[] {"", "{", "[1,]", "01", "1.", "\"\\x\"", "{\"a\" 1}", "nul", "[" .repeat(40)}) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
    }
}
