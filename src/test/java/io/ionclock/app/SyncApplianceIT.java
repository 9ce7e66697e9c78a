package io.ionclock.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ionclock.core.clocklink.DropReason;
import io.ionclock.core.clocklink.Wire;
import io.ionclock.testing.ApplianceProcess;
import io.ionclock.testing.UdpTap;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three packaged appliances on loopback, as users run them: a master on the sim reference and two gateways without
 * a reference ({@code ionclock.reference=none}) living on Clocklink alone, each with its own data directory, free
 * ports and its own simulated oscillator, sharing one keyfile. Gateway A reaches the master through a tap (a man in
 * the middle that can replay what it saw). Both gateways must synchronise through Clocklink with the host clock
 * inside their [earliest, latest]; then forged, replayed, truncated, oversized and garbage datagrams go to gateway A's
 * and the master's sync ports, and each must be dropped and counted by its reason (status and metrics) while the
 * gateways stay synchronised.
 */
class SyncApplianceIT {
    static final Duration SYNC_DEADLINE = Duration.ofSeconds(45);
    static final Duration COUNT_DEADLINE = Duration.ofSeconds(10);
    static final Duration EXIT_DEADLINE = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();
    /** Bad datagrams of each kind sent to each target. */
    static final int INJECTED_PER_KIND = 20;
    static final int READS = 20;

    @TempDir
    Path dir;

