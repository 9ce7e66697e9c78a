package io.ionclock.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code ionclock sim SCENARIO --plot FILE.svg}: a well-formed SVG with the four series, and the same result JSON. */
class SimPlotTest {
    static final String SCENARIO = """
            {"name": "plot-tiny", "durationSeconds": 20, "warmupSeconds": 5, "masters": 3, "gateways": 6,
             "link": {"delayMicros": 500, "jitterMicros": 50}}""";

    @TempDir
    Path dir;

    @Test
    void plotIsAnSvgWithTheSeriesAndChangesNothingElse() throws Exception {
        Path scenario = dir.resolve("tiny.json");
        Files.writeString(scenario, SCENARIO);
        Path svg = dir.resolve("run.svg");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SimCommand.run(new String[] {scenario.toString(), "--seed", "7", "--plot", svg.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(SimCommand.EXIT_OK, code, err.toString(StandardCharsets.UTF_8));

        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = f.newDocumentBuilder().parse(svg.toFile());
        Element root = doc.getDocumentElement();
        assertEquals("svg", root.getLocalName());
        assertEquals("http://www.w3.org/2000/svg", root.getNamespaceURI());
        NodeList lines = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline");
        Map<String, Integer> points = new HashMap<>();
        for (int i = 0; i < lines.getLength(); i++) {
            Element e = (Element) lines.item(i);
            String[] xy = e.getAttribute("points").trim().split(" ");
            points.put(e.getAttribute("id"), xy.length);
            double lastX = -1;
            for (String p : xy) {
                String[] c = p.split(",");
                double x = Double.parseDouble(c[0]);
                double y = Double.parseDouble(c[1]);
                assertTrue(x > lastX && x <= SvgPlot.WIDTH && y >= 0 && y <= SvgPlot.HEIGHT, e.getAttribute("id") + ": " + p);
                lastX = x;
            }
        }
        assertEquals(Map.of("offset-p50", 21, "offset-p99", 21, "bound-p50", 21, "bound-max", 21), points,
                "one point a simulated second for each series, both ends (0 s and 20 s) included");
        assertTrue(doc.getElementById("warmup") != null || Files.readString(svg).contains("id=\"warmup\""));

        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        assertEquals(SimCommand.EXIT_OK, SimCommand.run(new String[] {scenario.toString(), "--seed", "7"},
                new PrintStream(plain, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream())));
        assertEquals(withoutWall(plain.toString(StandardCharsets.UTF_8)), withoutWall(out.toString(StandardCharsets.UTF_8)),
                "collecting the plot changes nothing in the result");
    }

    @Test
    void longRunsKeepAtMostPointsMax() {
        FleetSeries s = new FleetSeries(10_000L * FleetSeries.SECOND_NANOS, 2);
        assertEquals(3 * FleetSeries.SECOND_NANOS, s.bucketNanos);
        for (long t = 0; t < 10_000L * FleetSeries.SECOND_NANOS; t += 100_000_000L) {
            if (s.begin(t)) {
                s.add(5, 10);
                s.add(7, 20);
                s.end(t);
            }
        }
        assertTrue(s.size <= FleetSeries.POINTS_MAX && s.size >= 3333, "points: " + s.size);
        assertEquals(5, s.offsetNanosP50[0]);
        assertEquals(7, s.offsetNanosP99[0]);
        assertEquals(20, s.boundNanosMax[0]);
    }

    static String withoutWall(String json) {
        return json.replaceAll("\"wallSeconds\":\\s*[0-9.eE+-]+", "");
    }
}
