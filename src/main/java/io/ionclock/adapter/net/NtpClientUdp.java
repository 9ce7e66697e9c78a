package io.ionclock.adapter.net;

import io.ionclock.adapter.clock.ClockPair;
import io.ionclock.adapter.clock.ClockPairReader;
import io.ionclock.adapter.clock.LinuxClockPairReader;
import io.ionclock.adapter.clock.RealtimeToMono;
import io.ionclock.core.MonoClock;
import io.ionclock.core.ReferenceSource;
import io.ionclock.core.Sample;
import io.ionclock.core.ntp.NtpDropReason;
import io.ionclock.core.ntp.NtpPacket;
import io.ionclock.core.ntp.NtpSource;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The NTP client: upstream servers ({@code ionclock.ntp.servers}) polled from one UDP socket on an ephemeral port by
 * one thread ("ionclock-ntp-client"), which owns every {@link NtpSource} (the protocol, pure) and does everything in
 * turn: sends the requests that are due, waits on the socket until the next thing is due, hands answers to their
 * source, and once a {@link #SAMPLE_PERIOD_NANOS} gives each source's estimate to the discipline as a {@link Sample}.
 * Each server is its own {@link ReferenceSource} ({@link #servers()}), so the selection weighs it against the others.
 *
 * <p>Timestamps: {@code kernel} (the default, Linux): a {@link TimestampingSocket}, receive and transmit times from the
 * kernel, carried to the monotonic timebase with a clock pair read after each batch ({@link RealtimeToMono}); a
 * request's transmit time arrives on the error queue and becomes its t1. {@code user}, or where the kernel socket is
 * refused: a plain {@link DatagramChannel}, times read right after the receive and before the send. IPv4 servers.
 *
 * <p>Names are resolved by a separate thread at start and every {@code resolveInterval}, and again when a server has
 * gone unreachable: a DNS lookup never delays a poll. A changed address restarts that source's filter.
 */
public final class NtpClientUdp implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NtpClientUdp.class);
    /** A server's name in the selection and in status: this and its configured {@code host:port}. */
    public static final String KIND_PREFIX = "ntp:";
    /** Servers one appliance polls at most (each is a source of the selection, which takes 8 with its others). */
    public static final int SERVERS_MAX = 5;
    /** Each source's estimate goes to the discipline this often. */
    public static final long SAMPLE_PERIOD_NANOS = 1_000_000_000L;
    /** The thread waits on the socket at most this long (its heartbeat). */
    static final long WAIT_NANOS_MAX = 500_000_000L;
    /** A kernel timestamp older than this when converted is implausible (a step, a bad stamp). */
    static final long KERNEL_TIMESTAMP_AGE_NANOS_MAX = 10_000_000_000L;
    /** Transmit keys remembered (request key to server), a ring: far more than the requests in flight. */
    static final int TRANSMIT_KEYS_MAX = 64;
    /** After a failure of the socket or the loop, it waits this long before going on (never a busy loop). */
    static final long FAILURE_RETRY_NANOS = 100_000_000L;
    /** A name that does not resolve (or a server gone unreachable) is resolved again this often (the JDK caches failures 10 s). */
    static final long RESOLVE_RETRY_NANOS = 1_000_000_000L;
    /** The loop counts as dead when it has not run for this long. */
    static final long ALIVE_NANOS_MAX = 5_000_000_000L;

    /** One configured server: its name as given and its port. */
    public record ServerName(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** What the client is told at start. */
    public record Options(List<ServerName> servers, NtpSource.Config source, String timestamping,
            long resolveIntervalNanos) {
    }

    private final MonoClock mono;
    private final LongSupplier pivotEpochNanos;
    private final Options options;
    private final List<Server> servers = new ArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> fromResolver = new ConcurrentLinkedQueue<>();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong unknownSender = new AtomicLong();
    private volatile boolean running;
    private volatile long heartbeatMonoNanos;
    private volatile String timestamping = "user";
    private volatile String timestampingNote;
    private TimestampingSocket kernelSocket;
    private DatagramChannel userChannel;
    private Selector selector;
    private Thread loop;
    private Thread resolver;
    private int localPort;

    // Loop thread only.
    private final long[] keyOf = new long[TRANSMIT_KEYS_MAX];
    private final int[] serverOfKey = new int[TRANSMIT_KEYS_MAX];
    private int keyNext;
    private final byte[] txBuf = new byte[NtpPacket.SIZE_BYTES];

    public NtpClientUdp(MonoClock mono, LongSupplier pivotEpochNanos, Options options) {
        if (options.servers().isEmpty() || options.servers().size() > SERVERS_MAX) {
            throw new IllegalArgumentException("ionclock.ntp.servers: 1.." + SERVERS_MAX + " servers");
        }
        this.mono = mono;
        this.pivotEpochNanos = pivotEpochNanos;
        this.options = options;
        SecureRandom seeds = new SecureRandom();
        long now = mono.monoNanos();
        for (int i = 0; i < options.servers().size(); i++) {
            ServerName n = options.servers().get(i);
            servers.add(new Server(i, n, new NtpSource(n.toString(), options.source(), seeds.nextLong(), now)));
        }
        java.util.Arrays.fill(keyOf, -1);
    }

    /** Every server as a source of the selection, in the configured order. */
    public List<? extends ReferenceSource> servers() {
        return servers;
    }

    /** Opens the socket and starts the loop and the resolver. */
    public void start() {
        if ("kernel".equals(options.timestamping())) {
            openKernelSocket();
        }
        try {
            if (kernelSocket == null) {
                userChannel = DatagramChannel.open(StandardProtocolFamily.INET);
                userChannel.bind(new InetSocketAddress("0.0.0.0", 0));
                userChannel.configureBlocking(false);
                selector = Selector.open();
                userChannel.register(selector, SelectionKey.OP_READ);
                localPort = userChannel.socket().getLocalPort();
            } else {
                localPort = kernelSocket.localPort();
            }
        } catch (IOException e) {
            throw new IllegalStateException("ionclock.ntp.servers: cannot open a UDP socket: " + e.getMessage(), e);
        }
        running = true;
        heartbeatMonoNanos = mono.monoNanos();
        resolveAll(); // the first resolution before the first poll: names that do not resolve are retried by the resolver
        loop = Thread.ofPlatform().daemon().name("ionclock-ntp-client").start(this::loop);
        resolver = Thread.ofPlatform().daemon().name("ionclock-ntp-resolver").start(this::resolveLoop);
    }

    private void openKernelSocket() {
        if (!TimestampingSocket.supported()) {
            timestampingNote = "kernel timestamps need Linux on x86_64 or aarch64: user-space timestamps";
            LOG.warnf("NTP client: %s", timestampingNote);
            return;
        }
        try {
            kernelSocket = TimestampingSocket.open("0.0.0.0", 0, NtpPacket.DATAGRAM_BYTES_MAX, 0, null);
            timestamping = kernelSocket.timestamping();
        } catch (IllegalStateException | IllegalArgumentException e) {
            timestampingNote = "kernel timestamps refused (" + e.getMessage() + "): user-space timestamps";
            LOG.warnf("NTP client: %s", timestampingNote);
            kernelSocket = null;
        }
    }

    // ------------------------------------------------------------------ the loop

    private void loop() {
        ClockPairReader pairs = kernelSocket != null ? new LinuxClockPairReader(mono) : null;
        ClockPair before = new ClockPair();
        ClockPair after = new ClockPair();
        if (pairs != null) {
            pairs.read(before);
        }
        long nextSample = mono.monoNanos() + SAMPLE_PERIOD_NANOS;
        Batch batch = new Batch();
        while (running) {
            try {
                long now = mono.monoNanos();
                heartbeatMonoNanos = now;
                Runnable r;
                while ((r = fromResolver.poll()) != null) {
                    r.run();
                }
                long due = nextSample;
                for (Server s : servers) {
                    if (s.address != null && now >= s.source.nextRequestMonoNanos()) {
                        send(s, now);
                    }
                    if (s.address != null) {
                        due = Math.min(due, s.source.nextRequestMonoNanos());
                    }
                }
                if (now >= nextSample) {
                    for (Server s : servers) {
                        s.emit(now);
                    }
                    nextSample = Math.max(nextSample + SAMPLE_PERIOD_NANOS, now + 1);
                    due = Math.min(due, nextSample);
                }
                long waitNanos = Math.max(0, Math.min(WAIT_NANOS_MAX, due - mono.monoNanos()));
                if (kernelSocket != null) {
                    batch.clear();
                    kernelSocket.poll((int) Math.max(waitNanos > 0 ? 1 : 0, (waitNanos + 999_999) / 1_000_000), batch);
                    pairs.read(after);
                    boolean stepped = RealtimeToMono.stepped(before, after);
                    batch.deliver(stepped, after);
                    ClockPair t = before;
                    before = after;
                    after = t;
                } else {
                    receiveUser(waitNanos);
                }
            } catch (RuntimeException | IOException e) {
                if (!running) {
                    return;
                }
                failures.incrementAndGet();
                LOG.errorf(e, "NTP client: loop failure (counted; going on)");
                LockSupport.parkNanos(FAILURE_RETRY_NANOS);
            }
        }
    }

    private void send(Server s, long now) {
        int len = s.source.writeRequest(now, txBuf, 0);
        if (len == 0) {
            return;
        }
        InetAddress to = s.address;
        if (kernelSocket != null) {
            long key = kernelSocket.send(txBuf, 0, len, to, s.name.port());
            if (key < 0) {
                s.sendFailures++;
                return;
            }
            int slot = keyNext;
            keyNext = (keyNext + 1) % TRANSMIT_KEYS_MAX;
            keyOf[slot] = key;
            serverOfKey[slot] = s.index;
            s.source.requestSent((int) (key & 0x7FFF_FFFF));
        } else {
            try {
                userChannel.send(ByteBuffer.wrap(txBuf, 0, len), new InetSocketAddress(to, s.name.port()));
            } catch (IOException e) {
                s.sendFailures++;
            }
        }
    }

    /** One poll's datagrams and transmit reports, delivered after the clock pair that converts them is read. */
    private final class Batch implements TimestampingSocket.Receiver {
        final int max = TimestampingSocket.DATAGRAMS_PER_CALL_MAX + TimestampingSocket.ERRQUEUE_PER_CALL_MAX;
        final byte[][] bytes = new byte[max][];
        final int[] lens = new int[max];
        final InetAddress[] from = new InetAddress[max];
        final int[] ports = new int[max];
        final long[] realtimes = new long[max];
        final long[] keys = new long[max];
        int n;

        void clear() {
            n = 0;
        }

        @Override
        public void datagram(byte[] buf, int len, InetAddress sender, int senderPort, long rxRealtimeNanos) {
            if (n == max) {
                return;
            }
            int copy = Math.min(len, NtpPacket.DATAGRAM_BYTES_MAX + 1);
            if (bytes[n] == null) {
                bytes[n] = new byte[NtpPacket.DATAGRAM_BYTES_MAX + 1];
            }
            System.arraycopy(buf, 0, bytes[n], 0, Math.min(copy, buf.length));
            lens[n] = len;
            from[n] = sender;
            ports[n] = senderPort;
            realtimes[n] = rxRealtimeNanos;
            keys[n] = -1;
            n++;
        }

        @Override
        public void transmitted(long key, long txRealtimeNanos) {
            if (n == max) {
                return;
            }
            lens[n] = -1;
            realtimes[n] = txRealtimeNanos;
            keys[n] = key;
            n++;
        }

        void deliver(boolean stepped, ClockPair after) {
            for (int i = 0; i < n; i++) {
                long m = stepped || realtimes[i] == 0 ? RealtimeToMono.IMPLAUSIBLE
                        : RealtimeToMono.monoNanos(realtimes[i], after, KERNEL_TIMESTAMP_AGE_NANOS_MAX);
                if (lens[i] < 0) {
                    if (m != RealtimeToMono.IMPLAUSIBLE) {
                        transmitTime(keys[i], m);
                    }
                    continue;
                }
                if (m == RealtimeToMono.IMPLAUSIBLE) {
                    m = after.monoBeforeNanos();
                }
                answer(bytes[i], Math.min(lens[i], bytes[i].length), lens[i], from[i], ports[i], m);
            }
        }

        private void transmitTime(long key, long txMonoNanos) {
            for (int k = 0; k < TRANSMIT_KEYS_MAX; k++) {
                if (keyOf[k] == key && key >= 0) {
                    servers.get(serverOfKey[k]).source.onTransmitted((int) (key & 0x7FFF_FFFF), txMonoNanos);
                    keyOf[k] = -1;
                    return;
                }
            }
        }
    }

    private final ByteBuffer userBuf = ByteBuffer.allocate(NtpPacket.DATAGRAM_BYTES_MAX + 1);

    private void receiveUser(long waitNanos) throws IOException {
        if (waitNanos > 0) {
            selector.select(Math.max(1, waitNanos / 1_000_000));
        } else {
            selector.selectNow();
        }
        selector.selectedKeys().clear();
        for (int i = 0; i < TimestampingSocket.DATAGRAMS_PER_CALL_MAX; i++) {
            userBuf.clear();
            InetSocketAddress sender = (InetSocketAddress) userChannel.receive(userBuf);
            long rx = mono.monoNanos();
            if (sender == null) {
                return;
            }
            answer(userBuf.array(), userBuf.position(), userBuf.position(), sender.getAddress(), sender.getPort(), rx);
        }
    }

    private void answer(byte[] buf, int readable, int len, InetAddress sender, int port, long rxMonoNanos) {
        for (Server s : servers) {
            if (port == s.name.port() && sender.equals(s.address)) {
                NtpDropReason r = s.source.onResponse(buf, 0, len > readable ? NtpPacket.DATAGRAM_BYTES_MAX + 1 : len,
                        rxMonoNanos, pivotEpochNanos.getAsLong());
                if (r == null && s.pendingFirstLog) {
                    s.pendingFirstLog = false;
                    LOG.infof("NTP client: %s (%s) answers", s.name, s.address.getHostAddress());
                }
                return;
            }
        }
        unknownSender.incrementAndGet();
    }

    // ------------------------------------------------------------------ names

    private void resolveLoop() {
        long nextAll = mono.monoNanos() + options.resolveIntervalNanos();
        while (running) {
            LockSupport.parkNanos(RESOLVE_RETRY_NANOS);
            if (!running) {
                return;
            }
            long now = mono.monoNanos();
            if (now >= nextAll) {
                resolveAll();
                nextAll = now + options.resolveIntervalNanos();
                continue;
            }
            for (Server s : servers) {
                if (s.address == null || s.reresolve) {
                    s.reresolve = false;
                    resolve(s);
                }
            }
        }
    }

    private void resolveAll() {
        for (Server s : servers) {
            resolve(s);
        }
    }

    /** Resolves one server's name (IPv4) on the calling thread; the loop takes the result. */
    private void resolve(Server s) {
        InetAddress found = null;
        String error = null;
        try {
            for (InetAddress a : InetAddress.getAllByName(s.name.host())) {
                if (a instanceof Inet4Address) {
                    found = a;
                    break;
                }
            }
            if (found == null) {
                error = "no IPv4 address";
            }
        } catch (UnknownHostException e) {
            error = "does not resolve";
        }
        InetAddress address = found;
        String note = error;
        fromResolver.add(() -> s.setAddress(address, note, mono.monoNanos()));
    }

    // ------------------------------------------------------------------ status

    public int localPort() {
        return localPort;
    }

    public String timestamping() {
        return timestamping;
    }

    public String timestampingNote() {
        return timestampingNote;
    }

    public long failures() {
        return failures.get();
    }

    /** Answers from addresses no request went to (or a port other than the server's). */
    public long unknownSenders() {
        return unknownSender.get();
    }

    public boolean alive(long nowMonoNanos) {
        return running && nowMonoNanos - heartbeatMonoNanos < ALIVE_NANOS_MAX;
    }

    /** One server's state for status and metrics, published by the loop. */
    public record ServerView(String name, String address, String state, int reach, long pollNanos, int stratum,
            String referenceId, long rootDelayNanos, long rootDispersionNanos, long delayNanos, long minDelayNanos,
            long boundNanos, long filterWindowNanos, long requests, long answers, long interleavedAnswers,
            long kissRate, long userSpaceTransmitTimes, long sendFailures, Map<String, Long> drops, String note) {
    }

    /** Every server's view, in the configured order. */
    public List<ServerView> views() {
        List<ServerView> out = new ArrayList<>(servers.size());
        for (Server s : servers) {
            out.add(s.view);
        }
        return out;
    }

    @Override
    public void close() {
        running = false;
        if (kernelSocket != null) {
            kernelSocket.close();
        }
        try {
            if (selector != null) {
                selector.close();
            }
            if (userChannel != null) {
                userChannel.close();
            }
        } catch (IOException e) {
            LOG.debugf("NTP client: close: %s", e.getMessage());
        }
        for (Thread t : new Thread[] {loop, resolver}) {
            if (t != null) {
                LockSupport.unpark(t);
                try {
                    t.join(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** One upstream server: its protocol state and its place in the selection. */
    private final class Server implements ReferenceSource {
        final int index;
        final ServerName name;
        final NtpSource source;
        volatile Consumer<Sample> sink;
        volatile ServerView view;
        InetAddress address; // loop thread
        String note;
        volatile boolean reresolve;
        boolean pendingFirstLog = true;
        long sendFailures;
        NtpSource.State lastState = NtpSource.State.INIT;

        Server(int index, ServerName name, NtpSource source) {
            this.index = index;
            this.name = name;
            this.source = source;
            publish(mono.monoNanos());
        }

        void setAddress(InetAddress a, String why, long now) {
            note = why == null ? null : name.host() + " " + why;
            if (a == null || a.equals(address)) {
                return;
            }
            if (address != null) {
                LOG.infof("NTP client: %s now resolves to %s (was %s): starting over", name, a.getHostAddress(),
                        address.getHostAddress());
                source.addressChanged(now);
            }
            address = a;
        }

        void emit(long now) {
            Sample sample = source.sampleAt(now);
            Consumer<Sample> out = sink;
            if (sample != null && out != null) {
                out.accept(sample);
            }
            NtpSource.State st = source.state(now);
            if (st == NtpSource.State.UNREACHABLE && lastState != NtpSource.State.UNREACHABLE) {
                reresolve = true; // chrony re-resolves an unreachable server's name
            }
            lastState = st;
            publish(now);
        }

        void publish(long now) {
            Map<String, Long> drops = new LinkedHashMap<>();
            for (NtpDropReason r : NtpDropReason.values()) {
                long n = source.drops(r);
                if (n > 0) {
                    drops.put(r.name(), n);
                }
            }
            view = new ServerView(name.toString(), address == null ? null : address.getHostAddress(),
                    source.state(now).name(), source.reach(), source.pollNanos(), source.stratum(),
                    refIdText(source.stratum(), source.referenceId()), source.rootDelayNanos(),
                    source.rootDispersionNanos(), source.lastDelayNanos(), source.minDelayNanos(),
                    source.lastBoundNanos(), source.filterWindowNanos(), source.requests(), source.answers(),
                    source.interleavedAnswers(), source.kissRate(), source.userSpaceTransmitTimes(), sendFailures,
                    Map.copyOf(drops), note);
        }

        @Override
        public String kind() {
            return KIND_PREFIX + name;
        }

        @Override
        public void start(Consumer<Sample> sink) {
            this.sink = sink;
        }

        @Override
        public boolean alive(long nowMonoNanos) {
            return NtpClientUdp.this.alive(nowMonoNanos);
        }

        @Override
        public Map<String, Object> details() {
            ServerView v = view;
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("server", v.name());
            d.put("address", v.address());
            d.put("state", v.state());
            d.put("reach", Integer.toOctalString(v.reach()));
            d.put("stratum", v.stratum());
            return d;
        }

        @Override
        public void close() {
            // the client closes the socket
        }
    }

    /** Stratum 1: the four ASCII characters; above: the IPv4 address the reference id is. */
    static String refIdText(int stratum, int referenceId) {
        if (stratum <= 1) {
            return NtpPacket.refIdText(referenceId);
        }
        return ((referenceId >>> 24) & 0xFF) + "." + ((referenceId >>> 16) & 0xFF) + "." + ((referenceId >>> 8) & 0xFF)
                + "." + (referenceId & 0xFF);
    }

    /** Parses {@code ionclock.ntp.servers}: comma-separated {@code host[:port]} (port default 123). */
    public static List<ServerName> parseServers(String list) {
        List<ServerName> out = new ArrayList<>();
        for (String part : list.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            String host = p;
            int port = 123;
            int colon = p.lastIndexOf(':');
            if (colon > 0 && p.indexOf(':') == colon) {
                host = p.substring(0, colon);
                try {
                    port = Integer.parseInt(p.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("ionclock.ntp.servers: bad port in '" + p + "'");
                }
            }
            if (port < 1 || port > 65_535 || host.isEmpty()) {
                throw new IllegalArgumentException("ionclock.ntp.servers: '" + p + "' is not host[:port] (port 1..65535)");
            }
            out.add(new ServerName(host, port));
        }
        if (out.isEmpty() || out.size() > SERVERS_MAX) {
            throw new IllegalArgumentException("ionclock.ntp.servers: 1.." + SERVERS_MAX + " servers, got " + out.size());
        }
        return out;
    }
}
