package io.ionclock.testing;

import io.ionclock.core.ntp.NtpPacket;
import io.ionclock.core.ntp.NtpTime;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Instant;

/**
 * A minimal basic-mode NTP server on loopback, on its own thread: answers every request with the host clock plus
 * {@code offsetNanos} (0: an honest server; otherwise a liar claiming stratum 1 and a tight dispersion), declaring
 * {@link #ROOT_DISPERSION_NANOS} (its clock is {@code Instant.now()}, microseconds here).
 */
public final class FakeNtpServer implements AutoCloseable {
    public static final long ROOT_DISPERSION_NANOS = 20_000;

    private final DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    private final long offsetNanos;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long answered;

    public FakeNtpServer(long offsetNanos) throws SocketException {
        this.offsetNanos = offsetNanos;
        socket.setSoTimeout(100);
        thread = Thread.ofPlatform().daemon().name("fake-ntp-server").start(this::serve);
    }

    public int port() {
        return socket.getLocalPort();
    }

    public long answered() {
        return answered;
    }

    private void serve() {
        byte[] buf = new byte[1024];
        NtpPacket q = new NtpPacket();
        NtpPacket a = new NtpPacket();
        byte[] out = new byte[NtpPacket.SIZE_BYTES];
        while (running) {
            try {
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                socket.receive(in);
                long rx = nowNanos() + offsetNanos;
                if (in.getLength() < NtpPacket.SIZE_BYTES) {
                    continue;
                }
                q.read(buf, 0);
                a.clear();
                a.version = q.version;
                a.mode = NtpPacket.MODE_SERVER;
                a.stratum = 1;
                a.poll = q.poll;
                a.precision = -20;
                a.rootDispersion = NtpTime.nanosToShortCeil(ROOT_DISPERSION_NANOS);
                a.referenceId = NtpPacket.REFID_GPS;
                a.referenceTimestamp = NtpTime.fromEpochNanos(rx - 1_000_000_000L);
                a.originTimestamp = q.transmitTimestamp;
                a.receiveTimestamp = NtpTime.fromEpochNanos(rx);
                a.transmitTimestamp = NtpTime.fromEpochNanos(nowNanos() + offsetNanos);
                a.write(out, 0);
                socket.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
                answered++;
            } catch (SocketTimeoutException e) {
                // look at running again
            } catch (Exception e) {
                if (running) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** The host clock, ns since the Unix epoch. */
    public static long nowNanos() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(2_000);
        socket.close();
    }
}
