package io.ionclock.app.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ionclock.adapter.mqtt.Mosquitto;
import io.ionclock.testing.Peers;
import java.io.IOException;
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

/** The packaged appliance with MQTT, as a user runs it, and the {@code probe} subcommand of the same jar. */
class MqttApplianceIT {
    static final Duration DEADLINE = Duration.ofSeconds(30);
    static final Pattern MQTT_PORT = Pattern.compile("MQTT server listening on port (\\d+)");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    Process appliance(Path log, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(List.of(java(), "-jar", System.getProperty("ionclock.jar"), "run"))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("IONCLOCK_DATA_DIR", dir.toString());
        pb.environment().put("QUARKUS_HTTP_PORT", "0");
        pb.environment().put("IONCLOCK_MQTT_PORT", "0");
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Runs {@code ionclock probe ARGS} from the jar; returns exit code and output. */
    static String[] probe(String... args) throws Exception {
        List<String> c = new ArrayList<>(List.of(java(), "-jar", System.getProperty("ionclock.jar"), "probe"));
        c.addAll(List.of(args));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        assertTrue(p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "probe ends");
        return new String[] {String.valueOf(p.exitValue()), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)};
    }

    static int awaitLog(Process p, Path log, Pattern pattern) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
            Matcher m = pattern.matcher(Files.readString(log, StandardCharsets.UTF_8));
            if (m.find()) {
                return m.groupCount() > 0 ? Integer.parseInt(m.group(1)) : 0;
            }
            p.waitFor(100, TimeUnit.MILLISECONDS); // returns early if it dies
        }
        throw new AssertionError("'" + pattern + "' not logged within " + DEADLINE + ":\n" + Files.readString(log));
    }

    @Test
    void embeddedServerAnswersTheProbeAndLeavesOfflineOnStop() throws Exception {
        Peers.require(Peers.MOSQUITTO_SUB);
        Path log = dir.resolve("embedded.log");
        Process p = appliance(log, Map.of("IONCLOCK_MQTT_GATEWAY_ID", "gw-it"));
        try {
            int port = awaitLog(p, log, MQTT_PORT);
            String[] r = probe("--broker", "tcp://127.0.0.1:" + port, "--gateway", "gw-it", "--count", "3", "--mqtt", "5");
            assertEquals("0", r[0], r[1]);
            assertTrue(r[1].contains("summary: 3/3 answered"), r[1]);
            assertFalse(r[1].contains("Listening on"), "probe starts no HTTP server: " + r[1]);
            String[] r311 = probe("--broker", "tcp://127.0.0.1:" + port, "--count", "2", "--mqtt", "3.1.1");
            assertEquals("0", r311[0], r311[1]);
            try (Mosquitto status = Mosquitto.run("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(port),
                    "-t", "ionclock/gw-it/status", "-W", "30")) {
                assertTrue(JSON.readTree(status.line(DEADLINE)).get("online").asBoolean());
                p.destroy(); // SIGTERM: a clean stop
                assertFalse(JSON.readTree(status.line(DEADLINE)).get("online").asBoolean(), "offline before leaving");
            }
        } finally {
            p.destroy();
            assertTrue(p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "stops on SIGTERM");
        }
    }

    @Test
    void externalModeThroughMosquittoAndTheWillWhenItDies() throws Exception {
        Peers.require(Peers.MOSQUITTO);
        Peers.require(Peers.MOSQUITTO_SUB);
        int port = Mosquitto.freePort();
        try (Mosquitto broker = Mosquitto.broker(dir, port)) {
            Path log = dir.resolve("external.log");
            Process p = appliance(log, Map.of("IONCLOCK_MQTT_MODE", "external", "IONCLOCK_MQTT_BROKER",
                    "tcp://127.0.0.1:" + port, "IONCLOCK_MQTT_GATEWAY_ID", "gw-ext-it"));
            try (Mosquitto status = Mosquitto.run("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(port),
                    "-t", "ionclock/gw-ext-it/status", "-W", "60")) {
                assertTrue(JSON.readTree(status.line(DEADLINE)).get("online").asBoolean());
                String[] r = probe("--broker", "tcp://127.0.0.1:" + port, "--count", "3", "--mqtt", "3.1.1");
                assertEquals("0", r[0], r[1]);
                assertTrue(r[1].contains("gateway gw-ext-it"), r[1]);
                p.destroyForcibly(); // SIGKILL: no clean disconnect; the broker publishes our will
                String line;
                do {
                    line = status.line(DEADLINE);
                } while (JSON.readTree(line).get("online").asBoolean());
                assertEquals("OFFLINE", JSON.readTree(line).get("status").asText());
            } finally {
                p.destroyForcibly();
                p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }
}