    final List<ApplianceProcess> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(ApplianceProcess::close);
    }

    /** One appliance process and its Clocklink port. */
    record Node(ApplianceProcess app, int syncPort) {
        String name() {
            return app.name();
        }
    }

    Node start(String name, Path keyFile, Map<String, String> env) throws Exception {
        Map<String, String> e = new java.util.HashMap<>(Map.of("IONCLOCK_SYNC_PORT", "0",
                "IONCLOCK_SYNC_KEY_FILE", keyFile.toString(), "IONCLOCK_SYNC_NODE_ID", name));
        e.putAll(env);
        ApplianceProcess app = ApplianceProcess.start(System.getProperty("ionclock.jar"), dir, name, e);
        processes.add(app);
        return new Node(app, app.awaitSyncPort());
    }

    JsonNode json(Node n, String path) throws Exception {
        return JSON.readTree(n.app().get(path).body());
    }

    String text(Node n, String path) throws Exception {
        return n.app().get(path).body();
    }

    /** Waits until {@code condition} holds on {@code n}'s status, or fails with the last status and the log. */
    JsonNode awaitStatus(Node n, Duration deadline, String what, Predicate<JsonNode> condition) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        JsonNode status = null;
        while (System.nanoTime() < end && n.app().process().isAlive()) {
            status = json(n, "/api/v1/status");
            if (condition.test(status)) {
                return status;
            }
            n.app().process().waitFor(200, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError(n.name() + ": " + what + " not within " + deadline + "; status " + status + "\nlog:\n"
                + n.app().logText());
    }

    static boolean onClocklink(JsonNode s) {
        return s.at("/time/status").asText().equals("SYNCHRONIZED") && s.at("/time/source").asText().equals("CLOCKLINK");
    }

    /** {@link #READS} reads of the time API: the host clock inside [earliest, latest], never backwards, on Clocklink. */
    void assertHoldsTheHostClock(Node n) throws Exception {
        long last = Long.MIN_VALUE;
        for (int i = 0; i < READS; i++) {
            long before = ApplianceIT.hostEpochNanos();
            String body = n.app().get("/api/v1/time").body();
            long after = ApplianceIT.hostEpochNanos();
            TimeResponse t = JSON.readValue(body, TimeResponse.class);
            assertTrue(t.earliestNanos() <= after && t.latestNanos() >= before,
                    n.name() + ": host clock " + before + ".." + after + " outside " + body);
            assertTrue(t.epochNanos() >= last, n.name() + ": time went backwards");
            last = t.epochNanos();
            assertEquals("SYNCHRONIZED", t.status(), n.name() + ": " + body);
            assertEquals("CLOCKLINK", t.source(), n.name() + ": " + body);
        }
    }

    @Test
    void twoGatewaysSyncThroughClocklinkAndBadDatagramsAreDroppedAndCounted() throws Exception {
        Path keyFile = dir.resolve("clocklink.keys");
        byte[] secret = new byte[32];
        new SplittableRandom(8).nextBytes(secret);
        Files.writeString(keyFile, "# test fleet key\n1 SHA256 HEX:" + HexFormat.of().withUpperCase().formatHex(secret) + "\n");

        Node master = start("master", keyFile, Map.of("IONCLOCK_SYNC_ROLE", "master",
                "IONCLOCK_SIM_OSCILLATOR_PPB", "25000"));
        try (UdpTap tap = UdpTap.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), master.syncPort()));
                DatagramSocket attacker = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Node gwA = start("gw-a", keyFile, Map.of("IONCLOCK_SYNC_ROLE", "gateway", "IONCLOCK_REFERENCE", "none",
                    "IONCLOCK_SYNC_PEERS", "127.0.0.1:" + tap.port(), "IONCLOCK_SIM_OSCILLATOR_PPB", "-40000"));
            Node gwB = start("gw-b", keyFile, Map.of("IONCLOCK_SYNC_ROLE", "gateway", "IONCLOCK_REFERENCE", "none",
                    "IONCLOCK_SYNC_PEERS", "localhost:" + master.syncPort(), "IONCLOCK_SIM_OSCILLATOR_PPB", "60000"));

            for (Node gw : List.of(gwA, gwB)) {
                JsonNode s = awaitStatus(gw, SYNC_DEADLINE, "SYNCHRONIZED on CLOCKLINK", SyncApplianceIT::onClocklink);
                assertEquals("gateway", s.at("/sync/role").asText());
                assertEquals("none", s.at("/reference/kind").asText());
                assertEquals("master", s.at("/sync/peers/0/name").asText());
                assertEquals("SELECTED", s.at("/sources/0/state").asText());
                assertHoldsTheHostClock(gw);
            }
            JsonNode m = awaitStatus(master, COUNT_DEADLINE, "two clients", s -> s.at("/sync/clients").asInt() == 2);
            assertEquals("SIM", m.at("/time/source").asText());
            assertTrue(m.at("/sync/leader").asBoolean(), "a lone master leads: " + m);
            assertEquals("SELECTED", m.at("/sources/0/state").asText(), m.toString());
            Map<DropReason, Long> gwBefore = dropped(json(gwA, "/api/v1/status"));
            Map<DropReason, Long> masterBefore = dropped(m);

            // The attack. Valid datagrams to start from, as the tap saw them.
            byte[] down = tap.lastDown(); // master -> gateway A
            byte[] up = tap.lastUp(); // gateway A -> master
            assertTrue(down != null && up != null, "the tap saw traffic both ways");
            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < INJECTED_PER_KIND; i++) {
                for (Node target : List.of(gwA, master)) {
                    byte[] valid = target == gwA ? down : up;
                    InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), target.syncPort());
                    send(attacker, forged(valid, random), to);
                    send(attacker, java.util.Arrays.copyOf(valid, Wire.HEADER_SIZE_BYTES + 6), to); // truncated
                    send(attacker, oversized(valid, random), to);
                    send(attacker, garbage(random), to);
                }
                tap.sendDown(down); // replayed, from the address gateway A knows as its master
                tap.sendUp(up); // replayed, from the address the master knows as gateway A
            }
            for (Node target : List.of(gwA, master)) {
                Map<DropReason, Long> before = target == gwA ? gwBefore : masterBefore;
                JsonNode s = awaitStatus(target, COUNT_DEADLINE, "every injected datagram counted", st -> {
                    Map<DropReason, Long> now = dropped(st);
                    return List.of(DropReason.FORGED, DropReason.TRUNCATED, DropReason.OVERSIZED, DropReason.BAD_MAGIC,
                            DropReason.REPLAYED).stream().allMatch(r -> now.get(r) - before.get(r) >= INJECTED_PER_KIND);
                });
                Map<DropReason, Long> after = dropped(s);
                for (DropReason r : List.of(DropReason.FORGED, DropReason.TRUNCATED, DropReason.OVERSIZED, DropReason.BAD_MAGIC)) {
                    assertEquals(INJECTED_PER_KIND, after.get(r) - before.get(r), target.name() + " " + r + ": " + s.at("/sync/dropped"));
                }
                String metrics = text(target, "/q/metrics");
                for (DropReason r : List.of(DropReason.FORGED, DropReason.TRUNCATED, DropReason.OVERSIZED,
                        DropReason.BAD_MAGIC, DropReason.REPLAYED)) {
                    assertTrue(metric(metrics, "ionclock_sync_dropped_packets_total{reason=\"" + r + "\"}") >= INJECTED_PER_KIND,
                            target.name() + ": metric for " + r);
                }
                JsonNode live = json(target, "/q/health/live");
                assertEquals("UP", live.at("/status").asText(), live.toString());
                assertTrue(live.at("/checks/0/data/syncLoop").asBoolean(), live.toString());
            }
            // Gateway A's first JOIN (no cookie yet), replayed from another address: the master answers it with a
            // CHALLENGE and keeps no state, so it takes no client slot.
            byte[] firstJoin = tap.firstUp();
            assertEquals(Wire.TYPE_JOIN, Wire.type(firstJoin, 0));
            long challengesBefore = json(master, "/api/v1/status").at("/sync/joinChallenges").asLong();
            assertTrue(challengesBefore >= 2, "each gateway's first JOIN was challenged: " + challengesBefore);
            send(attacker, firstJoin, new InetSocketAddress(InetAddress.getLoopbackAddress(), master.syncPort()));
            attacker.setSoTimeout((int) COUNT_DEADLINE.toMillis());
            byte[] reply = new byte[600];
            DatagramPacket answer = new DatagramPacket(reply, reply.length);
            attacker.receive(answer); // the master answers nothing else the attacker sent
            assertEquals(Wire.JOIN_ACK_SIZE_BYTES, answer.getLength());
            assertEquals(Wire.TYPE_JOIN_ACK, Wire.type(reply, 0));
            assertEquals(Wire.JOIN_CHALLENGE, reply[Wire.JOIN_ACK_OFF_RESULT]);
            JsonNode afterJoin = awaitStatus(master, COUNT_DEADLINE, "the replayed JOIN challenged",
                    st -> st.at("/sync/joinChallenges").asLong() >= challengesBefore + 1);
            assertEquals(2, afterJoin.at("/sync/clients").asInt(), afterJoin.toString());

            // The replays reached gateway A as from its master: counted against that peer too.
            assertTrue(json(gwA, "/api/v1/status").at("/sync/peers/0/dropped/REPLAYED").asLong() >= INJECTED_PER_KIND);

            // Nothing of it moved the gateways: still synchronised on Clocklink, the master still trusted, the host clock inside.
            for (Node gw : List.of(gwA, gwB)) {
                JsonNode s = json(gw, "/api/v1/status");
                assertTrue(onClocklink(s), gw.name() + ": " + s);
                assertEquals("ACTIVE", s.at("/sync/peers/0/state").asText(), s.toString());
                assertEquals(1.0, s.at("/sync/peers/0/reputation").asDouble(), 0.0, s.toString());
                assertEquals(0, s.at("/sync/failures").asLong(), s.toString());
                assertHoldsTheHostClock(gw);
                String metrics = text(gw, "/q/metrics");
                assertTrue(metrics.contains("ionclock_sync_peer_state{peer=\"" + s.at("/sync/peers/0/label").asText()
                        + "\",state=\"ACTIVE\"} 1.0"), gw.name() + " peer state metric");
                assertTrue(metrics.contains("ionclock_system_clock_offset_seconds"), gw.name());
            }
            assertEquals(0, json(master, "/api/v1/status").at("/sync/failures").asLong());
        }
    }

    /** A missing or malformed keyfile stops the start, naming the key and never printing key material. */
    @Test
    void aMissingOrMalformedKeyFileStopsTheStartNamingTheKey() throws Exception {
        Path missing = dir.resolve("no-such.keys");
        Path malformed = dir.resolve("malformed.keys");
        String secret = "5A17".repeat(16);
        Files.writeString(malformed, "1 SHA1 HEX:" + secret + "\n");
        for (Path keyFile : List.of(missing, malformed)) {
            Path log = dir.resolve(keyFile.getFileName() + ".log");
            String java = ProcessHandle.current().info().command().orElse("java");
            ProcessBuilder pb = new ProcessBuilder(List.of(java, "-jar", System.getProperty("ionclock.jar"), "run"))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(Map.of("IONCLOCK_DATA_DIR", Files.createDirectories(dir.resolve("bad")).toString(),
                    "QUARKUS_HTTP_PORT", "0", "IONCLOCK_MQTT_MODE", "off", "IONCLOCK_SYNC_PORT", "0",
                    "IONCLOCK_SYNC_ROLE", "gateway", "IONCLOCK_REFERENCE", "none", "IONCLOCK_SYNC_PEERS", "127.0.0.1:9",
                    "IONCLOCK_SYNC_KEY_FILE", keyFile.toString()));
            Process p = pb.start();
            if (!p.waitFor(EXIT_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the service must stop by itself:\n" + Files.readString(log));
            }
            assertTrue(p.exitValue() != 0);
            String out = Files.readString(log);
            assertTrue(out.contains("ionclock.sync.key-file: " + keyFile), out);
            assertTrue(!out.toUpperCase().contains("5A175A17"), "key material in the log:\n" + out);
        }
    }

    static void send(DatagramSocket s, byte[] data, InetSocketAddress to) throws IOException {
        s.send(new DatagramPacket(data, data.length, to));
    }

    /** A valid datagram with one bit of its MAC flipped: authentic-looking, signed with nothing. */
    static byte[] forged(byte[] valid, SplittableRandom random) {
        byte[] b = valid.clone();
        b[b.length - 1 - random.nextInt(Wire.MAC_SIZE_BYTES)] ^= (byte) (1 << random.nextInt(8));
        return b;
    }

    /** A valid datagram padded past the largest message. */
    static byte[] oversized(byte[] valid, SplittableRandom random) {
        byte[] b = java.util.Arrays.copyOf(valid, Wire.MESSAGE_BYTES_MAX + 1 + random.nextInt(1000));
        return b;
    }

    /** Random bytes of a plausible size that do not start with the Clocklink magic. */
    static byte[] garbage(SplittableRandom random) {
        byte[] b = new byte[Wire.HEADER_SIZE_BYTES + Wire.MAC_SIZE_BYTES + random.nextInt(400)];
        random.nextBytes(b);
        if ((b[0] & 0xFF) == (Wire.MAGIC >>> 8)) {
            b[0] ^= 0x01;
        }
        return b;
    }

    static Map<DropReason, Long> dropped(JsonNode status) {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            m.put(r, status.at("/sync/dropped/" + r.name()).asLong());
        }
        return m;
    }

    /** A Prometheus sample's value, or -1 when the series is absent. */
    static double metric(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return -1;
    }
}
