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
 *
 * <p>Two ways to keep time ({@link Mode}): {@code USER} holds each datagram from when its reader thread got it and
 * releases it when the release thread wakes (both wake-ups add to the path, and not alike in the two directions);
 * {@code KERNEL} holds it from the kernel's receive timestamp ({@code SO_TIMESTAMPING}, the appliance's
 * {@code TimestampingSocket}) and releases it by parking until {@link #SPIN_NANOS} before its instant and spinning
 * the rest, so the proxy's own scheduling stays out of the delay it adds (docs/benchmarks.md: the rig's floor).
 */
public final class DelayProxy implements AutoCloseable {
    public static final int CLIENTS_MAX = 64;
    public static final int QUEUED_MAX = 10_000;
    public static final int DATAGRAM_BYTES_MAX = 2048;
    /** KERNEL mode: the release thread parks until this long before a datagram's instant, then spins. */
    public static final long SPIN_NANOS = 200_000;
    /** KERNEL mode: a kernel receive time older than this when converted is not believed (the reader's time instead). */
    static final long RECEIVE_AGE_NANOS_MAX = 1_000_000_000L;
    /** KERNEL mode: a reader's longest wait (it checks for close this often). */
    static final int READ_WAIT_MILLIS = 100;

    /** How the proxy keeps time: user space, or kernel receive timestamps and a spinning release. */
    public enum Mode { USER, KERNEL }

    private final InetSocketAddress upstream;
    private final long baseDelayNanos;
    private final long jitterMeanNanos;
    private final SplittableRandom random;
    private final DatagramSocket front;
    private final Map<SocketAddress, DatagramSocket> upstreamByClient = new ConcurrentHashMap<>();
    private final Mode mode;
    private final io.ionclock.adapter.net.TimestampingSocket kernelFront;
    private final Map<SocketAddress, io.ionclock.adapter.net.TimestampingSocket> kernelUpstreamByClient =
            new ConcurrentHashMap<>();
    private final AtomicLong kernelFallbacks = new AtomicLong();
    private final DelayQueue<Held> held = new DelayQueue<>();
    private final AtomicLong relayed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean running = true;

