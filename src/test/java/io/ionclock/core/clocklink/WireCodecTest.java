package io.ionclock.core.clocklink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Golden bytes (checked against Python's hmac for the MAC), round trips, and each drop reason in its order. */
class WireCodecTest {
    static final ClocklinkKeys KEYS = ClocklinkKeys.parse(
            "# test key\n7 SHA256 HEX:000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\n");
    static final ClocklinkAuth AUTH = new ClocklinkAuth(KEYS);

    /** JOIN, JOIN_ACK, SYNC_REQUEST, SYNC_RESPONSE, SYNC_UPDATE (2 entries), VOTE_REQUEST, VOTE_RESPONSE. */
    static final String[] GOLDEN = {
        "434c010100500101112233440000000700000005000000090467772d310000000000000000000000000000000000000000000000000000000102030405060708d6b5b312b8d9348441c5dc04a132ad0c",
        "434c0102005c010111223344000000070000000500000009030000000000000300000001026d30000000000000000000000000000000000000000000000000000000000011121314151617182f68758cb4d476536a8dcaffa94b32ec",
        "434c01030030010111223344000000070000000500000009000000000000002ae372c584b3cd121817f9604764316581",
        "434c01040054010111223344000000070000000500000009000000030000000218d75b8423f3007b18d75b8423f3c518000000fa01000000000000000000002a112233440ff369de03a22baae44840cabf260f3e",
        "434c01050058010111223344000000070000000500000009000000000000002a000003e80200000011223344ffffff8800000384ff00000055667788000493e0000927c000050000893c982e6b9913ecd1a5a9b5a70ae639",
        "434c01060030010111223344000000070000000500000009000000000000002b2a23ba70541d13397a04b1c9cda8a90c",
        "434c01070038010111223344000000070000000500000009000000000000002b0100000000000000426d6838f69ed00b16df14d129c3db04",
    };

    /** The interleaved SYNC_RESPONSE (version 2): the version-1 golden's fields, then the previous exchange's. */
    static final String GOLDEN_RESPONSE_V2 =
            "434c0204005c110111223344000000070000000500000009000000030000000218d75b8423f3007b18d75b8423f3c518000000fa01000000000000000000002a112233440000000100003039b5ba3abb1ae0b675b7d57f9d977ce9e6";

    static ClocklinkMessage goldenResponseV2() {
        ClocklinkMessage m = golden(Wire.TYPE_SYNC_RESPONSE);
        m.version = 2;
        m.flags |= Wire.FLAG_INTERLEAVED;
        m.xleaveEcho = 1;
        m.xleaveTxDelayNanos = 12_345;
        return m;
    }

    static ClocklinkMessage golden(int type) {
        ClocklinkMessage m = new ClocklinkMessage();
        m.type = type;
        m.flags = Wire.FLAG_LEADER;
        m.role = Wire.ROLE_MASTER;
        m.sender = 0x11223344;
        m.keyId = 7;
        m.sequence = (5L << 32) | 9;
        switch (type) {
            case Wire.TYPE_JOIN -> {
                m.setName("gw-1");
                m.cookie = 0x0102030405060708L;
            }
            case Wire.TYPE_JOIN_ACK -> {
                m.joinResult = Wire.JOIN_CHALLENGE;
                m.cookie = 0x1112131415161718L;
                m.echoSequence = (3L << 32) | 1;
                m.setName("m0");
            }
            case Wire.TYPE_SYNC_REQUEST -> m.term = 42;
            case Wire.TYPE_SYNC_RESPONSE -> {
                m.echoSequence = (3L << 32) | 2;
                m.rxEpochNanos = 1_790_000_000_000_000_123L;
                m.txEpochNanos = 1_790_000_000_000_050_456L;
                m.boundNanos = 250;
                m.status = 1;
                m.term = 42;
                m.leader = 0x11223344;
            }
            case Wire.TYPE_SYNC_UPDATE -> {
                m.term = 42;
                m.round = 1000;
                m.entryCount = 2;
                m.entryNode[0] = 0x11223344;
                m.entryOffsetNanos[0] = -120;
                m.entryBoundNanos[0] = 900;
                m.entryReputation[0] = 255;
                m.entryNode[1] = 0x55667788;
                m.entryOffsetNanos[1] = 300_000;
                m.entryBoundNanos[1] = 600_000;
                m.entryReputation[1] = 0;
                m.entryVerdict[1] = 5;
            }
            case Wire.TYPE_VOTE_REQUEST -> m.term = 43;
            case Wire.TYPE_VOTE_RESPONSE -> {
                m.term = 43;
                m.granted = true;
            }
            default -> throw new IllegalArgumentException();
        }
        return m;
    }

    static byte[] encodeSigned(ClocklinkMessage m) {
        byte[] buf = new byte[Wire.MESSAGE_BYTES_MAX];
        int len = ClocklinkCodec.encode(m, buf, 0);
        AUTH.sign(buf, 0, len);
        return java.util.Arrays.copyOf(buf, len);
    }

    @Test
    void goldenBytes() {
        for (int type = 1; type <= 7; type++) {
            byte[] b = encodeSigned(golden(type));
            assertEquals(GOLDEN[type - 1], HexFormat.of().formatHex(b), "type " + type);
            assertEquals(Wire.sizeBytes(type, type == Wire.TYPE_SYNC_UPDATE ? 2 : 0), b.length);
        }
    }

    @Test
    void goldenBytesDecode() {
        for (int type = 1; type <= 7; type++) {
            byte[] b = HexFormat.of().parseHex(GOLDEN[type - 1]);
            ClocklinkMessage m = decode(b, 0, b.length);
            assertEquals(type, m.type);
            assertEquals(0x11223344, m.sender);
            assertEquals((5L << 32) | 9, m.sequence);
            assertTrue(m.leaderFlag());
        }
        byte[] r = HexFormat.of().parseHex(GOLDEN[Wire.TYPE_SYNC_RESPONSE - 1]);
        ClocklinkMessage m = decode(r, 0, r.length);
        assertEquals(1_790_000_000_000_000_123L, m.rxEpochNanos);
        assertEquals(1_790_000_000_000_050_456L, m.txEpochNanos);
        assertEquals(250, m.boundNanos);
        byte[] u = HexFormat.of().parseHex(GOLDEN[Wire.TYPE_SYNC_UPDATE - 1]);
        m = decode(u, 0, u.length);
        assertEquals(2, m.entryCount);
        assertEquals(-120, m.entryOffsetNanos[0]);
        assertEquals(600_000, m.entryBoundNanos[1]);
        assertEquals(5, m.entryVerdict[1]);
    }

    @Test
    void theInterleavedResponseIsVersion2AndEveryOtherMessageStaysVersion1() {
        byte[] b = encodeSigned(goldenResponseV2());
        assertEquals(GOLDEN_RESPONSE_V2, HexFormat.of().formatHex(b)); // MAC checked with Python's hmac
        assertEquals(Wire.SYNC_RESPONSE_V2_SIZE_BYTES, b.length);
        ClocklinkMessage m = decode(b, 0, b.length);
        assertEquals(2, m.version);
        assertEquals(1, m.xleaveEcho);
        assertEquals(12_345, m.xleaveTxDelayNanos);
        assertEquals(1_790_000_000_000_050_456L, m.txEpochNanos);
        for (int type = 1; type <= 7; type++) { // a version-1 message decodes as version 1, with nothing interleaved
            byte[] g = HexFormat.of().parseHex(GOLDEN[type - 1]);
            ClocklinkMessage d = decode(g, 0, g.length);
            assertEquals(1, d.version);
            assertEquals(0, d.xleaveEcho);
        }
        // Version 2 at version 1's length, and version 1 at version 2's: BAD_LENGTH.
        byte[] shortV2 = HexFormat.of().parseHex(GOLDEN[Wire.TYPE_SYNC_RESPONSE - 1]);
        shortV2[Wire.OFF_VERSION] = 2;
        assertEquals(DropReason.BAD_LENGTH, ClocklinkCodec.checkFrame(shortV2, 0, shortV2.length));
        byte[] longV1 = b.clone();
        longV1[Wire.OFF_VERSION] = 1;
        assertEquals(DropReason.BAD_LENGTH, ClocklinkCodec.checkFrame(longV1, 0, longV1.length));
    }

    @Test
    void interleavedFieldsOutOfRangeAreMalformed() {
        java.util.function.Consumer<ClocklinkMessage> ok = m -> { };
        assertNull(decodeV2(ok));
        assertNull(decodeV2(m -> { // none: no flag, zeros
            m.flags &= ~Wire.FLAG_INTERLEAVED;
            m.xleaveEcho = 0;
            m.xleaveTxDelayNanos = 0;
        }));
        assertNull(decodeV2(m -> m.xleaveTxDelayNanos = Wire.XLEAVE_TX_DELAY_NANOS_MIN));
        assertNull(decodeV2(m -> m.xleaveTxDelayNanos = Wire.XLEAVE_TX_DELAY_NANOS_MAX));
        assertEquals(DropReason.MALFORMED, decodeV2(m -> m.flags &= ~Wire.FLAG_INTERLEAVED)); // fields without the flag
        assertEquals(DropReason.MALFORMED, decodeV2(m -> m.xleaveTxDelayNanos = Wire.XLEAVE_TX_DELAY_NANOS_MIN - 1));
        assertEquals(DropReason.MALFORMED, decodeV2(m -> m.xleaveTxDelayNanos = Wire.XLEAVE_TX_DELAY_NANOS_MAX + 1));
        assertEquals(DropReason.MALFORMED, decodeV2(m -> m.xleaveEcho = (int) m.echoSequence)); // this exchange's own
    }

    private static DropReason decodeV2(java.util.function.Consumer<ClocklinkMessage> change) {
        ClocklinkMessage m = goldenResponseV2();
        change.accept(m);
        byte[] b = encodeSigned(m);
        ClocklinkMessage out = new ClocklinkMessage();
        assertNull(ClocklinkCodec.checkFrame(b, 0, b.length));
        ClocklinkCodec.decodeHeader(b, 0, out);
        return ClocklinkCodec.decodeBody(b, 0, b.length, out);
    }

    static ClocklinkMessage decode(byte[] b, int off, int len) {
        assertNull(ClocklinkCodec.checkFrame(b, off, len));
        assertNull(ClocklinkCodec.checkAuth(AUTH, b, off, len));
        ClocklinkMessage m = new ClocklinkMessage();
        ClocklinkCodec.decodeHeader(b, off, m);
        assertNull(ClocklinkCodec.decodeBody(b, off, len, m));
        return m;
    }

    @Test
    void everyMessageFitsTheLimitIncludingTheLargestUpdate() {
        ClocklinkMessage m = golden(Wire.TYPE_SYNC_UPDATE);
        m.entryCount = Wire.UPDATE_ENTRIES_MAX;
        byte[] b = encodeSigned(m);
        assertTrue(b.length <= Wire.MESSAGE_BYTES_MAX, "largest update " + b.length);
        assertEquals(28, Wire.UPDATE_ENTRIES_MAX);
        m.entryCount = Wire.UPDATE_ENTRIES_MAX + 1;
        assertThrows(IllegalArgumentException.class, () -> ClocklinkCodec.encode(m, new byte[1024], 0));
        for (int t = 1; t <= 7; t++) {
            assertTrue(Wire.sizeBytes(t, Wire.UPDATE_ENTRIES_MAX) <= Wire.MESSAGE_BYTES_MAX);
        }
    }

    @Test
    void roundTripsAtAnOffsetWithRandomFields() {
        SplittableRandom r = new SplittableRandom(3);
        byte[] buf = new byte[2048];
        for (int i = 0; i < 5_000; i++) {
            ClocklinkMessage m = golden(1 + r.nextInt(7));
            m.sender = r.nextInt();
            m.sequence = r.nextLong(Long.MAX_VALUE);
            m.flags = r.nextInt(4);
            m.role = 1 + r.nextInt(2);
            m.term = r.nextLong(Long.MAX_VALUE);
            m.echoSequence = r.nextLong();
            m.rxEpochNanos = r.nextLong(1, Long.MAX_VALUE / 2);
            m.txEpochNanos = m.rxEpochNanos + r.nextLong(0, 10_000_000_000L);
            m.boundNanos = r.nextLong(Wire.U32_MAX + 1);
            m.status = r.nextInt(4);
            m.leap = r.nextInt(3);
            m.tier = r.nextInt(ClocklinkCodec.TIER_MAX + 1);
            m.leader = r.nextInt();
            m.round = r.nextInt();
            if (m.type == Wire.TYPE_SYNC_UPDATE) {
                m.entryCount = r.nextInt(Wire.UPDATE_ENTRIES_MAX + 1);
                for (int k = 0; k < m.entryCount; k++) {
                    m.entryNode[k] = r.nextInt();
                    m.entryOffsetNanos[k] = r.nextInt();
                    m.entryBoundNanos[k] = r.nextLong(Wire.U32_MAX + 1);
                    m.entryReputation[k] = r.nextInt(256);
                    m.entryVerdict[k] = r.nextInt(ClocklinkCodec.VERDICT_MAX + 1);
                }
            }
            if (m.type == Wire.TYPE_JOIN || m.type == Wire.TYPE_JOIN_ACK) {
                m.setName("n" + r.nextInt(1_000_000) + "-\u00e9");
                m.joinResult = r.nextInt(Wire.JOIN_CHALLENGE + 1);
                m.cookie = r.nextLong();
            }
            m.granted = r.nextBoolean();
            int off = r.nextInt(1024);
            int len = ClocklinkCodec.encode(m, buf, off);
            AUTH.sign(buf, off, len);
            ClocklinkMessage d = decode(buf, off, len);
            assertEquals(m.type, d.type);
            assertEquals(m.sender, d.sender);
            assertEquals(m.sequence, d.sequence);
            assertEquals(m.flags, d.flags);
            switch (m.type) {
                case Wire.TYPE_JOIN -> {
                    assertEquals(m.nameString(), d.nameString());
                    assertEquals(m.cookie, d.cookie);
                }
                case Wire.TYPE_JOIN_ACK -> {
                    assertEquals(m.nameString(), d.nameString());
                    assertEquals(m.cookie, d.cookie);
                    assertEquals(m.echoSequence, d.echoSequence);
                    assertEquals(m.joinResult, d.joinResult);
                }
                case Wire.TYPE_SYNC_RESPONSE -> {
                    assertEquals(m.rxEpochNanos, d.rxEpochNanos);
                    assertEquals(m.txEpochNanos, d.txEpochNanos);
                    assertEquals(m.boundNanos, d.boundNanos);
                    assertEquals(m.term, d.term);
                    assertEquals(m.leader, d.leader);
                    assertEquals(m.tier, d.tier);
                }
                case Wire.TYPE_SYNC_UPDATE -> {
                    assertEquals(m.entryCount, d.entryCount);
                    for (int k = 0; k < m.entryCount; k++) {
                        assertEquals(m.entryOffsetNanos[k], d.entryOffsetNanos[k]);
                        assertEquals(m.entryBoundNanos[k], d.entryBoundNanos[k]);
                        assertEquals(m.entryReputation[k], d.entryReputation[k]);
                    }
                }
                case Wire.TYPE_VOTE_RESPONSE -> assertEquals(m.granted, d.granted);
                default -> assertEquals(m.term, d.term);
            }
        }
    }

    @Test
    void framesAreRejectedForTheFirstCheckTheyFail() {
        byte[] good = HexFormat.of().parseHex(GOLDEN[Wire.TYPE_SYNC_RESPONSE - 1]);
        assertEquals(DropReason.OVERSIZED, ClocklinkCodec.checkFrame(new byte[600], 0, 513));
        assertEquals(DropReason.TRUNCATED, ClocklinkCodec.checkFrame(good, 0, 39));
        assertEquals(DropReason.TRUNCATED, ClocklinkCodec.checkFrame(good, 0, good.length - 1));
        byte[] b = good.clone();
        b[0] = 'X';
        assertEquals(DropReason.BAD_MAGIC, ClocklinkCodec.checkFrame(b, 0, b.length));
        b = good.clone();
        b[Wire.OFF_VERSION] = 3;
        assertEquals(DropReason.BAD_VERSION, ClocklinkCodec.checkFrame(b, 0, b.length));
        b[Wire.OFF_VERSION] = 0;
        assertEquals(DropReason.BAD_VERSION, ClocklinkCodec.checkFrame(b, 0, b.length));
        b = good.clone();
        b[Wire.OFF_TYPE] = 9;
        assertEquals(DropReason.BAD_TYPE, ClocklinkCodec.checkFrame(b, 0, b.length));
        b = java.util.Arrays.copyOf(good, good.length + 4); // datagram longer than its length field
        assertEquals(DropReason.BAD_LENGTH, ClocklinkCodec.checkFrame(b, 0, b.length));
        b = good.clone();
        b[Wire.OFF_TYPE] = Wire.TYPE_SYNC_REQUEST; // a request's type on a response's length
        assertEquals(DropReason.BAD_LENGTH, ClocklinkCodec.checkFrame(b, 0, b.length));
        b = good.clone();
        b[Wire.OFF_KEY_ID + 3] = 8;
        assertNull(ClocklinkCodec.checkFrame(b, 0, b.length));
        assertEquals(DropReason.UNKNOWN_KEY, ClocklinkCodec.checkAuth(AUTH, b, 0, b.length));
        for (int i = 0; i < good.length; i++) {
            if (i >= Wire.OFF_KEY_ID && i < Wire.OFF_KEY_ID + 4) {
                continue;
            }
            for (int bit = 0; bit < 8; bit++) {
                b = good.clone();
                b[i] ^= (byte) (1 << bit);
                DropReason frame = ClocklinkCodec.checkFrame(b, 0, b.length);
                DropReason reason = frame != null ? frame : ClocklinkCodec.checkAuth(AUTH, b, 0, b.length);
                assertTrue(reason != null, "a flipped bit " + bit + " of byte " + i + " passed");
            }
        }
        ClocklinkAuth other = new ClocklinkAuth(ClocklinkKeys.parse("7 SHA256 HEX:" + "AB".repeat(32)));
        assertEquals(DropReason.FORGED, ClocklinkCodec.checkAuth(other, good, 0, good.length));
    }

    @Test
    void authenticBodiesOutOfRangeAreMalformed() {
        ClocklinkMessage m = golden(Wire.TYPE_SYNC_RESPONSE);
        m.txEpochNanos = m.rxEpochNanos - 10_000_000; // sent 10 ms before it was received
        assertEquals(DropReason.MALFORMED, bodyOf(m));
        m = golden(Wire.TYPE_SYNC_RESPONSE);
        m.tier = ClocklinkCodec.TIER_MAX + 1;
        assertEquals(DropReason.MALFORMED, bodyOf(m));
        m = golden(Wire.TYPE_SYNC_RESPONSE);
        m.role = 3;
        assertEquals(DropReason.MALFORMED, bodyOf(m));
        m = golden(Wire.TYPE_SYNC_REQUEST);
        m.term = -1;
        assertEquals(DropReason.MALFORMED, bodyOf(m));
        m = golden(Wire.TYPE_SYNC_UPDATE);
        m.entryVerdict[0] = ClocklinkCodec.VERDICT_MAX + 1;
        assertEquals(DropReason.MALFORMED, bodyOf(m));
        // An update whose count disagrees with its length (signed, so it passes the MAC).
        byte[] u = encodeSigned(golden(Wire.TYPE_SYNC_UPDATE));
        u[Wire.UPDATE_OFF_COUNT] = 3;
        AUTH.sign(u, 0, u.length);
        ClocklinkMessage d = new ClocklinkMessage();
        ClocklinkCodec.decodeHeader(u, 0, d);
        assertEquals(DropReason.MALFORMED, ClocklinkCodec.decodeBody(u, 0, u.length, d));
        // Names: control characters, bad UTF-8, non-zero padding.
        for (byte[] bad : new byte[][] {{'a', 1}, {(byte) 0xC3, (byte) 0x28}, {'a', 0, 'b'}}) {
            byte[] j = encodeSigned(golden(Wire.TYPE_JOIN));
            j[Wire.JOIN_OFF_NAME_LENGTH] = (byte) (bad[1] == 0 ? 1 : bad.length);
            System.arraycopy(bad, 0, j, Wire.JOIN_OFF_NAME, bad.length);
            AUTH.sign(j, 0, j.length);
            d = new ClocklinkMessage();
            ClocklinkCodec.decodeHeader(j, 0, d);
            assertEquals(DropReason.MALFORMED, ClocklinkCodec.decodeBody(j, 0, j.length, d), HexFormat.of().formatHex(bad));
        }
    }

    static DropReason bodyOf(ClocklinkMessage m) {
        byte[] b = encodeSigned(m);
        ClocklinkMessage d = new ClocklinkMessage();
        ClocklinkCodec.decodeHeader(b, 0, d);
        return ClocklinkCodec.decodeBody(b, 0, b.length, d);
    }

    @Test
    void wireHelpersSaturate() {
        assertEquals(Wire.U32_MAX, Wire.saturateU32(Long.MAX_VALUE));
        assertEquals(0, Wire.saturateU32(-5));
        assertEquals(Integer.MIN_VALUE, Wire.saturateI32(Long.MIN_VALUE));
        byte[] b = new byte[8];
        Wire.putI64(b, 0, -2);
        assertEquals(-2, Wire.getI64(b, 0));
        assertArrayEquals(new byte[] {-1, -1, -1, -1, -1, -1, -1, -2}, b);
        assertEquals(Wire.nodeNumber("a"), Wire.nodeNumber("a"));
        assertTrue(Wire.nodeNumber("a") != Wire.nodeNumber("b"));
    }
}
