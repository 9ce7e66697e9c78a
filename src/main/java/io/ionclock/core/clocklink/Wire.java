package io.ionclock.core.clocklink;

/**
 * Clocklink's wire format, version 2 (version 1 plus the interleaved SYNC_RESPONSE): big-endian, fixed offsets, every message at most
 * {@link #MESSAGE_BYTES_MAX} bytes. Layouts byte by byte are in docs/clocklink.md; the constants here are
 * the source of truth. Helpers read and write at explicit offsets in the caller's buffer.
 *
 * <pre>
 * header (24 bytes)                                  trailer
 *  0 u16 magic 0x434C "CL"   8 u32 sender number      len-16 .. len: HMAC-SHA-256(bytes 0 .. len-16),
 *  2 u8  version (1; 2 only  12 u32 key id
 *        on an interleaved SYNC_RESPONSE)                            first 16 bytes
 *  3 u8  type               16 u64 sequence (incarnation &lt;&lt; 32 | counter)
 *  4 u16 length (all, with MAC)
 *  6 u8  flags (bit 0 LEADER, 1 HAS_REFERENCE, 2 SETTLING, 3 LOADED, 4 INTERLEAVED)
 *  7 u8  sender role (1 master, 2 gateway)
 * </pre>
 */
public final class Wire {
    public static final int MAGIC = 0x434C;
    /**
     * The newest version this code speaks. A node sends every message as version {@link #VERSION_MIN} except a
     * SYNC_RESPONSE to a request that asked for interleaving ({@link #FLAG_INTERLEAVED}), which is version 2; it accepts
     * both. So a node of version 1 (which ignores the flag and never asks for it) and one of version 2 work together in
     * basic mode (docs/clocklink.md: versions).
     */
    public static final int VERSION = 2;
    /** The oldest version this code accepts and the one it sends unless asked for interleaving. */
    public static final int VERSION_MIN = 1;
    /** No message is longer (a datagram longer than this is dropped unread). */
    public static final int MESSAGE_BYTES_MAX = 512;
    public static final int HEADER_SIZE_BYTES = 24;
    /** HMAC-SHA-256 truncated to 128 bits (RFC 4868). */
    public static final int MAC_SIZE_BYTES = 16;

    public static final int OFF_MAGIC = 0;
    public static final int OFF_VERSION = 2;
    public static final int OFF_TYPE = 3;
    public static final int OFF_LENGTH = 4;
    public static final int OFF_FLAGS = 6;
    public static final int OFF_ROLE = 7;
    public static final int OFF_SENDER = 8;
    public static final int OFF_KEY_ID = 12;
    public static final int OFF_SEQUENCE = 16;
    public static final int OFF_BODY = 24;

    public static final int FLAG_LEADER = 1;
    public static final int FLAG_HAS_REFERENCE = 2;
    /**
     * The sender's clock is still settling (fast-tracking, or most of its own links have not seen enough to be judged):
     * it may move within its bound, so its clients do not judge it by its changes (docs/clocklink.md).
     */
    public static final int FLAG_SETTLING = 4;
    /**
     * The sender is in a loaded fleet: it asks its own clients to poll slower than every round, or most of its own
     * servers say so. Relays pass it down the tree; a gateway that hears it keeps to its traffic budget.
     */
    public static final int FLAG_LOADED = 8;
    /**
     * On a SYNC_REQUEST (version 2 senders): answer interleaved, if you can: carry the transmit time of your previous
     * response to me (the kernel's, taken as it left), as chrony's interleaved mode does. A version-1 server ignores it.
     * On a version-2 SYNC_RESPONSE: its interleaved fields are valid.
     */
    public static final int FLAG_INTERLEAVED = 16;

    public static final int ROLE_MASTER = 1;
    public static final int ROLE_GATEWAY = 2;

    public static final int TYPE_JOIN = 1;
    public static final int TYPE_JOIN_ACK = 2;
    public static final int TYPE_SYNC_REQUEST = 3;
    public static final int TYPE_SYNC_RESPONSE = 4;
    public static final int TYPE_SYNC_UPDATE = 5;
    public static final int TYPE_VOTE_REQUEST = 6;
    public static final int TYPE_VOTE_RESPONSE = 7;
    static final int TYPE_MAX = 7;

    /** Node names on the wire: 1..31 bytes of UTF-8. */
    public static final int NAME_BYTES_MAX = 31;

    // JOIN body: name, cookie
    public static final int JOIN_OFF_NAME_LENGTH = 24;
    public static final int JOIN_OFF_NAME = 25;
    public static final int JOIN_OFF_COOKIE = 56;
    public static final int JOIN_SIZE_BYTES = 24 + 40 + MAC_SIZE_BYTES;

