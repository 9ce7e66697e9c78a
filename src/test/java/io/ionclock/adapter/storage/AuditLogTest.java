package io.ionclock.adapter.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.audit.AuditEvent;
import io.ionclock.core.audit.AuditVerifier;
import io.ionclock.core.audit.AuditWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log on a real directory: its own thread, fsynced files, a restart, and a directory it cannot write. */
class AuditLogTest {
    static final long DEADLINE_NANOS = 10_000_000_000L;
    static final AuditWriter.Limits LIMITS = new AuditWriter.Limits(8192, 4, 3_600_000_000_000L);

    /** A clock the test moves: the writer stamps records with it. */
    static final class TestClock implements AuditWriter.Clock {
        final AtomicLong monoNanos = new AtomicLong(5_000_000_000L);

        @Override
        public long monoNanos() {
            return monoNanos.get();
        }

        @Override
        public long epochNanos() {
            return 1_780_000_000_000_000_000L + monoNanos.get();
        }
    }

    /** Waits for the writer's thread, with a deadline (no fixed sleep). */
    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(1_000_000L);
        }
    }

    @Test
    void writesRotatesAndContinuesTheChainAfterARestart(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("audit");
        TestClock clock = new TestClock();
        AuditLog log = new AuditLog(dir, LIMITS, clock);
        log.start();
        for (int i = 0; i < 60; i++) {
            assertTrue(log.submit(AuditEvent.of(AuditEvent.STATUS, "to", "SYNCHRONIZED", "n", i)));
        }
        await(() -> log.recordsWritten() >= 61, "61 records");
        log.close();
        assertEquals(0, log.writeErrors());
        // A crash in the middle of a record: the restart cuts it and goes on in a new file.
        Path newest;
        try (var files = Files.list(dir)) {
            newest = files.sorted().reduce((a, b) -> b).orElseThrow();
        }
        Files.writeString(newest, "{\"seq\":99,\"mono", StandardOpenOption.APPEND);
        AuditLog again = new AuditLog(dir, LIMITS, clock);
        again.start();
        assertEquals(15, again.recoveredPartialBytes());
        again.submit(AuditEvent.of(AuditEvent.START));
        await(() -> again.recordsWritten() >= 2, "the restart's records");
        again.close();
        AuditVerifier.Report r = AuditVerifier.verify(AuditDirectory.readAll(dir), true);
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(4, r.files()); // files-max: the oldest were deleted at rotation, and that is no problem
        assertTrue(Files.notExists(dir.resolve("audit-000001.jsonl")));
        assertTrue(r.notes().get(0).contains("earlier files were deleted by rotation"), r.notes().toString());
    }

    @Test
    void aDirectoryThatCannotBeWrittenCountsErrorsAndNeverBlocks(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("audit");
        Files.writeString(dir, "not a directory"); // every create fails, as root too
        TestClock clock = new TestClock();
        AuditLog log = new AuditLog(dir, LIMITS, clock);
        log.start();
        for (int i = 0; i < 3; i++) {
            log.submit(AuditEvent.of(AuditEvent.STATUS, "n", i));
        }
        await(() -> log.writeErrors() >= 3, "three write errors");
        assertEquals(0, log.recordsWritten());
        assertTrue(log.gapRecords() >= 3);
        clock.monoNanos.addAndGet(7_000_000_000L);
        assertTrue(log.gapSeconds() >= 7.0, "gap " + log.gapSeconds());
        // The disk comes back: the gap is recorded without waiting for another event.
        Files.delete(dir);
        await(() -> log.recordsWritten() >= 2, "file_start and audit_gap");
        log.close();
        assertEquals(0, log.gapRecords());
        assertEquals(0.0, log.gapSeconds());
        String text = Files.readString(dir.resolve("audit-000001.jsonl"), StandardCharsets.US_ASCII);
        assertTrue(text.contains("\"type\":\"audit_gap\",\"lost_write_errors\":"), text);
        assertTrue(AuditVerifier.verify(AuditDirectory.readAll(dir), true).ok());
    }
}
