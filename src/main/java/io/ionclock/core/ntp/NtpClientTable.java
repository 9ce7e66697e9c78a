package io.ionclock.core.ntp;

import java.util.Arrays;

/**
 * The NTP server's bounded table of client addresses (not ports): per client a token bucket, the time of the last
 * Kiss-o'-Death and the interleaved-mode state (the receive timestamp of the last response as sent, and that
 * response's transmit time). Pure, single-threaded, allocation-free after construction.
 *
 * <p>Addresses are 128-bit keys ({@code addressHi}, {@code addressLo}): an IPv6 address as its two halves, an IPv4
 * address as its IPv4-mapped IPv6 form ({@link #ipv4Lo}). At most {@code clientsMax} entries; a new client past that
 * takes the place of the least recently seen one (an LRU list in int arrays: O(1) per packet), counted in
 * {@link #evictions()}. The hash index is open addressing with linear probing, keyed with a per-table seed so that a
 * flood of chosen addresses cannot aim at one probe chain.
 *
 * <p>Rate limit: GCRA, the token bucket written as a "theoretical arrival time": a client may send
 * {@code burstMax} requests at once and {@code requestsPerSecondMax} a second on average.
 */
public final class NtpClientTable {
    /** The largest table accepted (2^20 clients, about 100 MB of state). */
    public static final int CLIENTS_MAX_LIMIT = 1 << 20;
    /** The high 64 bits of an IPv4-mapped IPv6 address. */
    public static final long IPV4_MAPPED_HI = 0;
    /** Interleaved state of an entry: nothing saved, saved (usable once), used. */
    static final byte SAVED_NONE = 0;
    static final byte SAVED_VALID = 1;
    static final byte SAVED_USED = 2;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int NIL = -1;

    private final int clientsMax;
    private final long intervalNanos;
    private final long toleranceNanos;
    private final long seed;
    // Entries.
    private final long[] keyHi;
    private final long[] keyLo;
    private final int[] hashes;
    private final int[] prev;
    private final int[] next;
    private final long[] theoreticalArrivalMonoNanos;
    private final long[] lastKodMonoNanos;
    private final long[] savedRxNtp;
    private final long[] savedTxNtp;
    private final long[] savedTxMonoNanos;
    private final long[] savedTxBoundNanos;
    private final byte[] saved;
    // Index: entry + 1, 0 when free.
    private final int[] index;
    private final int indexMask;
    private int head = NIL;
    private int tail = NIL;
    private int size;
    private long insertions;
    private long evictions;

    /**
     * @param clientsMax           entries at most, 1..{@link #CLIENTS_MAX_LIMIT}
     * @param requestsPerSecondMax a client's average rate, 1..10^9
     * @param burstMax             a client's bucket, >= 1
     * @param seed                 the hash seed (random in the appliance, fixed in tests)
     */
    public NtpClientTable(int clientsMax, int requestsPerSecondMax, int burstMax, long seed) {
        if (clientsMax < 1 || clientsMax > CLIENTS_MAX_LIMIT) {
            throw new IllegalArgumentException("clientsMax must be 1.." + CLIENTS_MAX_LIMIT + ": " + clientsMax);
        }
        if (requestsPerSecondMax < 1 || requestsPerSecondMax > NANOS_PER_SECOND) {
            throw new IllegalArgumentException("requestsPerSecondMax must be 1..1e9: " + requestsPerSecondMax);
        }
        if (burstMax < 1) {
            throw new IllegalArgumentException("burstMax must be >= 1: " + burstMax);
        }
        this.clientsMax = clientsMax;
        this.intervalNanos = (NANOS_PER_SECOND + requestsPerSecondMax - 1) / requestsPerSecondMax;
        this.toleranceNanos = (burstMax - 1L) * intervalNanos;
        this.seed = seed;
        keyHi = new long[clientsMax];
        keyLo = new long[clientsMax];
        hashes = new int[clientsMax];
        prev = new int[clientsMax];
        next = new int[clientsMax];
        theoreticalArrivalMonoNanos = new long[clientsMax];
        lastKodMonoNanos = new long[clientsMax];
        savedRxNtp = new long[clientsMax];
        savedTxNtp = new long[clientsMax];
        savedTxMonoNanos = new long[clientsMax];
        savedTxBoundNanos = new long[clientsMax];
        saved = new byte[clientsMax];
        int indexSize = Integer.highestOneBit(clientsMax) << 2; // load factor <= 1/2
        index = new int[indexSize];
        indexMask = indexSize - 1;
    }

