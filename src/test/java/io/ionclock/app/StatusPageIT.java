package io.ionclock.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ionclock.testing.ApplianceProcess;
import io.ionclock.testing.Peers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser: the packaged appliance (sim profile) runs, headless Chromium loads
 * {@code http://localhost:PORT/} and dumps the DOM the page's script built; the test waits (with a deadline) until it
 * shows SYNCHRONIZED, then checks the bound, the SIM source with its verdict, and a plot with points; and keeps a
 * screenshot at {@code target/page.png}.
 */
class StatusPageIT {
    static final Duration SYNC_DEADLINE = Duration.ofSeconds(60);
    static final Duration BROWSER_DEADLINE = Duration.ofSeconds(60);
    static final Path SCREENSHOT = Path.of("target/page.png");

    @TempDir
    Path dir;

    @Test
    void pageShowsTheClockInAHeadlessBrowser() throws Exception {
        Peers.require(Peers.CHROMIUM);
        try (ApplianceProcess app = ApplianceProcess.start(System.getProperty("ionclock.jar"), dir, "page", Map.of())) {
            String url = "http://localhost:" + app.httpPort() + "/";
            long deadline = System.nanoTime() + SYNC_DEADLINE.toNanos();
            // First the condition itself, on the appliance's API (waiting on the process, which returns if it dies) ...
            while (!app.get("/api/v1/time").body().contains("\"status\":\"SYNCHRONIZED\"")) {
                if (System.nanoTime() > deadline || !app.process().isAlive()) {
                    fail("the appliance did not synchronise within " + SYNC_DEADLINE + "\nlog:\n" + app.logText());
                }
                app.process().waitFor(200, TimeUnit.MILLISECONDS);
            }
            // ... then the page, which must show it (each load is a whole browser run: no wait between them).
            String dom;
            while (true) {
                dom = chromium("--dump-dom", url);
                if (text(dom, "status").equals("SYNCHRONIZED")) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    fail("the page did not show SYNCHRONIZED within " + SYNC_DEADLINE + "; status '"
                            + text(dom, "status") + "'; DOM:\n" + dom + "\nlog:\n" + app.logText());
                }
            }
            assertTrue(text(dom, "bound").matches("\\d+(\\.\\d)? (ns|µs|ms|s)"), "bound: " + text(dom, "bound"));
            assertTrue(dom.matches("(?s).*<tr><td>\\*</td><td>SIM</td><td>SELECTED</td>.*"),
                    "the SIM source, selected:\n" + dom);
            Matcher plot = Pattern.compile("<svg id=\"plot\"[^>]*data-points=\"(\\d+)\"").matcher(dom);
            assertTrue(plot.find(), "the plot:\n" + dom);
            assertTrue(Integer.parseInt(plot.group(1)) >= 2, "points: " + plot.group(1));
            Matcher offset = Pattern.compile("<polyline id=\"offset-line\" points=\"([^\"]+)\"").matcher(dom);
            assertTrue(offset.find(), "the offset line:\n" + dom);
            assertEquals(Integer.parseInt(plot.group(1)), offset.group(1).trim().split(" ").length);
            assertTrue(dom.contains("<polyline id=\"bound-upper\""), dom);
            assertTrue(text(dom, "leap").equals("NONE"), "leap: " + text(dom, "leap"));
            assertTrue(text(dom, "timescale").startsWith("UTC"), "timescale: " + text(dom, "timescale"));

            Files.deleteIfExists(SCREENSHOT);
            chromium("--screenshot=" + SCREENSHOT.toAbsolutePath(), "--window-size=1280,900", url);
            assertTrue(Files.size(SCREENSHOT) > 10_000, "a screenshot at " + SCREENSHOT);
            Files.writeString(Path.of("target/page.html"), dom, StandardCharsets.UTF_8);
        }
    }

    /** The text of the element with {@code id} (no nested elements), or "" when absent. */
    static String text(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*>([^<]*)<").matcher(dom);
        return m.find() ? m.group(1) : "";
    }

    /** Runs headless Chromium on {@code url} and returns its standard output. */
    static String chromium(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Peers.find("chromium").orElseThrow().toString(), "--headless",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=" + Files.createTempDirectory("ionclock-chromium"), "--virtual-time-budget=3000"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("chromium", ".out");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(BROWSER_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish within " + BROWSER_DEADLINE + ": " + cmd);
        }
        String s = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        return s;
    }
}
