package io.ionclock.core.gnss;

import io.ionclock.core.LeapIndicator;
import io.ionclock.core.Sample;
import java.util.function.Consumer;

/**
 * Pairs PPS edges with the NMEA time that labels them, measures the receiver's NMEA delay, and turns
 * both into {@link Sample}s. Pure: every instant is passed in. Not thread-safe: the caller serialises
 * {@link #onPpsEdge} and {@link #onNmeaTime}.
 *
 * <p>The rules (NMEA labels an edge, it never times one):
 * <ul>
 *   <li>NMEA for second S arrives 0..1 s after S's edge. An NMEA time S received at {@code rx} pairs with
 *       the one edge in {@code (rx - 1 s, rx)}; before the delay is calibrated, an edge within
 *       {@link #DELAY_GUARD_NANOS} of either end of that window could belong to S or S+1, so it is
 *       ambiguous. Once {@link #CALIBRATION_PAIRS_MIN} pairs agree, the edge must sit at the measured
 *       delay (within the measured spread plus {@link #CALIBRATED_TOLERANCE_NANOS}).</li>
 *   <li>Two candidate edges, or none where one is expected, drop the label and count it. Never guess.</li>
 *   <li>A paired edge anchors the labels: later edges a whole number of seconds away take the next labels
 *       (PPS alone keeps the clock through NMEA outages) for up to {@link #LABEL_HOLDOVER_NANOS_MAX}.</li>
 *   <li>Without PPS, NMEA alone gives a sample whose error covers the whole possible delay (or the
 *       calibrated delay and its spread, with a margin): hundreds of milliseconds, honestly.</li>
 * </ul>
 */
public final class GnssPairing {
    public static final String SOURCE_GNSS_PPS = "GNSS+PPS";
    public static final String SOURCE_GNSS = "GNSS";
    public static final String SOURCE_PPS = "PPS";

    static final long SECOND_NANOS = 1_000_000_000L;
    /** An NMEA sentence arrives less than this after the edge of the second it names. */
    public static final long NMEA_DELAY_NANOS_MAX = SECOND_NANOS;
    /** Before calibration, an edge this close to either end of the NMEA window is ambiguous. */
    public static final long DELAY_GUARD_NANOS = 20_000_000L;
    /** After calibration, an edge may sit this far outside the measured delay range and still pair. */
    public static final long CALIBRATED_TOLERANCE_NANOS = 50_000_000L;
    /** Pairs needed before the measured delay is trusted. */
    public static final int CALIBRATION_PAIRS_MIN = 4;
    /** Delays remembered for the calibration (the last ones). */
    public static final int DELAY_WINDOW_MAX = 16;
    /** An edge timestamped less precisely than this is useless for pairing (and for time): dropped. */
    public static final long EDGE_ERROR_NANOS_MAX = DELAY_GUARD_NANOS;
    /** Recent PPS edges kept for pairing. */
    public static final int EDGES_MAX = 8;
    /** PPS alone keeps labelling edges this long after the last NMEA pair. */
    public static final long LABEL_HOLDOVER_NANOS_MAX = 60 * SECOND_NANOS;
    /** An edge must be within this rate (1000 ppm) of whole seconds from the anchor to take a held label. */
    public static final long PPS_PERIOD_TOLERANCE_PPB = 1_000_000L;
    /** Plus this, for the edges' own timestamp error. */
    public static final long PPS_PERIOD_TOLERANCE_NANOS = 1_000_000L;
    /** The NMEA source is "with PPS" while an edge is no older than this when NMEA arrives. */
    public static final long PPS_ALIVE_NANOS = 2 * SECOND_NANOS;
    /** An edge this close to the last NMEA pair is "GNSS+PPS"; further, it is PPS alone ("PPS"). */
    public static final long NMEA_FRESH_NANOS = 2_500_000_000L;
    /** The error NMEA-only samples add for the serial line and parsing, beyond the delay. */
    public static final long NMEA_READ_ERROR_NANOS = 5_000_000L;

    private final Consumer<Sample> sink;

    // Recent edges: a ring buffer.
    private final long[] edgeMonoNanos = new long[EDGES_MAX];
    private final long[] edgeErrorNanos = new long[EDGES_MAX];
    private final boolean[] edgeEmitted = new boolean[EDGES_MAX];
    private int edgeHead;
    private int edgeCount;

    // The label anchor: the last edge paired with NMEA.
    private boolean anchored;
    private long anchorMonoNanos;
    private long anchorEpochSeconds;