    // JOIN_ACK body
    public static final int JOIN_ACK_OFF_RESULT = 24;
    public static final int JOIN_ACK_OFF_ECHO_SEQUENCE = 28;
    public static final int JOIN_ACK_OFF_NAME_LENGTH = 36;
    public static final int JOIN_ACK_OFF_NAME = 37;
    public static final int JOIN_ACK_OFF_COOKIE = 68;
    public static final int JOIN_ACK_SIZE_BYTES = 24 + 52 + MAC_SIZE_BYTES;
    public static final int JOIN_ACCEPTED = 0;
    public static final int JOIN_REFUSED_FULL = 1;
    public static final int JOIN_REFUSED_ROLE = 2;
    /** Not yet: join again with the cookie this JOIN_ACK carries (it proves the joiner is live, not a replay). */
    public static final int JOIN_CHALLENGE = 3;

    // SYNC_REQUEST body
    public static final int REQUEST_OFF_TERM = 24;
    public static final int SYNC_REQUEST_SIZE_BYTES = 24 + 8 + MAC_SIZE_BYTES;

    // SYNC_RESPONSE body
    public static final int RESPONSE_OFF_ECHO_SEQUENCE = 24;
    public static final int RESPONSE_OFF_RX_EPOCH = 32;
    public static final int RESPONSE_OFF_TX_EPOCH = 40;
    public static final int RESPONSE_OFF_BOUND = 48;
    public static final int RESPONSE_OFF_STATUS = 52;
    public static final int RESPONSE_OFF_LEAP = 53;
    public static final int RESPONSE_OFF_TIER = 54;
    /** The poll interval the server asks of this client (a {@link #pollCode}); 0: none (every round is fine). */
    public static final int RESPONSE_OFF_POLL = 55;
    public static final int RESPONSE_OFF_TERM = 56;
    public static final int RESPONSE_OFF_LEADER = 64;
    public static final int SYNC_RESPONSE_SIZE_BYTES = 24 + 44 + MAC_SIZE_BYTES;
    /**
     * Version 2 only, valid when the response has {@link #FLAG_INTERLEAVED} (else both 0): the low 32 bits of the request
     * sequence the server's previous response to this client echoed ...
     */
    public static final int RESPONSE_OFF_XLEAVE_ECHO = 68;
    /** ... and that response's true transmit time minus the t3 it carried, ns (i32: its send path). */
    public static final int RESPONSE_OFF_XLEAVE_TX_DELAY = 72;
    /** The send path an interleaved response may report: -1 ms (timestamp error) .. 1 s. */
    public static final long XLEAVE_TX_DELAY_NANOS_MIN = -1_000_000;
    public static final long XLEAVE_TX_DELAY_NANOS_MAX = 1_000_000_000;
    /** A server's t3 may follow its t2 by at most this (a longer turnaround is MALFORMED). */
    public static final long TURNAROUND_NANOS_MAX = 10_000_000_000L;
    /** An interleaved SYNC_RESPONSE (version 2). */
    public static final int SYNC_RESPONSE_V2_SIZE_BYTES = 24 + 52 + MAC_SIZE_BYTES;

    // SYNC_UPDATE body
    public static final int UPDATE_OFF_TERM = 24;
    public static final int UPDATE_OFF_ROUND = 32;
    public static final int UPDATE_OFF_COUNT = 36;
    public static final int UPDATE_OFF_ENTRIES = 40;
    public static final int UPDATE_ENTRY_SIZE_BYTES = 16;
    public static final int ENTRY_OFF_NODE = 0;
    public static final int ENTRY_OFF_OFFSET = 4;
    public static final int ENTRY_OFF_BOUND = 8;
    public static final int ENTRY_OFF_REPUTATION = 12;
    public static final int ENTRY_OFF_VERDICT = 13;
    /** Entries one update carries: so that it fits in {@link #MESSAGE_BYTES_MAX}. */
    public static final int UPDATE_ENTRIES_MAX = (MESSAGE_BYTES_MAX - UPDATE_OFF_ENTRIES - MAC_SIZE_BYTES) / UPDATE_ENTRY_SIZE_BYTES;

    // VOTE_REQUEST / VOTE_RESPONSE bodies
    public static final int VOTE_OFF_TERM = 24;
    public static final int VOTE_OFF_GRANTED = 32;
    public static final int VOTE_REQUEST_SIZE_BYTES = 24 + 8 + MAC_SIZE_BYTES;
    public static final int VOTE_RESPONSE_SIZE_BYTES = 24 + 16 + MAC_SIZE_BYTES;

    /** u32 fields saturate here: a bound of this means "this or more". */
    public static final long U32_MAX = 0xFFFF_FFFFL;

    private Wire() {
    }

    /** The size of a version-1 message of {@code type} with {@code entries} update entries; -1 for an unknown type. */
    public static int sizeBytes(int type, int entries) {
        return sizeBytes(type, entries, VERSION_MIN);
    }

