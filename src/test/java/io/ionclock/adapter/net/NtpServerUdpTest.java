package io.ionclock.adapter.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.adapter.clock.SystemMonoClock;
import io.ionclock.core.ClockStatus;
import io.ionclock.core.LeapIndicator;
import io.ionclock.core.ntp.NtpPacket;
import io.ionclock.core.ntp.NtpServer;
import io.ionclock.core.ntp.NtpTime;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The adapter on loopback, against the host clock. */
class NtpServerUdpTest {
    static final int RECEIVE_TIMEOUT_MILLIS = 2_000;
    static final int NO_ANSWER_WAIT_MILLIS = 300;
    static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final NtpServer.Clock HOST_CLOCK = new NtpServer.Clock() {
        @Override
        public long monoNanos() {
            return System.nanoTime();
        }

        @Override
        public void readAt(long monoNanos, io.ionclock.core.ClockReading out) {
            out.monoNanos = monoNanos;
            out.epochNanos = SystemMonoClock.HOST_EPOCH.epochNanos() - (System.nanoTime() - monoNanos);
            out.boundNanos = 50_000;
            out.status = ClockStatus.SYNCHRONIZED;
        }
    };

    static NtpServerUdp start(String timestamping) {
        NtpServerUdp s = new NtpServerUdp(SystemMonoClock.INSTANCE, HOST_CLOCK,
                () -> new NtpServer.Reference(new NtpServer.Upstream(1, NtpPacket.REFID_PPS, 0), LeapIndicator.NONE,
                        SystemMonoClock.HOST_EPOCH.epochNanos() - 1_000_000_000L),
                new NtpServerUdp.Options(List.of("127.0.0.1"), 0, timestamping, 64, 1000, 1000));
        s.start();
        return s;
    }

    static byte[] request(long origin, long receive, long transmit) {
        NtpPacket p = new NtpPacket();
        p.version = 4;
        p.mode = NtpPacket.MODE_CLIENT;
        p.originTimestamp = origin;
        p.receiveTimestamp = receive;
        p.transmitTimestamp = transmit;
        byte[] b = new byte[48];
        p.write(b, 0);
        return b;
    }

    static NtpPacket exchange(DatagramSocket c, int port, byte[] req) throws Exception {
        c.send(new DatagramPacket(req, req.length, InetAddress.getLoopbackAddress(), port));
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        c.receive(p);
        assertEquals(48, p.getLength());
        return new NtpPacket().read(buf, 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel", "user"})
    void answersBasicThenInterleavedWithTheKernelTransmitTime(String timestamping) throws Exception {
        if ("kernel".equals(timestamping)) {
            Assumptions.assumeTrue(TimestampingSocket.supported(), "kernel timestamps need Linux");
        }
        try (NtpServerUdp server = start(timestamping);
                DatagramSocket c = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            assertEquals(timestamping, server.timestamping());
            c.setSoTimeout(RECEIVE_TIMEOUT_MILLIS);
            int port = server.ports().get(0);
            long hostNtp = NtpTime.fromEpochNanos(SystemMonoClock.HOST_EPOCH.epochNanos());
            NtpPacket r1 = exchange(c, port, request(0, 0, 0x1111L));
            assertEquals(0x1111L, r1.originTimestamp);
            assertEquals(1, r1.stratum);
            assertTrue(Math.abs(NtpTime.toEpochNanos(r1.receiveTimestamp, 0L + SystemMonoClock.HOST_EPOCH.epochNanos())
                    - NtpTime.toEpochNanos(hostNtp, SystemMonoClock.HOST_EPOCH.epochNanos())) < 1_000_000_000L);
            NtpPacket r2 = exchange(c, port, request(r1.receiveTimestamp, 0x2222L, 0x3333L));
            assertEquals(0x3333L, r2.originTimestamp, "basic: nothing saved for response 1");
            // Wait until the kernel's transmit time of response 2 came back (kernel mode), with a deadline.
            long deadline = System.nanoTime() + DEADLINE_NANOS;
            while ("kernel".equals(timestamping) && server.view().transmitTimesUsed() < 1) {
                assertTrue(System.nanoTime() < deadline, "no kernel transmit time: " + server.view());
                Thread.onSpinWait();
                // The reader takes reports when it polls; a datagram or its 100 ms wait wakes it.
                if (server.view().transmitTimes() == 0) {
                    c.send(new DatagramPacket(new byte[1], 1, InetAddress.getLoopbackAddress(), port));
                }
                waitMillis(10);
            }
            NtpPacket r3 = exchange(c, port, request(r2.receiveTimestamp, 0x4444L, 0x5555L));
            assertEquals(0x4444L, r3.originTimestamp, "interleaved");
            long rx2 = NtpTime.toEpochNanos(r2.receiveTimestamp, SystemMonoClock.HOST_EPOCH.epochNanos());
            long tx2 = NtpTime.toEpochNanos(r3.transmitTimestamp, SystemMonoClock.HOST_EPOCH.epochNanos());
            assertTrue(tx2 > rx2 && tx2 - rx2 < 100_000_000L, "response 2's transmit after its receive: " + (tx2 - rx2));
            NtpServerUdp.View v = server.view();
            assertEquals(1, v.responsesInterleaved());
            assertTrue(v.bytesSent() <= v.bytesReceived());
            deadline = System.nanoTime() + DEADLINE_NANOS;
            while (server.view().rxToTxCount() < 3) {
                assertTrue(System.nanoTime() < deadline, "rx-to-tx recorded: " + server.view());
                waitMillis(10);
            }
            assertTrue(server.view().rxToTxP99Nanos() > 0);
            // A control packet is not answered.
            byte[] control = request(0, 0, 1);
            control[0] = (byte) (2 << 3 | 6);
            c.send(new DatagramPacket(control, 48, InetAddress.getLoopbackAddress(), port));
            c.setSoTimeout(NO_ANSWER_WAIT_MILLIS);
            try {
                c.receive(new DatagramPacket(new byte[100], 100));
                throw new AssertionError("a mode 6 packet was answered");
            } catch (SocketTimeoutException expected) {
                // no answer
            }
            assertEquals(1, server.view().drops().get("CONTROL"));
        }
    }

    /** A wait on a condition's poll interval (the condition and its deadline are the caller's). */
    static void waitMillis(long millis) {
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
    }
}
