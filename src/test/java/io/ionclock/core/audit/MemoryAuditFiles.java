package io.ionclock.core.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Audit files in memory; {@link #failing} makes every append fail like a full disk (after writing half the bytes). */
final class MemoryAuditFiles implements AuditFiles {
    final TreeMap<Long, ByteArrayOutputStream> files = new TreeMap<>();
    boolean failing;
    /** Opening works, appends fail (a disk that fills while a file is created). */
    boolean failingAppends;
    long open = -1;
    int syncs;

    @Override
    public long[] list() {
        return files.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public byte[] read(long number) throws IOException {
        ByteArrayOutputStream f = files.get(number);
        if (f == null) {
            throw new IOException("no file " + number);
        }
        return f.toByteArray();
    }

    @Override
    public void truncate(long number, long sizeBytes) throws IOException {
        byte[] b = read(number);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(b, 0, (int) Math.min(sizeBytes, b.length));
        files.put(number, f);
    }

    @Override
    public void openForAppend(long number) throws IOException {
        if (failing) {
            throw new IOException("No space left on device");
        }
        files.computeIfAbsent(number, n -> new ByteArrayOutputStream());
        open = number;
    }

    @Override
    public void appendAndSync(byte[] bytes) throws IOException {
        if (open < 0) {
            throw new IOException("not open");
        }
        if (failing || failingAppends) {
            files.get(open).write(bytes, 0, bytes.length / 2);
            throw new IOException("No space left on device");
        }
        files.get(open).write(bytes);
        syncs++;
    }

    @Override
    public void delete(long number) {
        files.remove(number);
    }

    @Override
    public void close() {
        open = -1;
    }

    /** The files present as the verifier reads them, oldest first. */
    List<AuditVerifier.NamedFile> named() {
        List<AuditVerifier.NamedFile> out = new ArrayList<>();
        for (Map.Entry<Long, ByteArrayOutputStream> e : files.entrySet()) {
            out.add(new AuditVerifier.NamedFile(AuditFormat.fileName(e.getKey()), e.getValue().toByteArray()));
        }
        return out;
    }
}