    private DelayProxy(InetSocketAddress upstream, long baseDelayNanos, long jitterMeanNanos, long seed, Mode mode)
            throws SocketException {
        this.upstream = upstream;
        this.baseDelayNanos = baseDelayNanos;
        this.jitterMeanNanos = jitterMeanNanos;
        this.random = new SplittableRandom(seed);
        this.mode = mode;
        this.front = mode == Mode.USER ? new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)) : null;
        this.kernelFront = mode == Mode.KERNEL ? kernelSocket() : null;
    }

    /** Starts a proxy on a free loopback port in front of {@code upstream}, in user space. */
    public static DelayProxy start(InetSocketAddress upstream, long baseDelayNanos, long jitterMeanNanos, long seed)
            throws SocketException {
        return start(upstream, baseDelayNanos, jitterMeanNanos, seed, Mode.USER);
    }

    /** Starts a proxy on a free loopback port in front of {@code upstream}, keeping time as {@code mode} says. */
    public static DelayProxy start(InetSocketAddress upstream, long baseDelayNanos, long jitterMeanNanos, long seed,
            Mode mode) throws SocketException {
        DelayProxy proxy = new DelayProxy(upstream, baseDelayNanos, jitterMeanNanos, seed, mode);
        if (mode == Mode.USER) {
            Thread.ofPlatform().daemon().name("delay-proxy-front").start(() -> proxy.receive(proxy.front, null));
        } else {
            Thread.ofPlatform().daemon().name("delay-proxy-front").start(() -> proxy.receiveKernel(proxy.kernelFront, null));
        }
        Thread.ofPlatform().daemon().name("delay-proxy-release").start(proxy::release);
        return proxy;
    }

    public int port() {
        return mode == Mode.USER ? front.getLocalPort() : kernelFront.localPort();
    }

    /** KERNEL mode: datagrams held from the reader's time because the kernel's was missing or implausible. */
    public long kernelFallbacks() {
        return kernelFallbacks.get();
    }

    private static io.ionclock.adapter.net.TimestampingSocket kernelSocket() {
        return io.ionclock.adapter.net.TimestampingSocket.open("127.0.0.1", 0, DATAGRAM_BYTES_MAX, 1 << 20, null);
    }

    /** KERNEL mode: reads {@code socket}, holding each datagram from its kernel receive time. */
    private void receiveKernel(io.ionclock.adapter.net.TimestampingSocket socket, SocketAddress client) {
        io.ionclock.adapter.clock.LinuxClockPairReader pairs = new io.ionclock.adapter.clock.LinuxClockPairReader();
        io.ionclock.adapter.clock.ClockPair pair = new io.ionclock.adapter.clock.ClockPair();
        java.util.List<Object[]> batch = new java.util.ArrayList<>();
        io.ionclock.adapter.net.TimestampingSocket.Receiver receiver = new io.ionclock.adapter.net.TimestampingSocket.Receiver() {
            @Override
            public void datagram(byte[] bytes, int len, InetAddress from, int fromPort, long rxRealtimeNanos) {
                if (len > DATAGRAM_BYTES_MAX) {
                    dropped.incrementAndGet();
                    return;
                }
                batch.add(new Object[] {Arrays.copyOf(bytes, len), new InetSocketAddress(from, fromPort), rxRealtimeNanos});
            }

            @Override
            public void transmitted(long key, long txRealtimeNanos) {
                // the proxy's own transmit times are of no use: drained and dropped
            }
        };
        while (running && !socket.closed()) {
            batch.clear();
            try {
                socket.poll(READ_WAIT_MILLIS, receiver);
            } catch (RuntimeException e) {
                return; // closed
            }
            if (batch.isEmpty()) {
                continue;
            }
            pairs.read(pair);
            for (Object[] b : batch) {
                long rxMono = io.ionclock.adapter.clock.RealtimeToMono.monoNanos((Long) b[2], pair, RECEIVE_AGE_NANOS_MAX);
                if ((Long) b[2] == 0 || rxMono == io.ionclock.adapter.clock.RealtimeToMono.IMPLAUSIBLE) {
                    kernelFallbacks.incrementAndGet();
                    rxMono = pair.monoBeforeNanos();
                }
                byte[] data = (byte[]) b[0];
                if (client == null) {
                    io.ionclock.adapter.net.TimestampingSocket out = kernelUpstreamFor((SocketAddress) b[1]);
                    if (out != null) {
                        holdFrom(rxMono, out, upstream, data);
                    }
                } else {
                    holdFrom(rxMono, kernelFront, client, data);
                }
            }
        }
    }

    private io.ionclock.adapter.net.TimestampingSocket kernelUpstreamFor(SocketAddress client) {
        io.ionclock.adapter.net.TimestampingSocket out = kernelUpstreamByClient.get(client);
        if (out != null) {
            return out;
        }
        if (kernelUpstreamByClient.size() >= CLIENTS_MAX) {
            dropped.incrementAndGet();
            return null;
        }
        io.ionclock.adapter.net.TimestampingSocket created = kernelSocket();
        kernelUpstreamByClient.put(client, created);
        Thread.ofPlatform().daemon().name("delay-proxy-upstream").start(() -> receiveKernel(created, client));
        return created;
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
        holdFrom(System.nanoTime(), via, to, data);
    }

    /** Holds {@code data} for the base delay and a jitter draw from {@code fromNanos} (nanoTime); {@code via} a socket. */
    private void holdFrom(long fromNanos, Object via, SocketAddress to, byte[] data) {
        if (held.size() >= QUEUED_MAX) {
            dropped.incrementAndGet();
            return;
        }
        long delayNanos;
        synchronized (random) {
            delayNanos = baseDelayNanos + Math.round(-Math.log(1 - random.nextDouble()) * jitterMeanNanos);
        }
        held.add(new Held(fromNanos + delayNanos, via, to, data, mode == Mode.KERNEL ? SPIN_NANOS : 0));
    }

    private void release() {
        while (running) {
            Held h;
            try {
                h = held.take();
            } catch (InterruptedException e) {
                return;
            }
            if (!running) {
                return; // closed (the sentinel, or what was still held)
            }
            while (System.nanoTime() < h.releaseNanos) {
                Thread.onSpinWait(); // KERNEL mode: the last SPIN_NANOS (USER: already due)
            }
            try {
                if (h.via instanceof io.ionclock.adapter.net.TimestampingSocket ks) {
                    InetSocketAddress a = (InetSocketAddress) h.to;
                    if (ks.send(h.data, 0, h.data.length, a.getAddress(), a.getPort()) < 0) {
                        dropped.incrementAndGet();
                        continue;
                    }
                } else {
                    ((DatagramSocket) h.via).send(new DatagramPacket(h.data, h.data.length, h.to));
                }
                relayed.incrementAndGet();
            } catch (IOException | RuntimeException e) {
                dropped.incrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        running = false;
        if (front != null) {
            front.close();
        }
        if (kernelFront != null) {
            kernelFront.close();
        }
        upstreamByClient.values().forEach(DatagramSocket::close);
        kernelUpstreamByClient.values().forEach(io.ionclock.adapter.net.TimestampingSocket::close);
        held.add(new Held(0, front, upstream, new byte[0], 0)); // wakes the release thread, which then stops
    }

    /** A datagram held until {@code releaseNanos}; the queue hands it over {@code spinNanos} early (to spin the rest). */
    private record Held(long releaseNanos, Object via, SocketAddress to, byte[] data, long spinNanos) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(releaseNanos - spinNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(releaseNanos, ((Held) other).releaseNanos);
        }
    }
}
