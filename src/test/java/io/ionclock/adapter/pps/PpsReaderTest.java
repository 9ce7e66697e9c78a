package io.ionclock.adapter.pps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.adapter.clock.ClockPairReader;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PpsReaderTest {

    /** Long enough that no real timeout happens during a test; close() interrupts the fake fetch. */
    private static final long FETCH_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long NO_EDGE_WAIT_MILLIS = 200;
    private static final long TIMESTAMP_ERROR_NANOS = 1_000;
    private static final int EDGES_MAX = 1_000;

    /** Realtime is 1.7e18 ns since the epoch when CLOCK_MONOTONIC reads 5e9 ns. */
    private static final long MONO_BEFORE_NANOS = 5_000_000_000L;
    private static final long BRACKET_NANOS = 4_000;
    private static final long REALTIME_NANOS = 1_700_000_000_000_000_000L;
    private static final long REALTIME_MINUS_MONO_NANOS = REALTIME_NANOS - (MONO_BEFORE_NANOS + BRACKET_NANOS / 2);

    record Edge(long assertMonoNanos, long sequence, long edgeErrorNanos) {
    }

    private final BlockingQueue<Edge> edges = new LinkedBlockingQueue<>(EDGES_MAX);
    private final PpsSink sink = (assertMonoNanos, sequence, edgeErrorNanos) -> edges.add(
            new Edge(assertMonoNanos, sequence, edgeErrorNanos));
    private final ClockPairReader fixedClocks = out -> out.set(MONO_BEFORE_NANOS, REALTIME_NANOS,
            MONO_BEFORE_NANOS + BRACKET_NANOS);
    private PpsReader reader;

    @AfterEach
    void closeReader() {
        if (reader != null) {
            reader.close();
        }
    }

    @Test
    void convertsRealtimeToMonoAtTheBracketMidpointAndAddsTheBracketToTheError() throws Exception {
        ScriptedPpsSource source = new ScriptedPpsSource().edge(REALTIME_NANOS - 300_000, 41);
        start(() -> source);

        Edge edge = nextEdge();
        // mono midpoint 5_000_002_000 reads realtime 1.7e18: an edge 300 us earlier in realtime is at
        // 4_999_702_000 on the monotonic clock.
        assertEquals(4_999_702_000L, edge.assertMonoNanos());
        assertEquals(REALTIME_NANOS - 300_000 - REALTIME_MINUS_MONO_NANOS, edge.assertMonoNanos());
        assertEquals(41, edge.sequence());
        assertEquals(TIMESTAMP_ERROR_NANOS + BRACKET_NANOS, edge.edgeErrorNanos());
        assertEquals(1, reader.edges());
        assertTrue(reader.connected());
        assertEquals(0, reader.errors(), reader.lastError());
    }

    @Test
    void countsSequenceGapsAcrossTheWrapAround() throws Exception {
        ScriptedPpsSource source = new ScriptedPpsSource()
                .edge(REALTIME_NANOS - 5_000, 0xffff_fff0L)
                .edge(REALTIME_NANOS - 4_000, 0xffff_fff1L)
                .edge(REALTIME_NANOS - 3_000, 0xffff_fff4L)
                .edge(REALTIME_NANOS - 2_000, 0xffff_ffffL)
                .edge(REALTIME_NANOS - 1_000, 1);
        start(() -> source);

        assertEquals(0xffff_fff0L, nextEdge().sequence());
        assertEquals(0xffff_fff1L, nextEdge().sequence());
        assertEquals(0xffff_fff4L, nextEdge().sequence());
        assertEquals(0xffff_ffffL, nextEdge().sequence());
        assertEquals(1, nextEdge().sequence());
        assertEquals(2 + 10 + 1, reader.sequenceGaps());
        assertEquals(0, reader.errors(), reader.lastError());
    }

    @Test
    void countsTimeoutsAsMissingPulses() throws Exception {
        ScriptedPpsSource source = new ScriptedPpsSource()
                .edge(REALTIME_NANOS - 2_000, 1)
                .timeout()
                .timeout()
                .edge(REALTIME_NANOS - 1_000, 2);
        start(() -> source);

        nextEdge();
        nextEdge();
        assertEquals(2, reader.timeouts());
        assertEquals(0, reader.sequenceGaps());
        assertEquals(2, reader.edges());
    }

    @Test
    void dropsRepeatedSequencesAndCountsBackwardOnes() throws Exception {
        ScriptedPpsSource source = new ScriptedPpsSource()
                .edge(REALTIME_NANOS - 3_000, 7)
                .edge(REALTIME_NANOS - 2_000, 7)
                .edge(REALTIME_NANOS - 1_000, 3);
        start(() -> source);

        assertEquals(7, nextEdge().sequence());
        assertEquals(3, nextEdge().sequence());
        assertEquals(2, reader.errors());
        assertTrue(reader.lastError().contains("went back from 7 to 3"), reader.lastError());
        assertEquals(0, reader.sequenceGaps());
    }

    @Test
    void dropsEdgesWhoseConvertedTimeIsImplausible() throws Exception {
        ScriptedPpsSource source = new ScriptedPpsSource()
                .edge(REALTIME_NANOS + 10_000, 1)
                .edge(REALTIME_NANOS - PpsReader.EDGE_AGE_NANOS_MAX - 10_000, 2)
                .edge(REALTIME_NANOS - 1_000, 3);
        start(() -> source);

        assertEquals(3, nextEdge().sequence());
        assertEquals(2, reader.implausibleDropped());
        assertEquals(1, reader.edges());
        assertTrue(reader.lastError().contains("edge 2 dropped"), reader.lastError());
    }

    @Test
    void reopensWithBackoffWhenTheDeviceGoesAwayAndComesBack() throws Exception {
        ScriptedPpsSource first = new ScriptedPpsSource()
                .edge(REALTIME_NANOS - 2_000, 100)
                .failure("PPS_FETCH /dev/pps0: ENODEV (errno 19)");
        ScriptedPpsSource second = new ScriptedPpsSource().edge(REALTIME_NANOS - 1_000, 1);
        BlockingQueue<Object> opens = new LinkedBlockingQueue<>();
        opens.add(first);
        opens.add(new IOException("open /dev/pps0: ENOENT (errno 2)"));
        opens.add(second);
        start(() -> {
            Object next = opens.poll();
            if (next instanceof IOException e) {
                throw e;
            }
            if (next == null) {
                throw new IOException("no more devices");
            }
            return (PpsSource) next;
        });

        assertEquals(100, nextEdge().sequence());
        assertEquals(1, nextEdge().sequence());
        assertTrue(first.closed.await(WAIT_NANOS, TimeUnit.NANOSECONDS), "failed source not closed");
        assertEquals(1, reader.reopens());
        assertEquals(2, reader.errors());
        assertEquals(0, reader.sequenceGaps());
        assertTrue(reader.connected());
    }

    @Test
    void aThrowingSinkIsCountedAndTheLoopGoesOn() throws Exception {
        ScriptedPpsSource source = new ScriptedPpsSource()
                .edge(REALTIME_NANOS - 2_000, 1)
                .edge(REALTIME_NANOS - 1_000, 2);
        reader = new PpsReader(() -> source, (mono, sequence, error) -> {
            if (sequence == 1) {
                throw new IllegalStateException("sink bug");
            }
            sink.onEdge(mono, sequence, error);
        }, fixedClocks, FETCH_TIMEOUT_NANOS, TIMESTAMP_ERROR_NANOS);
        reader.start();

        assertEquals(2, nextEdge().sequence());
        assertEquals(1, reader.errors());
        assertTrue(reader.lastError().contains("sink bug"), reader.lastError());
    }

    @Test
    void closeStopsTheThreadClosesTheSourceAndNothingIsDeliveredAfterwards() throws Exception {
        ScriptedPpsSource source = new ScriptedPpsSource().edge(REALTIME_NANOS - 1_000, 1);
        start(() -> source);
        nextEdge();

        long startMonoNanos = System.nanoTime();
        reader.close();
        long closeNanos = System.nanoTime() - startMonoNanos;

        assertFalse(reader.alive());
        assertFalse(reader.connected());
        assertTrue(closeNanos < TimeUnit.SECONDS.toNanos(1), "close took " + closeNanos + " ns");
        assertTrue(source.closed.await(WAIT_NANOS, TimeUnit.NANOSECONDS));
        source.edge(REALTIME_NANOS - 500, 2);
        assertNull(edges.poll(NO_EDGE_WAIT_MILLIS, TimeUnit.MILLISECONDS));
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class,
                () -> new PpsReader(ScriptedPpsSource::new, sink, fixedClocks, 0, TIMESTAMP_ERROR_NANOS));
        assertThrows(IllegalArgumentException.class,
                () -> new PpsReader(ScriptedPpsSource::new, sink, fixedClocks, FETCH_TIMEOUT_NANOS, -1));
        PpsReader once = new PpsReader(ScriptedPpsSource::new, sink, fixedClocks, FETCH_TIMEOUT_NANOS, 0);
        once.start();
        assertThrows(IllegalStateException.class, once::start);
        once.close();
    }

    private void start(PpsSource.Opener opener) {
        reader = new PpsReader(opener, sink, fixedClocks, FETCH_TIMEOUT_NANOS, TIMESTAMP_ERROR_NANOS);
        reader.start();
    }

    private Edge nextEdge() throws InterruptedException {
        Edge edge = edges.poll(WAIT_NANOS, TimeUnit.NANOSECONDS);
        assertNotNull(edge, "no edge within timeout; last error: " + (reader == null ? "" : reader.lastError()));
        return edge;
    }
}
