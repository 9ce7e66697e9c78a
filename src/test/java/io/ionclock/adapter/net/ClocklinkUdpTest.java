package io.ionclock.adapter.net;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.adapter.clock.SystemMonoClock;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.Sample;
import io.ionclock.core.clocklink.ClocklinkConfig;
import io.ionclock.core.clocklink.ClocklinkKeys;
import io.ionclock.core.clocklink.ClocklinkNode;
import io.ionclock.core.clocklink.DropReason;
import io.ionclock.core.clocklink.PeerStatus;
import io.ionclock.core.clocklink.Wire;
import io.vertx.core.Vertx;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The adapter on real Vert.x UDP sockets on loopback, one JVM: a flood of garbage from many source addresses is
 * counted, keeps the address table within its limit and does not stop the loop; a gateway then still joins the
 * master and gets Clocklink samples through the same adapter.
 */
class ClocklinkUdpTest {
    static final Duration DEADLINE = Duration.ofSeconds(30);
    static final int FLOOD_SOURCES = 300;
    static final int FLOOD_PER_SOURCE = 3;
    static final int FLOOD_BATCH_SOURCES = 50;
    static final ClocklinkKeys KEYS = ClocklinkKeys.of(7, new long[] {7}, new byte[][] {"a-test-key-of-32-bytes-0123456789".getBytes()});

    final Vertx vertx = Vertx.vertx();
    final List<ClocklinkUdp> adapters = new ArrayList<>();

    /** A published clock that is the host clock, synchronized within 1 µs: the master in this test. */
    static final ClocklinkNode.LocalClock HOST_CLOCK = (monoNanos, out) -> {
        long nowMono = System.nanoTime();
        out.monoNanos = monoNanos;
        out.epochNanos = SystemMonoClock.HOST_EPOCH.epochNanos() - (nowMono - monoNanos);
        out.boundNanos = 1_000;
        out.status = ClockStatus.SYNCHRONIZED;
    };

    @AfterEach
    void stop() {
        adapters.forEach(ClocklinkUdp::close);
        vertx.close();
    }

    ClocklinkUdp start(ClocklinkConfig config, List<InetSocketAddress> peers, ClocklinkNode.LocalClock clock,
            ConcurrentLinkedQueue<Sample> samples) {
        return start(config, peers, clock, samples, ClocklinkUdp.TIMESTAMPING_USER, null);
    }

    ClocklinkUdp start(ClocklinkConfig config, List<InetSocketAddress> peers, ClocklinkNode.LocalClock clock,
            ConcurrentLinkedQueue<Sample> samples, String timestamping, String hardwareInterface) {
        ClocklinkUdp udp = new ClocklinkUdp(vertx, SystemMonoClock.INSTANCE, config, clock,
                new ClocklinkUdp.Options("127.0.0.1", 0, peers, timestamping, hardwareInterface));
        udp.start(samples::add);
        adapters.add(udp);
        return udp;
    }

    static long droppedTotal(ClocklinkUdp.View v) {
        return v.dropped().values().stream().mapToLong(Long::longValue).sum();
    }