    /** The low 64 bits of the IPv4-mapped IPv6 address of {@code ipv4} (network order as an int). */
    public static long ipv4Lo(int ipv4) {
        return 0xFFFFL << 32 | (ipv4 & 0xFFFF_FFFFL);
    }

    /**
     * The entry of a client, created (evicting the least recently seen when full) if absent, and marked most recently
     * seen. Returns its slot, valid until a later call evicts it.
     */
    public int touch(long addressHi, long addressLo, long nowMonoNanos) {
        int hash = hash(addressHi, addressLo);
        int pos = hash & indexMask;
        while (true) {
            int e = index[pos] - 1;
            if (e == NIL) {
                break;
            }
            if (hashes[e] == hash && keyHi[e] == addressHi && keyLo[e] == addressLo) {
                moveToHead(e);
                return e;
            }
            pos = (pos + 1) & indexMask;
        }
        int e;
        if (size < clientsMax) {
            e = size++;
        } else {
            e = tail;
            unlink(e);
            removeFromIndex(e);
            evictions++;
            // The free position may have moved: probe again.
            pos = hash & indexMask;
            while (index[pos] != 0) {
                pos = (pos + 1) & indexMask;
            }
        }
        keyHi[e] = addressHi;
        keyLo[e] = addressLo;
        hashes[e] = hash;
        theoreticalArrivalMonoNanos[e] = nowMonoNanos;
        lastKodMonoNanos[e] = Long.MIN_VALUE;
        saved[e] = SAVED_NONE;
        savedRxNtp[e] = 0;
        savedTxNtp[e] = 0;
        savedTxMonoNanos[e] = 0;
        savedTxBoundNanos[e] = 0;
        index[pos] = e + 1;
        linkHead(e);
        insertions++;
        return e;
    }

    /** Whether a request at {@code nowMonoNanos} fits the client's bucket; if it does, it is taken from it. */
    public boolean admit(int slot, long nowMonoNanos) {
        long tat = theoreticalArrivalMonoNanos[slot];
        if (tat - nowMonoNanos > toleranceNanos) {
            return false;
        }
        theoreticalArrivalMonoNanos[slot] = Math.max(tat, nowMonoNanos) + intervalNanos;
        return true;
    }

    /** Whether a KoD may go to the client now (none within {@code intervalNanos}); if so, records it as sent. */
    public boolean kodDue(int slot, long nowMonoNanos, long intervalNanos) {
        long last = lastKodMonoNanos[slot];
        if (last != Long.MIN_VALUE && nowMonoNanos - last < intervalNanos) {
            return false;
        }
        lastKodMonoNanos[slot] = nowMonoNanos;
        return true;
    }

    /**
     * Interleaved mode: whether the client's saved response had receive timestamp {@code originNtp} (the request's
     * origin) and was not used yet; if so, marks it used (one interleaved reply per saved response, as chrony).
     */
    public boolean takeSaved(int slot, long originNtp) {
        if (saved[slot] != SAVED_VALID || savedRxNtp[slot] != originNtp) {
            return false;
        }
        saved[slot] = SAVED_USED;
        return true;
    }

    /** Saves the response just sent: its receive timestamp as sent, and its transmit time (replaced by the kernel's). */
    public void save(int slot, long rxNtp, long txNtp, long txMonoNanos, long txBoundNanos) {
        saved[slot] = SAVED_VALID;
        savedRxNtp[slot] = rxNtp;
        savedTxNtp[slot] = txNtp;
        savedTxMonoNanos[slot] = txMonoNanos;
        savedTxBoundNanos[slot] = txBoundNanos;
    }

