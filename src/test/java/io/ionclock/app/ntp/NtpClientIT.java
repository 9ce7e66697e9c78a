package io.ionclock.app.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ionclock.core.ntp.NtpPacket;
import io.ionclock.testing.ApplianceProcess;
import io.ionclock.testing.ChronyPair;
import io.ionclock.testing.FakeNtpServer;
import io.ionclock.testing.Peers;
import io.ionclock.testing.UdpTap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged appliance with no reference but an NTP server upstream: a real {@code chronyd} ({@code -x}, telling the
 * host clock, "local stratum 8"), reached through a tap that can replay what it saw and speak as the server. The
 * appliance must select it, get interleaved answers (chrony's xleave) and keep the host clock (the truth) inside its
 * bound; then replayed, spoofed, truncated, control-mode and garbage answers from the server's address are dropped and
 * counted by reason, and the appliance stays synchronised.
 */
class NtpClientIT {
    static final Duration SYNC_DEADLINE = Duration.ofSeconds(60);
    static final Duration COUNT_DEADLINE = Duration.ofSeconds(10);
    static final ObjectMapper JSON = new ObjectMapper();
    static final int READS = 10;

    @TempDir
    Path dir;

    @Test
    void syncsToARealChronydAndDropsBadAnswers() throws Exception {
        Peers.require(Peers.CHRONYD);
        try (ChronyPair chrony = ChronyPair.startServer(dir.resolve("chrony"));
                UdpTap tap = UdpTap.start(chrony.serverAddress());
                ApplianceProcess gateway = ApplianceProcess.start(System.getProperty("ionclock.jar",
                        "target/quarkus-app/quarkus-run.jar"), dir, "ntp-gateway", Map.of(
                        "IONCLOCK_REFERENCE", "none", "IONCLOCK_NTP_SERVERS", "127.0.0.1:" + tap.port(),
                        "IONCLOCK_NTP_POLL", "250ms", "IONCLOCK_READY_BOUND", "50ms", "IONCLOCK_MQTT_MODE", "off"))) {
            String name = "127.0.0.1:" + tap.port();
            JsonNode s = await(gateway, SYNC_DEADLINE, st -> st.at("/time/status").asText().equals("SYNCHRONIZED")
                    && st.at("/time/source").asText().equals("NTP:" + name)
                    && st.at("/ntp/servers/0/server/interleavedAnswers").asLong() >= 3, "synchronised on chronyd");
            JsonNode server = s.at("/ntp/servers/0");
            assertEquals("SELECTED", server.at("/selection").asText());
            assertEquals(8, server.at("/server/stratum").asInt(), "chronyd's local stratum");
            assertTrue(server.at("/server/reach").asInt() > 0, "reach");
            assertEquals("kernel", s.at("/ntp/timestamping").asText());
            // The truth (the host clock) inside the bound at every reading, each after a new sample.
            long lastSample = s.at("/sources/0/lastSample/monoNanos").asLong();
            for (int i = 0; i < READS; i++) {
                long previous = lastSample;
                JsonNode r = await(gateway, COUNT_DEADLINE,
                        st -> st.at("/sources/0/lastSample/monoNanos").asLong() != previous, "a new sample");
                lastSample = r.at("/sources/0/lastSample/monoNanos").asLong();
                long error = r.at("/clock/systemClockOffsetNanos").asLong();
                long bound = r.at("/time/boundNanos").asLong();
                assertTrue(Math.abs(error) <= bound, "host clock " + error + " ns from the gateway, bound " + bound + " ns");
            }
            // Bad answers from the server's address and port (the tap speaks as the server).
            byte[] seen = tap.lastDown();
            tap.sendDown(seen); // a replay: its origin is no longer outstanding
            tap.sendDown(seen);
            byte[] spoof = seen.clone();
            spoof[NtpPacket.OFF_ORIGIN_TS + 3] ^= 0x55; // a guess at the cookie
            tap.sendDown(spoof);
            tap.sendDown(java.util.Arrays.copyOf(seen, 40)); // truncated
            byte[] control = seen.clone();
            control[0] = (byte) (control[0] & ~7 | NtpPacket.MODE_CONTROL);
            tap.sendDown(control);
            byte[] garbage = new byte[48];
            new SplittableRandom(19).nextBytes(garbage);
            tap.sendDown(garbage);
            JsonNode after = await(gateway, COUNT_DEADLINE, st -> {
                JsonNode d = st.at("/ntp/servers/0/server/drops");
                return d.path("BOGUS").asLong() >= 3 && d.path("TRUNCATED").asLong() >= 1 && d.path("CONTROL").asLong() >= 1;
            }, "the bad answers counted");
            assertEquals("SYNCHRONIZED", after.at("/time/status").asText());
            assertEquals(0, after.at("/clock/monotonicViolations").asLong());
            String metrics = gateway.get("/q/metrics").body();
            assertTrue(metrics.contains("ionclock_ntp_source_dropped_packets_total{reason=\"BOGUS\",server=\"" + name + "\"}"),
                    "the drops in the metrics");
            assertTrue(metrics.contains("ionclock_ntp_source_responses_total{kind=\"interleaved\",server=\"" + name + "\"}"));
        }
    }

    /**
     * The sim reference, chronyd, an honest server and a liar 20 ms off (claiming stratum 1 and a 20 us dispersion):
     * the selection finds the liar a FALSETICKER and keeps the reference; the honest servers agree (CANDIDATE).
     */
    @Test
    void aLyingServerIsOutvoted() throws Exception {
        Peers.require(Peers.CHRONYD);
        try (ChronyPair chrony = ChronyPair.startServer(dir.resolve("chrony"));
                FakeNtpServer honest = new FakeNtpServer(0);
                FakeNtpServer liar = new FakeNtpServer(20_000_000L);
                ApplianceProcess gateway = ApplianceProcess.start(System.getProperty("ionclock.jar",
                        "target/quarkus-app/quarkus-run.jar"), dir, "ntp-vote", Map.of(
                        "IONCLOCK_NTP_SERVERS", "127.0.0.1:" + chrony.serverAddress().getPort() + ",127.0.0.1:"
                                + honest.port() + ",127.0.0.1:" + liar.port(),
                        "IONCLOCK_NTP_POLL", "250ms", "IONCLOCK_MQTT_MODE", "off"))) {
            JsonNode s = await(gateway, SYNC_DEADLINE, st -> st.at("/time/status").asText().equals("SYNCHRONIZED")
                    && st.at("/ntp/servers/2/selection").asText().equals("FALSETICKER")
                    && st.at("/ntp/servers/0/selection").asText().equals("CANDIDATE")
                    && st.at("/ntp/servers/1/selection").asText().equals("CANDIDATE"), "the liar outvoted");
            assertEquals("SIM", s.at("/time/source").asText());
            assertTrue(liar.answered() > 0);
            long error = s.at("/clock/systemClockOffsetNanos").asLong();
            assertTrue(Math.abs(error) <= s.at("/time/boundNanos").asLong(), "host clock " + error + " ns off");
        }
    }

    static JsonNode await(ApplianceProcess p, Duration deadline, Predicate<JsonNode> condition, String what) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < end && p.process().isAlive()) {
            last = JSON.readTree(p.get("/api/v1/status").body());
            if (condition.test(last)) {
                return last;
            }
            p.process().waitFor(100, TimeUnit.MILLISECONDS); // between polls of the condition (returns if it dies)
        }
        throw new AssertionError("no " + what + " within " + deadline + "; last status: " + last + "\nlog:\n" + p.logText());
    }
}
