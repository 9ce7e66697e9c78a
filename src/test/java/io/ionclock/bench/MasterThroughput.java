package io.ionclock.bench;

import io.ionclock.adapter.clock.SystemMonoClock;
import io.ionclock.adapter.net.ClocklinkUdp;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.clocklink.ClocklinkAuth;
import io.ionclock.core.clocklink.ClocklinkCodec;
import io.ionclock.core.clocklink.ClocklinkConfig;
import io.ionclock.core.clocklink.ClocklinkKeys;
import io.ionclock.core.clocklink.ClocklinkMessage;
import io.ionclock.core.clocklink.ClocklinkNode;
import io.ionclock.core.clocklink.Wire;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How many exchanges a second one master answers, in this JVM on loopback: a {@link ClocklinkUdp} master (the
 * appliance's adapter, {@code kernel} or {@code user} timestamping) and {@link #CLIENTS} joined clients (real JOINs
 * with the cookie challenge, then signed SYNC_REQUESTs asking for interleaving) sent round-robin at each offered
 * rate for a few seconds; counts the answers (a SYNC_RESPONSE of the right sequence) and their user-space round trip.
 * The load generator shares the 2 cores with the master, so the figure is a floor.
 *
 * <p>Run: {@code ./ionclock bench-master-throughput [kernel|user] [SECONDS_PER_RATE] [RATE...]} (defaults kernel, 5,
 * 1000 2000 4000 8000 exchanges a second).
 */
public final class MasterThroughput {
    static final int CLIENTS = 512;
    static final ClocklinkKeys KEYS = ClocklinkKeys.of(7, new long[] {7},
            new byte[][] {"a-bench-key-of-32-bytes-01234567".getBytes()});
    static final ClocklinkNode.LocalClock HOST_CLOCK = (monoNanos, out) -> {
        out.monoNanos = monoNanos;
        out.epochNanos = SystemMonoClock.HOST_EPOCH.epochNanos() - (System.nanoTime() - monoNanos);
        out.boundNanos = 1_000;
        out.status = ClockStatus.SYNCHRONIZED;
    };

    public static void main(String[] args) throws Exception {
        String timestamping = args.length > 0 ? args[0] : ClocklinkUdp.TIMESTAMPING_KERNEL;
        long secondsPerRate = args.length > 1 ? Long.parseLong(args[1]) : 5;
        long[] rates = args.length > 2 ? Arrays.stream(args, 2, args.length).mapToLong(Long::parseLong).toArray()
                : new long[] {1_000, 2_000, 4_000, 8_000};
        Vertx vertx = Vertx.vertx();
        ClocklinkUdp master = new ClocklinkUdp(vertx, SystemMonoClock.INSTANCE,
                ClocklinkConfig.master("bench-master", 1, KEYS, List.of()).withClients(CLIENTS, true)
                        .withClientRequestsPerRound(ClocklinkConfig.CLIENTS_MAX_LIMIT),
                HOST_CLOCK, new ClocklinkUdp.Options("127.0.0.1", 0, List.of(), timestamping, null));
        master.start(s -> { });
        try {
            Load load = new Load(new InetSocketAddress(InetAddress.getLoopbackAddress(), master.port()));
            load.joinAll();
            System.out.printf("master timestamping %s, %d clients joined%n", master.timestamping(), CLIENTS);
            for (long rate : rates) {
                load.run(rate, TimeUnit.SECONDS.toNanos(secondsPerRate));
            }
            ClocklinkUdp.View v = master.view();
            System.out.printf("master: failures %d, hand-off dropped %d, send failures %d, transmit times %d%n",
                    v.failures(), v.handoffDropped(), v.sendFailures(), v.transmitTimes());
        } finally {
            master.close();
            vertx.close();
        }
    }

    /** The clients: one channel each, driven from this thread. */
    static final class Load {
        final ClocklinkAuth auth = new ClocklinkAuth(KEYS);
        final DatagramChannel[] channels = new DatagramChannel[CLIENTS];
        final long[] counters = new long[CLIENTS];
        final long[] lastSeq = new long[CLIENTS];
        final long[] lastSentNanos = new long[CLIENTS];
        final boolean[] answered = new boolean[CLIENTS];
        final ClocklinkMessage m = new ClocklinkMessage();
        final byte[] buf = new byte[Wire.MESSAGE_BYTES_MAX + 1];
        final ByteBuffer out = ByteBuffer.allocate(Wire.MESSAGE_BYTES_MAX);
        final ByteBuffer in = ByteBuffer.allocate(Wire.MESSAGE_BYTES_MAX + 1);
        final Selector selector = Selector.open();

        Load(InetSocketAddress master) throws Exception {
            for (int i = 0; i < CLIENTS; i++) {
                channels[i] = DatagramChannel.open();
                channels[i].bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                channels[i].connect(master);
                channels[i].configureBlocking(false);
                channels[i].register(selector, SelectionKey.OP_READ, i);
                counters[i] = 1;
            }
        }

