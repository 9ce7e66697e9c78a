package io.ionclock.core.audit;

import java.io.IOException;

/**
 * The audit directory as the writer sees it: numbered files, appended to one at a time. The real one is
 * {@code adapter/storage/AuditLog}'s; tests use a map, and one that fails like a full disk.
 */
public interface AuditFiles {
    /** The numbers of the files present, ascending. */
    long[] list() throws IOException;

    /** File {@code number}'s bytes. */
    byte[] read(long number) throws IOException;

    /** Cuts file {@code number} to {@code sizeBytes}. */
    void truncate(long number, long sizeBytes) throws IOException;

    /** Makes file {@code number} (created if absent) the one {@link #appendAndSync} writes to. */
    void openForAppend(long number) throws IOException;

    /** Appends to the open file and returns once the bytes are on stable storage (fsync). */
    void appendAndSync(byte[] bytes) throws IOException;

    void delete(long number) throws IOException;

    /** Closes the open file, if any; never throws. */
    void close();
}
