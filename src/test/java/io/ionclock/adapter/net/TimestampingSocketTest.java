package io.ionclock.adapter.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ionclock.adapter.LinuxErrno;
import io.ionclock.adapter.clock.ClockPair;
import io.ionclock.adapter.clock.LinuxClockPairReader;
import io.ionclock.adapter.clock.RealtimeToMono;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real loopback traffic. No test sleeps: each waits on a condition with a deadline. */
class TimestampingSocketTest {

    /** The caller's messages are at most this long. */
    private static final int MESSAGE_BYTES_MAX = 512;
    /** Generous, for a loaded 2-core CI machine: only a socket that never delivers takes this long. */
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int POLL_MILLIS = 20;
    /** How far a kernel timestamp may sit outside the user-space CLOCK_REALTIME readings around it. */
    private static final long CLOSENESS_NANOS = 50_000_000L;
    /** A poll may overrun its timeout by this much on a loaded machine; never by more. */
    private static final long POLL_OVERRUN_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int ROUND_TRIPS = 200;
    private static final int FLOOD_DATAGRAMS = 20_000;
    private static final int FLOOD_PAYLOAD_BYTES = 100;
    private static final int FLOOD_SOCKET_BUFFER_BYTES = 64 * 1024;

    /** Everything a socket handed over; the test keeps copies. */
    static final class Collector implements TimestampingSocket.Receiver {
        final List<byte[]> payloads = new ArrayList<>();
        final List<InetAddress> senders = new ArrayList<>();
        final List<Integer> senderPorts = new ArrayList<>();
        final List<Long> rxRealtimeNanos = new ArrayList<>();
        final List<Long> txKeys = new ArrayList<>();
        final List<Long> txRealtimeNanos = new ArrayList<>();
        int lastLen = -1;

        @Override
        public void datagram(byte[] bytes, int len, InetAddress from, int fromPort, long rxNanos) {
            payloads.add(Arrays.copyOf(bytes, len));
            senders.add(from);
            senderPorts.add(fromPort);
            rxRealtimeNanos.add(rxNanos);
            lastLen = len;
        }

        @Override
        public void transmitted(long key, long txNanos) {
            txKeys.add(key);
            txRealtimeNanos.add(txNanos);
        }
    }

    private final List<TimestampingSocket> opened = new ArrayList<>();
    /**
     * Held open for the whole class. The kernel stamps received packets only while some socket in the system wants
     * it, and turns that on through a workqueue after the first such socket appears (about 1.3 ms here, longer on a
     * loaded machine): a datagram received in between has no timestamp. Between two tests every socket is closed, so
     * without this one each test would start in that window.
     */
    private static TimestampingSocket keeper;

    @BeforeAll
    static void linuxOnlyAndReceiveTimestampingOn() {
        assumeTrue(TimestampingSocket.supported(), "kernel-timestamping sockets need 64-bit Linux");
        keeper = TimestampingSocket.open("127.0.0.1", 0, MESSAGE_BYTES_MAX, 0, null);
        Collector atKeeper = new Collector();
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (atKeeper.rxRealtimeNanos.isEmpty()
                || atKeeper.rxRealtimeNanos.get(atKeeper.rxRealtimeNanos.size() - 1) == 0) {
            assertTrue(System.nanoTime() < deadline, "the kernel never stamped a received datagram");
            int before = atKeeper.payloads.size();
            keeper.send(new byte[1], 0, 1, InetAddress.getLoopbackAddress(), keeper.localPort());
            pollUntil(keeper, atKeeper, () -> atKeeper.payloads.size() > before);
        }
    }

    @AfterAll
    static void closeKeeper() {
        if (keeper != null) {
            keeper.close();
        }
    }

    @AfterEach
    void closeAll() {
        opened.forEach(TimestampingSocket::close);
    }

    @Test
    void everyDatagramAndEverySendIsTimestampedAndTransmitPrecedesReceive() throws Exception {
        roundTrips("127.0.0.1", ROUND_TRIPS);
    }

