package io.ionclock.core.clocklink;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongToIntFunction;

/**
 * Everything a node sends goes through here: one message buffer, the header (role, number, flags, key id), the
 * sequence numbers (counted per destination, so a receiver sees a dense sequence from us however many peers we serve:
 * its replay window is 64 wide), encoding, signing, and the traffic counts; and every drop of a received packet is
 * counted here, per node and per source.
 *
 * <p>Sequences are {@code incarnation << 32 | counter}. Destinations are numbered by the node ({@code counterOf}): its
 * links, then its client slots, then one shared counter for strangers. When a counter runs out, a higher incarnation
 * makes every later sequence higher than all before and every counter starts again.
 */
final class Transmitter {
    private final ClocklinkAuth auth;
    private final ClocklinkNode.Outbox outbox;
    private final int nodeNumber;
    private final int role;
    private final IntSupplier flags;
    private final LongToIntFunction counterOf;
    private final long[] counters;
    private final int strangers;
    private int incarnation;
    private final byte[] buf = new byte[Wire.MESSAGE_BYTES_MAX];
    private final ClocklinkMessage tx = new ClocklinkMessage();

    private long messagesSent;
    private long bytesSent;
    private long messagesReceived;
    // Timestamps (the node counts them here, with the traffic).
    long interleavedExchanges; // exchanges completed with the server's true t3 (interleaved mode)
    long interleaveMisses; // held exchanges the next answer did not complete (a loss, no transmit time)
    long transmitTimes; // transmit times that matched a request or response in flight
    long transmitTimesUnmatched; // ... that matched nothing, or were implausible
    private final long[] drops = new long[DropReason.VALUES.length];

    /**
     * @param flags       the header flags at the instant of sending (leader, has reference)
     * @param counters    destinations with their own counter: the node's links and client slots
     * @param counterOf   a destination's counter (0 .. counters - 1) by address token, or -1 for a stranger
     */
    Transmitter(ClocklinkAuth auth, ClocklinkNode.Outbox outbox, int nodeNumber, boolean master, int incarnation,
            IntSupplier flags, int counters, LongToIntFunction counterOf) {
        this.auth = auth;
        this.outbox = outbox;
        this.nodeNumber = nodeNumber;
        this.role = master ? Wire.ROLE_MASTER : Wire.ROLE_GATEWAY;
        this.incarnation = incarnation;
        this.flags = flags;
        this.counterOf = counterOf;
        this.counters = new long[counters + 1];
        this.strangers = counters;
    }

    /** The message to fill: cleared, of {@code type}. Send it with {@link #send}. */
    ClocklinkMessage message(int type) {
        tx.clear();
        tx.type = type;
        return tx;
    }

    /** Fills the header, encodes, signs and sends the message; returns its sequence number. */
    long send(long token) {
        int counter = counterOf.applyAsInt(token);
        int k = counter < 0 ? strangers : counter;
        long c = counters[k]++;
        if (c > Wire.U32_MAX) {
            incarnation = incarnation == Integer.MAX_VALUE ? incarnation : incarnation + 1;
            Arrays.fill(counters, 0);
            c = 0;
            counters[k] = 1;
        }
        long seq = ((long) incarnation << 32) | c;
        tx.role = role;
        tx.sender = nodeNumber;
        tx.keyId = auth.sendKeyId();
        tx.sequence = seq;
        tx.flags |= flags.getAsInt(); // the node's state, with what the caller set for this message
        int len = ClocklinkCodec.encode(tx, buf, 0);
        auth.sign(buf, 0, len);
        messagesSent++;
        bytesSent += len;
        outbox.send(token, buf, 0, len);
        return seq;
    }

    /** The destination's counter index (a link's, a client slot's), or -1 for a stranger. */
    int counterIndex(long token) {
        return counterOf.applyAsInt(token);
    }

    /** A new client in slot {@code client} continues the strangers' counter (above anything it had from us as one). */
    void startClientCounter(int client) {
        counters[client] = counters[strangers];
    }

    /** This node's incarnation now (it grows when a counter runs out). */
    /** The header flags this node's messages carry now. */
    int flagsNow() {
        return flags.getAsInt();
    }

    int incarnation() {
        return incarnation;
    }

    void received() {
        messagesReceived++;
    }

    /** Counts a dropped packet, and against its source's counts when it has one ({@code sourceDrops}, or null). */
    void dropped(DropReason reason, long[] sourceDrops) {
        drops[reason.ordinal()]++;
        if (sourceDrops != null) {
            sourceDrops[reason.ordinal()]++;
        }
    }

    long dropped(DropReason reason) {
        return drops[reason.ordinal()];
    }

    Map<String, Long> droppedByReason() {
        return nonZero(drops);
    }

    long messagesSent() {
        return messagesSent;
    }

    long bytesSent() {
        return bytesSent;
    }

    long messagesReceived() {
        return messagesReceived;
    }

    /** Counts by reason, only the non-zero ones. */
    static Map<String, Long> nonZero(long[] counts) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (DropReason r : DropReason.VALUES) {
            if (counts[r.ordinal()] != 0) {
                m.put(r.name(), counts[r.ordinal()]);
            }
        }
        return m;
    }
}
