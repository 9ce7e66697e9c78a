package io.ionclock.adapter.mqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ionclock.adapter.clock.SystemMonoClock;
import io.ionclock.adapter.mqtt.MqttStats.Refusal;
import io.ionclock.core.mqtt.GatewayTopics;
import io.ionclock.core.mqtt.MqttLimits;
import io.ionclock.core.mqtt.RequestError;
import io.ionclock.core.mqtt.TickBinary;
import io.ionclock.testing.Peers;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded server against real Mosquitto clients (3.1.1 and 5), on a free port. */
class EmbeddedBrokerTest {
    static final Duration DEADLINE = Duration.ofSeconds(10);
    static final String GW = "gw-test";
    static final GatewayTopics TOPICS = new GatewayTopics(GW);
    static final ObjectMapper JSON = new ObjectMapper();
    /** Small limits, so the tests can reach them. */
    static final MqttLimits LIMITS = new MqttLimits(8, 4, 16, 512, 5, 5, 50_000, 60_000_000_000L);

    static Vertx vertx;
    static MqttStats stats;
    static TimeService service;
    static EmbeddedBroker broker;
    static int port;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        stats = new MqttStats();
        service = new TimeService(new HostMqttClock(), TOPICS, stats);
        broker = new EmbeddedBroker(vertx, service, EmbeddedBrokerOptions.plain(0, LIMITS));
        port = broker.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        service.start(broker);
    }

    @AfterAll
    static void stop() throws Exception {
        service.stop();
        broker.stop();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void peers() {
        Peers.require(Peers.MOSQUITTO_SUB);
        Peers.require(Peers.MOSQUITTO_PUB);
        Peers.require(Peers.MOSQUITTO_RR);
        await().atMost(DEADLINE).until(() -> broker.clients() == 0); // the previous test's clients are gone
    }

    static String[] sub(String version, String... rest) {
        List<String> c = new ArrayList<>(List.of("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(port), "-V",
                version, "-W", String.valueOf(DEADLINE.toSeconds())));
        c.addAll(List.of(rest));
        return c.toArray(String[]::new);
    }

    static String[] pub(String version, String... rest) {
        List<String> c = new ArrayList<>(List.of("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(port), "-V", version));
        c.addAll(List.of(rest));
        return c.toArray(String[]::new);
    }

    static String[] rr(String version, String... rest) {
        List<String> c = new ArrayList<>(List.of("mosquitto_rr", "-h", "127.0.0.1", "-p", String.valueOf(port), "-V",
                version, "-W", String.valueOf(DEADLINE.toSeconds()), "-t", TOPICS.request));
        c.addAll(List.of(rest));
        return c.toArray(String[]::new);
    }

    @Test
    void retainedStatusAndTicksReachBothProtocolVersions() throws Exception {
        for (String version : new String[] {"mqttv311", "mqttv5"}) {
            try (Mosquitto status = Mosquitto.run(sub(version, "-t", TOPICS.status, "-C", "1", "-F", "%r %p"))) {
                String line = status.line(DEADLINE);
                assertTrue(line.startsWith("1 "), version + ": the status comes retained: " + line);
                JsonNode n = JSON.readTree(line.substring(2));
                assertTrue(n.get("online").asBoolean());
                assertEquals(GW, n.get("gatewayId").asText());
                assertEquals("SYNCHRONIZED", n.get("status").asText());
                assertEquals(HostMqttClock.SOURCE, n.get("source").asText());
                assertEquals(HostMqttClock.BOUND_NANOS, n.get("boundNanos").asLong());
            }
            try (Mosquitto ticks = Mosquitto.run(sub(version, "-t", "ionclock/+/time/tick", "-C", "3"))) {
                long lastSeq = -1;
                long lastSecond = -1;
                for (int i = 0; i < 3; i++) {
                    JsonNode t = JSON.readTree(ticks.line(DEADLINE));
                    long epochNanos = t.get("epochNanos").asLong();
                    long second = Math.floorDiv(epochNanos, 1_000_000_000L);
                    assertTrue(Math.floorMod(epochNanos, 1_000_000_000L) < 500_000_000L,
                            "published at the start of its second: " + t);
                    if (lastSeq >= 0) {
                        assertEquals(lastSeq + 1, t.get("seq").asLong(), "one tick a second, none lost: " + t);
                        assertEquals(lastSecond + 1, second, "consecutive seconds: " + t);
                    }
                    lastSeq = t.get("seq").asLong();
                    lastSecond = second;
                    assertEquals(epochNanos - HostMqttClock.BOUND_NANOS, t.get("earliestNanos").asLong());
                    assertEquals(epochNanos + HostMqttClock.BOUND_NANOS, t.get("latestNanos").asLong());
                    for (String field : new String[] {"time", "status", "source", "leap"}) {
                        assertTrue(t.hasNonNull(field), field);
                    }
                }
            }
        }
    }

    @Test
    void theBinaryTickIsTheSameTick() throws Exception {
        try (Mosquitto ticks = Mosquitto.run(sub("mqttv5", "-t", TOPICS.tick + "/#", "-C", "4", "-F", "%t %x"))) {
            java.util.Map<Long, JsonNode> json = new java.util.HashMap<>();
            java.util.Map<Long, TickBinary.Tick> bin = new java.util.HashMap<>();
            for (int i = 0; i < 4; i++) {
                String[] line = ticks.line(DEADLINE).split(" ");
                byte[] payload = HexFormat.of().parseHex(line[1]);
                if (line[0].equals(TOPICS.tickBinary)) {
                    TickBinary.Tick t = TickBinary.read(payload, 0, payload.length);
                    bin.put(t.seq(), t);
                } else {
                    JsonNode t = JSON.readTree(payload);
                    json.put(t.get("seq").asLong(), t);
                }
            }
            long both = json.keySet().stream().filter(bin::containsKey).peek(seq -> {
                assertEquals(json.get(seq).get("epochNanos").asLong(), bin.get(seq).epochNanos());
                assertEquals(json.get(seq).get("boundNanos").asLong(), bin.get(seq).boundNanos());
                assertEquals(json.get(seq).get("status").asText(), bin.get(seq).status().name());
                assertEquals(TickBinary.sourceCode(HostMqttClock.SOURCE), bin.get(seq).sourceCode());
            }).count();
            assertTrue(both >= 1, "a tick seen in both forms: " + json.keySet() + " " + bin.keySet());
        }
    }

    @Test
    void mqtt5RequestResponseGivesFourTimestampsWithCorrelationData() throws Exception {
        for (int i = 0; i < 3; i++) {
            long t1Nanos = SystemMonoClock.HOST_EPOCH.epochNanos();
            try (Mosquitto rr = Mosquitto.run(rr("mqttv5", "-e", "sensors/rr" + i + "/time", "-m",
                    "{\"t1Nanos\":" + t1Nanos + "}", "-D", "PUBLISH", "correlation-data", "corr-" + i, "-F", "%D %p"))) {
                String line = rr.line(DEADLINE);
                long t4Nanos = SystemMonoClock.HOST_EPOCH.epochNanos();
                assertTrue(line.startsWith("corr-" + i + " "), "correlation data echoed: " + line);
                JsonNode r = JSON.readTree(line.substring(line.indexOf(' ') + 1));
                assertEquals(t1Nanos, r.get("t1Nanos").asLong());
                long t2 = r.get("t2Nanos").asLong();
                long t3 = r.get("t3Nanos").asLong();
                assertTrue(t2 <= t3, "t2 <= t3: " + r);
                long slackNanos = 50_000_000L; // the stand-in clock is the host clock read once, then the monotonic clock
                assertTrue(t2 >= t1Nanos - slackNanos && t3 <= t4Nanos + slackNanos, "inside the exchange: " + r);
                assertEquals(HostMqttClock.BOUND_NANOS, r.get("boundNanos").asLong());
                assertEquals("SYNCHRONIZED", r.get("status").asText());
                assertEquals(0, rr.exit(DEADLINE));
            }
        }
    }

    @Test
    void mqtt311RequestCarriesReplyToAndId() throws Exception {
        long t1Nanos = SystemMonoClock.HOST_EPOCH.epochNanos();
        String replyTo = TOPICS.replyPrefix + "s311";
        try (Mosquitto rr = Mosquitto.run(rr("mqttv311", "-e", replyTo, "-m",
                "{\"t1Nanos\":" + t1Nanos + ",\"replyTo\":\"" + replyTo + "\",\"id\":\"abc\"}"))) {
            JsonNode r = JSON.readTree(rr.line(DEADLINE));
            assertEquals(t1Nanos, r.get("t1Nanos").asLong());
            assertEquals("abc", r.get("id").asText());
            assertTrue(r.get("t2Nanos").asLong() <= r.get("t3Nanos").asLong());
        }
    }

    @Test
    void aSpoofedTickNeverReachesSubscribersAndIsCounted() throws Exception {
        long refusedBefore = stats.refusedCount(Refusal.PUBLISH_NOT_ALLOWED);
        try (Mosquitto ticks = Mosquitto.run(sub("mqttv5", "-t", TOPICS.tick, "-t", TOPICS.status, "-C", "4"))) {
            ticks.line(DEADLINE); // subscribed (the retained status)
            try (Mosquitto p5 = Mosquitto.run(pub("mqttv5", "-q", "1", "-t", TOPICS.tick, "-m", "{\"spoof\":1}"));
                    Mosquitto p3 = Mosquitto.run(pub("mqttv311", "-q", "0", "-t", TOPICS.status, "-r", "-m", "{\"spoof\":2}"));
                    Mosquitto p2 = Mosquitto.run(pub("mqttv311", "-q", "2", "-t", "sensors/x", "-m", "{\"spoof\":3}"))) {
                p5.exit(DEADLINE);
                p3.exit(DEADLINE);
                p2.exit(DEADLINE);
                String p5out = String.join("\n", p5.output());
                assertTrue(p5out.toLowerCase().contains("not authorized") || p5out.isEmpty(),
                        "MQTT 5 QoS 1: PUBACK 0x87 (mosquitto_pub prints it): " + p5out);
            }
            await().atMost(DEADLINE).until(() -> stats.refusedCount(Refusal.PUBLISH_NOT_ALLOWED) >= refusedBefore + 3);
            for (int i = 0; i < 3; i++) {
                String line = ticks.line(DEADLINE);
                assertFalse(line.contains("spoof"), line);
            }
        }
        try (Mosquitto status = Mosquitto.run(sub("mqttv311", "-t", TOPICS.status, "-C", "1"))) {
            assertFalse(status.line(DEADLINE).contains("spoof"), "the retained status is the appliance's");
        }
    }

    @Test
    void garbageGetsErrorRepliesAndCountersWhileTicksGoOn() throws Exception {
        long malformedBefore = stats.requestsRefused(RequestError.MALFORMED_JSON);
        long notAllowedBefore = stats.requestsRefused(RequestError.REPLY_TOPIC_NOT_ALLOWED);
        long ticksBefore = stats.ticksPublished();
        Path noise = dir.resolve("noise.bin");
        byte[] random = new byte[400];
        new Random(11).nextBytes(random);
        Files.write(noise, random);
        try (Mosquitto ticks = Mosquitto.run(sub("mqttv311", "-t", TOPICS.tick, "-C", "3"))) {
            try (Mosquitto g1 = Mosquitto.run(pub("mqttv311", "-t", TOPICS.request, "-m", "garbage"));
                    Mosquitto g2 = Mosquitto.run(pub("mqttv5", "-q", "1", "-t", TOPICS.request, "-f", noise.toString()));
                    Mosquitto g3 = Mosquitto.run(pub("mqttv311", "-t", TOPICS.request, "-m",
                            "{\"t1Nanos\":1,\"replyTo\":\"" + TOPICS.tick + "\"}"))) {
                g1.exit(DEADLINE);
                g2.exit(DEADLINE);
                g3.exit(DEADLINE);
            }
            try (Mosquitto rr = Mosquitto.run(rr("mqttv5", "-e", "sensors/bad/time", "-m", "{\"t1Nanos\":\"x\"}"))) {
                JsonNode e = JSON.readTree(rr.line(DEADLINE));
                assertEquals("BAD_T1", e.get("error").asText());
            }
            for (int i = 0; i < 3; i++) {
                assertTrue(ticks.line(DEADLINE).contains("\"seq\""));
            }
        }
        // counted on the event loops and the tick thread, which may not have got there yet when the lines arrive
        await().atMost(DEADLINE).until(() -> stats.requestsRefused(RequestError.MALFORMED_JSON) >= malformedBefore + 2);
        await("a reply onto the tick topic is refused").atMost(DEADLINE)
                .until(() -> stats.requestsRefused(RequestError.REPLY_TOPIC_NOT_ALLOWED) >= notAllowedBefore + 1);
        // the tick thread counts a tick after handing it over: the subscriber may have it first
        await().atMost(DEADLINE).until(() -> stats.ticksPublished() >= ticksBefore + 3);
        assertEquals(0, stats.tickErrors());
    }

    @Test
    void limitsRefuseTheOffenderAndSpareTheOthers() throws Exception {
        try (Mosquitto ticks = Mosquitto.run(sub("mqttv5", "-t", TOPICS.tick, "-C", "3"))) {
            ticks.line(DEADLINE);
            // subscriptions-per-client-max is 4: the fifth filter is refused (QUOTA_EXCEEDED)
            long subsBefore = stats.refusedCount(Refusal.SUBSCRIPTIONS_MAX);
            try (Mosquitto many = Mosquitto.run(sub("mqttv5", "-t", "a/1", "-t", "a/2", "-t", "a/3", "-t", "a/4",
                    "-t", "a/5", "-C", "1"))) {
                await().atMost(DEADLINE).until(() -> stats.refusedCount(Refusal.SUBSCRIPTIONS_MAX) > subsBefore);
            }
            // requests-per-second-max 5, burst 5: a flood is refused past the bucket, and counted
            long limitedBefore = stats.requestsRefused(RequestError.RATE_LIMITED);
            Path flood = dir.resolve("flood.txt");
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                lines.append("{\"t1Nanos\":").append(i).append(",\"replyTo\":\"sensors/flood\"}\n");
            }
            Files.writeString(flood, lines);
            try (Mosquitto f = Mosquitto.run(pub("mqttv311", "-t", TOPICS.request, "-l", "-q", "1"))) {
                // mosquitto_pub -l reads stdin; feed it through a shell redirect instead
            }
            try (Mosquitto f = Mosquitto.run("sh", "-c", String.join(" ", pub("mqttv311", "-t", TOPICS.request, "-l"))
                    + " < " + flood)) {
                f.exit(DEADLINE);
            }
            await().atMost(DEADLINE).until(() -> stats.requestsRefused(RequestError.RATE_LIMITED) >= limitedBefore + 20);
            // payload-bytes-max 512
            long largeBefore = stats.requestsRefused(RequestError.TOO_LARGE);
            try (Mosquitto big = Mosquitto.run(pub("mqttv311", "-t", TOPICS.request, "-m",
                    "{\"t1Nanos\":1,\"pad\":\"" + "x".repeat(600) + "\"}"))) {
                big.exit(DEADLINE);
            }
            await().atMost(DEADLINE).until(() -> stats.requestsRefused(RequestError.TOO_LARGE) > largeBefore);
            // a will on the appliance's status topic is refused at CONNECT
            long willBefore = stats.refusedCount(Refusal.WILL_NOT_ALLOWED);
            try (Mosquitto liar = Mosquitto.run(sub("mqttv311", "-t", "x", "--will-topic", TOPICS.status,
                    "--will-payload", "{\"online\":false}", "--will-retain", "-C", "1"))) {
                assertNotEquals(0, liar.exit(DEADLINE));
            }
            assertTrue(stats.refusedCount(Refusal.WILL_NOT_ALLOWED) > willBefore);
            // the subscriber was not disturbed
            assertTrue(ticks.line(DEADLINE).contains("\"seq\""));
            assertTrue(ticks.line(DEADLINE).contains("\"seq\""));
        }
    }

    @Test
    void clientsPastTheLimitAreRefusedWithAReason() throws Exception {
        List<Mosquitto> held = new ArrayList<>();
        long before = stats.refusedCount(Refusal.CLIENTS_MAX);
        try {
            for (int i = 0; i < LIMITS.clientsMax(); i++) {
                held.add(Mosquitto.run(sub("mqttv5", "-t", TOPICS.tick, "-C", "100")));
            }
            await().atMost(DEADLINE).until(() -> broker.clients() == LIMITS.clientsMax());
            try (Mosquitto extra = Mosquitto.run(sub("mqttv5", "-t", TOPICS.tick, "-C", "1"))) {
                assertNotEquals(0, extra.exit(DEADLINE));
                assertTrue(String.join("\n", extra.output()).toLowerCase().contains("quota"), extra.output().toString());
            }
            assertEquals(before + 1, stats.refusedCount(Refusal.CLIENTS_MAX));
            for (Mosquitto m : held) {
                assertTrue(m.line(DEADLINE).contains("\"seq\""), "the others still tick");
            }
        } finally {
            for (Mosquitto m : held) {
                m.close();
            }
        }
    }

    /** One server instance per core, each on its own event loop: the connections, and so the fan-out, spread over them. */
    @Test
    void connectionsSpreadOverOneEventLoopPerCore() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        List<Mosquitto> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                held.add(Mosquitto.run(sub("mqttv311", "-t", TOPICS.tick)));
            }
            await().atMost(DEADLINE).until(() -> broker.clients() == 4);
            assertEquals(Math.min(4, cores), broker.eventLoopsInUse(), cores + " cores");
        } finally {
            for (Mosquitto m : held) {
                m.close();
            }
        }
    }

    @Test
    void aSensorsWillReachesItsSubscribersWhenItDies() throws Exception {
        try (Mosquitto watcher = Mosquitto.run(sub("mqttv5", "-t", "sensors/+/state", "-C", "1", "-v"))) {
            await().atMost(DEADLINE).until(() -> broker.clients() == 1);
            Process sensor = new ProcessBuilder(sub("mqttv311", "-t", TOPICS.tick, "--will-topic", "sensors/s9/state",
                    "--will-payload", "gone")).start();
            await().atMost(DEADLINE).until(() -> broker.clients() == 2);
            sensor.destroyForcibly(); // SIGKILL: no DISCONNECT, so the will goes out
            assertEquals("sensors/s9/state gone", watcher.line(DEADLINE));
        }
    }

    @Test
    void qos2IsGrantedAsQos1AndPersistentSessionsAreKept() throws Exception {
        int storedBefore = broker.storedSessions();
        try (Mosquitto s = Mosquitto.run(sub("mqttv311", "-d", "-q", "2", "-c", "-i", "persistent-1", "-t", TOPICS.tick,
                "-C", "1"))) {
            int code = s.exit(DEADLINE);
            assertEquals(0, code, () -> s.output().toString());
            assertTrue(s.output().stream().anyMatch(l -> l.contains("Subscribed (mid: 1): 1")), s.output().toString());
        }
        await().atMost(DEADLINE).until(() -> broker.storedSessions() == storedBefore + 1);
    }

    @Test
    void withCredentialsConfiguredOnlyTheRightOnesGetIn() throws Exception {
        MqttStats own = new MqttStats();
        TimeService s = new TimeService(new HostMqttClock(), new GatewayTopics("gw-auth"), own);
        EmbeddedBroker b = new EmbeddedBroker(vertx, s, new EmbeddedBrokerOptions("127.0.0.1", 0, LIMITS,
                java.util.Optional.of("sensor"), java.util.Optional.of("s3cret"), java.util.Optional.empty(),
                java.util.Optional.empty()));
        int p = b.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            String status = "ionclock/gw-auth/status";
            for (String[] creds : new String[][] {{}, {"-u", "sensor", "-P", "wrong"}, {"-u", "other", "-P", "s3cret"}}) {
                List<String> c = new ArrayList<>(List.of("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(p), "-V",
                        "mqttv5", "-t", status, "-C", "1", "-W", "10"));
                c.addAll(List.of(creds));
                try (Mosquitto m = Mosquitto.run(c.toArray(String[]::new))) {
                    assertNotEquals(0, m.exit(DEADLINE), "refused: " + List.of(creds));
                }
            }
            assertEquals(3, own.refusedCount(Refusal.BAD_CREDENTIALS));
            try (Mosquitto m = Mosquitto.run("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(p), "-V", "mqttv311",
                    "-u", "sensor", "-P", "s3cret", "-t", status, "-C", "1", "-W", "10")) {
                assertTrue(JSON.readTree(m.line(DEADLINE)).get("online").asBoolean());
            }
        } finally {
            b.stop();
        }
    }

    @Test
    void servesMqttOverTls() throws Exception {
        Peers.require(Peers.OPENSSL);
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process gen = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                key.toString(), "-out", cert.toString(), "-subj", "/CN=localhost", "-days", "1",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1").redirectErrorStream(true).start();
        gen.getInputStream().readAllBytes();
        assertTrue(gen.waitFor(30, TimeUnit.SECONDS) && gen.exitValue() == 0, "openssl made a certificate");
        TimeService s = new TimeService(new HostMqttClock(), new GatewayTopics("gw-tls"), new MqttStats());
        EmbeddedBroker b = new EmbeddedBroker(vertx, s, new EmbeddedBrokerOptions("127.0.0.1", 0, LIMITS,
                java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.of(cert.toString()),
                java.util.Optional.of(key.toString())));
        int p = b.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try (Mosquitto m = Mosquitto.run("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(p), "--cafile",
                cert.toString(), "-t", "ionclock/gw-tls/status", "-C", "1", "-W", "10")) {
            assertTrue(JSON.readTree(m.line(DEADLINE)).get("online").asBoolean());
        } finally {
            b.stop();
        }
    }
}
