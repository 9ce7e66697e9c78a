package io.ionclock.app;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The SLI metrics (docs/sli.md) on the sim profile: its simulated receiver's samples count as gnss and pps. */
@QuarkusTest
class SliMetricsTest {
    static final Duration READY_DEADLINE = Duration.ofSeconds(30);

    static double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        assertTrue(m.find(), "missing " + series + " in\n" + metrics);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void attemptsSuccessesLatencyAndHealthAreExported() {
        await().atMost(READY_DEADLINE).pollInterval(Duration.ofMillis(100))
                .until(() -> given().get("/q/health/ready").statusCode() == 200);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String kind : SliMetrics.KINDS) {
            double attempts = value(metrics, "ionclock_sync_attempts_total{kind=\"" + kind + "\"}");
            double successes = value(metrics, "ionclock_sync_successes_total{kind=\"" + kind + "\"}");
            assertTrue(successes <= attempts, kind + ": " + successes + " successes of " + attempts);
        }
        // The simulated receiver's accepted samples (read within the same scrape: counts may differ by a sample or two).
        assertTrue(value(metrics, "ionclock_samples_total{result=\"accepted\",source=\"SIM\"}") > 0);
        assertTrue(value(metrics, "ionclock_sync_successes_total{kind=\"gnss\"}") > 0);
        assertTrue(value(metrics, "ionclock_sync_successes_total{kind=\"pps\"}") > 0);
        assertEquals(0.0, value(metrics, "ionclock_sync_attempts_total{kind=\"clocklink\"}"), "Clocklink is off");
        assertTrue(value(metrics, "ionclock_sync_latency_seconds_count") >= 1);
        assertTrue(value(metrics, "ionclock_sync_latency_seconds_bucket{le=\"+Inf\"}") >= 1);
        assertEquals(0.001, value(metrics, "ionclock_time_authority_bound_max_seconds"), 1e-12);
        assertEquals(1.0, value(metrics, "ionclock_time_authority_healthy"));
        // Less than ten minutes of readings: no trend yet.
        assertEquals("NaN", String.valueOf(value(metrics, "ionclock_frequency_change_ppb_per_hour")));
    }
}
