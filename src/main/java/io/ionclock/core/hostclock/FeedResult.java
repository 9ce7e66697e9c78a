package io.ionclock.core.hostclock;

/**
 * What became of one disciplined-clock update on its way to chrony: sent, failed at the socket, or skipped by the
 * {@link ChronyFeedPolicy}. {@link #label()} is the metric's {@code result} label and the status's key.
 */
public enum FeedResult {
    /** Handed to chrony's socket. */
    SENT("sent"),
    /** Nobody listens at the path (chrony not started yet, or not configured: ENOENT, ECONNREFUSED); the next update tries again. */
    NO_SOCKET("no_socket"),
    /** chrony's receive queue is full (EAGAIN: the send never blocks); this sample is dropped. */
    QUEUE_FULL("queue_full"),
    /** Any other failure of the send (EACCES: the socket file is not writable by ionclock's user; the errno is kept). */
    SEND_ERROR("send_error"),
    /** The clock has never been synchronised. */
    SKIPPED_UNSYNCHRONIZED("skipped_unsynchronized"),
    /** The clock coasts without a fresh reference: chrony should coast on its own, not on ours. */
    SKIPPED_HOLDOVER("skipped_holdover"),
    /** The clock coasted past its bound maximum. */
    SKIPPED_FREE_RUNNING("skipped_free_running"),
    /** The bound (with half the read bracket) is over {@code ionclock.chrony-sock.bound-max}. */
    SKIPPED_BOUND_OVER_MAX("skipped_bound_over_max"),
    /** The back-to-back read of the system clock and ours was interrupted (bracket over the maximum). */
    SKIPPED_PAIR_WIDE("skipped_pair_wide"),
    /** The system clock is 2^32 s or more from ours: chrony drops such offsets (UTI_IsTimeOffsetSane). */
    SKIPPED_OFFSET_OUT_OF_RANGE("skipped_offset_out_of_range"),
    /** Updates came faster than {@link ChronyFeedPolicy#SAMPLES_PER_SECOND_MAX}. */
    SKIPPED_RATE_LIMITED("skipped_rate_limited"),
    /** Not an outcome: the policy wrote a sample into the buffer; send it and record what the send did. */
    READY("ready");

    private final String label;

    FeedResult(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether this is something that happens to an update (every value but READY). */
    public boolean isOutcome() {
        return this != READY;
    }
}