    /** The size of a message of {@code type} in {@code version} (1 or 2); -1 for an unknown type or version. */
    public static int sizeBytes(int type, int entries, int version) {
        if (version < VERSION_MIN || version > VERSION) {
            return -1;
        }
        if (version == 2 && type == TYPE_SYNC_RESPONSE) {
            return SYNC_RESPONSE_V2_SIZE_BYTES;
        }
        return switch (type) {
            case TYPE_JOIN -> JOIN_SIZE_BYTES;
            case TYPE_JOIN_ACK -> JOIN_ACK_SIZE_BYTES;
            case TYPE_SYNC_REQUEST -> SYNC_REQUEST_SIZE_BYTES;
            case TYPE_SYNC_RESPONSE -> SYNC_RESPONSE_SIZE_BYTES;
            case TYPE_SYNC_UPDATE -> UPDATE_OFF_ENTRIES + entries * UPDATE_ENTRY_SIZE_BYTES + MAC_SIZE_BYTES;
            case TYPE_VOTE_REQUEST -> VOTE_REQUEST_SIZE_BYTES;
            case TYPE_VOTE_RESPONSE -> VOTE_RESPONSE_SIZE_BYTES;
            default -> -1;
        };
    }

    /** A node's 32-bit number on the wire: FNV-1a of its id's UTF-8 bytes. */
    public static int nodeNumber(String nodeId) {
        int h = 0x811C9DC5;
        for (byte b : nodeId.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x01000193;
        }
        return h;
    }

    public static void writeHeader(byte[] buf, int off, int type, int length, int flags, int role, int sender,
            long keyId, long sequence) {
        writeHeader(buf, off, VERSION_MIN, type, length, flags, role, sender, keyId, sequence);
    }

    public static void writeHeader(byte[] buf, int off, int version, int type, int length, int flags, int role, int sender,
            long keyId, long sequence) {
        putU16(buf, off + OFF_MAGIC, MAGIC);
        buf[off + OFF_VERSION] = (byte) version;
        buf[off + OFF_TYPE] = (byte) type;
        putU16(buf, off + OFF_LENGTH, length);
        buf[off + OFF_FLAGS] = (byte) flags;
        buf[off + OFF_ROLE] = (byte) role;
        putI32(buf, off + OFF_SENDER, sender);
        putI32(buf, off + OFF_KEY_ID, (int) keyId);
        putI64(buf, off + OFF_SEQUENCE, sequence);
    }

    public static int type(byte[] buf, int off) {
        return buf[off + OFF_TYPE] & 0xFF;
    }

    public static int length(byte[] buf, int off) {
        return getU16(buf, off + OFF_LENGTH);
    }

    public static long keyId(byte[] buf, int off) {
        return getI32(buf, off + OFF_KEY_ID) & U32_MAX;
    }

    public static int sender(byte[] buf, int off) {
        return getI32(buf, off + OFF_SENDER);
    }

    public static long sequence(byte[] buf, int off) {
        return getI64(buf, off + OFF_SEQUENCE);
    }

    public static void putU16(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 8);
        b[o + 1] = (byte) v;
    }

    public static int getU16(byte[] b, int o) {
        return (b[o] & 0xFF) << 8 | (b[o + 1] & 0xFF);
    }

    public static void putI32(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    public static int getI32(byte[] b, int o) {
        return (b[o] & 0xFF) << 24 | (b[o + 1] & 0xFF) << 16 | (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF);
    }

    public static void putI64(byte[] b, int o, long v) {
        putI32(b, o, (int) (v >>> 32));
        putI32(b, o + 4, (int) v);
    }

    public static long getI64(byte[] b, int o) {
        return ((long) getI32(b, o) << 32) | (getI32(b, o + 4) & U32_MAX);
    }

    /** Largest poll code: 2^(160/8) ms = 1048.6 s. */
    public static final int POLL_CODE_MAX = 160;

    /**
     * A poll interval on the wire in one byte: {@code code = ceil(8 log2(interval / 1 ms))}, so the interval is
     * {@code 2^(code/8)} ms (steps of 9%, rounded up: a client that obeys never polls faster than asked); 0 for
     * none (an interval of 1 ms or less).
     */
    public static int pollCode(long intervalNanos) {
        if (intervalNanos <= 1_000_000L) {
            return 0;
        }
        int code = (int) Math.ceil(8 * Math.log(intervalNanos / 1e6) / Math.log(2) - 1e-9);
        return Math.max(1, Math.min(POLL_CODE_MAX, code));
    }

    /** The interval of a {@link #pollCode}, ns (0 for code 0). */
    public static long pollNanos(int code) {
        return code <= 0 ? 0 : (long) Math.ceil(Math.pow(2, Math.min(code, POLL_CODE_MAX) / 8.0) * 1e6);
    }

    /** {@code v} clamped into 0..{@link #U32_MAX}. */
    public static long saturateU32(long v) {
        return v < 0 ? 0 : Math.min(v, U32_MAX);
    }

    /** {@code v} clamped into the int range. */
    public static int saturateI32(long v) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }
}
