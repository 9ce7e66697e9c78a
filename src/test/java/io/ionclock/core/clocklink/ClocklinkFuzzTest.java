package io.ionclock.core.clocklink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.Sample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Any bytes into the codec, the auth path and a live node: no exception, no hang, every packet either handled or
 * counted under exactly one drop reason, and nothing but a completed exchange ever yields a sample. Runs its seeds
 * ({@code src/test/resources/io/ionclock/core/clocklink/ClocklinkFuzzTestInputs/<method>/}, golden messages) plus an
 * empty input in regression mode under plain JUnit. To fuzz (60 s a method):
 * {@code JAZZER_FUZZ=1 ./mvnw test -Dtest='ClocklinkFuzzTest#node'}.
 */
class ClocklinkFuzzTest {
    static final ClocklinkAuth AUTH = new ClocklinkAuth(WireCodecTest.KEYS);

    /** Raw bytes: checks in order, never an exception; what passes decodes to what re-encodes. */
    @FuzzTest(maxDuration = "60s")
    void decode(byte[] data) {
        check(data, 0, data.length);
        byte[] padded = new byte[data.length + 3];
        System.arraycopy(data, 0, padded, 2, data.length);
        check(padded, 2, data.length);
    }

    /**
     * The bytes signed as if by a key holder, with the length field made right: reaches the body decoder, which must
     * reject out-of-range fields and accept only what round-trips.
     */
    @FuzzTest(maxDuration = "60s")
    void signedBodies(byte[] data) {
        if (data.length < Wire.HEADER_SIZE_BYTES + Wire.MAC_SIZE_BYTES || data.length > Wire.MESSAGE_BYTES_MAX) {
            assertTrue(ClocklinkCodec.checkFrame(data, 0, data.length) != null);
            return;
        }
        byte[] b = data.clone();
        Wire.putU16(b, Wire.OFF_MAGIC, Wire.MAGIC);
        b[Wire.OFF_VERSION] = (byte) (Wire.VERSION_MIN + (data[0] & 1)); // both versions
        Wire.putU16(b, Wire.OFF_LENGTH, b.length);
        Wire.putI32(b, Wire.OFF_KEY_ID, 7);
        AUTH.sign(b, 0, b.length);
        check(b, 0, b.length);
    }

    static void check(byte[] buf, int off, int len) {
        DropReason frame = ClocklinkCodec.checkFrame(buf, off, len);
        if (frame != null) {
            return;
        }
        assertTrue(len >= Wire.HEADER_SIZE_BYTES + Wire.MAC_SIZE_BYTES && len <= Wire.MESSAGE_BYTES_MAX);
        if (ClocklinkCodec.checkAuth(AUTH, buf, off, len) != null) {
            return;
        }
        ClocklinkMessage m = new ClocklinkMessage();
        ClocklinkCodec.decodeHeader(buf, off, m);
        if (ClocklinkCodec.decodeBody(buf, off, len, m) != null) {
            return;
        }
        byte[] again = new byte[Wire.MESSAGE_BYTES_MAX];
        int n = ClocklinkCodec.encode(m, again, 0);
        assertEquals(len, n);
        AUTH.sign(again, 0, n);
        ClocklinkMessage d = new ClocklinkMessage();
        assertNull(ClocklinkCodec.checkFrame(again, 0, n));
        assertNull(ClocklinkCodec.checkAuth(AUTH, again, 0, n));
        ClocklinkCodec.decodeHeader(again, 0, d);
        assertNull(ClocklinkCodec.decodeBody(again, 0, n, d));
        assertEquals(m.type, d.type);
        assertEquals(m.sequence, d.sequence);
        assertEquals(m.term, d.term);
        assertEquals(m.rxEpochNanos, d.rxEpochNanos);
        assertEquals(m.entryCount, d.entryCount);
        assertEquals(m.version, d.version);
        assertEquals(m.xleaveEcho, d.xleaveEcho);
        assertEquals(m.xleaveTxDelayNanos, d.xleaveTxDelayNanos);
    }