    @Test
    void ipv6LoopbackWorksTheSame() throws Exception {
        TimestampingSocket probe;
        try {
            probe = TimestampingSocket.open("::1", 0, MESSAGE_BYTES_MAX, 0, null);
        } catch (IllegalStateException e) {
            assumeTrue(false, "no IPv6 loopback here: " + e.getMessage());
            return;
        }
        probe.close();
        roundTrips("::1", 20);
    }

    /** {@code count} datagrams from a to b: keys, timestamps, their order, their closeness to CLOCK_REALTIME. */
    private void roundTrips(String host, int count) throws Exception {
        TimestampingSocket a = open(host, 0, null);
        TimestampingSocket b = open(host, 0, null);
        assertEquals("kernel", a.timestamping());
        assertNull(a.hardwareRefusal());
        InetAddress to = InetAddress.getByName(host);
        Collector atA = new Collector();
        Collector atB = new Collector();
        long[] realtimeBeforeSendNanos = new long[count];
        long[] realtimeAfterReceiveNanos = new long[count];
        long[] monoBeforeSendNanos = new long[count];
        long[] monoAfterReceiveNanos = new long[count];
        ClockPair[] pairsBefore = new ClockPair[count];
        ClockPair[] pairsAfter = new ClockPair[count];
        LinuxClockPairReader clocks = new LinuxClockPairReader();
        byte[] message = new byte[64];
        for (int i = 0; i < count; i++) {
            pairsBefore[i] = new ClockPair();
            pairsAfter[i] = new ClockPair();
            clocks.read(pairsBefore[i]);
            monoBeforeSendNanos[i] = System.nanoTime();
            realtimeBeforeSendNanos[i] = LinuxClockPairReader.realtimeNanos();
            message[0] = (byte) i;
            message[1] = (byte) (i >> 8);
            assertEquals(i, a.send(message, 0, message.length, to, b.localPort()), "key of send " + i);
            int expected = i + 1;
            pollUntil(b, atB, () -> atB.payloads.size() >= expected);
            realtimeAfterReceiveNanos[i] = LinuxClockPairReader.realtimeNanos();
            monoAfterReceiveNanos[i] = System.nanoTime();
            clocks.read(pairsAfter[i]);
        }
        pollUntil(a, atA, () -> atA.txKeys.size() >= count);
        assertTrue("explicit (SCM_TS_OPT_ID)".equals(a.keyNumbering()) || "kernel counter".equals(a.keyNumbering()),
                a.keyNumbering());

        assertEquals(count, atB.payloads.size());
        assertEquals(count, atA.txKeys.size());
        long[] txByKey = new long[count];
        for (int r = 0; r < count; r++) {
            int key = (int) (long) atA.txKeys.get(r);
            assertTrue(key >= 0 && key < count && txByKey[key] == 0, "key " + key + " reported once");
            txByKey[key] = atA.txRealtimeNanos.get(r);
        }
        long txToRxNanosSum = 0;
        int converted = 0;
        for (int i = 0; i < count; i++) {
            byte[] payload = atB.payloads.get(i);
            assertEquals(message.length, payload.length);
            assertEquals(i, (payload[0] & 0xff) | (payload[1] & 0xff) << 8, "datagrams in order on loopback");
            assertEquals(to, atB.senders.get(i));
            assertEquals(a.localPort(), atB.senderPorts.get(i));
            long rxNanos = atB.rxRealtimeNanos.get(i);
            long txNanos = txByKey[i];
            assertTrue(rxNanos > 0 && txNanos > 0, "datagram " + i + " timestamped");
            assertTrue(txNanos <= rxNanos, "datagram " + i + ": transmitted " + txNanos + " after received " + rxNanos);
            assertTrue(txNanos >= realtimeBeforeSendNanos[i] - CLOSENESS_NANOS, "tx " + i + " too early");
            assertTrue(rxNanos <= realtimeAfterReceiveNanos[i] + CLOSENESS_NANOS, "rx " + i + " too late");
            txToRxNanosSum += rxNanos - txNanos;
            // Into the monotonic timebase: between the nanoTime readings around the send and the receive.
            if (!RealtimeToMono.stepped(pairsBefore[i], pairsAfter[i])) {
                long rxMonoNanos = RealtimeToMono.monoNanos(rxNanos, pairsBefore[i], pairsAfter[i],
                        WAIT_NANOS);
                long slackNanos = pairsBefore[i].bracketNanos() + pairsAfter[i].bracketNanos()
                        + RealtimeToMono.STEP_TOLERANCE_NANOS;
                assertNotEquals(RealtimeToMono.IMPLAUSIBLE, rxMonoNanos);
                assertTrue(rxMonoNanos >= monoBeforeSendNanos[i] - slackNanos
                        && rxMonoNanos <= monoAfterReceiveNanos[i] + slackNanos, "rx " + i + " on the mono timebase");
                converted++;
            }
        }
        assertTrue(converted > 0, "CLOCK_REALTIME stepped during every exchange?");
        assertEquals(count, b.datagramsReceived());
        assertEquals(0, b.datagramsWithoutTimestamp());
        assertEquals(count, a.transmitTimestamps());
        assertEquals(1, b.senderAddressesMade(), "one sender, one InetAddress");
        assertEquals(0, a.transmitWithoutTimestamp() + a.errQueueOther() + a.sendFailures() + b.receiveErrors());
        System.out.printf("%s: %d exchanges, kernel tx to peer rx %.1f us on average, keys %s%n", host, count,
                txToRxNanosSum / 1e3 / count, a.keyNumbering());
    }