    // NMEA delay calibration.
    private final long[] delayNanos = new long[DELAY_WINDOW_MAX];
    private int delayCount;
    private int delayNext;

    private long lastNmeaEpochMillis = Long.MIN_VALUE;

    private long pairs;
    private long ambiguousDropped;
    private long unpairedNmea;
    private long labelConflicts;
    private long heldLabels;
    private long unlabelledEdges;
    private long nmeaOnlySamples;
    private long impreciseEdges;

    public GnssPairing(Consumer<Sample> sink) {
        this.sink = sink;
    }

    /**
     * A PPS assert edge at {@code assertMonoNanos}, timestamped within {@code errorNanos}. An edge whose
     * timestamp error is negative or over {@link #EDGE_ERROR_NANOS_MAX} (the reader was preempted) is
     * dropped and counted.
     */
    public void onPpsEdge(long assertMonoNanos, long errorNanos) {
        if (errorNanos < 0 || errorNanos > EDGE_ERROR_NANOS_MAX) {
            impreciseEdges++;
            return;
        }
        if (edgeCount > 0 && assertMonoNanos <= edgeMonoNanos[newestEdge()]) {
            unlabelledEdges++; // out of order: the reader would have had to go back in time
            return;
        }
        int index = (edgeHead + edgeCount) % EDGES_MAX;
        if (edgeCount == EDGES_MAX) {
            index = edgeHead;
            edgeHead = (edgeHead + 1) % EDGES_MAX;
        } else {
            edgeCount++;
        }
        edgeMonoNanos[index] = assertMonoNanos;
        edgeErrorNanos[index] = errorNanos;
        edgeEmitted[index] = false;
        long label = heldLabel(assertMonoNanos);
        if (label != Long.MIN_VALUE) {
            heldLabels++;
            emitEdge(index, label, assertMonoNanos - anchorMonoNanos <= NMEA_FRESH_NANOS ? SOURCE_GNSS_PPS : SOURCE_PPS);
        } else if (anchored) {
            unlabelledEdges++; // too long since the last pair, or not a whole number of seconds from it
        }
    }

    /**
     * A valid NMEA time with a full date, received at {@code rxMonoNanos} (the read that delivered the
     * line's first byte). Invalid times are the parser's to drop; they never reach here.
     */
    public void onNmeaTime(long epochMillis, long rxMonoNanos) {
        if (epochMillis <= lastNmeaEpochMillis) {
            return; // another sentence of the same second (or an older one): the first one is the best
        }
        lastNmeaEpochMillis = epochMillis;
        boolean wholeSecond = Math.floorMod(epochMillis, 1000L) == 0;
        boolean ppsAlive = edgeCount > 0 && rxMonoNanos - edgeMonoNanos[newestEdge()] <= PPS_ALIVE_NANOS;
        if (!ppsAlive) {
            emitNmeaOnly(epochMillis, rxMonoNanos);
            return;
        }
        if (!wholeSecond) {
            return; // a fractional epoch of a faster receiver: only whole seconds have an edge
        }
        int found = -1;
        int candidates = 0;
        for (int k = 0; k < edgeCount; k++) {
            int i = (edgeHead + k) % EDGES_MAX;
            long delay = rxMonoNanos - edgeMonoNanos[i];
            if (delay > 0 && delay < NMEA_DELAY_NANOS_MAX && delayFits(delay)) {
                candidates++;
                found = i;
            }
        }
        if (candidates != 1) {
            if (candidates == 0) {
                unpairedNmea++;
            } else {
                ambiguousDropped++;
            }
            return;
        }
        long labelSeconds = Math.floorDiv(epochMillis, 1000L);
        long held = heldLabel(edgeMonoNanos[found]);
        if (held != Long.MIN_VALUE && held != labelSeconds) {
            // PPS counting and NMEA disagree: trust neither this second; start over from this pair.
            labelConflicts++;
            anchored = false;
            return;
        }
        pairs++;
        recordDelay(rxMonoNanos - edgeMonoNanos[found]);
        anchored = true;
        anchorMonoNanos = edgeMonoNanos[found];
        anchorEpochSeconds = labelSeconds;
        if (!edgeEmitted[found]) {
            emitEdge(found, labelSeconds, SOURCE_GNSS_PPS);
        }
    }

