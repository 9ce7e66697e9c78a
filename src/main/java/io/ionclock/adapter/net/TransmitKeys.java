package io.ionclock.adapter.net;

import java.util.Arrays;

/**
 * What was sent under each transmit key of a {@link TimestampingSocket}, until its transmit time comes back: a
 * ring of {@code capacity} entries (a power of two), the entry of key {@code k} in slot {@code k mod capacity}.
 * Lookup is by key, so reports that come out of order are found; a key never reported (the kernel dropped the
 * report) stays until key {@code k + capacity} takes its slot, which counts it {@link #overwritten()}. A
 * {@link #take} that finds nothing (never recorded, already taken, or overwritten) is counted in
 * {@link #takeMisses()}, and in {@link #takesAhead()} as well when the key is newer than every recorded one: the
 * report came before the record, i.e. the two were used from different threads without ordering.
 *
 * <p>Not thread-safe: use it on the thread that sends, recording right after {@code send} returns, and hand the
 * socket's transmit reports to that thread (a report can reach the polling thread before {@code send} returns).
 * No allocation after construction.
 */
public final class TransmitKeys {

    /** Entries by default: some seconds of sends at a busy server's rate, far more than reports in flight. */
    public static final int CAPACITY_DEFAULT = 4096;
    /** The largest capacity accepted. */
    public static final int CAPACITY_MAX = 1 << 20;
    /** Keys are unsigned 32-bit numbers, as the kernel reports them. */
    public static final long KEY_MAX = 0xffff_ffffL;
    private static final long EMPTY = -1;

    /** One taken entry; reusable holder. */
    public static final class Sent {
        private long key;
        private long token;
        private long sequence;
        private long sendMonoNanos;

        public long key() {
            return key;
        }

        public long token() {
            return token;
        }

        public long sequence() {
            return sequence;
        }

        public long sendMonoNanos() {
            return sendMonoNanos;
        }
    }

    private final int mask;
    private final long[] keys;
    private final long[] tokens;
    private final long[] sequences;
    private final long[] sendMonoNanos;
    private long newestKey = EMPTY;
    private int held;
    private long recorded;
    private long taken;
    private long overwritten;
    private long takeMisses;
    private long takesAhead;

    /** A ring of {@link #CAPACITY_DEFAULT} entries. */
    public TransmitKeys() {
        this(CAPACITY_DEFAULT);
    }

    /** @param capacity a power of two, 1..{@link #CAPACITY_MAX} */
    public TransmitKeys(int capacity) {
        if (capacity < 1 || capacity > CAPACITY_MAX || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two in 1.." + CAPACITY_MAX + ": "
                    + capacity);
        }
        mask = capacity - 1;
        keys = new long[capacity];
        tokens = new long[capacity];
        sequences = new long[capacity];
        sendMonoNanos = new long[capacity];
        Arrays.fill(keys, EMPTY);
    }

    /**
     * Remembers what went out under {@code key}, replacing (and counting) an entry not taken in its slot.
     *
     * @param key           what {@link TimestampingSocket#send} returned, 0..{@link #KEY_MAX}
     * @param token         the caller's destination (e.g. an address token)
     * @param sequence      the caller's message sequence
     * @param sendMonoNanos when it was sent, on the monotonic timebase
     */
    public void record(long key, long token, long sequence, long sendMonoNanos) {
        if (key < 0 || key > KEY_MAX) {
            throw new IllegalArgumentException("key must be 0.." + KEY_MAX + ": " + key);
        }
        int slot = (int) (key & mask);
        if (keys[slot] != EMPTY) {
            overwritten++;
        } else {
            held++;
        }
        keys[slot] = key;
        tokens[slot] = token;
        sequences[slot] = sequence;
        this.sendMonoNanos[slot] = sendMonoNanos;
        newestKey = key;
        recorded++;
    }

    /**
     * Moves the entry of {@code key} into {@code out} and forgets it. Returns false (counted) when there is none.
     */
    public boolean take(long key, Sent out) {
        int slot = (int) (key & mask);
        if (key < 0 || key > KEY_MAX || keys[slot] != key) {
            takeMisses++;
            if (key >= 0 && key <= KEY_MAX && newestKey != EMPTY && (int) (key - newestKey) > 0) {
                takesAhead++;
            }
            return false;
        }
        out.key = key;
        out.token = tokens[slot];
        out.sequence = sequences[slot];
        out.sendMonoNanos = sendMonoNanos[slot];
        keys[slot] = EMPTY;
        held--;
        taken++;
        return true;
    }

    /** Slots in the ring. */
    public int capacity() {
        return mask + 1;
    }

    /** Entries recorded and not yet taken nor overwritten. */
    public int held() {
        return held;
    }

    /** Entries recorded. */
    public long recorded() {
        return recorded;
    }

    /** Entries taken. */
    public long taken() {
        return taken;
    }

    /** Entries replaced before they were taken: their transmit reports never came (or came too late). */
    public long overwritten() {
        return overwritten;
    }

    /** Takes that found nothing: unknown, already taken, or overwritten keys. */
    public long takeMisses() {
        return takeMisses;
    }

    /** Takes of a key newer than every recorded one (also in takeMisses): a report before its record. */
    public long takesAhead() {
        return takesAhead;
    }
}
