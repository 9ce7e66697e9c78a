package io.ionclock.core.clocklink;

/**
 * Anti-replay for one sender, as IPsec's: the highest sequence number accepted and a bitmap of the
 * {@link #WINDOW} below it. A sequence number is {@code incarnation << 32 | counter}: a sender that
 * restarts takes a higher incarnation (the adapter uses its start time in seconds), which resets the
 * window. Check only after the MAC verified ({@link #accept}); not thread-safe.
 */
public final class ReplayWindow {
    /** Sequence numbers this far below the highest are still accepted once (reordering). */
    public static final int WINDOW = 64;

    private long highest = Long.MIN_VALUE;
    private long bitmap; // bit k set: highest - k was seen

    /** Accepts {@code sequence} once: false for a replay or one too old. */
    public boolean accept(long sequence) {
        if (highest == Long.MIN_VALUE || sequence > highest) {
            long shift = highest == Long.MIN_VALUE ? WINDOW : sequence - highest;
            bitmap = shift >= WINDOW ? 1L : (bitmap << shift) | 1L;
            highest = sequence;
            return true;
        }
        long back = highest - sequence;
        if (back >= WINDOW || back < 0) {
            return false;
        }
        long bit = 1L << back;
        if ((bitmap & bit) != 0) {
            return false;
        }
        bitmap |= bit;
        return true;
    }

    /** Whether {@code sequence} would be accepted (does not record it). */
    public boolean wouldAccept(long sequence) {
        if (highest == Long.MIN_VALUE || sequence > highest) {
            return true;
        }
        long back = highest - sequence;
        return back >= 0 && back < WINDOW && (bitmap & (1L << back)) == 0;
    }

    public long highest() {
        return highest;
    }

    public void reset() {
        highest = Long.MIN_VALUE;
        bitmap = 0;
    }
}
