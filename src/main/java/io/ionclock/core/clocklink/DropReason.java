package io.ionclock.core.clocklink;

/**
 * Why a received packet was dropped. Checks run in this order and stop at the first failure, so a
 * packet is never parsed past a check it failed: size, header, key, MAC, sender, replay, body.
 */
public enum DropReason {
    /** Longer than {@link Wire#MESSAGE_BYTES_MAX}. */
    OVERSIZED,
    /** Shorter than a header and a MAC, or shorter than its length field says. */
    TRUNCATED,
    /** Does not start with the Clocklink magic. */
    BAD_MAGIC,
    /** A version this node does not speak. */
    BAD_VERSION,
    /** Unknown message type. */
    BAD_TYPE,
    /** The length field disagrees with the datagram, or with the type's size. */
    BAD_LENGTH,
    /** The key id is not in the keyfile. */
    UNKNOWN_KEY,
    /** The MAC does not verify: forged, corrupted, or signed with another secret. */
    FORGED,
    /** A sequence number already seen, or too old for the replay window. */
    REPLAYED,
    /** Authentic, but a field is out of range (count, name, bound, role). */
    MALFORMED,
    /** From an address that has not joined (and is not a configured peer). */
    NOT_JOINED,
    /** Authentic but not wanted now: a response to nothing outstanding, a vote from a non-master, a stale term. */
    UNEXPECTED;

    static final DropReason[] VALUES = values();
}
