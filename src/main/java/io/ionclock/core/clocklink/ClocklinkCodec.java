package io.ionclock.core.clocklink;

import io.ionclock.core.select.Verdict;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Encodes {@link ClocklinkMessage}s into the caller's buffer and checks and decodes received bytes.
 * Receiving is in steps that each stop at the first failure ({@link DropReason}); the caller runs them in
 * order: {@link #checkFrame} (size, header), then the key and MAC ({@link #checkAuth}), then its replay
 * window for the sender, then {@link #decodeBody}. Nothing in a packet is interpreted before its MAC verified
 * except the header fields the checks themselves need. Stateless and allocation-free.
 */
public final class ClocklinkCodec {
    /** Largest tier (hops below a master) a response may claim. */
    public static final int TIER_MAX = 15;
    /** Largest status code (ClockStatus ordinal). */
    static final int STATUS_MAX = 3;
    /** Largest leap code (LeapIndicator ordinal). */
    static final int LEAP_MAX = 2;
    /** Largest verdict code in an update entry ({@link Verdict#wireCode()}). */
    public static final int VERDICT_MAX = Verdict.WIRE_CODE_MAX;

    private ClocklinkCodec() {
    }

    /**
     * Writes {@code m} (header and body, MAC bytes zeroed) at {@code off}; returns the message's length.
     * Sign it with {@link ClocklinkAuth#sign} before sending.
     */
    public static int encode(ClocklinkMessage m, byte[] buf, int off) {
        int entries = m.type == Wire.TYPE_SYNC_UPDATE ? m.entryCount : 0;
        if (entries < 0 || entries > Wire.UPDATE_ENTRIES_MAX) {
            throw new IllegalArgumentException("update entries 0.." + Wire.UPDATE_ENTRIES_MAX + ": " + entries);
        }
        int length = Wire.sizeBytes(m.type, entries, m.version);
        if (length < 0) {
            throw new IllegalArgumentException("unknown message type " + m.type + " or version " + m.version);
        }
        if (off < 0 || off + length > buf.length) {
            throw new IllegalArgumentException("buffer too small for a " + length + "-byte message at " + off);
        }
        java.util.Arrays.fill(buf, off, off + length, (byte) 0);
        Wire.writeHeader(buf, off, m.version, m.type, length, m.flags, m.role, m.sender, m.keyId, m.sequence);
        switch (m.type) {
            case Wire.TYPE_JOIN -> {
                putName(buf, off + Wire.JOIN_OFF_NAME_LENGTH, m);
                Wire.putI64(buf, off + Wire.JOIN_OFF_COOKIE, m.cookie);
            }
            case Wire.TYPE_JOIN_ACK -> {
                buf[off + Wire.JOIN_ACK_OFF_RESULT] = (byte) m.joinResult;
                Wire.putI64(buf, off + Wire.JOIN_ACK_OFF_ECHO_SEQUENCE, m.echoSequence);
                putName(buf, off + Wire.JOIN_ACK_OFF_NAME_LENGTH, m);
                Wire.putI64(buf, off + Wire.JOIN_ACK_OFF_COOKIE, m.cookie);
            }
            case Wire.TYPE_SYNC_REQUEST -> Wire.putI64(buf, off + Wire.REQUEST_OFF_TERM, m.term);
            case Wire.TYPE_SYNC_RESPONSE -> {
                Wire.putI64(buf, off + Wire.RESPONSE_OFF_ECHO_SEQUENCE, m.echoSequence);
                Wire.putI64(buf, off + Wire.RESPONSE_OFF_RX_EPOCH, m.rxEpochNanos);
                Wire.putI64(buf, off + Wire.RESPONSE_OFF_TX_EPOCH, m.txEpochNanos);
                Wire.putI32(buf, off + Wire.RESPONSE_OFF_BOUND, (int) Wire.saturateU32(m.boundNanos));
                buf[off + Wire.RESPONSE_OFF_STATUS] = (byte) m.status;
                buf[off + Wire.RESPONSE_OFF_LEAP] = (byte) m.leap;
                buf[off + Wire.RESPONSE_OFF_TIER] = (byte) m.tier;
                buf[off + Wire.RESPONSE_OFF_POLL] = (byte) m.pollCode;
                Wire.putI64(buf, off + Wire.RESPONSE_OFF_TERM, m.term);
                Wire.putI32(buf, off + Wire.RESPONSE_OFF_LEADER, m.leader);
                if (m.version >= 2) {
                    Wire.putI32(buf, off + Wire.RESPONSE_OFF_XLEAVE_ECHO, m.xleaveEcho);
                    Wire.putI32(buf, off + Wire.RESPONSE_OFF_XLEAVE_TX_DELAY, (int) m.xleaveTxDelayNanos);
                }
            }
            case Wire.TYPE_SYNC_UPDATE -> {
                Wire.putI64(buf, off + Wire.UPDATE_OFF_TERM, m.term);
                Wire.putI32(buf, off + Wire.UPDATE_OFF_ROUND, m.round);
                buf[off + Wire.UPDATE_OFF_COUNT] = (byte) entries;
                for (int i = 0; i < entries; i++) {
                    int e = off + Wire.UPDATE_OFF_ENTRIES + i * Wire.UPDATE_ENTRY_SIZE_BYTES;
                    Wire.putI32(buf, e + Wire.ENTRY_OFF_NODE, m.entryNode[i]);
                    Wire.putI32(buf, e + Wire.ENTRY_OFF_OFFSET, m.entryOffsetNanos[i]);
                    Wire.putI32(buf, e + Wire.ENTRY_OFF_BOUND, (int) Wire.saturateU32(m.entryBoundNanos[i]));
                    buf[e + Wire.ENTRY_OFF_REPUTATION] = (byte) Math.max(0, Math.min(255, m.entryReputation[i]));
                    buf[e + Wire.ENTRY_OFF_VERDICT] = (byte) m.entryVerdict[i];
                }
            }
            case Wire.TYPE_VOTE_REQUEST -> Wire.putI64(buf, off + Wire.VOTE_OFF_TERM, m.term);
            case Wire.TYPE_VOTE_RESPONSE -> {
                Wire.putI64(buf, off + Wire.VOTE_OFF_TERM, m.term);
                buf[off + Wire.VOTE_OFF_GRANTED] = (byte) (m.granted ? 1 : 0);
            }
            default -> throw new IllegalArgumentException("unknown message type " + m.type);
        }
        return length;
    }

    private static void putName(byte[] buf, int at, ClocklinkMessage m) {
        if (m.nameLength < 1 || m.nameLength > Wire.NAME_BYTES_MAX) {
            throw new IllegalArgumentException("name length 1.." + Wire.NAME_BYTES_MAX + ": " + m.nameLength);
        }
        buf[at] = (byte) m.nameLength;
        System.arraycopy(m.name, 0, buf, at + 1, m.nameLength);
    }

    /**
     * Step 1: size and header. Returns null when the frame is well formed: {@code len} within limits, magic,
     * version, a known type, and a length field equal to {@code len} and to the type's size.
     */
    public static DropReason checkFrame(byte[] buf, int off, int len) {
        if (len > Wire.MESSAGE_BYTES_MAX) {
            return DropReason.OVERSIZED;
        }
        if (len < Wire.HEADER_SIZE_BYTES + Wire.MAC_SIZE_BYTES) {
            return DropReason.TRUNCATED;
        }
        if (Wire.getU16(buf, off + Wire.OFF_MAGIC) != Wire.MAGIC) {
            return DropReason.BAD_MAGIC;
        }
        int version = buf[off + Wire.OFF_VERSION] & 0xFF;
        if (version < Wire.VERSION_MIN || version > Wire.VERSION) {
            return DropReason.BAD_VERSION;
        }
        int type = Wire.type(buf, off);
        if (type < 1 || type > Wire.TYPE_MAX) {
            return DropReason.BAD_TYPE;
        }
        int declared = Wire.length(buf, off);
        if (declared > len) {
            return DropReason.TRUNCATED;
        }
        if (declared != len) {
            return DropReason.BAD_LENGTH;
        }
        int expected;
        if (type == Wire.TYPE_SYNC_UPDATE) {
            int body = len - Wire.UPDATE_OFF_ENTRIES - Wire.MAC_SIZE_BYTES;
            if (body < 0 || body % Wire.UPDATE_ENTRY_SIZE_BYTES != 0) {
                return DropReason.BAD_LENGTH;
            }
            expected = len;
        } else {
            expected = Wire.sizeBytes(type, 0, version);
        }
        return expected == len ? null : DropReason.BAD_LENGTH;
    }

    /**
     * Step 2: key and MAC, for a frame that passed {@link #checkFrame}. Returns null when authentic.
     */
    public static DropReason checkAuth(ClocklinkAuth auth, byte[] buf, int off, int len) {
        int keyIndex = auth.keyIndex(Wire.keyId(buf, off));
        if (keyIndex < 0) {
            return DropReason.UNKNOWN_KEY;
        }
        return auth.verify(keyIndex, buf, off, len) ? null : DropReason.FORGED;
    }

    /** Reads the header of a checked frame into {@code out}. */
    public static void decodeHeader(byte[] buf, int off, ClocklinkMessage out) {
        out.clear();
        out.type = Wire.type(buf, off);
        out.version = buf[off + Wire.OFF_VERSION] & 0xFF;
        out.flags = buf[off + Wire.OFF_FLAGS] & 0xFF;
        out.role = buf[off + Wire.OFF_ROLE] & 0xFF;
        out.sender = Wire.sender(buf, off);
        out.keyId = Wire.keyId(buf, off);
        out.sequence = Wire.sequence(buf, off);
    }

    /**
     * Step 4 (after the caller's replay check): the body of an authentic frame into {@code out} (whose header
     * {@link #decodeHeader} filled). Returns null when every field is in range, else {@link DropReason#MALFORMED}.
     */
    public static DropReason decodeBody(byte[] buf, int off, int len, ClocklinkMessage out) {
        if (out.role != Wire.ROLE_MASTER && out.role != Wire.ROLE_GATEWAY) {
            return DropReason.MALFORMED;
        }
        switch (out.type) {
            case Wire.TYPE_JOIN -> {
                out.cookie = Wire.getI64(buf, off + Wire.JOIN_OFF_COOKIE);
                return readName(buf, off + Wire.JOIN_OFF_NAME_LENGTH, out) ? null : DropReason.MALFORMED;
            }
            case Wire.TYPE_JOIN_ACK -> {
                out.joinResult = buf[off + Wire.JOIN_ACK_OFF_RESULT] & 0xFF;
                out.echoSequence = Wire.getI64(buf, off + Wire.JOIN_ACK_OFF_ECHO_SEQUENCE);
                out.cookie = Wire.getI64(buf, off + Wire.JOIN_ACK_OFF_COOKIE);
                if (out.joinResult > Wire.JOIN_CHALLENGE) {
                    return DropReason.MALFORMED;
                }
                return readName(buf, off + Wire.JOIN_ACK_OFF_NAME_LENGTH, out) ? null : DropReason.MALFORMED;
            }
            case Wire.TYPE_SYNC_REQUEST -> {
                out.term = Wire.getI64(buf, off + Wire.REQUEST_OFF_TERM);
                return out.term < 0 ? DropReason.MALFORMED : null;
            }
            case Wire.TYPE_SYNC_RESPONSE -> {
                out.echoSequence = Wire.getI64(buf, off + Wire.RESPONSE_OFF_ECHO_SEQUENCE);
                out.rxEpochNanos = Wire.getI64(buf, off + Wire.RESPONSE_OFF_RX_EPOCH);
                out.txEpochNanos = Wire.getI64(buf, off + Wire.RESPONSE_OFF_TX_EPOCH);
                out.boundNanos = Wire.getI32(buf, off + Wire.RESPONSE_OFF_BOUND) & Wire.U32_MAX;
                out.status = buf[off + Wire.RESPONSE_OFF_STATUS] & 0xFF;
                out.leap = buf[off + Wire.RESPONSE_OFF_LEAP] & 0xFF;
                out.tier = buf[off + Wire.RESPONSE_OFF_TIER] & 0xFF;
                out.pollCode = buf[off + Wire.RESPONSE_OFF_POLL] & 0xFF;
                out.term = Wire.getI64(buf, off + Wire.RESPONSE_OFF_TERM);
                out.leader = Wire.getI32(buf, off + Wire.RESPONSE_OFF_LEADER);
                // t3 before t2 (beyond a slew's worth), negative times, or out-of-range codes: not a real exchange.
                boolean ok = out.rxEpochNanos > 0 && out.txEpochNanos > 0 && out.txEpochNanos >= out.rxEpochNanos - 1_000_000
                        && out.txEpochNanos - out.rxEpochNanos <= Wire.TURNAROUND_NANOS_MAX
                        && out.status <= STATUS_MAX && out.leap <= LEAP_MAX && out.tier <= TIER_MAX && out.pollCode <= Wire.POLL_CODE_MAX && out.term >= 0;
                if (out.version >= 2) {
                    out.xleaveEcho = Wire.getI32(buf, off + Wire.RESPONSE_OFF_XLEAVE_ECHO);
                    out.xleaveTxDelayNanos = Wire.getI32(buf, off + Wire.RESPONSE_OFF_XLEAVE_TX_DELAY);
                    // without the flag: nothing (zeros); with it: a send path of -1 ms .. 1 s, for another exchange
                    ok &= (out.flags & Wire.FLAG_INTERLEAVED) == 0 ? out.xleaveEcho == 0 && out.xleaveTxDelayNanos == 0
                            : out.xleaveTxDelayNanos >= Wire.XLEAVE_TX_DELAY_NANOS_MIN
                                    && out.xleaveTxDelayNanos <= Wire.XLEAVE_TX_DELAY_NANOS_MAX
                                    && out.xleaveEcho != (int) out.echoSequence;
                }
                return ok ? null : DropReason.MALFORMED;
            }
            case Wire.TYPE_SYNC_UPDATE -> {
                out.term = Wire.getI64(buf, off + Wire.UPDATE_OFF_TERM);
                out.round = Wire.getI32(buf, off + Wire.UPDATE_OFF_ROUND);
                int count = buf[off + Wire.UPDATE_OFF_COUNT] & 0xFF;
                int present = (len - Wire.UPDATE_OFF_ENTRIES - Wire.MAC_SIZE_BYTES) / Wire.UPDATE_ENTRY_SIZE_BYTES;
                if (count != present || count > Wire.UPDATE_ENTRIES_MAX || out.term < 0) {
                    return DropReason.MALFORMED;
                }
                for (int i = 0; i < count; i++) {
                    int e = off + Wire.UPDATE_OFF_ENTRIES + i * Wire.UPDATE_ENTRY_SIZE_BYTES;
                    out.entryNode[i] = Wire.getI32(buf, e + Wire.ENTRY_OFF_NODE);
                    out.entryOffsetNanos[i] = Wire.getI32(buf, e + Wire.ENTRY_OFF_OFFSET);
                    out.entryBoundNanos[i] = Wire.getI32(buf, e + Wire.ENTRY_OFF_BOUND) & Wire.U32_MAX;
                    out.entryReputation[i] = buf[e + Wire.ENTRY_OFF_REPUTATION] & 0xFF;
                    out.entryVerdict[i] = buf[e + Wire.ENTRY_OFF_VERDICT] & 0xFF;
                    if (Verdict.ofWireCode(out.entryVerdict[i]) == null) {
                        return DropReason.MALFORMED;
                    }
                }
                out.entryCount = count;
                return null;
            }
            case Wire.TYPE_VOTE_REQUEST -> {
                out.term = Wire.getI64(buf, off + Wire.VOTE_OFF_TERM);
                return out.term < 0 ? DropReason.MALFORMED : null;
            }
            case Wire.TYPE_VOTE_RESPONSE -> {
                out.term = Wire.getI64(buf, off + Wire.VOTE_OFF_TERM);
                int g = buf[off + Wire.VOTE_OFF_GRANTED] & 0xFF;
                out.granted = g == 1;
                return out.term < 0 || g > 1 ? DropReason.MALFORMED : null;
            }
            default -> {
                return DropReason.BAD_TYPE;
            }
        }
    }

    private static boolean readName(byte[] buf, int at, ClocklinkMessage out) {
        int n = buf[at] & 0xFF;
        if (n < 1 || n > Wire.NAME_BYTES_MAX) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            byte b = buf[at + 1 + i];
            if (b == 0 || (b >= 0 && b < 0x20) || b == 0x7F) {
                return false; // no control characters in a name
            }
        }
        for (int i = n; i < Wire.NAME_BYTES_MAX; i++) {
            if (buf[at + 1 + i] != 0) {
                return false; // padding must be zero
            }
        }
        if (!validUtf8(buf, at + 1, n)) {
            return false;
        }
        System.arraycopy(buf, at + 1, out.name, 0, n);
        out.nameLength = n;
        return true;
    }

    private static boolean validUtf8(byte[] buf, int off, int len) {
        boolean ascii = true;
        for (int i = 0; i < len; i++) {
            if (buf[off + i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return true;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(buf, off, len));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
