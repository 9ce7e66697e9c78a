package io.ionclock.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditWriterTest {
    static final long SECOND_NANOS = 1_000_000_000L;
    static final AuditWriter.Limits SMALL = new AuditWriter.Limits(8192, 4, 3600 * SECOND_NANOS);

    static List<Map<String, Object>> records(MemoryAuditFiles files, long number) {
        String s = new String(files.files.get(number).toByteArray(), StandardCharsets.US_ASCII);
        return s.lines().map(AuditJson::parse).toList();
    }

    @Test
    void eachRecordIsSyncedAndChained() {
        MemoryAuditFiles files = new MemoryAuditFiles();
        AuditTestClock clock = new AuditTestClock();
        AuditWriter w = new AuditWriter(files, SMALL, clock);
        assertTrue(w.write(AuditEvent.of(AuditEvent.START, "config_sha256", "ab"), 0));
        assertTrue(w.write(AuditEvent.of(AuditEvent.SOURCE_SELECTED, "source", "GNSS+PPS"), 0));
        List<Map<String, Object>> r = records(files, 1);
        assertEquals(3, r.size());
        assertEquals(3, files.syncs); // fsync after every record
        assertEquals(AuditEvent.FILE_START, r.get(0).get("type"));
        assertEquals(AuditFormat.ZERO_HASH, r.get(0).get("prev"));
        assertEquals(1L, r.get(0).get("seq"));
        assertEquals(r.get(0).get("hash"), r.get(1).get("prev"));
        assertEquals(r.get(1).get("hash"), r.get(2).get("prev"));
        assertEquals(3L, r.get(2).get("seq"));
        assertEquals(clock.epochNanos, r.get(2).get("epochNanos"));
    }

    @Test
    void rotationBySizeKeepsTheChainAcrossFiles() {
        MemoryAuditFiles files = new MemoryAuditFiles();
        AuditWriter w = new AuditWriter(files, new AuditWriter.Limits(8192, 100, 3600 * SECOND_NANOS), new AuditTestClock());
        for (int i = 0; i < 100; i++) {
            assertTrue(w.write(AuditEvent.of(AuditEvent.STATUS, "to", "SYNCHRONIZED", "n", i), 0));
        }
        assertTrue(files.files.size() >= 3);
        for (long n : files.list()) {
            assertTrue(files.files.get(n).size() <= 8192);
            if (n == 1) {
                continue;
            }
            List<Map<String, Object>> prev = records(files, n - 1);
            Map<String, Object> first = records(files, n).get(0);
            assertEquals(AuditEvent.FILE_START, first.get("type"));
            assertEquals(prev.get(prev.size() - 1).get("hash"), first.get("prev"));
            assertEquals((Long) prev.get(prev.size() - 1).get("seq") + 1, first.get("seq"));
            assertEquals(AuditFormat.fileName(n - 1), first.get("rotated_from"));
            assertEquals(n, first.get("file"));
        }
        assertTrue(AuditVerifier.verify(files.named(), true).ok());
    }

    @Test
    void rotationByAge() {
        MemoryAuditFiles files = new MemoryAuditFiles();
        AuditTestClock clock = new AuditTestClock();
        AuditWriter w = new AuditWriter(files, new AuditWriter.Limits(1 << 20, 8, 60 * SECOND_NANOS), clock);
        w.write(AuditEvent.of(AuditEvent.STATUS, "to", "HOLDOVER"), 0);
        clock.advanceNanos(59 * SECOND_NANOS);
        w.write(AuditEvent.of(AuditEvent.STATUS, "to", "SYNCHRONIZED"), 0);
        assertEquals(1, files.files.size());
        clock.advanceNanos(SECOND_NANOS);
        w.write(AuditEvent.of(AuditEvent.STATUS, "to", "HOLDOVER"), 0);
        assertEquals(2, files.files.size());
        assertTrue(AuditVerifier.verify(files.named(), true).ok());
    }

    @Test
    void theOldestFilesBeyondFilesMaxAreDeleted() {
        MemoryAuditFiles files = new MemoryAuditFiles();
        AuditWriter w = new AuditWriter(files, SMALL, new AuditTestClock());
        for (int i = 0; i < 200; i++) {
            w.write(AuditEvent.of(AuditEvent.STATUS, "to", "SYNCHRONIZED", "n", i), 0);
        }
        assertEquals(4, files.files.size());
        assertEquals(w.currentFileNumber() - 3, files.files.firstKey());
        assertTrue(AuditVerifier.verify(files.named(), true).ok());
    }

    @Test
    void aFullQueueIsRecordedAsAGapWhenWritingResumes() throws InterruptedException {
        MemoryAuditFiles files = new MemoryAuditFiles();
        AuditTestClock clock = new AuditTestClock();
        AuditWriter w = new AuditWriter(files, SMALL, clock);
        AuditQueue q = new AuditQueue(4);
        for (int i = 0; i < 10; i++) {
            q.offer(AuditEvent.of(AuditEvent.STATUS, "n", i));
        }
        assertEquals(6, q.dropped());
        w.noteDrops(q.dropped());
        clock.advanceNanos(3 * SECOND_NANOS);
        assertEquals(3 * SECOND_NANOS, w.gapNanosAt(clock.monoNanos()));
        for (AuditEvent e; (e = q.poll()) != null;) {
            assertTrue(w.write(e, q.dropped()));
        }
        List<Map<String, Object>> r = records(files, 1);
        assertEquals(AuditEvent.AUDIT_GAP, r.get(1).get("type"));
        assertEquals(6L, r.get(1).get("lost_queue_full"));
        assertEquals(0L, r.get(1).get("lost_write_errors"));
        assertEquals(1 + 1 + 4, r.size()); // file_start, audit_gap, the 4 queued
        assertEquals(0, w.gapNanosAt(clock.monoNanos()));
        assertTrue(AuditVerifier.verify(files.named(), true).ok());
    }

    @Test
    void aFullDiskLosesRecordsButTheWriterGoesOnAndRecordsTheGap() {
        MemoryAuditFiles files = new MemoryAuditFiles();
        AuditTestClock clock = new AuditTestClock();
        AuditWriter w = new AuditWriter(files, SMALL, clock);
        assertTrue(w.write(AuditEvent.of(AuditEvent.START), 0));
        files.failing = true;
        assertFalse(w.write(AuditEvent.of(AuditEvent.STATUS, "to", "HOLDOVER"), 0));
        assertFalse(w.write(AuditEvent.of(AuditEvent.STATUS, "to", "SYNCHRONIZED"), 0));
        assertEquals(2, w.writeErrors());
        assertEquals(2, w.lostUnrecorded()); // both events (the second failed at its audit_gap)
        clock.advanceNanos(5 * SECOND_NANOS);
        assertTrue(w.gapNanosAt(clock.monoNanos()) >= 5 * SECOND_NANOS);
        files.failing = false;
        assertTrue(w.write(AuditEvent.of(AuditEvent.STATUS, "to", "HOLDOVER"), 0));
        assertEquals(0, w.gapNanosAt(clock.monoNanos()));
        assertEquals(0, w.lostUnrecorded());
        AuditVerifier.Report report = AuditVerifier.verify(files.named(), true);
        assertTrue(report.ok(), report.problems().toString()); // the half-written line was cut off
        List<Map<String, Object>> all = files.named().stream()
                .flatMap(f -> new String(f.bytes(), StandardCharsets.US_ASCII).lines()).map(AuditJson::parse).toList();
        Map<String, Object> gap = all.stream().filter(m -> AuditEvent.AUDIT_GAP.equals(m.get("type"))).findFirst()
                .orElseThrow();
        assertEquals(2L, gap.get("lost_write_errors"));
        assertEquals(AuditEvent.STATUS, all.get(all.size() - 1).get("type"));
    }

    @Test
    void aFileStartTheDiskRefusesLeavesNoEmptyFileAndNoFalseAlarm() throws Exception {
        MemoryAuditFiles files = new MemoryAuditFiles();
        AuditTestClock clock = new AuditTestClock();
        AuditWriter w = new AuditWriter(files, new AuditWriter.Limits(8192, 8, 60 * SECOND_NANOS), clock);
        assertTrue(w.write(AuditEvent.of(AuditEvent.START), 0));
        clock.advanceNanos(60 * SECOND_NANOS); // the next write rotates
        files.failingAppends = true;
        assertFalse(w.write(AuditEvent.of(AuditEvent.STATUS, "to", "HOLDOVER"), 0));
        assertEquals(1, files.files.size()); // the new file, whose file_start failed, is gone
        files.failingAppends = false;
        assertTrue(w.write(AuditEvent.of(AuditEvent.STATUS, "to", "SYNCHRONIZED"), 0));
        assertEquals(List.of(1L, 2L), files.files.keySet().stream().toList());
        AuditVerifier.Report r = AuditVerifier.verify(files.named(), true);
        assertTrue(r.ok(), r.problems().toString());
        // And an empty newest file (a crash right after creating it) is no break in the chain at the restart.
        files.files.put(3L, new java.io.ByteArrayOutputStream());
        AuditWriter again = new AuditWriter(files, SMALL, clock);
        again.recover();
        assertEquals(w.nextSeq(), again.nextSeq());
        assertTrue(again.write(AuditEvent.of(AuditEvent.START), 0));
        r = AuditVerifier.verify(files.named(), true);
        assertTrue(r.ok(), r.problems().toString());
    }

    @Test
    void aRestartCutsAPartialLineAndContinuesTheChainInANewFile() throws Exception {
        MemoryAuditFiles files = new MemoryAuditFiles();
        AuditTestClock clock = new AuditTestClock();
        AuditWriter w = new AuditWriter(files, SMALL, clock);
        w.write(AuditEvent.of(AuditEvent.START), 0);
        w.write(AuditEvent.of(AuditEvent.STATUS, "to", "SYNCHRONIZED"), 0);
        files.files.get(1L).write("{\"seq\":4,\"monoNa".getBytes(StandardCharsets.US_ASCII)); // the crash
        AuditWriter again = new AuditWriter(files, SMALL, clock);
        again.recover();
        assertEquals(16, again.recoveredPartialBytes());
        assertEquals(4, again.nextSeq());
        again.write(AuditEvent.of(AuditEvent.START), 0);
        assertEquals(2, files.files.size());
        AuditVerifier.Report r = AuditVerifier.verify(files.named(), true);
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(5, r.records());
    }

    @Test
    void epochNanosNeverGoesBackwardsAlongTheChain() {
        MemoryAuditFiles files = new MemoryAuditFiles();
        AuditTestClock clock = new AuditTestClock();
        AuditWriter w = new AuditWriter(files, SMALL, clock);
        w.write(AuditEvent.of(AuditEvent.START), 0);
        clock.epochNanos -= SECOND_NANOS; // a clock that stepped back must not show in the log
        w.write(AuditEvent.of(AuditEvent.STATUS), 0);
        List<Map<String, Object>> r = records(files, 1);
        assertTrue((Long) r.get(2).get("epochNanos") >= (Long) r.get(1).get("epochNanos"));
    }
}
