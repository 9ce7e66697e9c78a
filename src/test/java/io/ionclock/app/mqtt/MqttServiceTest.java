package io.ionclock.app.mqtt;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ionclock.adapter.mqtt.Mosquitto;
import io.ionclock.testing.Peers;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The appliance (sim profile) serving MQTT on a free port: the ticks carry the disciplined clock and its metrics. */
@QuarkusTest
class MqttServiceTest {
    static final Duration DEADLINE = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    MqttService mqtt;

    @BeforeEach
    void ready() {
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                .until(() -> given().get("/q/health/ready").statusCode() == 200);
        assertTrue(mqtt.port() > 0, "the bound port is known");
    }

    static long hostEpochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Test
    void ticksAreTheDisciplinedClocksSecondsWithAnHonestBound() throws Exception {
        Peers.require(Peers.MOSQUITTO_SUB);
        String gw = mqtt.gatewayId().orElseThrow();
        assertEquals("gw-quarkus-test", gw);
        try (Mosquitto ticks = Mosquitto.run("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(mqtt.port()),
                "-V", "mqttv5", "-t", "ionclock/" + gw + "/time/tick", "-C", "3", "-W", "30")) {
            for (int i = 0; i < 3; i++) {
                String line = ticks.line(DEADLINE);
                long hostNanos = hostEpochNanos();
                JsonNode t = JSON.readTree(line);
                long epochNanos = t.get("epochNanos").asLong();
                assertEquals("SYNCHRONIZED", t.get("status").asText(), line);
                assertEquals("SIM", t.get("source").asText());
                // the sim reference is the host clock: the tick's interval holds the host clock at publish time
                assertTrue(t.get("earliestNanos").asLong() <= hostNanos, line);
                assertTrue(Math.floorMod(epochNanos, 1_000_000_000L) < 500_000_000L, "at its second boundary: " + line);
            }
        }
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : new String[] {"ionclock_mqtt_clients", "ionclock_mqtt_ticks_total{result=\"published\"}",
                "ionclock_mqtt_tick_lateness_seconds_bucket", "ionclock_mqtt_tick_lateness_seconds_count",
                "ionclock_mqtt_requests_total{result=\"served\"}", "ionclock_mqtt_requests_total{result=\"malformed_json\"}",
                "ionclock_mqtt_refused_total{reason=\"publish_not_allowed\"}",
                "ionclock_mqtt_dropped_total{reason=\"inflight_full\"}"}) {
            assertTrue(metrics.contains(name), "missing " + name);
        }
    }

    @Test
    void mosquittoRrGetsTheDisciplinedTime() throws Exception {
        Peers.require(Peers.MOSQUITTO_RR);
        String gw = mqtt.gatewayId().orElseThrow();
        long t1Nanos = hostEpochNanos();
        try (Mosquitto rr = Mosquitto.run("mosquitto_rr", "-h", "127.0.0.1", "-p", String.valueOf(mqtt.port()), "-V",
                "mqttv5", "-W", "30", "-t", "ionclock/" + gw + "/time/request", "-e", "sensors/q/time", "-m",
                "{\"t1Nanos\":" + t1Nanos + "}")) {
            JsonNode r = JSON.readTree(rr.line(DEADLINE));
            long t4Nanos = hostEpochNanos();
            long bound = r.get("boundNanos").asLong();
            // the reference is the host clock: t2 and t3 lie within the exchange, widened by the bound
            assertTrue(r.get("t2Nanos").asLong() + bound >= t1Nanos, r.toString());
            assertTrue(r.get("t3Nanos").asLong() - bound <= t4Nanos, r.toString());
            assertTrue(r.get("t2Nanos").asLong() <= r.get("t3Nanos").asLong());
            assertEquals("SIM", r.get("source").asText());
        }
    }
}
