package io.ionclock.sim;

import io.ionclock.core.clocklink.ClocklinkAuth;
import io.ionclock.core.clocklink.Wire;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * The links between the nodes: every datagram sent goes through {@link #send}, which counts it, digests it, and then
 * loses it, drops it at a partition, or puts it in flight (a slot holding a copy, a liar's rewritten) with its delay
 * and send-timestamp noise; the event loop delivers it at {@link #deliverAtNanos} and then {@link #free}s the slot.
 * Everything random here comes from the network's own random, drawn in the order the calls come.
 *
 * <p>Delay: base + jitter (exponential or Gaussian), + the asymmetry on the upward direction, never below 1 µs.
 * Timestamps: Gaussian noise of sigma {@code link.timestampJitterNanos} clipped at {@link #TIMESTAMP_SIGMAS} sigma,
 * the bound the nodes are told ({@link #timestampNanosMax}).
 */
final class Network {
    /** Timestamp noise is clipped at this many sigma. */
    static final double TIMESTAMP_SIGMAS = 3;

    private final Scenario.Link link;
    private final Topology topology;
    private final FaultPlan faults;
    private final ClocklinkAuth auth;
    private final SplittableRandom netRnd;
    private final long warmupNanos;
    private final long tsSigmaNanos;
    private final long tsMaxNanos;

    // Packets in flight.
    private byte[][] slotBuf = new byte[256][];
    private int[] slotLen = new int[256];
    private int[] slotSrc = new int[256];
    private int[] slotDst = new int[256];
    private long[] slotDeliverAtNanos = new long[256];
    private long[] slotDepartNanos = new long[256]; // the true instant it left: what a kernel transmit timestamp reads
    private boolean[] slotTxPending = new boolean[256]; // its transmit time not yet reported to the sender
    private int[] freeSlots = new int[256];
    private int freeCount;
    private int slotsUsed;

    // Traffic.
    private final DatagramDigest sent = new DatagramDigest();
    private final long[] bytesSentByNode;
    private final long[] bytesSentSteadyByNode;
    private final long[] bytesToSteadyByNode; // addressed to the node after the warm-up (lost or not)
    private long messages;
    private long bytes;
    private long messagesSteady;
    private long bytesSteady;
    private int messageBytesMax;
    private long lost;
    private long partitioned;

    /**
     * @param auth   signs what a liar rewrites
     * @param netRnd the network's own random (loss, delay jitter, timestamp noise)
     */
    Network(Scenario sc, Topology topology, FaultPlan faults, ClocklinkAuth auth, SplittableRandom netRnd) {
        this.link = sc.link();
        this.topology = topology;
        this.faults = faults;
        this.auth = auth;
        this.netRnd = netRnd;
        this.warmupNanos = Math.round(sc.warmupSeconds() * FleetSim.SECOND);
        this.tsSigmaNanos = Math.round(link.timestampJitterNanos());
        this.tsMaxNanos = (long) Math.ceil(TIMESTAMP_SIGMAS * tsSigmaNanos);
        this.bytesSentByNode = new long[topology.nodes];
        this.bytesSentSteadyByNode = new long[topology.nodes];
        this.bytesToSteadyByNode = new long[topology.nodes];
    }

    /** The largest timestamp error: what the nodes are told. */
    long timestampNanosMax() {
        return tsMaxNanos;
    }

    /**
     * Node {@code src} sends {@code len} bytes to node {@code dst} at true instant {@code tNanos}.
     *
     * @return the slot now in flight (deliver it at {@link #deliverAtNanos}), or -1: no such node, lost or partitioned
     */
    int send(long tNanos, int src, int dst, byte[] buf, int off, int len) {
        sent.add(tNanos, src, dst, buf, off, len);
        messages++;
        bytes += len;
        bytesSentByNode[src] += len;
        if (tNanos >= warmupNanos) {
            messagesSteady++;
            bytesSteady += len;
            bytesSentSteadyByNode[src] += len;
            if (dst >= 0 && dst < topology.nodes) {
                bytesToSteadyByNode[dst] += len;
            }
        }
        messageBytesMax = Math.max(messageBytesMax, len);
        if (dst < 0 || dst >= topology.nodes) {
            return -1;
        }
        if (link.lossPercent() > 0 && netRnd.nextDouble() * 100 < link.lossPercent()) {
            lost++;
            return -1;
        }
        if (faults.cut(src, dst, tNanos)) {
            partitioned++;
            return -1;
        }
        int slot = allocSlot();
        System.arraycopy(buf, off, slotBuf[slot], 0, len);
        slotLen[slot] = len;
        slotSrc[slot] = src;
        slotDst[slot] = dst;
        if (faults.lying(src, tNanos)) {
            lie(slotBuf[slot], len, faults.lieShiftNanos(src, dst));
        }
        // The packet leaves after the node's send call, never before: by a half-normal latency (the noise's size). The
        // node's own t1/t3 (the send event) is that much early; the kernel's transmit time (reported back) is exact.
        long txNoise = Math.abs(timestampNoiseNanos());
        long arrival = tNanos + txNoise + delayNanos(src, dst);
        slotDepartNanos[slot] = tNanos + txNoise;
        slotTxPending[slot] = true;
        // The packet event runs tsMax after the true arrival, so the receive timestamp (arrival +- tsMax) is never after "now".
        slotDeliverAtNanos[slot] = Math.max(tNanos + 1, arrival + tsMaxNanos);
        return slot;
    }

    /** A liar shifts every time it reports: the responses' timestamps and the update's offsets; then re-signs. */
    private void lie(byte[] b, int len, long shift) {
        int type = Wire.type(b, 0);
        if (type == Wire.TYPE_SYNC_RESPONSE) {
            Wire.putI64(b, Wire.RESPONSE_OFF_RX_EPOCH, Wire.getI64(b, Wire.RESPONSE_OFF_RX_EPOCH) + shift);
            Wire.putI64(b, Wire.RESPONSE_OFF_TX_EPOCH, Wire.getI64(b, Wire.RESPONSE_OFF_TX_EPOCH) + shift);
        } else if (type == Wire.TYPE_SYNC_UPDATE) {
            int count = b[Wire.UPDATE_OFF_COUNT] & 0xFF;
            for (int k = 0; k < count; k++) {
                int e = Wire.UPDATE_OFF_ENTRIES + k * Wire.UPDATE_ENTRY_SIZE_BYTES + Wire.ENTRY_OFF_OFFSET;
                Wire.putI32(b, e, Wire.saturateI32(Wire.getI32(b, e) + shift));
            }
        } else {
            return;
        }
        auth.sign(b, 0, len);
    }

    private long timestampNoiseNanos() {
        if (tsSigmaNanos == 0) {
            return 0;
        }
        double g = Math.max(-TIMESTAMP_SIGMAS, Math.min(TIMESTAMP_SIGMAS, netRnd.nextGaussian()));
        return Math.round(g * tsSigmaNanos);
    }

    /** One-way delay: base + jitter, + the asymmetry on the upward direction (gateway to server; master to lower index). */
    private long delayNanos(int src, int dst) {
        double d = link.delayMicros() * 1000;
        double j = link.jitterMicros() * 1000;
        if (j > 0) {
            if (link.exponential()) {
                d += -j * Math.log(1 - netRnd.nextDouble());
            } else {
                d += j * netRnd.nextGaussian();
            }
        }
        if (topology.upward(src, dst)) {
            d += link.asymmetryMicros() * 1000;
        }
        return Math.max(1_000, Math.round(d));
    }

    /**
     * The receive timestamp of a packet delivered at true instant {@code tNanos} to a node whose oscillator is
     * {@code dstOsc} and reads {@code monoNanos} then: the true arrival ({@link #timestampNanosMax} earlier) plus noise,
     * never after {@code monoNanos}.
     */
    long rxMonoNanos(Oscillator dstOsc, long tNanos, long monoNanos) {
        long rxNoise = timestampNoiseNanos();
        return Math.min(monoNanos, dstOsc.mono(tNanos - tsMaxNanos + rxNoise));
    }

    /** The true instant to deliver the packet in {@code slot}. */
    long deliverAtNanos(int slot) {
        return slotDeliverAtNanos[slot];
    }

    /**
     * The true instant the packet in {@code slot} left its sender: a kernel transmit timestamp (the sender's node took
     * its own timestamp at the send event, off by the timestamp noise; the kernel's is the departure itself).
     */
    long departNanos(int slot) {
        return slotDepartNanos[slot];
    }

    /** Whether the slot's transmit time is still to be reported to its sender; true once (then it is reported). */
    boolean takeTransmit(int slot) {
        boolean pending = slotTxPending[slot];
        slotTxPending[slot] = false;
        return pending;
    }

    int source(int slot) {
        return slotSrc[slot];
    }

    int destination(int slot) {
        return slotDst[slot];
    }

    /** The packet's bytes, from offset 0 (valid until {@link #free}). */
    byte[] buffer(int slot) {
        return slotBuf[slot];
    }

    int length(int slot) {
        return slotLen[slot];
    }

    private int allocSlot() {
        if (freeCount > 0) {
            return freeSlots[--freeCount];
        }
        if (slotsUsed == slotBuf.length) {
            int size = slotBuf.length * 2;
            slotBuf = Arrays.copyOf(slotBuf, size);
            slotLen = Arrays.copyOf(slotLen, size);
            slotSrc = Arrays.copyOf(slotSrc, size);
            slotDst = Arrays.copyOf(slotDst, size);
            slotDeliverAtNanos = Arrays.copyOf(slotDeliverAtNanos, size);
            slotDepartNanos = Arrays.copyOf(slotDepartNanos, size);
            slotTxPending = Arrays.copyOf(slotTxPending, size);
            freeSlots = Arrays.copyOf(freeSlots, size);
        }
        slotBuf[slotsUsed] = new byte[Wire.MESSAGE_BYTES_MAX];
        return slotsUsed++;
    }

    /** The packet in {@code slot} was delivered (or dropped at a crashed node): the slot may be reused. */
    void free(int slot) {
        freeSlots[freeCount++] = slot;
    }

    // ---------------------------------------------------------------- traffic

    /** Datagrams sent, lost and partitioned included. */
    long messages() {
        return messages;
    }

    long bytes() {
        return bytes;
    }

    /** Datagrams sent from the end of the warm-up on. */
    long messagesSteady() {
        return messagesSteady;
    }

    long bytesSteady() {
        return bytesSteady;
    }

    /** The most bytes any one node sent. */
    long bytesSentBusiestNode() {
        long busiest = 0;
        for (long b : bytesSentByNode) {
            busiest = Math.max(busiest, b);
        }
        return busiest;
    }

    /** The most bytes any one node of those {@code which} accepts sent after the warm-up. */
    long bytesSentSteadyBusiest(IntPredicate which) {
        long busiest = 0;
        for (int i = 0; i < bytesSentSteadyByNode.length; i++) {
            if (which.test(i)) {
                busiest = Math.max(busiest, bytesSentSteadyByNode[i]);
            }
        }
        return busiest;
    }

    /** The mean bytes sent and addressed to a node of those {@code which} accepts, after the warm-up (0: none). */
    double bytesSteadyMean(IntPredicate which) {
        long sum = 0;
        int count = 0;
        for (int i = 0; i < bytesSentSteadyByNode.length; i++) {
            if (which.test(i)) {
                sum += bytesSentSteadyByNode[i] + bytesToSteadyByNode[i];
                count++;
            }
        }
        return count == 0 ? 0 : (double) sum / count;
    }

    int messageBytesMax() {
        return messageBytesMax;
    }

    long lost() {
        return lost;
    }

    long partitioned() {
        return partitioned;
    }

    /** The digest of every datagram sent ({@link DatagramDigest}), 16 hex digits. */
    String sentDigestHex() {
        return sent.hex();
    }
}
