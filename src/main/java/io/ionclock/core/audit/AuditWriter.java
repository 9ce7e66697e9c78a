package io.ionclock.core.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The audit log's writer policy, on one thread (the adapter's): chains records across files, rotates by size and age,
 * deletes the oldest files beyond {@code filesMax}, and survives write errors.
 *
 * <ul>
 * <li>Each record is written and fsynced before the next ({@link AuditFiles#appendAndSync}): a crash loses at most the
 * record being written. At start ({@link #recover}) a partial last line left by a crash is cut off.
 * <li>Every start, and every rotation, opens a new file whose first record is {@code file_start} ({@code file},
 * {@code files_max}, {@code oldest_kept}, {@code rotated_from}); its {@code prev} is the previous file's last hash, so
 * the chain runs on across files.
 * <li>A write that fails (a full disk) loses that record: counted ({@link #writeErrors()}), the file is cut back to its
 * last whole record (or a new file is started), and the next write first records an {@code audit_gap} with what was
 * lost (write errors and queue drops). Time service never waits for the disk: the queue in front is bounded.
 * </ul>
 */
public final class AuditWriter {
    /** Limits: {@code ionclock.audit.file-bytes-max}, {@code files-max}, {@code age-max}. */
    public record Limits(long fileBytesMax, int filesMax, long fileAgeNanosMax) {
        public Limits {
            if (fileBytesMax < AuditFormat.LINE_BYTES_MAX * 2L || filesMax < 2 || fileAgeNanosMax <= 0) {
                throw new IllegalArgumentException("audit limits: file-bytes-max >= " + AuditFormat.LINE_BYTES_MAX * 2
                        + ", files-max >= 2, age-max > 0: " + fileBytesMax + ", " + filesMax + ", " + fileAgeNanosMax);
            }
        }
    }

    /** The appliance's clock as the writer stamps records: {@code epochNanos} is the time handed out, never backwards. */
    public interface Clock {
        long monoNanos();

        long epochNanos();
    }

    private final AuditFiles files;
    private final Limits limits;
    private final Clock clock;
    private long nextSeq = 1;
    private String lastHash = AuditFormat.ZERO_HASH;
    private long lastFileNumber; // 0: none yet
    private long oldestFileNumber;
    private boolean fileOpen;
    private long fileBytes;
    private long fileOpenedMonoNanos;
    private long lastEpochNanos = Long.MIN_VALUE;
    private long recoveredPartialBytes;
    // Counters.
    private volatile long recordsWritten; // written by the writer's thread only
    private volatile long writeErrors; // written by the writer's thread only
    private long lostUnrecorded; // lost by write errors, not yet in an audit_gap
    private volatile String lastError = "";
    private volatile long dropsRecorded; // queue drops already in an audit_gap; written by the writer's thread only
    private long firstUnrecordedLossMonoNanos = Long.MIN_VALUE;
    private volatile long lostUnrecordedPublished;
    private volatile long firstLossMonoNanosPublished = Long.MIN_VALUE;

    public AuditWriter(AuditFiles files, Limits limits, Clock clock) {
        this.files = files;
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * Reads where the chain stands from the newest file present (its last whole record's seq and hash), cutting off a
     * partial last line. The next write opens a new file.
     */
    public void recover() throws IOException {
        long[] present = files.list();
        if (present.length == 0) {
            return;
        }
        oldestFileNumber = present[0];
        lastFileNumber = present[present.length - 1];
        for (int i = present.length - 1; i >= 0; i--) { // the newest file with a record (a failed start leaves one empty)
            if (recoverFrom(present[i], i == present.length - 1)) {
                return;
            }
        }
    }

    /** Reads the chain's end from file {@code number}; false when it holds no whole record. */
    private boolean recoverFrom(long number, boolean newest) throws IOException {
        byte[] bytes = files.read(number);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        if (end < bytes.length && newest) {
            recoveredPartialBytes = bytes.length - end;
            files.truncate(number, end);
        }
        if (end == 0) {
            return false;
        }
        int start = end - 1;
        while (start > 0 && bytes[start - 1] != '\n') {
            start--;
        }
        String line = new String(bytes, start, end - 1 - start, StandardCharsets.ISO_8859_1);
        try {
            Map<String, Object> r = AuditJson.parse(line);
            if (r.get("seq") instanceof Long seq && AuditFormat.isHex64(r.get("hash"))) {
                nextSeq = seq + 1;
                lastHash = (String) r.get("hash");
            }
            if (r.get("epochNanos") instanceof Long e) {
                lastEpochNanos = e;
            }
        } catch (IllegalArgumentException e) {
            // Not a record: the chain goes on from its hash; the verifier reports the line.
            lastHash = AuditFormat.sha256Hex(line.getBytes(StandardCharsets.ISO_8859_1));
        }
        return true;
    }

    /** Bytes of a partial last line cut off at {@link #recover} (a crash while writing). */
    public long recoveredPartialBytes() {
        return recoveredPartialBytes;
    }

    /**
     * Writes one event, preceded by an {@code audit_gap} when records were lost since the last write ({@code
     * queueDropsTotal}: the queue's drop counter since start). Returns false when the disk refused it (counted: it is
     * lost, and the next write records the gap).
     */
    public boolean write(AuditEvent event, long queueDropsTotal) {
        if (!flushGap(queueDropsTotal)) {
            lose();
            return false;
        }
        if (!append(event)) {
            lose();
            return false;
        }
        return true;
    }

    /**
     * Writes the {@code audit_gap} record when records were lost since the last write (write errors, or {@code
     * queueDropsTotal} beyond what is recorded); true when there was none or it is written. The writer's thread calls
     * it when idle too, so a gap is recorded once the disk takes writes again, without waiting for an event.
     */
    public boolean flushGap(long queueDropsTotal) {
        long lostDrops = queueDropsTotal - dropsRecorded;
        if (lostUnrecorded == 0 && lostDrops <= 0) {
            return true;
        }
        AuditEvent gap = AuditEvent.of(AuditEvent.AUDIT_GAP, "lost_write_errors", lostUnrecorded,
                "lost_queue_full", lostDrops, "since_mono_nanos", firstUnrecordedLossMonoNanos == Long.MIN_VALUE
                        ? clock.monoNanos() : firstUnrecordedLossMonoNanos);
        if (!append(gap)) {
            if (firstUnrecordedLossMonoNanos == Long.MIN_VALUE) {
                firstUnrecordedLossMonoNanos = clock.monoNanos();
                publish();
            }
            return false;
        }
        lostUnrecorded = 0;
        dropsRecorded += lostDrops;
        firstUnrecordedLossMonoNanos = Long.MIN_VALUE;
        publish();
        return true;
    }

    /** One event lost to a write error (the queue's drops are counted apart). */
    private void lose() {
        lostUnrecorded++;
        if (firstUnrecordedLossMonoNanos == Long.MIN_VALUE) {
            firstUnrecordedLossMonoNanos = clock.monoNanos();
        }
        publish();
    }

    /** Notes the first queue drop's time for {@link #gapNanosAt}; the writer's thread. */
    public void noteDrops(long queueDropsTotal) {
        if (queueDropsTotal > dropsRecorded && firstUnrecordedLossMonoNanos == Long.MIN_VALUE) {
            firstUnrecordedLossMonoNanos = clock.monoNanos();
            publish();
        }
    }

    private void publish() {
        lostUnrecordedPublished = lostUnrecorded;
        firstLossMonoNanosPublished = firstUnrecordedLossMonoNanos;
    }

    private boolean append(AuditEvent event) {
        long nowMonoNanos = clock.monoNanos();
        try {
            if (!fileOpen || nowMonoNanos - fileOpenedMonoNanos >= limits.fileAgeNanosMax()
                    || fileBytes >= limits.fileBytesMax() - AuditFormat.LINE_BYTES_MAX) {
                rotate(nowMonoNanos);
            }
            writeRecord(event.type(), event.fields(), nowMonoNanos);
            return true;
        } catch (IOException | RuntimeException e) {
            writeErrors++;
            lastError = e.toString();
            abandonFile();
            return false;
        }
    }

    private void rotate(long nowMonoNanos) throws IOException {
        files.close();
        fileOpen = false;
        long previous = lastFileNumber;
        long number = previous + 1;
        if (oldestFileNumber == 0) {
            oldestFileNumber = number;
        }
        long oldestKept = Math.max(oldestFileNumber, number - limits.filesMax() + 1);
        files.openForAppend(number);
        lastFileNumber = number; // a failed file_start leaves this number used: the next file is the next number
        fileOpen = true;
        fileBytes = 0;
        fileOpenedMonoNanos = nowMonoNanos;
        writeRecord(AuditEvent.FILE_START, Map.of("file", number, "files_max", limits.filesMax(), "oldest_kept",
                oldestKept, "rotated_from", previous == 0 ? "" : AuditFormat.fileName(previous)), nowMonoNanos);
        for (long n = oldestFileNumber; n < oldestKept; n++) {
            try {
                files.delete(n);
            } catch (IOException e) {
                writeErrors++; // left on disk: the verifier reads it as an older part of the chain
            }
        }
        oldestFileNumber = oldestKept;
    }

    private void writeRecord(String type, Map<String, Object> fields, long nowMonoNanos) throws IOException {
        long epochNanos = Math.max(clock.epochNanos(), lastEpochNanos);
        if (AuditEvent.FILE_START.equals(type)) {
            fields = new java.util.TreeMap<>(fields); // a fixed order for the file_start record
        }
        String line = AuditFormat.line(nextSeq, nowMonoNanos, epochNanos, type, fields, lastHash);
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.US_ASCII);
        files.appendAndSync(bytes);
        fileBytes += bytes.length;
        nextSeq++;
        lastHash = line.substring(line.length() - 66, line.length() - 2);
        lastEpochNanos = epochNanos;
        recordsWritten++;
    }

    /** After a failed write: cut the file back to its last whole record, or give it up; the next write opens a new one. */
    private void abandonFile() {
        if (fileOpen) {
            files.close();
            try {
                if (fileBytes == 0) { // its file_start failed: the number is used again
                    files.delete(lastFileNumber);
                    lastFileNumber--;
                } else {
                    files.truncate(lastFileNumber, fileBytes);
                }
            } catch (IOException e) {
                // The partial line stays; the new file's chain continues from the last whole record.
            }
        }
        fileOpen = false;
    }

    public void close() {
        files.close();
        fileOpen = false;
    }

    public long recordsWritten() {
        return recordsWritten;
    }

    public long writeErrors() {
        return writeErrors;
    }

    /** Records lost to write errors and not yet recorded by an {@code audit_gap}; any thread. */
    public long lostUnrecorded() {
        return lostUnrecordedPublished;
    }

    /** The audit gap (M8): time since the first loss not yet recorded, 0 when none; any thread. */
    public long gapNanosAt(long nowMonoNanos) {
        long first = firstLossMonoNanosPublished;
        return first == Long.MIN_VALUE ? 0 : Math.max(0, nowMonoNanos - first);
    }

    /** The last write error's text ("" if none); any thread. */
    public String lastError() {
        return lastError;
    }

    /** Queue drops already recorded by an {@code audit_gap}; any thread. */
    public long dropsRecorded() {
        return dropsRecorded;
    }

    public long nextSeq() {
        return nextSeq;
    }

    public long currentFileNumber() {
        return lastFileNumber;
    }
}
