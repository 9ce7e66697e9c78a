package io.ionclock.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A user-space network impairment for UDP (there is no tc netem here): listens on a loopback port and relays
 * each datagram to {@code upstream}, and the answers back, each one held {@code baseDelay + Exp(jitterMean)}
 * (seeded), so packets may also overtake each other as on a real path. One upstream socket per client, so the
 * upstream sees each client at its own port. Limits: {@link #CLIENTS_MAX} clients, {@link #QUEUED_MAX}
 * datagrams in flight; past them datagrams are dropped and counted.
 */
public final class DelayProxy implements AutoCloseable {
    public static final int CLIENTS_MAX = 64;
    public static final int QUEUED_MAX = 10_000;
    public static final int DATAGRAM_BYTES_MAX = 2048;

    private final InetSocketAddress upstream;
    private final long baseDelayNanos;
    private final long jitterMeanNanos;
    private final SplittableRandom random;
    private final DatagramSocket front;
    private final Map<SocketAddress, DatagramSocket> upstreamByClient = new ConcurrentHashMap<>();
    private final DelayQueue<Held> held = new DelayQueue<>();
    private final AtomicLong relayed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean running = true;

    private DelayProxy(InetSocketAddress upstream, long baseDelayNanos, long jitterMeanNanos, long seed)
            throws SocketException {
        this.upstream = upstream;
        this.baseDelayNanos = baseDelayNanos;
        this.jitterMeanNanos = jitterMeanNanos;
        this.random = new SplittableRandom(seed);
        this.front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /** Starts a proxy on a free loopback port in front of {@code upstream}. */
    public static DelayProxy start(InetSocketAddress upstream, long baseDelayNanos, long jitterMeanNanos, long seed)
            throws SocketException {
        DelayProxy proxy = new DelayProxy(upstream, baseDelayNanos, jitterMeanNanos, seed);
        Thread.ofPlatform().daemon().name("delay-proxy-front").start(() -> proxy.receive(proxy.front, null));
        Thread.ofPlatform().daemon().name("delay-proxy-release").start(proxy::release);
        return proxy;
    }

    public int port() {
        return front.getLocalPort();
    }

    public long relayed() {
        return relayed.get();
    }

    public long dropped() {
        return dropped.get();
    }

    /** Reads from {@code socket}; {@code client} null: the front (from clients), else the answers for it. */
    private void receive(DatagramSocket socket, SocketAddress client) {
        byte[] buf = new byte[DATAGRAM_BYTES_MAX];
        while (running) {
            DatagramPacket packet = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                return; // closed
            }
            byte[] data = Arrays.copyOf(packet.getData(), packet.getLength());
            try {
                if (client == null) {
                    DatagramSocket out = upstreamFor(packet.getSocketAddress());
                    if (out != null) {
                        hold(out, upstream, data);
                    }
                } else {
                    hold(front, client, data);
                }
            } catch (SocketException e) {
                dropped.incrementAndGet();
            }
        }
    }

    private DatagramSocket upstreamFor(SocketAddress client) throws SocketException {
        DatagramSocket out = upstreamByClient.get(client);
        if (out != null) {
            return out;
        }
        if (upstreamByClient.size() >= CLIENTS_MAX) {
            dropped.incrementAndGet();
            return null;
        }
        DatagramSocket created = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        upstreamByClient.put(client, created);
        Thread.ofPlatform().daemon().name("delay-proxy-upstream").start(() -> receive(created, client));
        return created;
    }

    private void hold(DatagramSocket via, SocketAddress to, byte[] data) {
        if (held.size() >= QUEUED_MAX) {
            dropped.incrementAndGet();
            return;
        }
        long delayNanos;
        synchronized (random) {
            delayNanos = baseDelayNanos + Math.round(-Math.log(1 - random.nextDouble()) * jitterMeanNanos);
        }
        held.add(new Held(System.nanoTime() + delayNanos, via, to, data));
    }

    private void release() {
        while (running) {
            Held h;
            try {
                h = held.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                h.via.send(new DatagramPacket(h.data, h.data.length, h.to));
                relayed.incrementAndGet();
            } catch (IOException e) {
                dropped.incrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        running = false;
        front.close();
        upstreamByClient.values().forEach(DatagramSocket::close);
        held.add(new Held(0, front, upstream, new byte[0])); // wakes the release thread, which then stops
    }

    private record Held(long releaseNanos, DatagramSocket via, SocketAddress to, byte[] data) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(releaseNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(releaseNanos, ((Held) other).releaseNanos);
        }
    }
}
