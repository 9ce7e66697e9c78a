package io.ionclock.app;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.adapter.storage.AuditDirectory;
import io.ionclock.core.audit.AuditFormat;
import io.ionclock.core.audit.AuditJson;
import io.ionclock.core.audit.AuditVerifier;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The appliance on the sim profile writes its audit log: a start record, the first synchronisation, a valid chain. */
@QuarkusTest
@TestProfile(AuditServiceTest.Profile.class)
class AuditServiceTest {
    static final Duration DEADLINE = Duration.ofSeconds(30);

    /** Its own data directory, and an ionclock.audit.* key set, to show the mapping reads it. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ionclock.data-dir", "target/test-data-audit", "ionclock.audit.files-max", "5");
        }
    }

    @Inject
    AuditService audit;

    @Inject
    AuditConfig config;

    List<Map<String, Object>> records() throws Exception {
        return AuditDirectory.readAll(Path.of("target/test-data-audit/audit")).stream()
                .flatMap(f -> new String(f.bytes(), StandardCharsets.US_ASCII).lines()).map(AuditJson::parse).toList();
    }

    @Test
    void theAppliancesStartAndFirstSynchronisationAreInAValidChain() throws Exception {
        assertEquals(5, config.filesMax());
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> records().stream()
                .anyMatch(r -> "status".equals(r.get("type")) && "SYNCHRONIZED".equals(r.get("to"))));
        List<Map<String, Object>> all = records();
        Map<String, Object> start = all.stream().filter(r -> "start".equals(r.get("type"))).reduce((a, b) -> b)
                .orElseThrow();
        assertTrue(AuditFormat.isHex64(start.get("config_sha256")), start.toString());
        assertEquals("UTC-SMEARED", start.get("timescale"));
        assertTrue(all.stream().anyMatch(r -> "source_selected".equals(r.get("type")) && "sim".equals(r.get("source"))),
                all.toString());
        AuditVerifier.Report report = AuditVerifier.verify(AuditDirectory.readAll(
                Path.of("target/test-data-audit/audit")), true);
        assertTrue(report.ok(), report.problems().toString());
        assertEquals(0, audit.log().orElseThrow().writeErrors());
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("ionclock_audit_records_total"))
                .body(containsString("ionclock_audit_dropped_total"))
                .body(containsString("ionclock_audit_write_errors_total"))
                .body(containsString("ionclock_audit_gap_records"))
                .body(containsString("ionclock_audit_gap_seconds"));
    }
}
