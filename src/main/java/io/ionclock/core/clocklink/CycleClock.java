package io.ionclock.core.clocklink;

/**
 * When a node measures: cycles of one period (a master: its round; a gateway: the round while fast-tracking, then its
 * poll, or slower when its servers ask), each open from its requests until every answer is in or its deadline (half a
 * period; a quarter more once lost-looking requests were sent again), and the count of requests and answers in it.
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

    private final ClocklinkConfig config;
    private final boolean master;

    long cycle;
    private long startNext = Long.MAX_VALUE;
    private boolean open;
    private boolean retried;
    private long startMono;
    private long deadline = Long.MAX_VALUE;
    /** Requests this cycle waits for (re-probes add to it) and answers counted so far. */
    int polled;
    int answered;
    private long fastTrackFromCycle;
    private long retries;
    private long reprobes;
    private long serversPollNanos; // a gateway: the (upper) median of what its servers ask

    CycleClock(ClocklinkConfig config) {
        this.config = config;
        this.master = config.role() == ClocklinkConfig.Role.MASTER;
    }

    /** The period now: a master's round; a gateway's round while fast-tracking, else its poll or what servers ask. */
    long periodNanos() {
        if (master) {
            return config.roundPeriodNanos();
        }
        long own = cycle - fastTrackFromCycle < config.fastTrackCycles() ? config.roundPeriodNanos() : config.pollPeriodNanos();
        return Math.max(own, serversPollNanos);
    }

    /** The first cycle starts at {@code firstStartMonoNanos}, fast-tracking. */
    void start(long firstStartMonoNanos) {
        startNext = firstStartMonoNanos;
        fastTrackFromCycle = 0;
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

    /** Numbers the new cycle; a gateway's servers' poll (see {@link #serversPoll}) applies from it. */
    void begin(long serversPollNanos) {
        cycle++;
        if (!master) {
            this.serversPollNanos = serversPollNanos;
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

    /** A gateway that lost every source fast-tracks again when they come back. */
    void lostEverySource() {
        if (!master && cycle > fastTrackFromCycle + 1) {
            fastTrackFromCycle = cycle;
        }
    }

    /** The instant the clock next wants the node: the next start or, while open, the deadline. */
    long wakeMonoNanos() {
        return open ? Math.min(startNext, deadline) : startNext;
    }
}
