package io.ionclock.bench;

import io.ionclock.adapter.clock.SystemMonoClock;
import io.ionclock.adapter.net.NanosHistogram;
import io.ionclock.adapter.net.NtpServerUdp;
import io.ionclock.core.ClockReading;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.LeapIndicator;
import io.ionclock.core.ntp.NtpPacket;
import io.ionclock.core.ntp.NtpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Answers a second of the appliance's NTP server adapter ({@link NtpServerUdp}, kernel timestamps) in this JVM on
 * loopback, against the host clock: {@link #CLIENT_SOCKETS} client sockets (one port each, one address, the per-client
 * rate limit lifted) send 48-byte v4 client requests round-robin at each offered rate for a few seconds; a second
 * thread counts the answers. Prints answers/s and the server's kernel receive to kernel transmit p50/p99/p99.9 over
 * each run. The load generator shares the machine's cores with the server, so the figures are a floor.
 *
 * <p>Run: {@code ./ionclock bench-ntp-server [SECONDS_PER_RATE] [RATE...]} (defaults 5 s, 10000 25000 50000 75000
 * 100000 requests a second).
 */
public final class NtpServerThroughput {
    static final int CLIENT_SOCKETS = 64;
    static final long DRAIN_NANOS = 300_000_000L;
    static final NtpServer.Clock HOST_CLOCK = new NtpServer.Clock() {
        @Override
        public long monoNanos() {
            return System.nanoTime();
        }

        @Override
        public void readAt(long monoNanos, ClockReading out) {
            out.monoNanos = monoNanos;
            out.epochNanos = SystemMonoClock.HOST_EPOCH.epochNanos() - (System.nanoTime() - monoNanos);
            out.boundNanos = 1_000;
            out.status = ClockStatus.SYNCHRONIZED;
        }
    };

    public static void main(String[] args) throws Exception {
        long secondsPerRate = args.length > 0 ? Long.parseLong(args[0]) : 5;
        long[] rates = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToLong(Long::parseLong).toArray()
                : new long[] {10_000, 25_000, 50_000, 75_000, 100_000};
        NtpServer.Reference reference = new NtpServer.Reference(new NtpServer.Upstream(1, NtpPacket.REFID_PPS, 0),
                LeapIndicator.NONE, SystemMonoClock.HOST_EPOCH.epochNanos());
        try (NtpServerUdp server = new NtpServerUdp(SystemMonoClock.INSTANCE, HOST_CLOCK, () -> reference,
                new NtpServerUdp.Options(List.of("127.0.0.1"), 0, NtpServerUdp.TIMESTAMPING_KERNEL, 4096, 1_000_000,
                        1_000_000))) {
            server.start();
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.ports().get(0));
            System.out.printf("NTP server timestamping %s on %s, %d client sockets, %d cores%n", server.timestamping(), to,
                    CLIENT_SOCKETS, Runtime.getRuntime().availableProcessors());
            List<DatagramChannel> clients = new ArrayList<>();
            Selector selector = Selector.open();
            for (int i = 0; i < CLIENT_SOCKETS; i++) {
                DatagramChannel c = DatagramChannel.open();
                c.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                c.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20);
                c.configureBlocking(false);
                c.register(selector, SelectionKey.OP_READ);
                clients.add(c);
            }
            AtomicLong answers = new AtomicLong();
            Thread receiver = Thread.ofPlatform().daemon().name("bench-rx").start(() -> receive(selector, answers));
            run(server, clients, to, answers, 10_000, 2); // warm-up
            System.out.println("offered/s  sent/s  answered/s  answered%  rx->tx p50 us  p99 us  p99.9 us  send failures");
            for (long rate : rates) {
                run(server, clients, to, answers, rate, secondsPerRate);
            }
            receiver.interrupt();
            selector.close();
            for (DatagramChannel c : clients) {
                c.close();
            }
            NtpServerUdp.View v = server.view();
            System.out.printf("totals: requests %d, basic %d, drops %s, bytes in %d, out %d%n", v.requests(),
                    v.responsesBasic(), v.drops(), v.bytesReceived(), v.bytesSent());
        }
    }

    static void run(NtpServerUdp server, List<DatagramChannel> clients, InetSocketAddress to, AtomicLong answers,
            long rate, long seconds) throws Exception {
        ByteBuffer req = ByteBuffer.allocateDirect(NtpPacket.SIZE_BYTES);
        NtpPacket p = new NtpPacket();
        p.version = 4;
        p.mode = NtpPacket.MODE_CLIENT;
        long[] countsBefore = server.rxToTxCounts();
        long answersBefore = answers.get();
        long sent = 0;
        long failures = 0;
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long periodNanos = 1_000_000_000L / rate;
        long next = start;
        byte[] bytes = new byte[NtpPacket.SIZE_BYTES];
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            // Send what is due, in bursts of at most 64 (the pacing catches up if late).
            int burst = 0;
            while (next <= now && burst < 64) {
                p.transmitTimestamp = sent;
                p.write(bytes, 0);
                req.clear();
                req.put(bytes).flip();
                if (clients.get((int) (sent % clients.size())).send(req, to) == 0) {
                    failures++;
                }
                sent++;
                burst++;
                next += periodNanos;
            }
            if (burst == 0) {
                long waitNanos = next - now;
                if (waitNanos > 50_000) {
                    LockSupport.parkNanos(waitNanos - 20_000);
                } else {
                    Thread.onSpinWait();
                }
            }
        }
        long elapsed = System.nanoTime() - start;
        LockSupport.parkNanos(DRAIN_NANOS);
        long got = answers.get() - answersBefore;
        long[] countsAfter = server.rxToTxCounts();
        long[] diff = new long[countsAfter.length];
        for (int i = 0; i < diff.length; i++) {
            diff[i] = countsAfter[i] - countsBefore[i];
        }
        double secs = elapsed / 1e9;
        System.out.printf("%9d  %6.0f  %10.0f  %8.1f%%  %13.1f  %6.1f  %8.1f  %d%n", rate, sent / secs, got / secs,
                100.0 * got / Math.max(1, sent), NanosHistogram.percentileNanos(diff, 50) / 1e3,
                NanosHistogram.percentileNanos(diff, 99) / 1e3, NanosHistogram.percentileNanos(diff, 99.9) / 1e3,
                failures);
    }

    static void receive(Selector selector, AtomicLong answers) {
        ByteBuffer buf = ByteBuffer.allocateDirect(2048);
        try {
            while (!Thread.currentThread().isInterrupted() && selector.isOpen()) {
                if (selector.select(100) == 0) {
                    continue;
                }
                for (SelectionKey k : selector.selectedKeys()) {
                    DatagramChannel c = (DatagramChannel) k.channel();
                    while (true) {
                        buf.clear();
                        if (c.receive(buf) == null) {
                            break;
                        }
                        answers.incrementAndGet();
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (Exception e) {
            if (selector.isOpen()) {
                e.printStackTrace();
            }
        }
    }
}
