package io.ionclock.adapter.clock;

import com.sun.jna.Memory;
import io.ionclock.core.MonoClock;
import java.util.Objects;

/**
 * Reads CLOCK_REALTIME with {@code clock_gettime} (JNA) between two readings of a {@link MonoClock}: by default
 * {@code System.nanoTime()}, which on Linux reads CLOCK_MONOTONIC (check with {@link #nanoTimeIsClockMonotonic()});
 * in the sim profile the appliance's simulated oscillator, so that kernel timestamps land on the timebase everything
 * else uses. Takes {@value #PAIR_READS} readings and keeps the narrowest bracket. Thread-safe.
 *
 * <p>CLOCK_REALTIME and CLOCK_MONOTONIC are slewed alike by adjtimex; their difference changes only on a step
 * (settimeofday, clock_settime, leap second), so an offset read now converts a kernel timestamp from a moment ago
 * ({@link RealtimeToMono}). A simulated oscillator adds its rate error over that moment.
 */
public final class LinuxClockPairReader implements ClockPairReader {

    /** Readings per {@link #read}; the one with the narrowest bracket is kept. */
    public static final int PAIR_READS = 3;
    /** Tries of the CLOCK_MONOTONIC check before it reports a mismatch. */
    static final int MONOTONIC_CHECK_TRIES = 5;

    private final MonoClock mono;
    private final Memory timespec = new Memory(LinuxClock.TIMESPEC_SIZE_BYTES);

    /** Brackets with {@code System.nanoTime()} (CLOCK_MONOTONIC). */
    public LinuxClockPairReader() {
        this(System::nanoTime);
    }

    /** Brackets with {@code mono}, the appliance's monotonic timebase. */
    public LinuxClockPairReader(MonoClock mono) {
        this.mono = Objects.requireNonNull(mono, "mono");
    }

    @Override
    public synchronized void read(ClockPair out) {
        long bestBeforeNanos = 0;
        long bestRealtimeNanos = 0;
        long bestBracketNanos = Long.MAX_VALUE;
        for (int i = 0; i < PAIR_READS; i++) {
            long monoBeforeNanos = mono.monoNanos();
            long realtimeNanos = LinuxClock.gettimeNanos(LinuxClock.CLOCK_REALTIME, timespec);
            long monoAfterNanos = mono.monoNanos();
            long bracketNanos = monoAfterNanos - monoBeforeNanos;
            if (bracketNanos >= 0 && bracketNanos < bestBracketNanos) {
                bestBeforeNanos = monoBeforeNanos;
                bestRealtimeNanos = realtimeNanos;
                bestBracketNanos = bracketNanos;
            }
        }
        if (bestBracketNanos == Long.MAX_VALUE) {
            throw new IllegalStateException("the monotonic clock went backwards in all " + PAIR_READS + " readings");
        }
        out.set(bestBeforeNanos, bestRealtimeNanos, bestBeforeNanos + bestBracketNanos);
    }

    /** CLOCK_MONOTONIC through clock_gettime, nanoseconds. */
    public static long monotonicNanos() {
        try (Memory ts = new Memory(LinuxClock.TIMESPEC_SIZE_BYTES)) {
            return LinuxClock.gettimeNanos(LinuxClock.CLOCK_MONOTONIC, ts);
        }
    }

    /** CLOCK_REALTIME through clock_gettime, nanoseconds since the Unix epoch. */
    public static long realtimeNanos() {
        try (Memory ts = new Memory(LinuxClock.TIMESPEC_SIZE_BYTES)) {
            return LinuxClock.gettimeNanos(LinuxClock.CLOCK_REALTIME, ts);
        }
    }

    /**
     * Whether {@code System.nanoTime()} reads CLOCK_MONOTONIC in this runtime (the timebase everything in
     * ionclock is on): a clock_gettime(CLOCK_MONOTONIC) reading must fall between two nanoTime() readings.
     * Cheap; meant for a start-up check, including in the native executable.
     */
    public static boolean nanoTimeIsClockMonotonic() {
        try (Memory ts = new Memory(LinuxClock.TIMESPEC_SIZE_BYTES)) {
            for (int i = 0; i < MONOTONIC_CHECK_TRIES; i++) {
                long beforeNanos = System.nanoTime();
                long monoNanos = LinuxClock.gettimeNanos(LinuxClock.CLOCK_MONOTONIC, ts);
                long afterNanos = System.nanoTime();
                if (beforeNanos <= monoNanos && monoNanos <= afterNanos) {
                    return true;
                }
            }
            return false;
        }
    }
}
