package io.ionclock.app;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.Rfc3339;
import io.quarkus.test.junit.QuarkusTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The appliance on the sim profile: its reference is the host clock, so the host clock must lie in the bound. */
@QuarkusTest
class TimeApiTest {
    static final Duration READY_DEADLINE = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();

    static long hostEpochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @BeforeEach
    void waitUntilReady() {
        await().atMost(READY_DEADLINE).pollInterval(Duration.ofMillis(100))
                .until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    @Test
    void timeHoldsTheHostClockWithinTheBoundAndNeverGoesBack() throws Exception {
        long lastEpochNanos = Long.MIN_VALUE;
        for (int i = 0; i < 200; i++) {
            long hostBeforeNanos = hostEpochNanos();
            String body = given().get("/api/v1/time").then().statusCode(200).extract().asString();
            long hostAfterNanos = hostEpochNanos();
            TimeResponse t = JSON.readValue(body, TimeResponse.class);
            assertEquals(t.epochNanos() - t.boundNanos(), t.earliestNanos());
            assertEquals(t.epochNanos() + t.boundNanos(), t.latestNanos());
            assertTrue(t.earliestNanos() <= hostAfterNanos && t.latestNanos() >= hostBeforeNanos,
                    () -> "host clock outside [earliest, latest]: " + body + " host " + hostBeforeNanos + ".." + hostAfterNanos);
            assertTrue(t.epochNanos() >= lastEpochNanos, "time went backwards");
            lastEpochNanos = t.epochNanos();
            assertEquals(Rfc3339.ofEpochNanos(t.epochNanos()), t.time());
            assertEquals(Rfc3339.ofEpochNanos(t.earliestNanos()), t.earliest());
            assertEquals("SYNCHRONIZED", t.status());
            assertEquals("SIM", t.source());
            assertEquals("NONE", t.leap());
            assertTrue(t.boundNanos() > 0 && t.boundNanos() <= 1_000_000, body);
        }
    }

    @Test
    void statusShowsTheClockAndEachSource() {
        given().get("/api/v1/status").then().statusCode(200)
                .body("profile", equalTo("sim"))
                .body("reference.kind", equalTo("sim"))
                .body("reference.alive", equalTo(true))
                .body("clock.monotonicViolations", equalTo(0))
                .body("clock.sampleCount", greaterThan(1))
                .body("sources[0].name", equalTo("SIM"))
                .body("sources[0].accepted", greaterThan(1))
                .body("sources[0].lastSample.refEpochNanos", notNullValue())
                .body("time.status", equalTo("SYNCHRONIZED"))
                .body("hostClock.mode", equalTo("none"))
                .body("hostClock.reason", equalTo("ionclock.host-clock=none"));
    }

    @Test
    void healthChecksReportTheirData() {
        given().get("/q/health/live").then().statusCode(200)
                .body("checks[0].name", equalTo("ionclock-loops"))
                .body("checks[0].data.disciplineLoop", equalTo(true));
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks[0].data.status", equalTo("SYNCHRONIZED"))
                .body("checks[0].data.source", equalTo("SIM"))
                .body("checks[0].data.readyBoundNanos", equalTo(1_000_000));
        given().get("/q/health/started").then().statusCode(200)
                .body("checks[0].data.profile", equalTo("sim"));
    }

    @Test
    void metricsExposeTheClock() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : new String[] {"ionclock_offset_seconds", "ionclock_last_offset_seconds",
                "ionclock_frequency_ppb", "ionclock_bound_seconds", "ionclock_jitter_seconds",
                "ionclock_status{status=\"SYNCHRONIZED\"} 1.0", "ionclock_monotonic_violations_total 0.0",
                "ionclock_samples_total{result=\"accepted\",source=\"SIM\"}",
                "ionclock_samples_total{result=\"rejected_suspect\",source=\"SIM\"}"}) {
            assertTrue(metrics.contains(name), "missing " + name);
        }
        given().get("/q/metrics").then().body(containsString("ionclock_clock_steps_total"))
                .body(containsString("ionclock_host_clock_mode{mode=\"none\"} 1.0"))
                .body(containsString("ionclock_host_clock_samples_total{result=\"skipped_bound_over_max\"} 0.0"));
    }
}