    @Test
    void keysMirroringTheKernelCounterMatchTheExplicitOnes() throws Exception {
        TimestampingSocket a = open("127.0.0.1", 0, null);
        TimestampingSocket b = open("127.0.0.1", 0, null);
        a.useKernelCounterKeys();
        InetAddress to = InetAddress.getLoopbackAddress();
        byte[] message = new byte[8];
        Collector atA = new Collector();
        Collector atB = new Collector();
        int count = 50;
        for (int i = 0; i < count; i++) {
            message[0] = (byte) i;
            assertEquals(i, a.send(message, 0, message.length, to, b.localPort()));
        }
        assertEquals("kernel counter", a.keyNumbering());
        pollUntil(a, atA, () -> atA.txKeys.size() >= count);
        pollUntil(b, atB, () -> atB.payloads.size() >= count);
        long[] txByKey = new long[count];
        for (int r = 0; r < count; r++) {
            txByKey[(int) (long) atA.txKeys.get(r)] = atA.txRealtimeNanos.get(r);
        }
        for (int i = 0; i < count; i++) {
            assertEquals(i, atB.payloads.get(i)[0]);
            assertTrue(txByKey[i] > 0 && txByKey[i] <= atB.rxRealtimeNanos.get(i), "datagram " + i);
        }
    }

    @Test
    void hardwareAskedOnLoopbackFallsBackToKernelTimestampsWithAReason() throws Exception {
        TimestampingSocket a = open("127.0.0.1", 0, "lo");
        assertEquals("kernel", a.timestamping());
        String refusal = a.hardwareRefusal();
        assertTrue(refusal != null && refusal.startsWith("hardware timestamps on lo refused: "), refusal);
        // root: the loopback device cannot; otherwise: the privilege is missing
        assertTrue(refusal.contains("EOPNOTSUPP") || refusal.contains("EPERM (errno 1), needs CAP_NET_ADMIN"),
                refusal);
        System.out.println(refusal);

        TimestampingSocket b = open("127.0.0.1", 0, null);
        Collector atA = new Collector();
        Collector atB = new Collector();
        assertEquals(0, a.send(new byte[] {42}, 0, 1, InetAddress.getLoopbackAddress(), b.localPort()));
        pollUntil(b, atB, () -> atB.payloads.size() == 1);
        pollUntil(a, atA, () -> atA.txKeys.size() == 1);
        assertTrue(atA.txRealtimeNanos.get(0) > 0 && atA.txRealtimeNanos.get(0) <= atB.rxRealtimeNanos.get(0));

        TimestampingSocket missing = open("127.0.0.1", 0, "nosuch0");
        assertEquals("kernel", missing.timestamping());
        assertTrue(missing.hardwareRefusal().contains("ENODEV") || missing.hardwareRefusal().contains("EPERM"),
                missing.hardwareRefusal());
        TimestampingSocket badName = open("127.0.0.1", 0, "a-name-far-too-long-for-linux");
        assertTrue(badName.hardwareRefusal().contains("not a valid interface name"), badName.hardwareRefusal());
    }