    @ParameterizedTest
    @ValueSource(strings = {ClocklinkUdp.TIMESTAMPING_USER, ClocklinkUdp.TIMESTAMPING_KERNEL})
    void aFloodFromManyAddressesIsCountedBoundedAndTheLoopGoesOn(String timestamping) throws Exception {
        ClocklinkUdp master = start(ClocklinkConfig.master("m", 1, KEYS, List.of()).withClients(4, true), List.of(),
                HOST_CLOCK, new ConcurrentLinkedQueue<>(), timestamping, null);
        assertEquals(timestamping, master.timestamping());
        InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), master.port());
        SplittableRandom random = new SplittableRandom(3);
        int sent = 0;
        for (int s = 0; s < FLOOD_SOURCES; s++) {
            try (DatagramSocket from = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                for (int i = 0; i < FLOOD_PER_SOURCE; i++) {
                    byte[] b = new byte[1 + random.nextInt(Wire.MESSAGE_BYTES_MAX + 200)];
                    random.nextBytes(b);
                    from.send(new DatagramPacket(b, b.length, to));
                    sent++;
                }
            }
            if ((s + 1) % FLOOD_BATCH_SOURCES == 0) {
                // In batches the socket's buffer holds, so that the flood arrives (UDP drops what overflows it).
                int batchEnd = sent;
                await().atMost(DEADLINE).until(() -> master.view().messagesReceived() >= batchEnd * 9L / 10);
            }
        }
        int total = sent;
        // Every datagram that arrived is a counted drop.
        await().atMost(DEADLINE).until(() -> {
            ClocklinkUdp.View v = master.view();
            return v.messagesReceived() >= total * 9L / 10 && droppedTotal(v) == v.messagesReceived();
        });
        ClocklinkUdp.View v = master.view();
        assertTrue(v.messagesReceived() <= total);
        assertTrue(v.addresses() <= v.addressesMax(), v.addresses() + " > " + v.addressesMax());
        assertEquals(4 + AddressTable.STRANGERS_MAX, v.addressesMax());
        assertTrue(v.addressEvictions() >= FLOOD_SOURCES - v.addressesMax() - (total - v.messagesReceived()),
                "evictions " + v.addressEvictions());
        assertEquals(0, v.failures());
        assertTrue(v.dropped().get(DropReason.OVERSIZED.name()) > 0 && v.dropped().get(DropReason.TRUNCATED.name()) > 0,
                v.dropped().toString());
        assertTrue(master.alive(System.nanoTime()));

        // The loop still serves: a gateway joins and learns the master's time.
        ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        ClocklinkUdp gateway = start(ClocklinkConfig.gateway("g", 1, KEYS, List.of(new ClocklinkConfig.Peer(1, "m"))),
                List.of(to), HOST_CLOCK, samples, timestamping, null);
        await().atMost(DEADLINE).until(() -> !samples.isEmpty());
        Sample s = samples.peek();
        assertEquals(ClocklinkNode.SOURCE_NAME, s.sourceName());
        // The sample says the master's time (the host clock) within its error, on this JVM's monotonic clock.
        long hostAtSample = SystemMonoClock.HOST_EPOCH.epochNanos() - (System.nanoTime() - s.monoNanos());
        assertTrue(Math.abs(s.refEpochNanos() - hostAtSample) <= s.errorNanos() + 1_000_000, s.toString());
        await().atMost(DEADLINE).until(() -> gateway.view().peers().stream().anyMatch(p -> p.state().equals("ACTIVE")));
        PeerStatus p = gateway.view().peers().get(0);
        assertEquals("m", p.name());
        // The master's view is refreshed every VIEW_REFRESH_NANOS: it may show the join a little after the gateway does.
        await().atMost(DEADLINE).until(() -> master.view().clients() >= 1);
        assertEquals(1, master.view().clients());
        assertEquals(0, gateway.view().failures());
        assertEquals(0, v.handoffDropped() + gateway.view().handoffDropped());
    }

    /**
     * Kernel timestamps on both ends: every exchange after the first is completed interleaved, the transmit times match
     * what was sent, no datagram falls back to user-space time, and the samples say the host clock within their error.
     * With a user-space gateway the kernel master answers in version 1 and nothing interleaves (the old pairing).
     */
    @ParameterizedTest
    @ValueSource(strings = {ClocklinkUdp.TIMESTAMPING_KERNEL, ClocklinkUdp.TIMESTAMPING_USER})
    void kernelTimestampsInterleaveWithAKernelPeerAndNotWithAUserOne(String gatewayTimestamping) {
        ClocklinkUdp master = start(ClocklinkConfig.master("m", 1, KEYS, List.of()).withClients(4, true), List.of(),
                HOST_CLOCK, new ConcurrentLinkedQueue<>(), ClocklinkUdp.TIMESTAMPING_KERNEL, null);
        InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), master.port());
        ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        ClocklinkUdp gateway = start(ClocklinkConfig.gateway("g", 1, KEYS, List.of(new ClocklinkConfig.Peer(1, "m"))),
                List.of(to), HOST_CLOCK, samples, gatewayTimestamping, null);
        boolean kernel = gatewayTimestamping.equals(ClocklinkUdp.TIMESTAMPING_KERNEL);
        await().atMost(DEADLINE).until(() -> samples.size() >= 20 && gateway.view().messagesSent() >= 40);
        ClocklinkUdp.View g = gateway.view();
        ClocklinkUdp.View m = master.view();
        assertEquals(gatewayTimestamping, g.timestamping());
        if (kernel) {
            assertTrue(g.interleavedExchanges() >= 10, g.toString());
            assertTrue(g.transmitTimes() >= 10, "requests' transmit times " + g.transmitTimes());
            assertTrue(m.transmitTimes() >= 10, "responses' transmit times " + m.transmitTimes());
            assertEquals(0, g.kernelTimestampFallbacks() + m.kernelTimestampFallbacks());
        } else {
            assertEquals(0, g.interleavedExchanges()); // it never asks, and would drop a version-2 answer
            assertEquals(0, g.transmitTimes());
        }
        assertEquals(0, droppedTotal(g), g.dropped().toString());
        assertEquals(0, g.failures() + m.failures());
        for (Sample s : samples) {
            long hostAtSample = SystemMonoClock.HOST_EPOCH.epochNanos() - (System.nanoTime() - s.monoNanos());
            assertTrue(Math.abs(s.refEpochNanos() - hostAtSample) <= s.errorNanos() + 1_000_000, s.toString());
        }
    }

    /** Hardware timestamps asked on loopback (no NIC clock): software kernel timestamps, and status says why. */
    @Test
    void hardwareTimestampsRefusedFallBackToKernelAndSaySo() {
        ClocklinkUdp master = start(ClocklinkConfig.master("m", 1, KEYS, List.of()).withClients(4, true), List.of(),
                HOST_CLOCK, new ConcurrentLinkedQueue<>(), ClocklinkUdp.TIMESTAMPING_KERNEL, "lo");
        assertEquals(ClocklinkUdp.TIMESTAMPING_KERNEL, master.timestamping());
        await().atMost(DEADLINE).until(() -> master.view() != null);
        assertTrue(master.view().timestampingNote() != null && master.view().timestampingNote().contains("lo"),
                String.valueOf(master.view().timestampingNote()));
    }
}
