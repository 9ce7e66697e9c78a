package io.ionclock.core.audit;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Events on their way to the writer's thread: bounded ({@link #EVENTS_MAX}); when full an event is dropped and counted
 * (the writer records the gap when it next writes). {@link #offer} never blocks: the discipline loop and the
 * watchers never wait for the disk.
 */
public final class AuditQueue {
    /** Events waiting for the writer, at most. */
    public static final int EVENTS_MAX = 1024;
    private final ArrayBlockingQueue<AuditEvent> queue;
    private final AtomicLong dropped = new AtomicLong();

    public AuditQueue() {
        this(EVENTS_MAX);
    }

    public AuditQueue(int eventsMax) {
        if (eventsMax < 1 || eventsMax > EVENTS_MAX) {
            throw new IllegalArgumentException("eventsMax " + eventsMax);
        }
        queue = new ArrayBlockingQueue<>(eventsMax);
    }

    /** False (and counted) when full. Any thread. */
    public boolean offer(AuditEvent event) {
        if (queue.offer(event)) {
            return true;
        }
        dropped.incrementAndGet();
        return false;
    }

    /** Offers without counting a drop when full (a wake-up the writer ignores). */
    public boolean offerUncounted(AuditEvent event) {
        return queue.offer(event);
    }

    /** The next event, waiting at most {@code timeoutNanos}; null if none. The writer's thread. */
    public AuditEvent poll(long timeoutNanos) throws InterruptedException {
        return queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
    }

    public AuditEvent poll() {
        return queue.poll();
    }

    /** Events dropped because the queue was full, since start. */
    public long dropped() {
        return dropped.get();
    }

    public int size() {
        return queue.size();
    }
}
