package io.ionclock.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each kind of tampering, found and placed: one test a kind, each failing if its check is removed. */
class AuditVerifierTest {
    static final long SECOND_NANOS = 1_000_000_000L;
    static final AuditWriter.Limits ONE_FILE = new AuditWriter.Limits(1L << 20, 8, 3600 * SECOND_NANOS);

    /** A log of {@code events} events (plus the file_start records), written through the writer. */
    static MemoryAuditFiles log(AuditWriter.Limits limits, int events) {
        MemoryAuditFiles files = new MemoryAuditFiles();
        AuditTestClock clock = new AuditTestClock();
        AuditWriter w = new AuditWriter(files, limits, clock);
        for (int i = 0; i < events; i++) {
            clock.advanceNanos(SECOND_NANOS);
            assertTrue(w.write(AuditEvent.of(AuditEvent.STATUS, "from", "HOLDOVER", "to", "SYNCHRONIZED", "n", i), 0));
        }
        return files;
    }

    static List<String> lines(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        return new ArrayList<>(Arrays.asList(s.substring(0, s.length() - 1).split("\n", -1)));
    }

    static byte[] join(List<String> lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    static AuditVerifier.Report verifyOne(List<String> lines) {
        return AuditVerifier.verify(List.of(new AuditVerifier.NamedFile("audit-000001.jsonl", join(lines))), true);
    }

    static void assertOneProblem(AuditVerifier.Report r, int line, String words) {
        assertEquals(1, r.problems().size(), r.problems().toString());
        AuditVerifier.Problem p = r.problems().get(0);
        assertEquals("audit-000001.jsonl", p.file());
        assertEquals(line, p.line(), p.toString());
        assertTrue(p.message().contains(words), p.toString());
    }

    @Test
    void anUntouchedLogIsOk() {
        MemoryAuditFiles files = log(ONE_FILE, 10);
        AuditVerifier.Report r = AuditVerifier.verify(files.named(), true);
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(11, r.records());
        assertEquals(List.of("the chain starts at audit-000001.jsonl:1 (seq 1)"), r.notes());
    }

    @Test
    void oneByteChangedIsFoundOnItsLine() {
        List<String> lines = lines(log(ONE_FILE, 10).files.get(1L).toByteArray());
        String l = lines.get(4);
        int at = l.indexOf("HOLDOVER");
        lines.set(4, l.substring(0, at) + "X" + l.substring(at + 1)); // one byte, same length, still valid JSON
        assertOneProblem(verifyOne(lines), 5, "content changed");
    }

    @Test
    void oneByteChangedInTheHashIsFound() {
        List<String> lines = lines(log(ONE_FILE, 10).files.get(1L).toByteArray());
        String l = lines.get(4);
        char c = l.charAt(l.length() - 3);
        lines.set(4, l.substring(0, l.length() - 3) + (c == '0' ? '1' : '0') + l.substring(l.length() - 2));
        AuditVerifier.Report r = verifyOne(lines);
        assertEquals(5, r.problems().get(0).line(), r.problems().toString());
        assertTrue(r.problems().get(0).message().contains("content changed"));
    }

    @Test
    void aLineRemovedIsFoundWhereItWas() {
        List<String> lines = lines(log(ONE_FILE, 10).files.get(1L).toByteArray());
        lines.remove(4); // seq 5
        assertOneProblem(verifyOne(lines), 5, "seq 5 missing before this line");
    }

    @Test
    void aCopiedLineInsertedIsFound() {
        List<String> lines = lines(log(ONE_FILE, 10).files.get(1L).toByteArray());
        lines.add(6, lines.get(2)); // line 7 is now a copy of seq 3
        assertOneProblem(verifyOne(lines), 7, "seq 3 where seq 7 was expected");
    }

    @Test
    void aForgedLineInsertedWithAValidHashIsFound() {
        List<String> lines = lines(log(ONE_FILE, 10).files.get(1L).toByteArray());
        Map<String, Object> sixth = AuditJson.parse(lines.get(5));
        String forged = AuditFormat.line(7, 0, 0, AuditEvent.STATUS, Map.of("to", "SYNCHRONIZED"),
                (String) sixth.get("hash"));
        lines.add(6, forged); // a well-formed record with the right seq and prev: the one after it gives it away
        assertOneProblem(verifyOne(lines), 7, "line 7 inserted: seq 7 twice (lines 7 and 8)");
    }

    @Test
    void twoLinesSwappedAreNamed() {
        List<String> lines = lines(log(ONE_FILE, 10).files.get(1L).toByteArray());
        String fifth = lines.get(4);
        lines.set(4, lines.get(5));
        lines.set(5, fifth);
        assertOneProblem(verifyOne(lines), 5, "lines 5 and 6 swapped");
    }

    @Test
    void aFileOfTheRotationRemovedIsFoundAtTheNextFile() {
        MemoryAuditFiles files = log(new AuditWriter.Limits(8192, 8, 3600 * SECOND_NANOS), 80);
        assertTrue(files.files.size() >= 4, "files " + files.files.keySet());
        assertTrue(AuditVerifier.verify(files.named(), true).ok());
        files.files.remove(2L);
        AuditVerifier.Report r = AuditVerifier.verify(files.named(), true);
        assertTrue(!r.problems().isEmpty());
        for (AuditVerifier.Problem p : r.problems()) {
            assertEquals("audit-000003.jsonl:1", p.file() + ":" + p.line(), p.toString());
        }
        assertTrue(r.problems().stream().anyMatch(p -> p.message().contains("a file of the rotation removed")),
                r.problems().toString());
        assertTrue(r.problems().stream().anyMatch(p -> p.message().contains("audit-000002.jsonl of the rotation missing")),
                r.problems().toString());
    }

    @Test
    void theOldestFilesDeletedByRotationAreNotAnError() {
        MemoryAuditFiles files = log(new AuditWriter.Limits(8192, 3, 3600 * SECOND_NANOS), 120);
        assertEquals(3, files.files.size(), "files " + files.files.keySet());
        assertTrue(files.files.firstKey() > 1);
        AuditVerifier.Report r = AuditVerifier.verify(files.named(), true);
        assertTrue(r.ok(), r.problems().toString());
        assertTrue(r.notes().get(0).contains("earlier files were deleted by rotation"), r.notes().toString());
    }

    @Test
    void anOldFileTheRotationKeepsRemovedIsAnError() {
        MemoryAuditFiles files = log(new AuditWriter.Limits(8192, 8, 3600 * SECOND_NANOS), 80);
        files.files.remove(1L);
        AuditVerifier.Report r = AuditVerifier.verify(files.named(), true);
        assertEquals(1, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).message().contains("audit-000001.jsonl missing"), r.problems().toString());
    }

    @Test
    void anIncompleteLastLineIsReported() {
        byte[] b = log(ONE_FILE, 3).files.get(1L).toByteArray();
        byte[] cut = Arrays.copyOf(b, b.length - 10);
        AuditVerifier.Report r = AuditVerifier.verify(List.of(new AuditVerifier.NamedFile("audit-000001.jsonl", cut)),
                true);
        assertOneProblem(r, 4, "incomplete record");
    }

    @Test
    void garbageIsReportedNotThrown() {
        List<String> lines = lines(log(ONE_FILE, 5).files.get(1L).toByteArray());
        lines.set(2, "{\"seq\":");
        lines.set(3, "\u00ff\u0000 not json");
        AuditVerifier.Report r = verifyOne(lines);
        assertEquals(2, r.problems().size(), r.problems().toString());
        assertEquals(3, r.problems().get(0).line());
        assertEquals(4, r.problems().get(1).line());
    }
}
