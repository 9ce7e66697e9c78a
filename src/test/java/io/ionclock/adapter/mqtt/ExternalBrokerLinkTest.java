package io.ionclock.adapter.mqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ionclock.core.mqtt.GatewayTopics;
import io.ionclock.testing.Peers;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** External mode against a real Mosquitto broker that the test starts, stops and starts again. */
class ExternalBrokerLinkTest {
    static final Duration DEADLINE = Duration.ofSeconds(15);
    static final GatewayTopics TOPICS = new GatewayTopics("gw-ext");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    Vertx vertx;
    MqttStats stats;
    TimeService service;
    ExternalBrokerLink link;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        stats = new MqttStats();
        service = new TimeService(new HostMqttClock(), TOPICS, stats);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (link != null) {
            service.stop();
            link.stop();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    ExternalBrokerLink link(String broker, long connackTimeoutNanos) {
        link = new ExternalBrokerLink(vertx, service, new ExternalBrokerOptions(broker, Optional.empty(), Optional.empty(),
                connackTimeoutNanos, 50_000_000L, 500_000_000L, 5_000_000_000L, 512, 10_000, Optional.empty()));
        link.start();
        service.start(link);
        return link;
    }

    static String[] sub(int port, String... rest) {
        List<String> c = new ArrayList<>(List.of("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(port), "-W",
                String.valueOf(DEADLINE.toSeconds())));
        c.addAll(List.of(rest));
        return c.toArray(String[]::new);
    }

    @Test
    void ticksStatusAndRequestsGoOnThroughABrokerRestart() throws Exception {
        Peers.require(Peers.MOSQUITTO);
        Peers.require(Peers.MOSQUITTO_SUB);
        Peers.require(Peers.MOSQUITTO_RR);
        int port = Mosquitto.freePort();
        String broker = "tcp://127.0.0.1:" + port;
        Mosquitto mosquitto = Mosquitto.broker(dir, port);
        try {
            link(broker, 2_000_000_000L);
            await().atMost(DEADLINE).until(link::connected);
            assertRetainedOnlineStatusAndTicks(port);
            assertRequestAnswered(port, "first");

            mosquitto.close();
            await().atMost(DEADLINE).until(() -> !link.connected());
            long droppedBefore = stats.ticksDropped();
            await().atMost(DEADLINE).until(() -> stats.ticksDropped() >= droppedBefore + 2); // the tick loop goes on

            mosquitto = Mosquitto.broker(dir, port);
            await().atMost(DEADLINE).until(link::connected);
            assertTrue(stats.brokerConnects() >= 2);
            // the new broker kept nothing (persistence false): the status is there because the link re-sent it
            assertRetainedOnlineStatusAndTicks(port);
            assertRequestAnswered(port, "after-restart");

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = MqttProbe.run(new String[] {"--broker", broker, "--count", "3", "--mqtt", "5"},
                    new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("summary: 3/3 answered"), out.toString(StandardCharsets.UTF_8));

            link.stop();
            service.stop();
            link = null;
            try (Mosquitto status = Mosquitto.run(sub(port, "-t", TOPICS.status, "-C", "1"))) {
                assertTrue(JSON.readTree(status.line(DEADLINE)).get("online").asBoolean() == false,
                        "a clean stop leaves the offline status retained");
            }
        } finally {
            mosquitto.close();
        }
    }

    void assertRetainedOnlineStatusAndTicks(int port) throws Exception {
        try (Mosquitto status = Mosquitto.run(sub(port, "-t", TOPICS.status, "-C", "1", "-F", "%r %p"))) {
            String line = status.line(DEADLINE);
            assertTrue(line.startsWith("1 "), "retained: " + line);
            assertTrue(JSON.readTree(line.substring(2)).get("online").asBoolean(), line);
        }
        try (Mosquitto ticks = Mosquitto.run(sub(port, "-t", TOPICS.tick, "-C", "2"))) {
            long a = JSON.readTree(ticks.line(DEADLINE)).get("seq").asLong();
            long b = JSON.readTree(ticks.line(DEADLINE)).get("seq").asLong();
            assertEquals(a + 1, b);
        }
    }

    void assertRequestAnswered(int port, String id) throws Exception {
        String replyTo = "sensors/ext/" + id;
        try (Mosquitto rr = Mosquitto.run("mosquitto_rr", "-h", "127.0.0.1", "-p", String.valueOf(port), "-V", "mqttv311",
                "-W", String.valueOf(DEADLINE.toSeconds()), "-t", TOPICS.request, "-e", replyTo, "-m",
                "{\"t1Nanos\":5,\"replyTo\":\"" + replyTo + "\",\"id\":\"" + id + "\"}")) {
            JsonNode r = JSON.readTree(rr.line(DEADLINE));
            assertEquals(5, r.get("t1Nanos").asLong());
            assertEquals(id, r.get("id").asText());
            assertTrue(r.get("t2Nanos").asLong() <= r.get("t3Nanos").asLong());
        }
    }

    /** vertx-mqtt#109: a broker that accepts TCP but never sends CONNACK must not hang the link. */
    @Test
    void aConnackThatNeverComesIsGivenUpAndRetried() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // read nothing, answer nothing
                        accepted.incrementAndGet();
                    }
                } catch (Exception e) {
                    // closed
                }
            });
            link("tcp://127.0.0.1:" + silent.getLocalPort(), 300_000_000L);
            await().atMost(DEADLINE).until(() -> link.connackTimeouts() >= 3 && accepted.get() >= 3);
            assertTrue(!link.connected());
            long ticks = stats.ticksDropped();
            await().atMost(DEADLINE).until(() -> stats.ticksDropped() > ticks); // ticks go on meanwhile
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
