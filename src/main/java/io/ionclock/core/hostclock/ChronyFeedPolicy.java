package io.ionclock.core.hostclock;

import io.ionclock.core.ClockStatus;
import io.ionclock.core.LeapIndicator;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Decides, for each update of the disciplined clock (a sample the discipline accepted), whether chrony gets a sample,
 * and writes it ({@link ChronySockSample}). Sent only while the clock is SYNCHRONIZED, the pair of reads is tight, the
 * bound is within {@code boundNanosMax}, and at most {@link #SAMPLES_PER_SECOND_MAX} a second; every update is counted
 * by its {@link FeedResult}.
 *
 * <p>The sample is a pair read back to back by the caller: the system clock (CLOCK_REALTIME) between two reads of
 * ionclock's clock. chrony's offset is "true time minus the system time at tv": ionclock's time at the bracket's middle
 * minus the system clock. Its error is at most ionclock's bound plus half the bracket, which is what is held against
 * {@code boundNanosMax}.
 *
 * <p>{@link #prepare} and {@link #record} from one thread (the discipline loop); the counters and the last offset from
 * any.
 */
public final class ChronyFeedPolicy {
    /** At most this many samples a second reach chrony (a Clocklink gateway's updates come ten a second). */
    public static final int SAMPLES_PER_SECOND_MAX = 16;
    /** The shortest interval between two samples sent. */
    public static final long SEND_INTERVAL_NANOS_MIN = 1_000_000_000L / SAMPLES_PER_SECOND_MAX;
    /**
     * The widest bracket of ionclock reads around the system clock read: wider means the thread was preempted in
     * between (such pairs are skipped, not sent with a worse error). A read pair takes well under a microsecond.
     */
    public static final long PAIR_BRACKET_NANOS_MAX = 20_000;
    /** {@code ionclock.chrony-sock.bound-max}'s default: README "Feeding chrony" says why. */
    public static final long BOUND_NANOS_MAX_DEFAULT = 100_000;
    /** The largest {@code boundNanosMax} accepted (chrony's own maxdistance default is 3 s; a second is plenty). */
    public static final long BOUND_NANOS_MAX_LIMIT = 1_000_000_000L;

    private static final FeedResult[] RESULTS = FeedResult.values();

    private final long boundNanosMax;
    private final ByteOrder order;
    private final AtomicLongArray counts = new AtomicLongArray(RESULTS.length);
    private boolean preparedBefore;
    private long lastPreparedMonoNanos;
    private long preparedTrueMinusSystemNanos;
    private volatile long lastSentTrueMinusSystemNanos;
    private volatile long lastSentBoundNanos = -1;
    private long preparedBoundNanos;

    /**
     * @param boundNanosMax the largest error (bound plus half the read bracket) a sample may carry, 1 ..
     *                      {@link #BOUND_NANOS_MAX_LIMIT}
     * @param order         the byte order chrony reads ({@link ByteOrder#nativeOrder()})
     */
    public ChronyFeedPolicy(long boundNanosMax, ByteOrder order) {
        if (boundNanosMax < 1 || boundNanosMax > BOUND_NANOS_MAX_LIMIT) {
            throw new IllegalArgumentException("boundNanosMax must be 1.." + BOUND_NANOS_MAX_LIMIT + ": " + boundNanosMax);
        }
        this.boundNanosMax = boundNanosMax;
        this.order = order;
    }

    /**
     * One update of the disciplined clock. Either writes a sample into {@code dst[0 .. SIZE_BYTES)} and returns
     * {@link FeedResult#READY} (send it, then {@link #record} what the send did), or returns the skip, counted.
     *
     * @param status              ionclock's status at the reads
     * @param boundNanos          ionclock's bound at the reads
     * @param leap                the leap second announced
     * @param systemEpochNanos    the system clock (CLOCK_REALTIME), ns since the Unix epoch
     * @param ionclockEpochNanos  ionclock's time at the middle of the bracket around that read
     * @param bracketNanos        the span of ionclock's reads around the system clock read, >= 0
     * @param nowMonoNanos        the monotonic instant of the reads
     */
    public FeedResult prepare(ClockStatus status, long boundNanos, LeapIndicator leap, long systemEpochNanos,
            long ionclockEpochNanos, long bracketNanos, long nowMonoNanos, byte[] dst) {
        if (bracketNanos < 0 || boundNanos < 0) {
            throw new IllegalArgumentException("negative bracket " + bracketNanos + " or bound " + boundNanos);
        }
        FeedResult skip = switch (status) {
            case UNSYNCHRONIZED -> FeedResult.SKIPPED_UNSYNCHRONIZED;
            case HOLDOVER -> FeedResult.SKIPPED_HOLDOVER;
            case FREE_RUNNING -> FeedResult.SKIPPED_FREE_RUNNING;
            case SYNCHRONIZED -> null;
        };
        long trueMinusSystemNanos = ionclockEpochNanos - systemEpochNanos;
        long errorNanos = boundNanos + bracketNanos / 2;
        if (skip == null && bracketNanos > PAIR_BRACKET_NANOS_MAX) {
            skip = FeedResult.SKIPPED_PAIR_WIDE;
        }
        if (skip == null && (errorNanos > boundNanosMax || errorNanos < 0)) {
            skip = FeedResult.SKIPPED_BOUND_OVER_MAX;
        }
        if (skip == null && (systemEpochNanos < 0 || Math.abs(trueMinusSystemNanos) > ChronySockSample.OFFSET_NANOS_MAX)) {
            skip = FeedResult.SKIPPED_OFFSET_OUT_OF_RANGE; // chrony would drop it as insane
        }
        if (skip == null && preparedBefore && nowMonoNanos - lastPreparedMonoNanos < SEND_INTERVAL_NANOS_MIN) {
            skip = FeedResult.SKIPPED_RATE_LIMITED;
        }
        if (skip != null) {
            counts.incrementAndGet(skip.ordinal());
            return skip;
        }
        ChronySockSample.encode(dst, 0, systemEpochNanos, trueMinusSystemNanos, leap, order);
        preparedBefore = true;
        lastPreparedMonoNanos = nowMonoNanos;
        preparedTrueMinusSystemNanos = trueMinusSystemNanos;
        preparedBoundNanos = errorNanos;
        return FeedResult.READY;
    }

    /** What the send of the sample last {@link #prepare}d did: SENT, NO_SOCKET, QUEUE_FULL or SEND_ERROR. */
    public void record(FeedResult sendResult) {
        if (!sendResult.isOutcome() || sendResult.name().startsWith("SKIPPED_")) {
            throw new IllegalArgumentException("not a send result: " + sendResult);
        }
        counts.incrementAndGet(sendResult.ordinal());
        if (sendResult == FeedResult.SENT) {
            lastSentTrueMinusSystemNanos = preparedTrueMinusSystemNanos;
            lastSentBoundNanos = preparedBoundNanos;
        }
    }

    /** Updates that ended in {@code result}. */
    public long count(FeedResult result) {
        return counts.get(result.ordinal());
    }

    /** True time (ionclock's) minus the system clock in the last sample sent (chrony's sign); 0 before any. */
    public long lastSentTrueMinusSystemNanos() {
        return lastSentTrueMinusSystemNanos;
    }

    /** The error the last sample sent carried (ionclock's bound plus half the bracket); -1 before any. */
    public long lastSentBoundNanos() {
        return lastSentBoundNanos;
    }

    public long boundNanosMax() {
        return boundNanosMax;
    }
}