        /** Every client with something to read: {@code each} gets its index (after {@link #receive}). */
        void readReady(java.util.function.IntConsumer each) throws Exception {
            if (selector.selectNow() == 0) {
                return;
            }
            for (SelectionKey k : selector.selectedKeys()) {
                each.accept((Integer) k.attachment());
            }
            selector.selectedKeys().clear();
        }

        void send(int i, int type, long cookie) throws Exception {
            m.clear();
            m.type = type;
            m.role = Wire.ROLE_GATEWAY;
            m.sender = Wire.nodeNumber("load-" + i);
            m.keyId = 7;
            m.sequence = (1L << 32) | counters[i]++;
            if (type == Wire.TYPE_JOIN) {
                m.setName("load-" + i);
                m.cookie = cookie;
            } else {
                m.flags = Wire.FLAG_INTERLEAVED;
            }
            int len = ClocklinkCodec.encode(m, buf, 0);
            auth.sign(buf, 0, len);
            out.clear();
            out.put(buf, 0, len).flip();
            channels[i].write(out);
            lastSeq[i] = m.sequence;
            lastSentNanos[i] = System.nanoTime();
            answered[i] = false;
        }

        /** Reads what client {@code i} got; returns the message type of the last authentic one, or -1. */
        int receive(int i) throws Exception {
            int type = -1;
            while (true) {
                in.clear();
                if (channels[i].read(in) <= 0) {
                    return type;
                }
                int len = in.position();
                in.flip().get(buf, 0, len);
                if (ClocklinkCodec.checkFrame(buf, 0, len) != null || ClocklinkCodec.checkAuth(auth, buf, 0, len) != null) {
                    continue;
                }
                ClocklinkCodec.decodeHeader(buf, 0, m);
                if (ClocklinkCodec.decodeBody(buf, 0, len, m) != null) {
                    continue;
                }
                type = m.type;
                if (m.type == Wire.TYPE_JOIN_ACK && m.joinResult == Wire.JOIN_CHALLENGE) {
                    send(i, Wire.TYPE_JOIN, m.cookie);
                } else if (m.type == Wire.TYPE_SYNC_RESPONSE && m.echoSequence == lastSeq[i]) {
                    answered[i] = true;
                }
            }
        }

        void joinAll() throws Exception {
            boolean[] joined = new boolean[CLIENTS];
            int n = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; i < CLIENTS; i++) {
                send(i, Wire.TYPE_JOIN, 0);
            }
            int[] count = {0};
            while (count[0] < CLIENTS && System.nanoTime() < deadline) {
                readReady(i -> {
                    try {
                        if (!joined[i] && receive(i) == Wire.TYPE_JOIN_ACK && m.joinResult == Wire.JOIN_ACCEPTED) {
                            joined[i] = true;
                            count[0]++;
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                LockSupport.parkNanos(100_000);
            }
            n = count[0];
            if (n < CLIENTS) {
                throw new IllegalStateException("only " + n + " of " + CLIENTS + " clients joined");
            }
        }

        void run(long ratePerSecond, long durationNanos) throws Exception {
            long intervalNanos = 1_000_000_000L / ratePerSecond;
            long start = System.nanoTime();
            long next = start;
            long sent = 0;
            long[] got = {0};
            long[] roundTrips = new long[(int) (ratePerSecond * durationNanos / 1_000_000_000L) + CLIENTS];
            int client = 0;
            while (System.nanoTime() - start < durationNanos) {
                long now = System.nanoTime();
                while (next <= now && sent < roundTrips.length - CLIENTS) {
                    send(client, Wire.TYPE_SYNC_REQUEST, 0);
                    sent++;
                    client = (client + 1) % CLIENTS;
                    next += intervalNanos;
                }
                readReady(i -> {
                    try {
                        if (!answered[i] && receive(i) >= 0 && answered[i]) {
                            roundTrips[(int) got[0]++] = System.nanoTime() - lastSentNanos[i];
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                LockSupport.parkNanos(20_000);
            }
            long[] rt = Arrays.copyOf(roundTrips, (int) got[0]);
            Arrays.sort(rt);
            double seconds = durationNanos / 1e9;
            System.out.printf("offered %5d/s: answered %7.1f/s (%d of %d, %.2f%% lost or late), round trip p50 %d us,"
                    + " p99 %d us%n", ratePerSecond, got[0] / seconds, got[0], sent, 100.0 * (sent - got[0]) / Math.max(1, sent),
                    rt.length == 0 ? -1 : rt[rt.length / 2] / 1_000, rt.length == 0 ? -1 : rt[(int) (rt.length * 0.99)] / 1_000);
        }
    }
}
