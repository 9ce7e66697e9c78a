package io.ionclock.core.audit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks the files of one audit log, oldest first: every record's own hash, the chain of {@code prev} hashes, and the
 * sequence numbers, across files. Each problem is reported with its file and line: a changed byte (the record's hash
 * does not match), removed lines (a {@code seq} gap), inserted or repeated lines ({@code seq} not increasing, or a
 * {@code prev} that does not match), two lines swapped (named as such), a removed file of the rotation (a gap at a
 * file's first record, or an older file missing that the newest file's {@code oldest_kept} says is kept).
 *
 * <p>The oldest file present may start anywhere in the chain (files before it were deleted by rotation): its first
 * record, a {@code file_start}, is where verification starts, and the report says so.
 */
public final class AuditVerifier {
    /** One file's name (for the report) and its bytes. */
    public record NamedFile(String name, byte[] bytes) {
    }

    public record Problem(String file, int line, String message) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + message;
        }
    }

    /** What was found: records read, problems, and notes that are not problems (where the chain starts). */
    public record Report(int files, long records, List<Problem> problems, List<String> notes) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** A parsed line; {@code hashOk} false when its hash does not match its content. */
    private record Rec(int line, Map<String, Object> fields, long seq, String prev, String hash, String type,
            boolean hashOk) {
    }

    private AuditVerifier() {
    }

    /**
     * @param files          oldest first
     * @param wholeDirectory the files are all of a log directory: check that no file the newest says is kept is missing
     *                       before the oldest given
     */
    public static Report verify(List<NamedFile> files, boolean wholeDirectory) {
        List<Problem> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long records = 0;
        long expectedSeq = -1; // -1: no record yet
        String lastHash = null; // null: unknown (the previous line was not a record)
        String hashBefore = null; // the hash before lastHash
        int lastLine = 0; // the line of the record lastHash is of, in this file
        String lastFile = null;
        long lastFileNumber = -1;
        long firstFileNumber = -1;
        long newestOldestKept = -1;
        for (NamedFile f : files) {
            List<String> lines = new ArrayList<>();
            String text = new String(f.bytes(), StandardCharsets.ISO_8859_1);
            int from = 0;
            while (from < text.length()) {
                int nl = text.indexOf('\n', from);
                if (nl < 0) {
                    problems.add(new Problem(f.name(), lines.size() + 1,
                            "incomplete record (no newline at the end): a crash while writing it, or a change"));
                    break;
                }
                lines.add(text.substring(from, nl));
                from = nl + 1;
            }
            if (lines.isEmpty()) {
                notes.add(f.name() + ": empty");
                long number = AuditFormat.fileNumber(f.name().substring(f.name().lastIndexOf('/') + 1));
                if (number > 0 && lastFileNumber > 0 && number == lastFileNumber + 1) {
                    lastFileNumber = number; // a file whose file_start could not be written: not a missing file
                }
                continue;
            }
            List<Rec> recs = new ArrayList<>(lines.size());
            for (int i = 0; i < lines.size(); i++) {
                recs.add(parse(f.name(), i + 1, lines.get(i), problems));
            }
            for (int i = 0; i < recs.size(); i++) {
                Rec r = recs.get(i);
                int lineNo = i + 1;
                if (r == null) { // not a record: reported; the chain goes on from unknown
                    expectedSeq = expectedSeq < 0 ? -1 : expectedSeq + 1;
                    hashBefore = null;
                    lastHash = null;
                    continue;
                }
                records++;
                if (!r.hashOk()) { // reported; trust its claimed hash and take its place in the sequence
                    expectedSeq = expectedSeq < 0 ? -1 : expectedSeq + 1;
                    hashBefore = lastHash;
                    lastHash = r.hash();
                    lastLine = lineNo;
                    continue;
                }
                boolean fileStart = AuditEvent.FILE_START.equals(r.type());
                if (lineNo == 1 && !fileStart) {
                    problems.add(new Problem(f.name(), 1, "the first record is not a file_start: lines removed or"
                            + " inserted at the start of the file"));
                } else if (lineNo > 1 && fileStart) {
                    problems.add(new Problem(f.name(), lineNo, "a file_start inside a file: lines inserted"));
                }
                if (fileStart) {
                    long number = r.fields().get("file") instanceof Long n ? n : -1;
                    if (r.fields().get("oldest_kept") instanceof Long k) {
                        newestOldestKept = k;
                    }
                    if (lastFileNumber > 0 && number > lastFileNumber + 1) {
                        problems.add(new Problem(f.name(), lineNo, "file(s) " + AuditFormat.fileName(lastFileNumber + 1)
                                + (number - 1 > lastFileNumber + 1 ? " to " + AuditFormat.fileName(number - 1) : "")
                                + " of the rotation missing (file_start says file " + number + ", after "
                                + lastFile + ")"));
                    }
                    if (firstFileNumber < 0) {
                        firstFileNumber = number;
                    }
                    lastFileNumber = number;
                }
                if (expectedSeq < 0) { // the first record read: where the chain starts
                    if (r.seq() == 1 && AuditFormat.ZERO_HASH.equals(r.prev())) {
                        notes.add("the chain starts at " + f.name() + ":" + lineNo + " (seq 1)");
                    } else {
                        notes.add("the chain starts at " + f.name() + ":" + lineNo + " (seq " + r.seq()
                                + "): earlier files were deleted by rotation or not given");
                    }
                    expectedSeq = r.seq() + 1;
                    hashBefore = lastHash;
                    lastHash = r.hash();
                    lastLine = lineNo;
                    continue;
                }
                Rec next = i + 1 < recs.size() ? recs.get(i + 1) : null;
                if (r.seq() == expectedSeq + 1 && next != null && next.hashOk() && next.seq() == expectedSeq
                        && next.prev().equals(lastHash) && r.prev().equals(next.hash())) {
                    problems.add(new Problem(f.name(), lineNo, "lines " + lineNo + " and " + (lineNo + 1)
                            + " swapped (seq " + r.seq() + " before seq " + next.seq() + ")"));
                    records++;
                    i++;
                    expectedSeq = r.seq() + 1;
                    hashBefore = lastHash;
                    lastHash = r.hash();
                    lastLine = lineNo;
                    continue;
                }
                if (r.seq() > expectedSeq) {
                    String missing = "record(s) seq " + expectedSeq + (r.seq() - 1 > expectedSeq ? " to " + (r.seq() - 1)
                            : "") + " missing";
                    if (lineNo == 1 && lastFile != null) {
                        problems.add(new Problem(f.name(), 1, missing + " before this file: a file of the rotation"
                                + " removed, or lines removed at the end of " + lastFile));
                    } else {
                        problems.add(new Problem(f.name(), lineNo, missing + " before this line: line(s) removed"));
                    }
                    expectedSeq = r.seq() + 1;
                    hashBefore = lastHash;
                    lastHash = r.hash();
                    lastLine = lineNo;
                    continue;
                }
                if (r.seq() == expectedSeq - 1 && r.prev().equals(hashBefore) && lastLine > 0
                        && lastLine == lineNo - 1) {
                    // Two records claim one place in the chain: the one the chain goes on from is the real one.
                    boolean nextFollowsThis = next != null && next.hashOk() && next.prev().equals(r.hash());
                    int inserted = nextFollowsThis ? lastLine : lineNo;
                    problems.add(new Problem(f.name(), inserted, "line " + inserted + " inserted: seq " + r.seq()
                            + " twice (lines " + lastLine + " and " + lineNo + "), the chain goes on from line "
                            + (nextFollowsThis ? lineNo : lastLine)));
                    if (nextFollowsThis) {
                        lastHash = r.hash();
                        lastLine = lineNo;
                    }
                    continue;
                }
                if (r.seq() < expectedSeq) {
                    problems.add(new Problem(f.name(), lineNo, "seq " + r.seq() + " where seq " + expectedSeq
                            + " was expected: a line inserted, repeated or moved"));
                    continue; // the chain goes on from the record before it
                }
                if (lastHash != null && !r.prev().equals(lastHash)) {
                    problems.add(new Problem(f.name(), lineNo, "prev does not match the previous record's hash: a"
                            + " record before it was replaced, or this one inserted"));
                }
                expectedSeq = r.seq() + 1;
                hashBefore = lastHash;
                lastHash = r.hash();
                lastLine = lineNo;
            }
            lastFile = f.name();
            lastLine = 0;
        }
        if (wholeDirectory && firstFileNumber > 0 && newestOldestKept > 0 && firstFileNumber > newestOldestKept) {
            problems.add(new Problem(files.get(0).name(), 1, "file(s) " + AuditFormat.fileName(newestOldestKept)
                    + (firstFileNumber - 1 > newestOldestKept ? " to " + AuditFormat.fileName(firstFileNumber - 1) : "")
                    + " missing: the newest file_start says the rotation keeps files from " + newestOldestKept));
        }
        return new Report(files.size(), records, problems, notes);
    }

    private static Rec parse(String file, int lineNo, String line, List<Problem> problems) {
        Map<String, Object> m;
        try {
            m = AuditJson.parse(line);
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(file, lineNo, "not a record (" + e.getMessage() + "): changed"));
            return null;
        }
        if (!(m.get("seq") instanceof Long seq) || !AuditFormat.isHex64(m.get("prev"))
                || !AuditFormat.isHex64(m.get("hash")) || !(m.get("type") instanceof String type)) {
            problems.add(new Problem(file, lineNo, "not a record (seq, type, prev or hash missing or malformed):"
                    + " changed"));
            return null;
        }
        String hash = (String) m.get("hash");
        String expected = AuditFormat.expectedHash(line);
        boolean ok = hash.equals(expected);
        if (!ok) {
            problems.add(new Problem(file, lineNo, "content changed: the record's hash does not match it (seq "
                    + seq + ")"));
        }
        return new Rec(lineNo, m, seq, (String) m.get("prev"), hash, type, ok);
    }
}
