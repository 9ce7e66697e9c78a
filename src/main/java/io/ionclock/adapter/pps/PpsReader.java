package io.ionclock.adapter.pps;

import io.ionclock.adapter.DeviceLoop;
import io.ionclock.adapter.clock.ClockPair;
import io.ionclock.adapter.clock.ClockPairReader;
import io.ionclock.adapter.clock.LinuxClockPairReader;
import io.ionclock.adapter.clock.RealtimeToMono;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Objects;

/**
 * Fetches PPS assert edges from a {@link PpsSource} on its own daemon thread, converts their CLOCK_REALTIME
 * timestamps to CLOCK_MONOTONIC and hands them to a {@link PpsSink}.
 *
 * <p>Conversion ({@link RealtimeToMono}): {@code assertMonoNanos = assertRealtimeNanos - (realtime - mono)}, with
 * realtime read between two monotonic readings right after the fetch and taken at their midpoint.
 * {@code edgeErrorNanos} is the source's timestamp error plus the bracket width. An edge that lands in the future or
 * more than {@link #EDGE_AGE_NANOS_MAX} in the past after conversion means CLOCK_REALTIME was stepped between the
 * edge and the conversion (or a leap second): it is dropped and counted, never guessed.
 *
 * <p>Counts: timeouts (a fetch saw no edge: a missing pulse), sequence gaps (edges the source counted but this
 * reader never fetched), errors. A failing source is closed and reopened with a backoff from
 * {@link #REOPEN_BACKOFF_NANOS_MIN} doubling to {@link #REOPEN_BACKOFF_NANOS_MAX} by a {@link DeviceLoop}.
 * Counters are written by the reader thread and may be read from any thread.
 */
public final class PpsReader implements AutoCloseable {

    /** Default fetch timeout: one and a half pulse periods at 1 PPS. */
    public static final long FETCH_TIMEOUT_NANOS_DEFAULT = 1_500_000_000L;
    /**
     * Timestamp error of the kernel PPS path: interrupt latency of the pps-gpio or serial-DCD handler, about
     * 1 us on an idle Raspberry Pi class board. Pass a larger value for a loaded or slower board.
     */
    public static final long KERNEL_TIMESTAMP_ERROR_NANOS = 1_000L;
    /** Oldest an edge may be when converted; the source returns an edge right after it happens. */
    public static final long EDGE_AGE_NANOS_MAX = 1_000_000_000L;
    public static final long REOPEN_BACKOFF_NANOS_MIN = DeviceLoop.REOPEN_BACKOFF_NANOS_MIN;
    public static final long REOPEN_BACKOFF_NANOS_MAX = DeviceLoop.REOPEN_BACKOFF_NANOS_MAX;
    /** {@link #close()} waits up to the fetch timeout plus this. */
    public static final long CLOSE_MARGIN_NANOS = 500_000_000L;
    public static final int ERROR_TEXT_CHARS_MAX = DeviceLoop.ERROR_TEXT_CHARS_MAX;
    private static final long SEQUENCE_MASK = 0xffff_ffffL;
    /** A sequence step of at least this much (mod 2^32) is taken as going backwards. */
    private static final long SEQUENCE_BACKWARD_MIN = 1L << 31;

    private final PpsSource.Opener opener;
    private final PpsSink sink;
    private final ClockPairReader clocks;
    private final long fetchTimeoutNanos;
    private final long timestampErrorNanos;
    private final DeviceLoop loop;

    private long lastSequence = -1;
    private volatile long edges;
    private volatile long timeouts;
    private volatile long sequenceGaps;
    private volatile long implausibleDropped;

    /** Reader for a Linux PPS device: real clocks, default timeout, kernel timestamp error. */
    public PpsReader(PpsSource.Opener opener, PpsSink sink) {
        this(opener, sink, new LinuxClockPairReader(), FETCH_TIMEOUT_NANOS_DEFAULT, KERNEL_TIMESTAMP_ERROR_NANOS);
    }

    /**
     * @param opener              opens the source, again after each failure
     * @param sink                receives edges on the reader thread
     * @param clocks              reads CLOCK_REALTIME bracketed by CLOCK_MONOTONIC
     * @param fetchTimeoutNanos   longest wait for one edge; each expiry counts a timeout. Bounds
     *                            {@link #close()} for a source that cannot be interrupted
     * @param timestampErrorNanos error of the source's own timestamps, >= 0
     */
    public PpsReader(PpsSource.Opener opener, PpsSink sink, ClockPairReader clocks, long fetchTimeoutNanos,
            long timestampErrorNanos) {
        this.opener = Objects.requireNonNull(opener, "opener");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clocks = Objects.requireNonNull(clocks, "clocks");
        if (fetchTimeoutNanos <= 0) {
            throw new IllegalArgumentException("fetchTimeoutNanos must be > 0: " + fetchTimeoutNanos);
        }
        if (timestampErrorNanos < 0) {
            throw new IllegalArgumentException("timestampErrorNanos must be >= 0: " + timestampErrorNanos);
        }
        this.fetchTimeoutNanos = fetchTimeoutNanos;
        this.timestampErrorNanos = timestampErrorNanos;
        long closeTimeoutNanos = fetchTimeoutNanos <= Long.MAX_VALUE - CLOSE_MARGIN_NANOS
                ? fetchTimeoutNanos + CLOSE_MARGIN_NANOS
                : Long.MAX_VALUE;
        this.loop = new DeviceLoop("ionclock-pps", this::fetchSession, closeTimeoutNanos, true);
    }

