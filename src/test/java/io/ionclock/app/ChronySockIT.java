package io.ionclock.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ionclock.testing.ApplianceProcess;
import io.ionclock.testing.ChronyRefclock;
import io.ionclock.testing.Peers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged appliance (sim profile: its reference tells the host clock, so the truth is the system clock) feeding a
 * real {@code chronyd -x} over its SOCK refclock. chronyc must show the refclock selected ({@code #*}), and at several
 * readings chrony's error (tracking's "System time": the system clock is the truth) and its estimate of the refclock's
 * offset (sourcestats) must lie within ionclock's published bound.
 */
class ChronySockIT {
    static final Duration SELECT_DEADLINE = Duration.ofSeconds(90);
    static final Duration READING_DEADLINE = Duration.ofSeconds(10);
    static final int READINGS = 5;
    static final double DELAY_SECONDS = 0.0002; // README: twice ionclock.chrony-sock.bound-max (100 us)
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void chronydSelectsTheFeedAndStaysWithinTheBound() throws Exception {
        Peers.require(Peers.CHRONYD);
        Peers.require(Peers.CHRONYC);
        try (ChronyRefclock chrony = ChronyRefclock.start(dir.resolve("chrony"), DELAY_SECONDS)) {
            chrony.awaitSocket(System.nanoTime() + READING_DEADLINE.toNanos());
            try (ApplianceProcess gw = ApplianceProcess.start(System.getProperty("ionclock.jar",
                    "target/quarkus-app/quarkus-run.jar"), dir, "chrony-feed", Map.of(
                    "IONCLOCK_HOST_CLOCK", "chrony-sock",
                    "IONCLOCK_CHRONY_SOCK_PATH", chrony.socketPath().toString()))) {
                long deadline = System.nanoTime() + SELECT_DEADLINE.toNanos();
                while (!chrony.refclockSelected()) {
                    if (System.nanoTime() > deadline || !gw.process().isAlive()) {
                        throw new AssertionError("chronyd did not select IONC within " + SELECT_DEADLINE + "; sources: "
                                + chrony.chronyc("sources") + "\nstatus: " + gw.get("/api/v1/status").body()
                                + "\nchronyd:\n" + chrony.output() + "\nappliance:\n" + gw.logText());
                    }
                    gw.process().waitFor(200, TimeUnit.MILLISECONDS); // between polls (returns if it dies)
                }
                assertTrue(gw.logText().contains("host clock: chrony-sock (ionclock.host-clock=chrony-sock)"));
                long sentBefore = -1;
                for (int i = 0; i < READINGS; i++) {
                    long previous = sentBefore;
                    JsonNode s = awaitStatus(gw, st -> st.at("/hostClock/sent").asLong() > previous);
                    sentBefore = s.at("/hostClock/sent").asLong();
                    Long chronyError = chrony.systemTimeOffsetNanos();
                    Long refclockOffset = chrony.refclockEstimatedOffsetNanos();
                    JsonNode time = JSON.readTree(gw.get("/api/v1/time").body());
                    long bound = time.at("/boundNanos").asLong();
                    assertEquals("SYNCHRONIZED", time.at("/status").asText());
                    assertNotNull(chronyError, "chrony synchronised to IONC: " + chrony.chronyc("tracking"));
                    assertNotNull(refclockOffset, chrony.chronyc("sourcestats"));
                    System.out.printf("reading %d: chrony System time %d ns, IONC estimated offset %d ns, ionclock bound"
                            + " %d ns, sent %d%n", i, chronyError, refclockOffset, bound, sentBefore);
                    assertTrue(Math.abs(chronyError) <= bound, "chrony's error " + chronyError + " ns, bound " + bound);
                    assertTrue(Math.abs(refclockOffset) <= bound, "IONC's offset " + refclockOffset + " ns, bound " + bound);
                }
                JsonNode s = JSON.readTree(gw.get("/api/v1/status").body());
                JsonNode h = s.at("/hostClock");
                assertEquals("chrony-sock", h.at("/mode").asText());
                assertEquals(chrony.socketPath().toString(), h.at("/path").asText());
                assertEquals(0, h.at("/failed/send_error").asLong(), h.toString());
                assertEquals(0, h.at("/failed/no_socket").asLong(), h.toString());
                assertTrue(Math.abs(h.at("/lastSentOffsetNanos").asLong()) <= h.at("/lastSentBoundNanos").asLong()
                        + s.at("/time/boundNanos").asLong(), h.toString());
                String metrics = gw.get("/q/metrics").body();
                assertTrue(metrics.contains("ionclock_host_clock_mode{mode=\"chrony-sock\"} 1.0"), "mode metric");
                assertTrue(metrics.contains("ionclock_host_clock_samples_total{result=\"sent\"}"), "samples metric");
            }
        }
    }

    /** Started before chronyd: the missing socket is counted and retried; once chronyd binds, samples flow. */
    @Test
    void aChronydStartedLaterIsFedOnceItBinds() throws Exception {
        Peers.require(Peers.CHRONYD);
        Path chronyDir = dir.resolve("chrony-late");
        try (ApplianceProcess gw = ApplianceProcess.start(System.getProperty("ionclock.jar",
                "target/quarkus-app/quarkus-run.jar"), dir, "chrony-late", Map.of(
                "IONCLOCK_HOST_CLOCK", "chrony-sock",
                "IONCLOCK_CHRONY_SOCK_PATH", chronyDir.resolve("ionclock.sock").toString()))) {
            awaitStatus(gw, st -> st.at("/hostClock/failed/no_socket").asLong() >= 2);
            try (ChronyRefclock chrony = ChronyRefclock.start(chronyDir, DELAY_SECONDS)) {
                chrony.awaitSocket(System.nanoTime() + READING_DEADLINE.toNanos());
                JsonNode s = awaitStatus(gw, st -> st.at("/hostClock/sent").asLong() >= 2);
                assertEquals("SYNCHRONIZED", s.at("/time/status").asText(), "time service never stopped");
                assertTrue(gw.logText().contains("host clock: chrony's socket: no_socket"), "the failure logged once");
            }
        }
    }

    static JsonNode awaitStatus(ApplianceProcess p, java.util.function.Predicate<JsonNode> condition) throws Exception {
        long end = System.nanoTime() + SELECT_DEADLINE.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < end && p.process().isAlive()) {
            last = JSON.readTree(p.get("/api/v1/status").body());
            if (condition.test(last)) {
                return last;
            }
            p.process().waitFor(100, TimeUnit.MILLISECONDS); // between polls (returns if it dies)
        }
        throw new AssertionError("condition not met within " + SELECT_DEADLINE + "; last status: " + last);
    }
}