    /**
     * A live master (one configured peer, room for clients) fed the input cut into datagrams from several addresses,
     * each both as is and signed: every datagram is one receive, drops are counted once, no sample comes of it, and
     * the node still serves a well-formed request afterwards.
     */
    @FuzzTest(maxDuration = "60s")
    void node(byte[] data) {
        List<Sample> samples = new ArrayList<>();
        List<byte[]> out = new ArrayList<>();
        ClockReading[] clock = {null};
        ClocklinkConfig cfg = ClocklinkConfig.master("fuzz", 1, WireCodecTest.KEYS, MiniNet.peers(1)).withClients(4, true);
        ClocklinkNode node = new ClocklinkNode(cfg, (mono, r) -> {
            r.monoNanos = mono;
            r.epochNanos = MiniNet.EPOCH0 + mono;
            r.boundNanos = 1_000;
            r.status = ClockStatus.SYNCHRONIZED;
        }, (token, buf, off, len) -> out.add(Arrays.copyOfRange(buf, off, off + len)), samples::add);
        long now = 1_000_000_000L;
        node.start(now);
        node.setKernelTimestamps(data.length > 0 && (data[0] & 8) != 0); // half the inputs interleave
        int packets = 0;
        int pos = 0;
        while (pos < data.length) {
            int len = Math.min(data.length - pos, 1 + (data[pos] & 0xFF) * 3);
            byte[] d = Arrays.copyOfRange(data, pos, pos + len);
            pos += len;
            long token = (d[0] & 3);
            now += 1_000_000;
            long next = node.onPacket(now, now - 10, d, 0, d.length, token);
            assertTrue(next > now - 1_000_000_000L);
            packets++;
            if (d.length >= Wire.HEADER_SIZE_BYTES + Wire.MAC_SIZE_BYTES && d.length <= Wire.MESSAGE_BYTES_MAX) {
                byte[] s = d[Wire.OFF_TYPE] == Wire.TYPE_JOIN ? Arrays.copyOf(d, Wire.JOIN_SIZE_BYTES) : d.clone();
                Wire.putU16(s, Wire.OFF_MAGIC, Wire.MAGIC);
                s[Wire.OFF_VERSION] = (byte) (Wire.VERSION_MIN + ((d[0] >> 4) & 1));
                Wire.putU16(s, Wire.OFF_LENGTH, s.length);
                Wire.putI32(s, Wire.OFF_KEY_ID, 7);
                if (s[Wire.OFF_TYPE] == Wire.TYPE_JOIN && (d[0] & 4) != 0) {
                    // A JOIN of any chunk length, answering the last CHALLENGE: so the client paths are fuzzed too.
                    Wire.putI64(s, Wire.JOIN_OFF_COOKIE, lastChallengeCookie(out));
                }
                AUTH.sign(s, 0, s.length);
                node.onPacket(now, now, s, 0, s.length, token);
                packets++;
            }
            if (d.length >= 3) { // a transmit time the transport reports: any token, sequence and time
                node.onTransmitted(now, d[1] & 3, out.isEmpty() ? d[2] : Wire.sequence(out.get(out.size() - 1), 0) + (d[2] & 1),
                        now - (d[2] & 0x7F) * 1_000L);
            }
            node.onTimer(now);
        }
        assertEquals(packets, node.view().messagesReceived());
        long dropped = node.view().droppedByReason().values().stream().mapToLong(Long::longValue).sum();
        assertTrue(dropped <= packets);
        assertTrue(samples.isEmpty(), "garbage produced a sample");
        for (byte[] o : out) {
            assertTrue(o.length <= Wire.MESSAGE_BYTES_MAX);
            assertNull(ClocklinkCodec.checkFrame(o, 0, o.length));
        }
        assertTrue(node.view().clientCount() <= 4);
    }

    /** The cookie of the newest CHALLENGE the node sent, or 0. */
    private static long lastChallengeCookie(List<byte[]> out) {
        for (int i = out.size() - 1; i >= 0; i--) {
            byte[] o = out.get(i);
            if (o.length == Wire.JOIN_ACK_SIZE_BYTES && o[Wire.OFF_TYPE] == Wire.TYPE_JOIN_ACK
                    && o[Wire.JOIN_ACK_OFF_RESULT] == Wire.JOIN_CHALLENGE) {
                return Wire.getI64(o, Wire.JOIN_ACK_OFF_COOKIE);
            }
        }
        return 0;
    }
}
