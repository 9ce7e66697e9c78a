package io.ionclock.adapter.storage;

import io.ionclock.core.audit.AuditFiles;
import io.ionclock.core.audit.AuditFormat;
import io.ionclock.core.audit.AuditVerifier;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code DATA_DIR/audit/audit-NNNNNN.jsonl} on disk, for {@link io.ionclock.core.audit.AuditWriter}: appends with
 * {@code fdatasync} after each record ({@link FileChannel#force force(false)}: the data and the size), and an fsync of
 * the directory when a file is created or deleted, so the file itself survives a crash.
 */
public final class AuditDirectory implements AuditFiles {
    /** Files of a directory looked at, at most (the writer keeps files-max; anything else is not ours). */
    public static final int ENTRIES_MAX = 100_000;
    /** A file read whole (recovery, verify) at most: well above any files-max limit's file. */
    public static final long FILE_BYTES_READ_MAX = 1L << 30;

    private final Path dir;
    private FileChannel open;

    public AuditDirectory(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path path(long number) {
        return dir.resolve(AuditFormat.fileName(number));
    }

    @Override
    public long[] list() throws IOException {
        if (!Files.isDirectory(dir)) {
            return new long[0];
        }
        long[] out = new long[16];
        int n = 0;
        int seen = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (++seen > ENTRIES_MAX) {
                    throw new IOException(dir + ": more than " + ENTRIES_MAX + " entries");
                }
                long number = AuditFormat.fileNumber(p.getFileName().toString());
                if (number >= 0) {
                    if (n == out.length) {
                        out = Arrays.copyOf(out, n * 2);
                    }
                    out[n++] = number;
                }
            }
        }
        out = Arrays.copyOf(out, n);
        Arrays.sort(out);
        return out;
    }

    @Override
    public byte[] read(long number) throws IOException {
        return readLimited(path(number));
    }

    static byte[] readLimited(Path p) throws IOException {
        long size = Files.size(p);
        if (size > FILE_BYTES_READ_MAX) {
            throw new IOException(p + ": " + size + " bytes, more than " + FILE_BYTES_READ_MAX);
        }
        return Files.readAllBytes(p);
    }

    @Override
    public void truncate(long number, long sizeBytes) throws IOException {
        try (FileChannel c = FileChannel.open(path(number), StandardOpenOption.WRITE)) {
            c.truncate(sizeBytes);
            c.force(true);
        }
    }

    @Override
    public void openForAppend(long number) throws IOException {
        close();
        Files.createDirectories(dir);
        Path p = path(number);
        boolean created = !Files.exists(p);
        open = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        if (created) {
            syncDirectory();
        }
    }

    @Override
    public void appendAndSync(byte[] bytes) throws IOException {
        if (open == null) {
            throw new IOException("no audit file open");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            open.write(b);
        }
        open.force(false);
    }

    @Override
    public void delete(long number) throws IOException {
        if (Files.deleteIfExists(path(number))) {
            syncDirectory();
        }
    }

    @Override
    public void close() {
        if (open != null) {
            try {
                open.close();
            } catch (IOException e) {
                // Every record was already forced to disk.
            }
            open = null;
        }
    }

    private void syncDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every file system lets a directory be synced; the records themselves are.
        }
    }

    /** The audit files of {@code dir}, oldest first, for the verifier. */
    public static List<AuditVerifier.NamedFile> readAll(Path dir) throws IOException {
        AuditDirectory d = new AuditDirectory(dir);
        List<AuditVerifier.NamedFile> out = new ArrayList<>();
        for (long n : d.list()) {
            out.add(new AuditVerifier.NamedFile(AuditFormat.fileName(n), d.read(n)));
        }
        return out;
    }

    /** Named files, as given on a command line, for the verifier. */
    public static List<AuditVerifier.NamedFile> readFiles(List<Path> paths) throws IOException {
        List<AuditVerifier.NamedFile> out = new ArrayList<>();
        for (Path p : paths) {
            out.add(new AuditVerifier.NamedFile(p.toString(), readLimited(p)));
        }
        return out;
    }
}
