package io.ionclock.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.adapter.storage.AuditLog;
import io.ionclock.core.audit.AuditEvent;
import io.ionclock.core.audit.AuditWriter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ionclock audit verify} on a log the adapter wrote, before and after a change. */
class AuditCommandTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) {
        out.reset();
        err.reset();
        return AuditCommand.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    static void writeLog(Path dataDir, int events) {
        long[] mono = {1_000_000_000L};
        AuditWriter.Clock clock = new AuditWriter.Clock() {
            @Override
            public long monoNanos() {
                return mono[0] += 1_000_000L;
            }

            @Override
            public long epochNanos() {
                return 1_780_000_000_000_000_000L + mono[0];
            }
        };
        AuditLog log = new AuditLog(AuditService.directory(dataDir.toString()),
                new AuditWriter.Limits(8192, 8, 3_600_000_000_000L), clock);
        log.start();
        for (int i = 0; i < events; i++) {
            log.submit(AuditEvent.of(AuditEvent.STATUS, "to", "SYNCHRONIZED", "n", i));
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (log.recordsWritten() < events + 1 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000L);
        }
        log.close();
    }

    @Test
    void anIntactLogIsOkAndAChangedOneFailsWithFileAndLine(@TempDir Path tmp) throws Exception {
        writeLog(tmp, 50);
        assertEquals(0, run("verify", "--data-dir", tmp.toString()), out.toString());
        assertTrue(out.toString().contains("OK: 5"), out.toString()); // 50 events and the file_starts: 5x records
        Path first = tmp.resolve("audit/audit-000001.jsonl");
        List<String> lines = Files.readAllLines(first);
        lines.set(3, lines.get(3).replace("\"n\":2", "\"n\":7"));
        Files.write(first, lines);
        assertEquals(1, run("verify", "--data-dir", tmp.toString()));
        assertTrue(out.toString().contains("audit-000001.jsonl:4: content changed"), out.toString());
        assertTrue(out.toString().contains("FAILED: 1 problem"), out.toString());
        assertEquals(1, run("verify", first.toString()));
        assertTrue(out.toString().contains(first + ":4: content changed"), out.toString());
    }

    @Test
    void usageAndMissingLogAreExit2(@TempDir Path tmp) {
        assertEquals(2, run());
        assertEquals(2, run("verify", "--data-dir", tmp.toString()));
        assertTrue(err.toString().contains("no audit files"), err.toString());
        assertEquals(2, run("verify", "--bogus"));
    }
}