    /** Starts the reader thread. Returns at once; opening and fetching happen on the thread. */
    public void start() {
        loop.start();
    }

    /**
     * Stops the thread and closes the source. Waits at most the fetch timeout plus {@link #CLOSE_MARGIN_NANOS}:
     * a kernel PPS_FETCH cannot be interrupted. Idempotent.
     */
    @Override
    public void close() {
        loop.close();
    }

    /** Whether a source is open. */
    public boolean connected() {
        return loop.connected();
    }

    /** Whether the reader thread is running (false before start and after close). */
    public boolean alive() {
        return loop.alive();
    }

    /** Edges delivered to the sink. */
    public long edges() {
        return edges;
    }

    /** Fetches that timed out without an edge: missing pulses. */
    public long timeouts() {
        return timeouts;
    }

    /** Edges the source counted between two delivered edges: edges this reader missed. */
    public long sequenceGaps() {
        return sequenceGaps;
    }

    /** Edges dropped because their converted time was implausible (CLOCK_REALTIME stepped). */
    public long implausibleDropped() {
        return implausibleDropped;
    }

    /** Successful opens after the first one. */
    public long reopens() {
        return loop.reopens();
    }

    /** Failed opens and fetches, repeated or backward sequences, sink exceptions. */
    public long errors() {
        return loop.errors();
    }

    /** Text of the last error or dropped edge, empty if none. */
    public String lastError() {
        return loop.lastError();
    }

    /** One connection: open the source, fetch until it fails. Returns whether any edge arrived. */
    private boolean fetchSession() {
        PpsSource source = open();
        if (source == null) {
            return false;
        }
        try {
            return fetchUntilFailed(source, new PpsEdge(), new ClockPair());
        } finally {
            loop.connected(false);
            closeQuietly(source);
        }
    }

    private PpsSource open() {
        try {
            PpsSource source = opener.open();
            if (source == null) {
                loop.error("open: opener returned null");
                return null;
            }
            loop.opened();
            lastSequence = -1;
            loop.connected(true);
            return source;
        } catch (IOException | RuntimeException | LinkageError e) {
            loop.error("open: " + (e instanceof IOException ? e.getMessage() : e.toString()));
            return null;
        }
    }

    /** Fetches until the source fails or close() is called. Returns whether any edge arrived. */
    private boolean fetchUntilFailed(PpsSource source, PpsEdge edge, ClockPair pair) {
        boolean gotEdge = false;
        while (loop.running()) {
            boolean fetched;
            try {
                fetched = source.fetch(fetchTimeoutNanos, edge);
            } catch (InterruptedIOException e) {
                if (loop.running()) {
                    loop.error("fetch interrupted: " + e.getMessage());
                }
                return gotEdge;
            } catch (IOException | RuntimeException | LinkageError e) {
                loop.error("fetch: " + e.getMessage());
                return gotEdge;
            }
            if (!loop.running()) {
                return gotEdge;
            }
            if (!fetched) {
                timeouts++;
                continue;
            }
            gotEdge = true;
            try {
                clocks.read(pair);
                deliver(edge, pair);
            } catch (RuntimeException | LinkageError e) {
                loop.error("edge " + edge.sequence() + ": " + e);
            }
        }
        return gotEdge;
    }

    private void deliver(PpsEdge edge, ClockPair pair) {
        long sequence = edge.sequence();
        if (lastSequence >= 0) {
            long stepCount = (sequence - lastSequence) & SEQUENCE_MASK;
            if (stepCount == 0) {
                loop.error("edge sequence " + sequence + " repeated");
                return;
            }
            if (stepCount >= SEQUENCE_BACKWARD_MIN) {
                loop.error("edge sequence went back from " + lastSequence + " to " + sequence);
            } else {
                sequenceGaps += stepCount - 1;
            }
        }
        lastSequence = sequence;

        long assertMonoNanos = RealtimeToMono.monoNanos(edge.assertRealtimeNanos(), pair, EDGE_AGE_NANOS_MAX);
        if (assertMonoNanos == RealtimeToMono.IMPLAUSIBLE) {
            implausibleDropped++;
            loop.note("edge " + sequence + " dropped: age " + (pair.realtimeNanos() - edge.assertRealtimeNanos())
                    + " ns on CLOCK_REALTIME at conversion (CLOCK_REALTIME stepped?)");
            return;
        }
        edges++;
        try {
            sink.onEdge(assertMonoNanos, sequence, timestampErrorNanos + pair.bracketNanos());
        } catch (RuntimeException e) {
            loop.error("edge sink threw " + e);
        }
    }

    private void closeQuietly(PpsSource source) {
        try {
            source.close();
        } catch (RuntimeException e) {
            loop.error("close: " + e);
        }
    }
}
