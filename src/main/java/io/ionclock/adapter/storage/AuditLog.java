package io.ionclock.adapter.storage;

import io.ionclock.core.audit.AuditEvent;
import io.ionclock.core.audit.AuditQueue;
import io.ionclock.core.audit.AuditWriter;
import java.io.IOException;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * The audit log ({@code DATA_DIR/audit}) on its own thread: {@link #submit} only enqueues (never blocks, a full queue
 * drops and counts), the thread writes each record with an fsync, rotates and deletes as {@link AuditWriter} decides.
 * A disk that refuses writes never stops time service: each failed record is counted, and the thread tries again
 * every {@link #RETRY_NANOS} to record the gap.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AuditLog.class);
    /** The writer's thread wakes at least this often, to record a gap once the disk takes writes again. */
    public static final long RETRY_NANOS = 1_000_000_000L;
    /** {@link #close} waits this long, at most, for the queue to be written. */
    public static final long CLOSE_WAIT_NANOS = 2_000_000_000L;

    /** Wakes the thread at {@link #close} (the thread is never interrupted: that would close the file mid-write). */
    private static final AuditEvent STOP = AuditEvent.of("stop");
    private final AuditDirectory dir;
    private final AuditQueue queue;
    private final AuditWriter writer;
    private final AuditWriter.Clock clock;
    private Thread thread;
    private volatile boolean running;
    private volatile long recoveredPartialBytes;

    public AuditLog(Path dir, AuditWriter.Limits limits, AuditWriter.Clock clock) {
        this(new AuditDirectory(dir), new AuditQueue(), limits, clock);
    }

    AuditLog(AuditDirectory dir, AuditQueue queue, AuditWriter.Limits limits, AuditWriter.Clock clock) {
        this.dir = dir;
        this.queue = queue;
        this.clock = clock;
        this.writer = new AuditWriter(dir, limits, clock);
    }

    /** Reads where the chain stands (cutting a crash's partial line), then starts the writer's thread. */
    public void start() {
        try {
            writer.recover();
            recoveredPartialBytes = writer.recoveredPartialBytes();
            if (recoveredPartialBytes > 0) {
                LOG.warnf("audit log %s: cut %d bytes of a record left incomplete by a crash", dir.dir(),
                        recoveredPartialBytes);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("audit log %s: cannot read where the chain stands (%s); writing goes on, verify will say where",
                    dir.dir(), e.toString());
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name("ionclock-audit").start(this::run);
    }

    /** Enqueues one event; false (counted) when the queue is full. Never blocks; any thread. */
    public boolean submit(AuditEvent event) {
        return queue.offer(event);
    }

    private void run() {
        long lastErrors = 0;
        while (running || queue.size() > 0) {
            AuditEvent e;
            try {
                e = queue.poll(RETRY_NANOS);
            } catch (InterruptedException ex) {
                continue; // nobody interrupts this thread; close() says stop through the queue
            }
            if (e == STOP) {
                continue;
            }
            if (e != null) {
                writer.write(e, queue.dropped());
            } else {
                writer.noteDrops(queue.dropped());
                writer.flushGap(queue.dropped());
            }
            long errors = writer.writeErrors();
            if (errors != lastErrors) {
                if (lastErrors == 0 || errors % 100 == 0) {
                    LOG.warnf("audit log %s: %d write error(s) so far (%s); records lost are counted and the gap"
                            + " recorded once writing succeeds", dir.dir(), errors, writer.lastError());
                }
                lastErrors = errors;
            }
        }
        writer.close();
    }

    /** Stops the thread once the queue is written (waiting at most {@link #CLOSE_WAIT_NANOS}). */
    @Override
    public void close() {
        running = false;
        queue.offerUncounted(STOP); // if the queue is full, the thread sees running=false within RETRY_NANOS
        Thread t = thread;
        if (t != null) {
            try {
                t.join(CLOSE_WAIT_NANOS / 1_000_000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public Path dir() {
        return dir.dir();
    }

    public long recordsWritten() {
        return writer.recordsWritten();
    }

    public long dropped() {
        return queue.dropped();
    }

    public long writeErrors() {
        return writer.writeErrors();
    }

    /** Records lost (write errors and queue drops) and not yet recorded by an audit_gap record. */
    public long gapRecords() {
        return writer.lostUnrecorded() + Math.max(0, queue.dropped() - writer.dropsRecorded());
    }

    /** The audit gap (M8): seconds since the first loss not yet recorded; 0 when none. */
    public double gapSeconds() {
        return writer.gapNanosAt(clock.monoNanos()) / 1e9;
    }

    public long recoveredPartialBytes() {
        return recoveredPartialBytes;
    }

    public int queued() {
        return queue.size();
    }
}