    private boolean delayFits(long delay) {
        if (!calibrated()) {
            return delay >= DELAY_GUARD_NANOS && delay <= NMEA_DELAY_NANOS_MAX - DELAY_GUARD_NANOS;
        }
        return delay >= delayMinNanos() - CALIBRATED_TOLERANCE_NANOS
                && delay <= delayMaxNanos() + CALIBRATED_TOLERANCE_NANOS;
    }

    /** The label an edge takes from the anchor, or Long.MIN_VALUE when it cannot take one. */
    private long heldLabel(long edgeMonoNanos) {
        if (!anchored) {
            return Long.MIN_VALUE;
        }
        long sinceAnchorNanos = edgeMonoNanos - anchorMonoNanos;
        if (sinceAnchorNanos < 0 || sinceAnchorNanos > LABEL_HOLDOVER_NANOS_MAX) {
            return Long.MIN_VALUE;
        }
        long seconds = Math.round(sinceAnchorNanos / (double) SECOND_NANOS);
        long offPeriodNanos = Math.abs(sinceAnchorNanos - seconds * SECOND_NANOS);
        long toleranceNanos = PPS_PERIOD_TOLERANCE_NANOS + seconds * PPS_PERIOD_TOLERANCE_PPB;
        if (offPeriodNanos > toleranceNanos) {
            return Long.MIN_VALUE; // not a whole number of seconds from the anchor: a glitch, not a pulse
        }
        return anchorEpochSeconds + seconds;
    }

    private void emitEdge(int index, long labelSeconds, String sourceName) {
        edgeEmitted[index] = true;
        sink.accept(new Sample(sourceName, edgeMonoNanos[index], labelSeconds * SECOND_NANOS, 0,
                edgeErrorNanos[index], LeapIndicator.NONE));
    }

    private void emitNmeaOnly(long epochMillis, long rxMonoNanos) {
        long delayNanos;
        long halfWidthNanos;
        if (calibrated()) {
            long margin = Math.max(CALIBRATED_TOLERANCE_NANOS, delayMaxNanos() - delayMinNanos());
            long lo = Math.max(0, delayMinNanos() - margin);
            long hi = Math.min(NMEA_DELAY_NANOS_MAX, delayMaxNanos() + margin);
            delayNanos = (lo + hi) / 2;
            halfWidthNanos = (hi - lo + 1) / 2;
        } else {
            delayNanos = NMEA_DELAY_NANOS_MAX / 2;
            halfWidthNanos = NMEA_DELAY_NANOS_MAX / 2;
        }
        nmeaOnlySamples++;
        sink.accept(new Sample(SOURCE_GNSS, rxMonoNanos - delayNanos, epochMillis * 1_000_000L, 0,
                halfWidthNanos + NMEA_READ_ERROR_NANOS, LeapIndicator.NONE));
    }

    private void recordDelay(long delay) {
        delayNanos[delayNext] = delay;
        delayNext = (delayNext + 1) % DELAY_WINDOW_MAX;
        delayCount = Math.min(delayCount + 1, DELAY_WINDOW_MAX);
    }

    private int newestEdge() {
        return (edgeHead + edgeCount - 1) % EDGES_MAX;
    }

    public boolean calibrated() {
        return delayCount >= CALIBRATION_PAIRS_MIN;
    }

    /** Smallest NMEA delay after the edge in the calibration window; -1 before any pair. */
    public long delayMinNanos() {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < delayCount; i++) {
            min = Math.min(min, delayNanos[i]);
        }
        return delayCount == 0 ? -1 : min;
    }

    public long delayMaxNanos() {
        long max = -1;
        for (int i = 0; i < delayCount; i++) {
            max = Math.max(max, delayNanos[i]);
        }
        return max;
    }

    public long delayMeanNanos() {
        long sum = 0;
        for (int i = 0; i < delayCount; i++) {
            sum += delayNanos[i];
        }
        return delayCount == 0 ? -1 : sum / delayCount;
    }

    public long pairs() {
        return pairs;
    }

    public long ambiguousDropped() {
        return ambiguousDropped;
    }

    public long unpairedNmea() {
        return unpairedNmea;
    }

    public long labelConflicts() {
        return labelConflicts;
    }

    public long heldLabels() {
        return heldLabels;
    }

    public long unlabelledEdges() {
        return unlabelledEdges;
    }

    public long nmeaOnlySamples() {
        return nmeaOnlySamples;
    }

    /** Edges dropped because their timestamp error was over {@link #EDGE_ERROR_NANOS_MAX}. */
    public long impreciseEdges() {
        return impreciseEdges;
    }
}
