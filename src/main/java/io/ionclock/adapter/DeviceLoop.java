package io.ionclock.adapter;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The open-read-reopen loop of a device reader, on its own daemon thread. The thread runs a {@link Session}
 * (open the device, read until it fails) again and again until {@link #close()}, waiting between sessions with
 * a backoff from {@link #REOPEN_BACKOFF_NANOS_MIN} doubling to {@link #REOPEN_BACKOFF_NANOS_MAX}; the backoff
 * returns to the minimum after a session that delivered something. An unexpected RuntimeException or
 * LinkageError from a session is counted as an error; nothing but close() ends the loop.
 *
 * <p>Counters and the connected flag are written by the loop thread (and {@link #close()} records an error
 * when the thread did not stop in time); all may be read from any thread.
 */
public final class DeviceLoop implements AutoCloseable {

    /** One connection to the device, run on the loop thread. */
    @FunctionalInterface
    public interface Session {
        /**
         * Opens the device and reads until it fails or {@link DeviceLoop#running()} turns false, then closes
         * it. Counts its own expected failures with {@link DeviceLoop#error(String)}; calls
         * {@link DeviceLoop#opened()} after a successful open.
         *
         * @return whether the session delivered anything: resets the reopen backoff
         */
        boolean run();
    }

    public static final long REOPEN_BACKOFF_NANOS_MIN = 100_000_000L;
    public static final long REOPEN_BACKOFF_NANOS_MAX = 2_000_000_000L;
    /** Longest error text kept; longer ones are cut. */
    public static final int ERROR_TEXT_CHARS_MAX = 200;

    private final Session session;
    private final long closeTimeoutNanos;
    private final boolean interruptOnClose;
    private final Thread thread;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile boolean running = true;

    private volatile boolean connected;
    private volatile long opens;
    private volatile long reopens;
    private volatile long errors;
    private volatile String lastError = "";
    private volatile long lastBackoffNanos;

    /**
     * @param threadName        name of the daemon thread
     * @param session           run on the thread, again after each failure
     * @param closeTimeoutNanos longest {@link #close()} waits for the thread to end, > 0
     * @param interruptOnClose  whether close() interrupts the thread: for a session blocked in a call that
     *                          only an interrupt ends early
     */
    public DeviceLoop(String threadName, Session session, long closeTimeoutNanos, boolean interruptOnClose) {
        Objects.requireNonNull(threadName, "threadName");
        this.session = Objects.requireNonNull(session, "session");
        if (closeTimeoutNanos <= 0) {
            throw new IllegalArgumentException("closeTimeoutNanos must be > 0: " + closeTimeoutNanos);
        }
        this.closeTimeoutNanos = closeTimeoutNanos;
        this.interruptOnClose = interruptOnClose;
        this.thread = Thread.ofPlatform().daemon(true).name(threadName).unstarted(this::run);
    }

    /** Starts the thread. Returns at once; sessions run on the thread. Only once. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException(thread.getName() + " already started");
        }
        thread.start();
    }

    /**
     * Stops the loop and waits at most the close timeout for the thread to end (after interrupting it if so
     * configured); records an error if it did not. Idempotent; returns at once when called on the loop thread.
     */
    @Override
    public void close() {
        running = false;
        stopRequested.countDown();
        if (!started.get() || Thread.currentThread() == thread) {
            return;
        }
        if (interruptOnClose) {
            thread.interrupt();
        }
        try {
            if (!thread.join(Duration.ofNanos(closeTimeoutNanos))) {
                error("reader thread did not stop within " + closeTimeoutNanos / 1_000_000 + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** False once close() was called or the thread was interrupted between sessions: a session should return. */
    public boolean running() {
        return running;
    }

    /** Whether the thread is running (false before start and after close). */
    public boolean alive() {
        return thread.isAlive();
    }

    /** Whether the device is open and being read. */
    public boolean connected() {
        return connected;
    }

    /** Set by the session; the loop clears it after each session. */
    public void connected(boolean connected) {
        this.connected = connected;
    }

    /** Counts a successful open; every one after the first is a reopen. Loop thread only. */
    public void opened() {
        opens++;
        if (opens > 1) {
            reopens++;
        }
    }

    /** Counts an error and keeps its text, cut to {@link #ERROR_TEXT_CHARS_MAX}. */
    public synchronized void error(String text) {
        errors++;
        note(text);
    }

    /** Keeps {@code text} as {@link #lastError()} without counting an error: for data dropped on purpose. */
    public synchronized void note(String text) {
        lastError = text.length() <= ERROR_TEXT_CHARS_MAX ? text : text.substring(0, ERROR_TEXT_CHARS_MAX);
    }

    /** Errors counted so far. */
    public long errors() {
        return errors;
    }

    /** Successful opens after the first one: reconnects after the device went away. */
    public long reopens() {
        return reopens;
    }

    /** Text of the last error or note, empty if none. */
    public String lastError() {
        return lastError;
    }

    /** The wait before the latest reopen, 0 before the first; for tests. */
    long lastBackoffNanos() {
        return lastBackoffNanos;
    }

    private void run() {
        long backoffNanos = REOPEN_BACKOFF_NANOS_MIN;
        try {
            while (running) {
                boolean delivered = false;
                try {
                    delivered = session.run();
                } catch (RuntimeException | LinkageError e) {
                    error("unexpected " + e);
                } finally {
                    connected = false;
                }
                if (delivered) {
                    backoffNanos = REOPEN_BACKOFF_NANOS_MIN;
                }
                lastBackoffNanos = backoffNanos;
                if (running && awaitStop(backoffNanos)) {
                    break;
                }
                backoffNanos = Math.min(backoffNanos * 2, REOPEN_BACKOFF_NANOS_MAX);
            }
        } finally {
            connected = false;
        }
    }

    /** Waits up to {@code nanos}; returns true if close() was called or the thread interrupted. */
    private boolean awaitStop(long nanos) {
        try {
            return stopRequested.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            running = false;
            return true;
        }
    }
}
