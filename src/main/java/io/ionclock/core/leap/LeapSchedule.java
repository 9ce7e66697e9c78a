package io.ionclock.core.leap;

import io.ionclock.core.LeapIndicator;

/**
 * How a leap second is carried, pure and immutable. The discipline keeps a continuous timescale {@code C} (no second
 * is ever repeated or skipped in it: {@code C = UTC + offsetNanos}, where {@code offsetNanos} counts the leaps this
 * process has been through, 0 at start); samples come in as UTC (POSIX: 86,400 s a day) and are carried into C
 * ({@link #toContinuous}); what is handed out is C carried back to the served timescale by a monotonic map
 * ({@link #serve}): the policy's for users (HTTP, MQTT, NTP, chrony), {@link Policy#STEP}'s on the wire between nodes.
 *
 * <ul>
 *   <li>{@link Policy#STEP}: UTC as POSIX time, with the inserted second 23:59:60 shown as the clock held at
 *       23:59:59.999999999 for one second (never a step back), a deleted second 23:59:59 skipped (a step forward).</li>
 *   <li>{@link Policy#SMEAR}: the leap spread linearly over the 24 h from noon before to noon after it (as the public
 *       smeared services do): the served clock runs 1/86,401 slow (insert) or 1/86,399 fast (delete) in that window,
 *       and is UTC outside it.</li>
 * </ul>
 * Both maps are monotonic, so a reading never goes backwards; the bound is carried through the map as an interval
 * ({@link #servedBoundNanos}: {@code [serve(c - b), serve(c + b)]}), so it stays honest against the served timescale
 * (it grows near a deleted second's step).
 *
 * <p>A schedule holds at most one pending leap: at {@code leapEpochSeconds} (the UTC midnight after which TAI - UTC
 * changes by {@code direction} seconds). Samples taken within {@link #GUARD_NANOS} of it (in C) are dropped, not
 * guessed (a source's clock may be anywhere inside its own leap handling). Once C is past the leap's window and guard,
 * {@link #settledAt} gives the steady schedule with the leap folded into the offset.
 */
public final class LeapSchedule {
    /** How a leap is served. */
    public enum Policy {
        SMEAR,
        STEP
    }

    /** No leap pending, none passed. */
    public static final LeapSchedule NONE = new LeapSchedule(0, 0, 0, Policy.STEP);

    /** Samples within this (in C) of a leap second are dropped. */
    public static final long GUARD_NANOS = 2_000_000_000L;
    /** The smear window's half-width: noon to noon. */
    public static final long SMEAR_HALF_NANOS = 43_200_000_000_000L;
    static final long SECOND_NANOS = 1_000_000_000L;
    static final long DAY_SECONDS = 86_400L;

    private final long offsetNanos;
    private final long leapEpochSeconds;
    private final int direction;
    private final Policy policy;

    private LeapSchedule(long offsetNanos, long leapEpochSeconds, int direction, Policy policy) {
        this.offsetNanos = offsetNanos;
        this.leapEpochSeconds = leapEpochSeconds;
        this.direction = direction;
        this.policy = policy;
    }

    /** The steady schedule: leaps passed so far folded into {@code offsetNanos}, none pending. */
    public static LeapSchedule steady(long offsetNanos, Policy policy) {
        return new LeapSchedule(offsetNanos, 0, 0, policy);
    }

    /** This schedule with a leap pending at the UTC midnight {@code leapEpochSeconds}: INSERT or DELETE. */
    public LeapSchedule withLeap(long leapEpochSeconds, LeapIndicator leap) {
        if (leap == LeapIndicator.NONE) {
            return steady(offsetNanos, policy);
        }
        if (Math.floorMod(leapEpochSeconds, DAY_SECONDS) != 0) {
            throw new IllegalArgumentException("a leap second ends a UTC day: " + leapEpochSeconds);
        }
        return new LeapSchedule(offsetNanos, leapEpochSeconds, leap == LeapIndicator.INSERT ? 1 : -1, policy);
    }

    public LeapSchedule withPolicy(Policy p) {
        return new LeapSchedule(offsetNanos, leapEpochSeconds, direction, p);
    }

    public boolean pending() {
        return direction != 0;
    }

    public Policy policy() {
        return policy;
    }

    /** C minus UTC outside any pending leap's window: the leaps this process has been through, ns. */
    public long offsetNanos() {
        return offsetNanos;
    }

    /** The pending leap's UTC midnight, Unix seconds (0 when none). */
    public long leapEpochSeconds() {
        return leapEpochSeconds;
    }

    /** The pending leap, or NONE. */
    public LeapIndicator leap() {
        return direction > 0 ? LeapIndicator.INSERT : direction < 0 ? LeapIndicator.DELETE : LeapIndicator.NONE;
    }

    /** The leap's midnight on C (before it: UTC + offset). */
    private long leapC() {
        return leapEpochSeconds * SECOND_NANOS + offsetNanos;
    }