    @Test
    void aFloodIsBoundedByTheKernelAndDrainedInBoundedCalls() throws Exception {
        TimestampingSocket sender = TimestampingSocket.open("127.0.0.1", 0, MESSAGE_BYTES_MAX,
                FLOOD_SOCKET_BUFFER_BYTES, null);
        opened.add(sender);
        TimestampingSocket receiver = TimestampingSocket.open("127.0.0.1", 0, MESSAGE_BYTES_MAX,
                FLOOD_SOCKET_BUFFER_BYTES, null);
        opened.add(receiver);
        InetAddress to = InetAddress.getLoopbackAddress();
        byte[] message = new byte[FLOOD_PAYLOAD_BYTES];
        TransmitKeys keys = new TransmitKeys(32_768);
        int accepted = 0;
        for (int i = 0; i < FLOOD_DATAGRAMS; i++) {
            message[0] = (byte) i;
            message[1] = (byte) (i >> 8);
            long key = sender.send(message, 0, message.length, to, receiver.localPort());
            if (key >= 0) {
                assertEquals(accepted, key);
                keys.record(key, 1, i, i);
                accepted++;
            }
        }
        assertEquals(FLOOD_DATAGRAMS - accepted, sender.sendFailures());

        // Nobody read: the kernel kept what fits in the receive buffer and dropped the rest.
        Collector atReceiver = new Collector();
        int receiverCalls = drain(receiver, atReceiver, TimestampingSocket.DATAGRAMS_PER_CALL_MAX);
        int received = atReceiver.payloads.size();
        assertTrue(received > 0 && received < accepted, received + " of " + accepted);
        assertTrue(received <= receiver.socketReceiveBufferBytes() / FLOOD_PAYLOAD_BYTES,
                received + " datagrams within a " + receiver.socketReceiveBufferBytes() + "-byte buffer");
        assertTrue(receiverCalls <= received / TimestampingSocket.DATAGRAMS_PER_CALL_MAX + 2, receiverCalls + " calls");
        int previousSequence = -1;
        for (int i = 0; i < received; i++) {
            int sequence = (atReceiver.payloads.get(i)[0] & 0xff) | (atReceiver.payloads.get(i)[1] & 0xff) << 8;
            assertTrue(sequence > previousSequence, "datagrams in order");
            previousSequence = sequence;
            assertTrue(atReceiver.rxRealtimeNanos.get(i) > 0);
        }

        // The sender's error queue shares its receive buffer: also bounded, and drained completely.
        Collector atSender = new Collector();
        int senderCalls = drain(sender, atSender, TimestampingSocket.ERRQUEUE_PER_CALL_MAX);
        int reports = atSender.txKeys.size();
        assertTrue(reports > 0 && reports <= accepted, reports + " reports for " + accepted + " sends");
        assertTrue(senderCalls <= reports / TimestampingSocket.ERRQUEUE_PER_CALL_MAX + 2, senderCalls + " calls");
        TransmitKeys.Sent sent = new TransmitKeys.Sent();
        long previousKey = -1;
        for (int r = 0; r < reports; r++) {
            long key = atSender.txKeys.get(r);
            assertTrue(keys.take(key, sent), "report " + r + " key " + key);
            assertEquals(key, sent.key());
            assertTrue(key > previousKey, "reports in send order");
            previousKey = key;
            assertTrue(atSender.txRealtimeNanos.get(r) > 0);
        }
        assertEquals(0, keys.takeMisses());
        assertEquals(accepted - reports, keys.held(), "the lost reports' keys are still held");
        assertEquals(0, sender.poll(0, atSender), "drained");
        System.out.printf("flood: %d sent, %d accepted, %d received in %d calls (buffer %d B), %d transmit reports"
                + " in %d calls, keys %d..%d%n", FLOOD_DATAGRAMS, accepted, received, receiverCalls,
                receiver.socketReceiveBufferBytes(), reports, senderCalls, atSender.txKeys.get(0), previousKey);
    }

