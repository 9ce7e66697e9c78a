package io.ionclock.adapter.pps;

import io.ionclock.adapter.LinuxErrno;
import com.sun.jna.Memory;
import com.sun.jna.Native;

/**
 * Reads CLOCK_REALTIME with {@code clock_gettime} (JNA) between two {@code System.nanoTime()} calls, which on
 * Linux read CLOCK_MONOTONIC (check with {@link #nanoTimeIsClockMonotonic()}). Takes
 * {@value #PAIR_READS} readings and keeps the narrowest bracket. Thread-safe.
 *
 * <p>CLOCK_REALTIME and CLOCK_MONOTONIC are slewed alike by adjtimex; their difference changes only on a step
 * (settimeofday, clock_settime, leap second), so an offset read now converts an edge from a moment ago.
 */
public final class LinuxClockPairReader implements ClockPairReader {

    /** Readings per {@link #read}; the one with the narrowest bracket is kept. */
    public static final int PAIR_READS = 3;
    /** struct timespec is two C longs. */
    private static final int TIMESPEC_SIZE_BYTES = 2 * Native.LONG_SIZE;
    /** Tries of the CLOCK_MONOTONIC check before it reports a mismatch. */
    static final int MONOTONIC_CHECK_TRIES = 5;

    private final Memory timespec = new Memory(TIMESPEC_SIZE_BYTES);

    @Override
    public synchronized void read(ClockPair out) {
        long bestBeforeNanos = 0;
        long bestRealtimeNanos = 0;
        long bestBracketNanos = Long.MAX_VALUE;
        for (int i = 0; i < PAIR_READS; i++) {
            long monoBeforeNanos = System.nanoTime();
            long realtimeNanos = clockGettimeNanos(LinuxPps.CLOCK_REALTIME, timespec);
            long monoAfterNanos = System.nanoTime();
            long bracketNanos = monoAfterNanos - monoBeforeNanos;
            if (bracketNanos < bestBracketNanos) {
                bestBeforeNanos = monoBeforeNanos;
                bestRealtimeNanos = realtimeNanos;
                bestBracketNanos = bracketNanos;
            }
        }
        out.set(bestBeforeNanos, bestRealtimeNanos, bestBeforeNanos + bestBracketNanos);
    }

    /** CLOCK_MONOTONIC through clock_gettime, nanoseconds. */
    public static long monotonicNanos() {
        try (Memory ts = new Memory(TIMESPEC_SIZE_BYTES)) {
            return clockGettimeNanos(LinuxPps.CLOCK_MONOTONIC, ts);
        }
    }

    /** CLOCK_REALTIME through clock_gettime, nanoseconds since the Unix epoch. */
    public static long realtimeNanos() {
        try (Memory ts = new Memory(TIMESPEC_SIZE_BYTES)) {
            return clockGettimeNanos(LinuxPps.CLOCK_REALTIME, ts);
        }
    }

    /**
     * Whether {@code System.nanoTime()} reads CLOCK_MONOTONIC in this runtime (the timebase everything in
     * ionclock is on): a clock_gettime(CLOCK_MONOTONIC) reading must fall between two nanoTime() readings.
     * Cheap; meant for a start-up check, including in the native executable.
     */
    public static boolean nanoTimeIsClockMonotonic() {
        try (Memory ts = new Memory(TIMESPEC_SIZE_BYTES)) {
            for (int i = 0; i < MONOTONIC_CHECK_TRIES; i++) {
                long beforeNanos = System.nanoTime();
                long monoNanos = clockGettimeNanos(LinuxPps.CLOCK_MONOTONIC, ts);
                long afterNanos = System.nanoTime();
                if (beforeNanos <= monoNanos && monoNanos <= afterNanos) {
                    return true;
                }
            }
            return false;
        }
    }

    private static long clockGettimeNanos(int clockId, Memory ts) {
        if (LinuxPps.Holder.LIBC.clock_gettime(clockId, ts) != 0) {
            throw new IllegalStateException("clock_gettime(" + clockId + "): "
                    + LinuxErrno.text(Native.getLastError()));
        }
        return LinuxPps.timespecNanos(ts);
    }
}
