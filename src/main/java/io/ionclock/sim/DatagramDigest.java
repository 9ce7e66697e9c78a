package io.ionclock.sim;

/**
 * A running 64-bit digest (FNV-1a) of every datagram the fleet's nodes send, in the order they send them: the
 * instant, the sender, the destination and every byte. Two runs with the same digest sent the same datagrams at the
 * same instants; the golden test ({@code SimGoldenTest}) holds a refactor to that. Not cryptographic.
 */
final class DatagramDigest {
    private static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private long digest = OFFSET_BASIS;
    private long count;

    /** Adds one datagram sent at true instant {@code tNanos} from node {@code src} to node {@code dst}. */
    void add(long tNanos, int src, int dst, byte[] buf, int off, int len) {
        long h = digest;
        h = mixLong(h, tNanos);
        h = mixLong(h, ((long) src << 32) | (dst & 0xFFFFFFFFL));
        h = mixLong(h, len);
        for (int i = off; i < off + len; i++) {
            h = (h ^ (buf[i] & 0xFF)) * PRIME;
        }
        digest = h;
        count++;
    }

    private static long mixLong(long h, long v) {
        for (int k = 0; k < 8; k++) {
            h = (h ^ (v & 0xFF)) * PRIME;
            v >>>= 8;
        }
        return h;
    }

    /** The digest as 16 hex digits. */
    String hex() {
        return String.format("%016x", digest);
    }

    long count() {
        return count;
    }
}
