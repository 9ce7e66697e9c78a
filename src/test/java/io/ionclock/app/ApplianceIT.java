package io.ionclock.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.ionclock.testing.Peers;
import io.ionclock.testing.SimulatedReceiver;
import io.ionclock.testing.SocatPtyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged appliance, as a user runs it: {@code java -jar target/quarkus-app/quarkus-run.jar run}. */
class ApplianceIT {
    static final Duration READY_DEADLINE = Duration.ofSeconds(30);
    static final Duration EXIT_DEADLINE = Duration.ofSeconds(30);
    static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:]+:(\\d+)");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    Process start(Path log, Map<String, String> env) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-jar", System.getProperty("ionclock.jar"), "run"))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("IONCLOCK_DATA_DIR", dataDir.toString());
        pb.environment().put("QUARKUS_HTTP_PORT", "0");
        pb.environment().put("IONCLOCK_MQTT_PORT", "0"); // the embedded MQTT server on a free port, not 1883
        pb.environment().putAll(env);
        return pb.start();
    }

    @Test
    void aBadValueStopsTheServiceNamingTheKey() throws Exception {
        Path log = dataDir.resolve("bad.log");
        Process p = start(log, Map.of("IONCLOCK_MQTT_PORT", "70000"));
        assertTrue(p.waitFor(EXIT_DEADLINE.toSeconds(), TimeUnit.SECONDS), "the service must stop by itself");
        assertNotEquals(0, p.exitValue());
        assertTrue(Files.readString(log).contains("ionclock.mqtt.port"), Files.readString(log));
    }

    @Test
    void simProfileBecomesReadyAndHoldsTheHostClock() throws Exception {
        Path log = dataDir.resolve("run.log");
        Process p = start(log, Map.of());
        try {
            readyThenReads(p, log, "SIM");
        } finally {
            p.destroy();
            assertTrue(p.waitFor(EXIT_DEADLINE.toSeconds(), TimeUnit.SECONDS), "stops on SIGTERM");
        }
        Path drift = dataDir.resolve("sim.drift");
        assertTrue(Files.exists(drift), "drift file written at shutdown");
        double frequencyPpb = io.ionclock.core.DriftFileFormat.parseFrequencyPpb(Files.readString(drift), 500_000);
        assertEquals(25_000, frequencyPpb, 5_000, "the sim oscillator's +25 ppm, learned: " + Files.readString(drift));
    }

    /** The usb-nmea profile pointed at a pseudo-terminal carrying NMEA (no PPS): ready on GNSS time. */
    @Test
    void usbNmeaProfileBecomesReadyOnGnssTimeWithAnHonestBound() throws Exception {
        Peers.require(Peers.SOCAT);
        try (SocatPtyPair pty = SocatPtyPair.start(dataDir);
                SimulatedReceiver receiver = new SimulatedReceiver(pty.openFeed(), 250, 100, 3).start(false)) {
            Path log = dataDir.resolve("usb-nmea.log");
            Process p = start(log, Map.of("IONCLOCK_PROFILE", "usb-nmea", "IONCLOCK_GNSS_DEVICE", pty.gnss().toString()));
            try {
                TimeResponse t = readyThenReads(p, log, "GNSS");
                assertTrue(t.boundNanos() >= 500_000_000L, "NMEA alone cannot claim better than half a second: " + t);
            } finally {
                p.destroy();
                assertTrue(p.waitFor(EXIT_DEADLINE.toSeconds(), TimeUnit.SECONDS), "stops on SIGTERM");
            }
        }
    }

    /** Waits for readiness, then checks 100 reads against the host clock; returns the last. */
    TimeResponse readyThenReads(Process p, Path log, String source) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadlineNanos = System.nanoTime() + READY_DEADLINE.toNanos();
        int port = -1;
        boolean ready = false;
        while (!ready && System.nanoTime() < deadlineNanos && p.isAlive()) {
            if (port < 0) {
                Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
                port = m.find() ? Integer.parseInt(m.group(1)) : -1;
            }
            if (port > 0) {
                ready = get(http, port, "/q/health/ready").statusCode() == 200;
            }
            if (!ready) {
                p.waitFor(100, TimeUnit.MILLISECONDS); // waits on the process, returns early if it dies
            }
        }
        assertTrue(ready, "not ready within " + READY_DEADLINE + ":\n" + Files.readString(log));
        long lastEpochNanos = Long.MIN_VALUE;
        TimeResponse last = null;
        for (int i = 0; i < 100; i++) {
            long before = hostEpochNanos();
            HttpResponse<String> r = get(http, port, "/api/v1/time");
            long after = hostEpochNanos();
            TimeResponse t = JSON.readValue(r.body(), TimeResponse.class);
            assertTrue(t.earliestNanos() <= after && t.latestNanos() >= before, r.body());
            assertTrue(t.epochNanos() >= lastEpochNanos, "time went backwards");
            lastEpochNanos = t.epochNanos();
            assertEquals("SYNCHRONIZED", t.status());
            assertEquals(source, t.source());
            last = t;
        }
        return last;
    }

    static HttpResponse<String> get(HttpClient http, int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static long hostEpochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
