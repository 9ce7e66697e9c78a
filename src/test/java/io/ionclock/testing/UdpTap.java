package io.ionclock.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Arrays;

/**
 * A man in the middle for one UDP client: listens on a free loopback port, relays each datagram to {@code upstream}
 * and the answers back, unchanged and at once, and keeps the last datagram of each direction so a test can send it
 * again (a replay from the very address the receiver trusts) or tamper with it.
 */
public final class UdpTap implements AutoCloseable {
    public static final int DATAGRAM_BYTES_MAX = 2048;

    private final InetSocketAddress upstream;
    private final DatagramSocket front;
    private final DatagramSocket back;
    private volatile SocketAddress client;
    private volatile byte[] lastUp;
    private volatile byte[] firstUp;
    private volatile byte[] lastDown;
    private volatile boolean running = true;

    private UdpTap(InetSocketAddress upstream) throws SocketException {
        this.upstream = upstream;
        this.front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.back = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    public static UdpTap start(InetSocketAddress upstream) throws SocketException {
        UdpTap tap = new UdpTap(upstream);
        Thread.ofPlatform().daemon().name("udp-tap-up").start(() -> tap.relay(tap.front, true));
        Thread.ofPlatform().daemon().name("udp-tap-down").start(() -> tap.relay(tap.back, false));
        return tap;
    }

    /** The port clients send to. */
    public int port() {
        return front.getLocalPort();
    }

    private void relay(DatagramSocket from, boolean up) {
        byte[] buf = new byte[DATAGRAM_BYTES_MAX];
        while (running) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                from.receive(p);
                byte[] data = Arrays.copyOf(p.getData(), p.getLength());
                if (up) {
                    client = p.getSocketAddress();
                    lastUp = data;
                    if (firstUp == null) {
                        firstUp = data;
                    }
                    back.send(new DatagramPacket(data, data.length, upstream));
                } else if (client != null) {
                    lastDown = data;
                    front.send(new DatagramPacket(data, data.length, client));
                }
            } catch (IOException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    /** The last datagram from the client to upstream (a copy), or null. */
    public byte[] lastUp() {
        byte[] d = lastUp;
        return d == null ? null : d.clone();
    }

    /** The first datagram from the client to upstream (a copy), or null. */
    public byte[] firstUp() {
        byte[] d = firstUp;
        return d == null ? null : d.clone();
    }

    /** The last datagram from upstream to the client (a copy), or null. */
    public byte[] lastDown() {
        byte[] d = lastDown;
        return d == null ? null : d.clone();
    }

    /** Sends {@code data} upstream from the address upstream knows as the client. */
    public void sendUp(byte[] data) throws IOException {
        back.send(new DatagramPacket(data, data.length, upstream));
    }

    /** Sends {@code data} to the client from the address the client knows as its upstream. */
    public void sendDown(byte[] data) throws IOException {
        front.send(new DatagramPacket(data, data.length, client));
    }

    @Override
    public void close() {
        running = false;
        front.close();
        back.close();
    }
}