    /** The saved response's receive timestamp as sent (its cookie). */
    public long savedRxNtp(int slot) {
        return savedRxNtp[slot];
    }

    /** The saved response's transmit timestamp (the kernel's once known). */
    public long savedTxNtp(int slot) {
        return savedTxNtp[slot];
    }

    /** When the saved response was sent, on the monotonic clock (user space, or the kernel's once known). */
    public long savedTxMonoNanos(int slot) {
        return savedTxMonoNanos[slot];
    }

    /** The clock's bound at the saved transmit time. */
    public long savedTxBoundNanos(int slot) {
        return savedTxBoundNanos[slot];
    }

    /** Whether the slot's saved response (valid or used) has receive timestamp {@code rxNtp}. */
    public boolean hasSaved(int slot, long rxNtp) {
        return slot >= 0 && slot < size && saved[slot] != SAVED_NONE && savedRxNtp[slot] == rxNtp;
    }

    /** Replaces the saved transmit time by the kernel's ({@link #hasSaved} checked by the caller). */
    public void updateTransmit(int slot, long txNtp, long txMonoNanos, long txBoundNanos) {
        savedTxNtp[slot] = txNtp;
        savedTxMonoNanos[slot] = txMonoNanos;
        savedTxBoundNanos[slot] = txBoundNanos;
    }

    /** Clients held. */
    public int size() {
        return size;
    }

    public int clientsMax() {
        return clientsMax;
    }

    /** Clients added (a client evicted and seen again counts again). */
    public long insertions() {
        return insertions;
    }

    /** Clients forgotten to make room. */
    public long evictions() {
        return evictions;
    }

    /** The slot of a client, or -1 (tests). */
    int find(long addressHi, long addressLo) {
        int hash = hash(addressHi, addressLo);
        for (int pos = hash & indexMask; index[pos] != 0; pos = (pos + 1) & indexMask) {
            int e = index[pos] - 1;
            if (keyHi[e] == addressHi && keyLo[e] == addressLo) {
                return e;
            }
        }
        return NIL;
    }

    private int hash(long hi, long lo) {
        long h = mix(hi ^ seed) * 31 + mix(lo + seed);
        return (int) mix(h);
    }

    /** MurmurHash3's 64-bit finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /** Removes entry {@code e} from the index, shifting its probe chain back (no tombstones). */
    private void removeFromIndex(int e) {
        int i = hashes[e] & indexMask;
        while (index[i] != e + 1) {
            i = (i + 1) & indexMask;
        }
        int j = i;
        while (true) {
            j = (j + 1) & indexMask;
            if (index[j] == 0) {
                index[i] = 0;
                return;
            }
            int home = hashes[index[j] - 1] & indexMask;
            // Entry at j may move to i only if its home is not cyclically in (i, j].
            boolean homeInRange = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!homeInRange) {
                index[i] = index[j];
                i = j;
            }
        }
    }

    private void moveToHead(int e) {
        if (head == e) {
            return;
        }
        unlink(e);
        linkHead(e);
    }

    private void unlink(int e) {
        int p = prev[e];
        int n = next[e];
        if (p != NIL) {
            next[p] = n;
        } else {
            head = n;
        }
        if (n != NIL) {
            prev[n] = p;
        } else {
            tail = p;
        }
        prev[e] = NIL;
        next[e] = NIL;
    }

    private void linkHead(int e) {
        prev[e] = NIL;
        next[e] = head;
        if (head != NIL) {
            prev[head] = e;
        }
        head = e;
        if (tail == NIL) {
            tail = e;
        }
    }

    /** Tests: the index holds exactly the entries, each findable. */
    boolean consistent() {
        int held = 0;
        for (int v : index) {
            if (v != 0) {
                held++;
            }
        }
        if (held != size) {
            return false;
        }
        for (int e = 0; e < size; e++) {
            if (find(keyHi[e], keyLo[e]) != e) {
                return false;
            }
        }
        int n = 0;
        for (int e = head; e != NIL; e = next[e]) {
            n++;
        }
        return n == size && Arrays.stream(hashes).count() == clientsMax;
    }
}