    /** Polls until a poll returns nothing; checks each call's count and duration. Returns the calls that handed. */
    private static int drain(TimestampingSocket socket, Collector collector, int perCallMax) {
        int calls = 0;
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (true) {
            long startNanos = System.nanoTime();
            int handed = socket.poll(POLL_MILLIS, collector);
            long tookNanos = System.nanoTime() - startNanos;
            assertTrue(tookNanos < TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS) + POLL_OVERRUN_NANOS,
                    "poll took " + tookNanos + " ns");
            assertTrue(handed <= perCallMax, handed + " handed in one call");
            if (handed == 0) {
                return calls;
            }
            calls++;
            assertTrue(System.nanoTime() < deadline, "still draining after " + calls + " calls");
        }
    }

    @Test
    void anOversizedDatagramIsHandedAsOneByteOverTheLimit() throws Exception {
        TimestampingSocket a = TimestampingSocket.open("127.0.0.1", 0, 1_000, 0, null);
        opened.add(a);
        TimestampingSocket b = open("127.0.0.1", 0, null);
        InetAddress to = InetAddress.getLoopbackAddress();
        byte[] message = new byte[600];
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) (i * 7);
        }
        Collector atB = new Collector();

        a.send(message, 0, 600, to, b.localPort());
        pollUntil(b, atB, () -> atB.payloads.size() == 1);
        assertEquals(MESSAGE_BYTES_MAX + 1, atB.lastLen);
        assertArrayEquals(Arrays.copyOf(message, MESSAGE_BYTES_MAX + 1), atB.payloads.get(0));
        assertEquals(1, b.datagramsOversized());

        a.send(message, 0, MESSAGE_BYTES_MAX + 1, to, b.localPort());
        a.send(message, 0, MESSAGE_BYTES_MAX, to, b.localPort());
        a.send(message, 0, 0, to, b.localPort());
        pollUntil(b, atB, () -> atB.payloads.size() == 4);
        assertEquals(MESSAGE_BYTES_MAX + 1, atB.payloads.get(1).length);
        assertEquals(MESSAGE_BYTES_MAX, atB.payloads.get(2).length);
        assertEquals(0, atB.payloads.get(3).length);
        assertTrue(atB.rxRealtimeNanos.get(3) > 0, "an empty datagram is timestamped too");
        assertEquals(2, b.datagramsOversized());
        assertEquals(4, b.datagramsReceived());
    }

    @Test
    void closeEndsAWaitingPollAndLaterCallsFailCounted() throws Exception {
        TimestampingSocket a = open("127.0.0.1", 0, null);
        CountDownLatch polling = new CountDownLatch(1);
        AtomicInteger handed = new AtomicInteger(-1);
        AtomicLong tookNanos = new AtomicLong();
        Thread reader = new Thread(() -> {
            polling.countDown();
            long startNanos = System.nanoTime();
            handed.set(a.poll(TimestampingSocket.POLL_TIMEOUT_MILLIS_MAX, new Collector()));
            tookNanos.set(System.nanoTime() - startNanos);
        }, "test-reader");
        reader.start();
        assertTrue(polling.await(WAIT_NANOS, TimeUnit.NANOSECONDS));
        a.close();
        reader.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
        assertFalse(reader.isAlive(), "poll still waiting after close");
        assertEquals(0, handed.get());
        assertTrue(tookNanos.get() < WAIT_NANOS, "poll returned after " + tookNanos.get() + " ns");

        assertTrue(a.closed());
        assertEquals(-1, a.send(new byte[1], 0, 1, InetAddress.getLoopbackAddress(), 9));
        assertEquals(1, a.sendFailures());
        assertEquals(LinuxErrno.EBADF, a.lastSendErrno());
        assertEquals(0, a.poll(0, new Collector()));
        a.close();
    }

    @Test
    void aSendToTheOtherFamilyIsACountedFailureAndTakesNoKey() throws Exception {
        TimestampingSocket a = open("127.0.0.1", 0, null);
        TimestampingSocket b = open("127.0.0.1", 0, null);
        assertEquals(-1, a.send(new byte[1], 0, 1, InetAddress.getByName("::1"), b.localPort()));
        assertEquals(1, a.sendFailures());
        assertEquals(0, a.sendsWouldBlock());
        assertEquals(LinuxErrno.EAFNOSUPPORT, a.lastSendErrno());
        assertEquals(0, a.send(new byte[1], 0, 1, InetAddress.getLoopbackAddress(), b.localPort()));
        assertEquals(1, a.send(new byte[1], 0, 1, InetAddress.getLoopbackAddress(), b.localPort()));
    }

    @Test
    void anIpv6WildcardSocketTalksToIpv4AsMappedAddresses() throws Exception {
        TimestampingSocket v6;
        try {
            v6 = TimestampingSocket.open("::", 0, MESSAGE_BYTES_MAX, 0, null);
        } catch (IllegalStateException e) {
            assumeTrue(false, "no IPv6 here: " + e.getMessage());
            return;
        }
        opened.add(v6);
        TimestampingSocket v4 = open("127.0.0.1", 0, null);
        Collector atV6 = new Collector();
        Collector atV4 = new Collector();
        assertEquals(0, v4.send(new byte[] {1}, 0, 1, InetAddress.getLoopbackAddress(), v6.localPort()));
        pollUntil(v6, atV6, () -> atV6.payloads.size() == 1);
        assertInstanceOf(Inet4Address.class, atV6.senders.get(0));
        assertEquals(v4.localPort(), atV6.senderPorts.get(0));
        assertEquals(0, v6.send(new byte[] {2}, 0, 1, atV6.senders.get(0), v4.localPort()));
        pollUntil(v4, atV4, () -> atV4.payloads.size() == 1);
        assertTrue(atV4.rxRealtimeNanos.get(0) > 0);
        Collector atV6Tx = new Collector();
        pollUntil(v6, atV6Tx, () -> atV6Tx.txKeys.size() == 1);
        assertEquals(0, atV6Tx.txKeys.get(0));
        assertTrue(atV6Tx.txRealtimeNanos.get(0) <= atV4.rxRealtimeNanos.get(0));
    }

    @Test
    void rejectsBadArguments() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> TimestampingSocket.open("127.0.0.1", -1, 512, 0, null));
        assertThrows(IllegalArgumentException.class, () -> TimestampingSocket.open("127.0.0.1", 0, 0, 0, null));
        assertThrows(IllegalArgumentException.class,
                () -> TimestampingSocket.open("127.0.0.1", 0, TimestampingSocket.DATAGRAM_BYTES_MAX + 1, 0, null));
        assertThrows(IllegalArgumentException.class, () -> TimestampingSocket.open("127.0.0.1", 0, 512, -1, null));
        IllegalStateException notHere = assertThrows(IllegalStateException.class,
                () -> TimestampingSocket.open("192.0.2.1", 0, 512, 0, null));
        assertTrue(notHere.getMessage().contains("EADDRNOTAVAIL"), notHere.getMessage());

        TimestampingSocket a = open("127.0.0.1", 0, null);
        IllegalStateException inUse = assertThrows(IllegalStateException.class,
                () -> TimestampingSocket.open("127.0.0.1", a.localPort(), 512, 0, null));
        assertTrue(inUse.getMessage().contains("EADDRINUSE"), inUse.getMessage());
        InetAddress to = InetAddress.getLoopbackAddress();
        assertThrows(IllegalArgumentException.class, () -> a.send(new byte[513], 0, 513, to, 9));
        assertThrows(IllegalArgumentException.class, () -> a.send(new byte[1], 0, 1, to, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> a.send(new byte[1], 1, 1, to, 9));
        assertThrows(IllegalArgumentException.class, () -> a.poll(-1, new Collector()));
        assertThrows(IllegalArgumentException.class,
                () -> a.poll(TimestampingSocket.POLL_TIMEOUT_MILLIS_MAX + 1, new Collector()));
        assertEquals(0, a.sendFailures(), "contract violations are thrown, not counted");
    }

    private TimestampingSocket open(String host, int port, String hardwareInterface) {
        TimestampingSocket socket = TimestampingSocket.open(host, port, MESSAGE_BYTES_MAX, 0, hardwareInterface);
        opened.add(socket);
        assertTrue(socket.localPort() > 0);
        return socket;
    }

    private static void pollUntil(TimestampingSocket socket, Collector collector, BooleanSupplier done) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within " + WAIT_NANOS + " ns");
            socket.poll(POLL_MILLIS, collector);
        }
    }
}
