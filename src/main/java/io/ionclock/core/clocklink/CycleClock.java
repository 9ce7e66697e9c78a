package io.ionclock.core.clocklink;

import io.ionclock.core.Saturating;

/**
 * When a node measures: cycles of one period (a master: its round; a gateway: the round while fast-tracking, then its
 * poll or what its traffic budget allows, and slower whenever its servers ask), each open from its requests until
 * every answer is in or its deadline (half a period; a quarter more once lost-looking requests were sent again), and
 * the count of requests and answers in it.
 * Pure bookkeeping: the node decides what a cycle sends and combines.
 */
final class CycleClock {
    /**
     * A request still unanswered at the cycle's deadline is sent once more when the wait is this many of the link's
     * least round trips (a lost datagram, not a slow path); the cycle then waits a quarter period more for it.
     */
    static final int RETRY_AFTER_ROUND_TRIPS = 8;
    /** A gateway polls no slower than this whatever its servers ask. */
    static final long SERVER_POLL_NANOS_MAX = 64_000_000_000L;
    /** A gateway fast-tracks until this long after its last selected source still settling has settled. */
    static final long SETTLED_FAST_TRACK_NANOS = 20_000_000_000L;

    private final ClocklinkConfig config;
    private final boolean master;
    private final long fastTrackNanos;
    private final long budgetPollNanos;

    long cycle;
    private long startNext = Long.MAX_VALUE;
    private boolean open;
    private boolean retried;
    private long startMono;
    private long deadline = Long.MAX_VALUE;
    /** Requests this cycle waits for (re-probes add to it) and answers counted so far. */
    int polled;
    int answered;
    private long fastTrackUntilMono = Long.MIN_VALUE;
    private boolean fastTracking;
    private boolean serversLoaded;
    private long retries;
    private long reprobes;
    private long serversPollNanos; // a gateway: the (upper) median of what its servers ask

    CycleClock(ClocklinkConfig config) {
        this.config = config;
        this.master = config.role() == ClocklinkConfig.Role.MASTER;
        this.fastTrackNanos = config.fastTrackCycles() * config.roundPeriodNanos();
        this.budgetPollNanos = config.budgetPollNanos(config.peers().size());
    }

    /**
     * The period now: a master's round; a gateway's round while fast-tracking, else its poll; never faster than its
     * servers ask (their pace is their capacity, fast-tracking included); and in a loaded fleet (most of its servers
     * say so: {@link Wire#FLAG_LOADED}), once fast-tracking is over, no faster than its traffic budget allows.
     */
    long periodNanos() {
        if (master) {
            return config.roundPeriodNanos();
        }
        if (fastTracking) {
            return Math.max(config.roundPeriodNanos(), serversPollNanos);
        }
        long budget = serversLoaded ? budgetPollNanos : 0;
        return Math.max(Math.max(config.pollPeriodNanos(), budget), serversPollNanos);
    }

    /**
     * Fast-tracking: for {@code fastTrackCycles} rounds' time after start or after losing every source, and until
     * {@link #SETTLED_FAST_TRACK_NANOS} after the last selected source that was still settling.
     */
    boolean fastTracking() {
        return fastTracking;
    }

    /** Started at {@code nowMonoNanos}: fast-tracking from now (then {@link #firstCycleIn}). */
    void start(long nowMonoNanos) {
        fastTrackUntilMono = Saturating.add(nowMonoNanos, fastTrackNanos);
        fastTracking = !master && fastTrackNanos > 0;
        startNext = nowMonoNanos;
    }

    /** The first cycle starts {@code phaseNanos} after the start (a random phase, so nodes do not poll in step). */
    void firstCycleIn(long phaseNanos) {
        startNext += phaseNanos;
    }

    boolean startDue(long now) {
        return now >= startNext;
    }

    /** After a cycle started: the next one a period on (from now, when we were late by more than a period). */
    void scheduleNext(long now) {
        long period = periodNanos();
        startNext += period;
        if (startNext <= now) {
            startNext = now + period;
        }
    }

    /**
     * Numbers the new cycle at {@code now}; a gateway's servers' poll and whether they are loaded (see
     * {@code ClocklinkNode.serversPoll}) apply from it.
     */
    void begin(long now, long serversPollNanos, boolean serversLoaded) {
        cycle++;
        if (!master) {
            this.serversPollNanos = serversPollNanos;
            this.serversLoaded = serversLoaded;
            fastTracking = now < fastTrackUntilMono;
        }
    }

    /** A selected source is still settling: fast-track until {@link #SETTLED_FAST_TRACK_NANOS} after it has settled. */
    void fastTrackWhileSourcesSettle(long now) {
        if (!master) {
            fastTrackUntilMono = Math.max(fastTrackUntilMono, Saturating.add(now, SETTLED_FAST_TRACK_NANOS));
        }
    }

    /** The requests are out: the cycle waits for {@code requests} answers until half a period from now. */
    void open(long now, int requests) {
        polled = requests;
        answered = 0;
        open = true;
        retried = false;
        startMono = now;
        deadline = now + Math.max(1, periodNanos() / 2);
    }

    void close() {
        open = false;
        deadline = Long.MAX_VALUE;
    }

    boolean isOpen() {
        return open;
    }

    boolean deadlinePassed(long now) {
        return open && now >= deadline;
    }

    boolean allAnswered() {
        return answered >= polled;
    }

    /** Whether a request sent at the cycle's start and still unanswered now looks lost on a path of this least delay. */
    boolean looksLost(long now, long minDelayNanos) {
        return minDelayNanos > 0 && now - startMono >= RETRY_AFTER_ROUND_TRIPS * minDelayNanos;
    }

    /** The one retry a cycle gets: true the first time (then the caller re-sends what looks lost). */
    boolean takeRetry() {
        if (retried) {
            return false;
        }
        retried = true;
        return true;
    }

    /** A request that looked lost was sent again. */
    void retried() {
        retries++;
    }

    /** A link is asked once more in this cycle (an answer's queueing could hide a lie): one more answer to wait for. */
    void reprobed() {
        polled++;
        reprobes++;
    }

    /** Requests sent again at a cycle's deadline because they looked lost. */
    long retries() {
        return retries;
    }

    /** Requests sent again in a cycle because an answer's queueing could hide a lie. */
    long reprobes() {
        return reprobes;
    }

    /** Requests were sent again: the cycle waits a quarter period more. */
    void extend(long now) {
        deadline = now + Math.max(1, periodNanos() / 4);
    }

    /** A gateway that lost every source fast-tracks again: until {@code fastTrackCycles} rounds after the last loss. */
    void lostEverySource(long now) {
        if (!master) {
            fastTrackUntilMono = Saturating.add(now, fastTrackNanos);
        }
    }

    /** The instant the clock next wants the node: the next start or, while open, the deadline. */
    long wakeMonoNanos() {
        return open ? Math.min(startNext, deadline) : startNext;
    }
}