    /** The served clock at {@code continuousNanos} under {@code p} (see the class comment). Monotonic in C. */
    public long serve(long continuousNanos, Policy p) {
        long c = continuousNanos;
        long utc = c - offsetNanos;
        if (direction == 0) {
            return utc;
        }
        long lc = leapC();
        long l = leapEpochSeconds * SECOND_NANOS;
        if (p == Policy.SMEAR) {
            long start = lc - SMEAR_HALF_NANOS;
            long end = lc + SMEAR_HALF_NANOS + direction * SECOND_NANOS;
            if (c < start) {
                return utc;
            }
            if (c >= end) {
                return utc - direction * SECOND_NANOS;
            }
            double windowC = 2.0 * SMEAR_HALF_NANOS + direction * SECOND_NANOS;
            return (l - SMEAR_HALF_NANOS) + (long) Math.floor((c - start) * (2.0 * SMEAR_HALF_NANOS / windowC));
        }
        if (direction > 0) {
            if (c < lc) {
                return utc;
            }
            return c < lc + SECOND_NANOS ? l - 1 : utc - SECOND_NANOS; // 23:59:60 held at 23:59:59.999999999
        }
        return c < lc - SECOND_NANOS ? utc : utc + SECOND_NANOS; // 23:59:59 skipped
    }

    /** {@link #serve(long, Policy)} with this schedule's policy. */
    public long serve(long continuousNanos) {
        return serve(continuousNanos, policy);
    }

    /**
     * The served bound for a reading {@code continuousNanos} within {@code boundNanos}: the truth on C lies in
     * {@code [c - b, c + b]}, so on the served timescale in {@code [serve(c - b), serve(c + b)]}: the larger distance
     * from {@code serve(c)} to either end.
     */
    public long servedBoundNanos(long continuousNanos, long boundNanos, Policy p) {
        if (direction == 0) {
            return boundNanos;
        }
        long s = serve(continuousNanos, p);
        long hi = serve(saturatingAdd(continuousNanos, boundNanos), p) - s;
        long lo = s - serve(saturatingAdd(continuousNanos, -boundNanos), p);
        return Math.max(boundNanos == 0 ? 0 : 1, Math.max(hi, lo));
    }

    /**
     * A sample's UTC time carried into C, judged by the local clock's C at the sample's instant: before the leap's
     * guard window {@code utc + offset}, after it {@code utc + offset + direction s}; within it, {@link Long#MIN_VALUE}
     * (drop the sample).
     */
    public long toContinuous(long utcNanos, long localContinuousNanos) {
        if (direction == 0) {
            return utcNanos + offsetNanos;
        }
        if (inGuard(localContinuousNanos)) {
            return Long.MIN_VALUE;
        }
        return localContinuousNanos < leapC() ? utcNanos + offsetNanos : utcNanos + offsetNanos + direction * SECOND_NANOS;
    }

    /** Whether {@code continuousNanos} is within {@link #GUARD_NANOS} of the pending leap second (nothing is measured then). */
    public boolean inGuard(long continuousNanos) {
        if (direction == 0) {
            return false;
        }
        long lc = leapC();
        long first = lc - GUARD_NANOS - (direction < 0 ? SECOND_NANOS : 0);
        long last = lc + GUARD_NANOS + (direction > 0 ? SECOND_NANOS : 0);
        return continuousNanos >= first && continuousNanos < last;
    }

    /**
     * The leap announced at {@code continuousNanos}: the pending leap from the start of its UTC day (or its smear) until
     * it has happened, else NONE.
     */
    public LeapIndicator announcedAt(long continuousNanos) {
        if (direction == 0) {
            return LeapIndicator.NONE;
        }
        long lc = leapC();
        long from = lc - Math.max(DAY_SECONDS * SECOND_NANOS, SMEAR_HALF_NANOS);
        long until = direction > 0 ? lc + SECOND_NANOS : lc - SECOND_NANOS;
        return continuousNanos >= from && continuousNanos < until ? leap() : LeapIndicator.NONE;
    }

    /** Whether C has entered the pending leap's window (smear or guard): from then on it may not be withdrawn. */
    public boolean begunAt(long continuousNanos) {
        if (direction == 0) {
            return false;
        }
        long start = Math.min(leapC() - SMEAR_HALF_NANOS, leapC() - GUARD_NANOS - SECOND_NANOS);
        return continuousNanos >= start;
    }

    /** The steady schedule once C is past the leap's window and guard (this one otherwise). */
    public LeapSchedule settledAt(long continuousNanos) {
        if (direction == 0) {
            return this;
        }
        long end = leapC() + Math.max(SMEAR_HALF_NANOS, GUARD_NANOS) + 2 * SECOND_NANOS;
        return continuousNanos >= end ? steady(offsetNanos + direction * SECOND_NANOS, policy) : this;
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    @Override
    public String toString() {
        return direction == 0 ? "no leap pending (offset " + offsetNanos + " ns, " + policy + ")"
                : leap() + " at " + leapEpochSeconds + " (" + policy + ", offset " + offsetNanos + " ns)";
    }
}
