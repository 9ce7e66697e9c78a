package io.ionclock.core;

/**
 * The clock's status, an explicit state machine:
 *
 * <pre>
 *   UNSYNCHRONIZED --(frequency known, fresh sample, bound &lt;= max)--&gt; SYNCHRONIZED
 *   SYNCHRONIZED   --(no fresh sample for holdoverAfter)--------------&gt; HOLDOVER
 *   SYNCHRONIZED, HOLDOVER --(bound &gt; max)------------------------------&gt; FREE_RUNNING
 *   HOLDOVER, FREE_RUNNING --(fresh sample, bound &lt;= max)----------------&gt; SYNCHRONIZED
 * </pre>
 *
 * UNSYNCHRONIZED is left only for SYNCHRONIZED and never re-entered. Because the bound grows with
 * time, the status is evaluated at every read from the state at the last update and the read instant.
 */
public enum ClockStatus {
    /** Never had a usable reference. */
    UNSYNCHRONIZED,
    /** Following a fresh reference, bound under the maximum. */
    SYNCHRONIZED,
    /** Lost the references: coasting on the learned frequency, bound growing, still under the maximum. */
    HOLDOVER,
    /** Coasted too long: bound past the configured maximum. */
    FREE_RUNNING;

    /**
     * The next status.
     *
     * @param frequencyKnown    the discipline has a frequency estimate (two samples, or a drift file)
     * @param sampleAgeNanos    time since the last accepted sample (Long.MAX_VALUE if none)
     * @param boundNanos        the bound at the instant of evaluation
     * @param holdoverAfterNanos sample age after which a synchronized clock is in holdover
     * @param boundNanosMax     bound past which the clock is free running
     */
    public ClockStatus next(boolean frequencyKnown, long sampleAgeNanos, long boundNanos,
            long holdoverAfterNanos, long boundNanosMax) {
        boolean fresh = sampleAgeNanos <= holdoverAfterNanos;
        boolean boundOk = boundNanos <= boundNanosMax;
        if (fresh && frequencyKnown && boundOk) {
            return SYNCHRONIZED;
        }
        if (this == UNSYNCHRONIZED) {
            return UNSYNCHRONIZED;
        }
        if (!boundOk) {
            return FREE_RUNNING;
        }
        return fresh ? this : HOLDOVER;
    }
}
