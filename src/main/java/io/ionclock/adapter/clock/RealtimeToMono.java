package io.ionclock.adapter.clock;

/**
 * Carries a kernel CLOCK_REALTIME timestamp (a PPS edge, a socket's receive or transmit time) into the monotonic
 * timebase with a {@link ClockPair} read after it: {@code eventMonoNanos = eventRealtimeNanos - (realtime - mono)},
 * the pair's realtime reading taken at its bracket midpoint. Pure arithmetic, no clock reads.
 *
 * <p>CLOCK_REALTIME and CLOCK_MONOTONIC are slewed alike, so {@code realtime - mono} changes only when
 * CLOCK_REALTIME is stepped (settimeofday, clock_settime, a leap second). A step between the event and the pair
 * shows in two ways, and either gives {@link #IMPLAUSIBLE}, never a guess:
 * <ul>
 * <li>the converted event lands after the pair (age below zero: it cannot have happened after it was read) or
 *     more than the caller's {@code ageNanosMax} before it;</li>
 * <li>with a pair also read before the event, {@link #stepped} sees {@code realtime - mono} move by more than the
 *     two brackets' uncertainty plus {@link #STEP_TOLERANCE_NANOS}.</li>
 * </ul>
 */
public final class RealtimeToMono {

    /** What the conversions return for an implausible result: no monotonic instant is this. */
    public static final long IMPLAUSIBLE = Long.MIN_VALUE;
    /**
     * How far {@code realtime - mono} may move between two pairs, beyond their brackets, without counting as a
     * step. Zero would do for CLOCK_MONOTONIC itself; this covers a simulated oscillator's rate error of up to
     * 100 ppm over 100 ms between the pairs (the sim profile's timebase). A step smaller than this goes unseen.
     */
    public static final long STEP_TOLERANCE_NANOS = 10_000L;

    private RealtimeToMono() {
    }

    /**
     * The event on the monotonic timebase, or {@link #IMPLAUSIBLE} when it would land after {@code after} was
     * read or more than {@code ageNanosMax} before (CLOCK_REALTIME stepped in between, or a bad timestamp).
     *
     * @param eventRealtimeNanos kernel timestamp, CLOCK_REALTIME nanoseconds since the Unix epoch
     * @param after              a pair read after the event
     * @param ageNanosMax        the oldest the event may be when converted, >= 0
     */
    public static long monoNanos(long eventRealtimeNanos, ClockPair after, long ageNanosMax) {
        if (ageNanosMax < 0) {
            throw new IllegalArgumentException("ageNanosMax must be >= 0: " + ageNanosMax);
        }
        long offsetNanos = after.realtimeMinusMonoNanos();
        long eventMonoNanos = eventRealtimeNanos - offsetNanos;
        if (((eventRealtimeNanos ^ offsetNanos) & (eventRealtimeNanos ^ eventMonoNanos)) < 0) {
            return IMPLAUSIBLE; // overflow: a garbage timestamp
        }
        long ageNanos = after.monoAfterNanos() - eventMonoNanos;
        if (((after.monoAfterNanos() ^ eventMonoNanos) & (after.monoAfterNanos() ^ ageNanos)) < 0) {
            return IMPLAUSIBLE;
        }
        if (ageNanos < 0 || ageNanos > ageNanosMax || eventMonoNanos == IMPLAUSIBLE) {
            return IMPLAUSIBLE;
        }
        return eventMonoNanos;
    }

    /**
     * As {@link #monoNanos(long, ClockPair, long)}, and {@link #IMPLAUSIBLE} also when CLOCK_REALTIME was stepped
     * between {@code before} and {@code after} ({@link #stepped}): an event between them is then on either side of
     * the step. Read {@code before} before the event could have been timestamped (before the wait that delivers it)
     * and {@code after} once it is in hand.
     */
    public static long monoNanos(long eventRealtimeNanos, ClockPair before, ClockPair after, long ageNanosMax) {
        if (stepped(before, after)) {
            return IMPLAUSIBLE;
        }
        return monoNanos(eventRealtimeNanos, after, ageNanosMax);
    }

    /**
     * Whether CLOCK_REALTIME was stepped between two pairs: their {@code realtime - mono} differ by more than half
     * of each bracket, rounded up (where in its bracket each realtime reading fell is unknown), plus
     * {@link #STEP_TOLERANCE_NANOS}.
     */
    public static boolean stepped(ClockPair before, ClockPair after) {
        long moveNanos = after.realtimeMinusMonoNanos() - before.realtimeMinusMonoNanos();
        long allowedNanos = (before.bracketNanos() + 1) / 2 + (after.bracketNanos() + 1) / 2 + STEP_TOLERANCE_NANOS;
        return moveNanos > allowedNanos || moveNanos < -allowedNanos;
    }
}
