package io.ionclock.core.clocklink;

import java.nio.charset.StandardCharsets;

/**
 * One Clocklink message, decoded or to encode: a reusable mutable holder (no allocation per packet).
 * Which fields mean something depends on {@link #type}; see {@link Wire} and docs/clocklink.md.
 * Epoch fields are ns since the Unix epoch on the sender's published clock.
 */
public final class ClocklinkMessage {
    // header
    /** Wire version: {@link Wire#VERSION_MIN} unless this is an interleaved SYNC_RESPONSE (2). */
    public int version = Wire.VERSION_MIN;
    public int type;
    public int flags;
    public int role;
    public int sender;
    public long keyId;
    public long sequence;

    // JOIN, JOIN_ACK
    public final byte[] name = new byte[Wire.NAME_BYTES_MAX];
    public int nameLength;
    public int joinResult;
    /** JOIN: the cookie the server gave (0: none yet); JOIN_ACK CHALLENGE: the cookie to join with. */
    public long cookie;

    // JOIN_ACK, SYNC_RESPONSE
    public long echoSequence;

    // SYNC_REQUEST, SYNC_RESPONSE, SYNC_UPDATE, VOTE_*
    public long term;

    // SYNC_RESPONSE
    public long rxEpochNanos;
    public long txEpochNanos;
    /** The sender's bound at its timestamps, including its own timestamping error (saturated at u32). */
    public long boundNanos;
    public int status;
    public int leap;
    public int tier;
    /** The poll interval the server asks of this client, as a {@link Wire#pollCode} (0: none). */
    public int pollCode;
    public int leader;
    /** Version 2 with FLAG_INTERLEAVED: the low 32 bits of the request sequence the previous response echoed. */
    public int xleaveEcho;
    /** ... and that response's true transmit time minus the t3 it carried, ns. */
    public long xleaveTxDelayNanos;

    // SYNC_UPDATE
    public int round;
    public int entryCount;
    public final int[] entryNode = new int[Wire.UPDATE_ENTRIES_MAX];
    /** The node's clock minus the fleet's combined time, ns (saturated at i32). */
    public final int[] entryOffsetNanos = new int[Wire.UPDATE_ENTRIES_MAX];
    public final long[] entryBoundNanos = new long[Wire.UPDATE_ENTRIES_MAX];
    /** Reputation 0..255 (255 = 1.0). */
    public final int[] entryReputation = new int[Wire.UPDATE_ENTRIES_MAX];
    /** {@link io.ionclock.core.select.Verdict#wireCode()} of the leader's verdict on the node. */
    public final int[] entryVerdict = new int[Wire.UPDATE_ENTRIES_MAX];

    // VOTE_RESPONSE
    public boolean granted;

    public void clear() {
        version = Wire.VERSION_MIN;
        type = 0;
        flags = 0;
        role = 0;
        sender = 0;
        keyId = 0;
        sequence = 0;
        nameLength = 0;
        joinResult = 0;
        cookie = 0;
        echoSequence = 0;
        term = 0;
        rxEpochNanos = 0;
        txEpochNanos = 0;
        boundNanos = 0;
        status = 0;
        leap = 0;
        tier = 0;
        pollCode = 0;
        leader = 0;
        xleaveEcho = 0;
        xleaveTxDelayNanos = 0;
        round = 0;
        entryCount = 0;
        granted = false;
    }

    /** Sets {@link #name} from a string (at most {@link Wire#NAME_BYTES_MAX} bytes of UTF-8). */
    public void setName(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length == 0 || b.length > Wire.NAME_BYTES_MAX) {
            throw new IllegalArgumentException("a node name is 1.." + Wire.NAME_BYTES_MAX + " bytes of UTF-8");
        }
        System.arraycopy(b, 0, name, 0, b.length);
        nameLength = b.length;
    }

    /** The name as a string (allocates). */
    public String nameString() {
        return new String(name, 0, nameLength, StandardCharsets.UTF_8);
    }

    public boolean leaderFlag() {
        return (flags & Wire.FLAG_LEADER) != 0;
    }

    public boolean hasReferenceFlag() {
        return (flags & Wire.FLAG_HAS_REFERENCE) != 0;
    }

    public boolean settlingFlag() {
        return (flags & Wire.FLAG_SETTLING) != 0;
    }

    public boolean interleavedFlag() {
        return (flags & Wire.FLAG_INTERLEAVED) != 0;
    }

    public boolean loadedFlag() {
        return (flags & Wire.FLAG_LOADED) != 0;
    }

    @Override
    public String toString() {
        return "ClocklinkMessage{type=" + type + ", sender=" + Integer.toUnsignedString(sender) + ", key=" + keyId
                + ", seq=" + sequence + ", term=" + term + "}";
    }
}
