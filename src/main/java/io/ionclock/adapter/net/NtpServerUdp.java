package io.ionclock.adapter.net;

import io.ionclock.adapter.clock.ClockPair;
import io.ionclock.adapter.clock.ClockPairReader;
import io.ionclock.adapter.clock.LinuxClockPairReader;
import io.ionclock.adapter.clock.RealtimeToMono;
import io.ionclock.core.MonoClock;
import io.ionclock.core.ntp.NtpClientTable;
import io.ionclock.core.ntp.NtpDropReason;
import io.ionclock.core.ntp.NtpPacket;
import io.ionclock.core.ntp.NtpServer;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The NTP server on UDP: one socket per bind address, each with its own reader thread that receives, answers
 * ({@link NtpServer}) and sends at once, with no hop to another thread. Two transports:
 * <ul>
 *   <li>{@code kernel} (the default): a {@link TimestampingSocket}. Each batch of datagrams and transmit reports is
 *       carried into the monotonic timebase with a clock pair read after it ({@link RealtimeToMono}; a realtime step
 *       between two pairs, or a datagram without a timestamp, falls back to the user-space time of the batch,
 *       counted). Each response's transmit key is kept ({@link TransmitKeys}) with its client's slot and receive
 *       timestamp, so its kernel transmit time replaces the saved one for the client's next interleaved response, and
 *       the time from kernel receive to kernel transmit goes into a histogram.</li>
 *   <li>{@code user}, and where the kernel socket cannot be had (another OS, refused): a blocking
 *       {@link DatagramChannel}, the receive time read when {@code receive} returns; interleaved responses then carry
 *       the user-space transmit reading (as chrony without kernel timestamps). Status says which is in use and why.</li>
 * </ul>
 * Each socket has its own engine and client table of {@code clientsMax} (so {@code n} bind addresses remember up to
 * {@code n x clientsMax} clients). Nothing from the network can stop a reader: a failure is counted, logged at most
 * every {@link #FAILURE_LOG_NANOS}, and the loop goes on after {@link #FAILURE_RETRY_NANOS}.
 */
public final class NtpServerUdp implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NtpServerUdp.class);
    public static final String TIMESTAMPING_KERNEL = "kernel";
    public static final String TIMESTAMPING_USER = "user";
    /** The socket's receive buffer asked of the kernel (it caps it at net.core.rmem_max): bursts of requests. */
    static final int RECEIVE_BUFFER_BYTES = 4 << 20;
    /** The reader's longest wait: it refreshes the reference and re-reads its clock pair at least this often. */
    static final int READ_WAIT_MILLIS = 100;
    /** The reference (stratum, leap, reference time) is re-read at most this often, on the reader thread. */
    static final long REFERENCE_REFRESH_NANOS = 100_000_000L;
    /** A kernel timestamp older than this when converted is not believed (a realtime step). */
    static final long KERNEL_TIMESTAMP_AGE_NANOS_MAX = 1_000_000_000L;
    /** Responses whose transmit report is awaited, at most (a power of two). */
    static final int TRANSMIT_KEYS_MAX = 1 << 14;
    /** After a failure the reader waits this long (never a busy loop). */
    static final long FAILURE_RETRY_NANOS = 100_000_000L;
    /** At most one log line about failures per this. */
    static final long FAILURE_LOG_NANOS = 10_000_000_000L;
    /** How long close waits for each reader. */
    static final long CLOSE_WAIT_SECONDS = 2;
    private static final int BATCH_MAX = TimestampingSocket.DATAGRAMS_PER_CALL_MAX;
    private static final int REPORTS_MAX = TimestampingSocket.ERRQUEUE_PER_CALL_MAX;

    /**
     * @param binds                addresses to bind, one socket each (literals: "0.0.0.0", "::", "127.0.0.1")
     * @param port                 0..65535 (0: a free port each)
     * @param timestamping         {@link #TIMESTAMPING_KERNEL} or {@link #TIMESTAMPING_USER}
     * @param clientsMax           client addresses remembered per socket
     * @param requestsPerSecondMax a client address's rate
     * @param burstMax             a client address's burst
     */
    public record Options(List<String> binds, int port, String timestamping, int clientsMax, int requestsPerSecondMax,
            int burstMax) {
        public Options {
            binds = List.copyOf(binds);
            if (binds.isEmpty()) {
                throw new IllegalArgumentException("at least one bind address");
            }
        }
    }

    /**
     * What status and metrics show, summed over the sockets. {@code responses*}: basic, interleaved and KoD responses;
     * {@code drops} by {@link NtpDropReason} name (zeros included); {@code rxToTx*Nanos}: the server's time from kernel
     * receive to kernel transmit (user space in {@code user} mode), -1 before any; {@code requestsPerSecond}: over the
     * interval between the last two {@link #updateRate} calls.
     */
    public record View(List<Integer> ports, String timestamping, String timestampingNote, double requestsPerSecond,
            long requests,
            long responsesBasic, long responsesInterleaved, long responsesKod, Map<String, Long> drops, int clients,
            int clientsMax, long clientsSeen, long clientEvictions, long bytesReceived, long bytesSent,
            long sendFailures, long transmitTimes, long transmitTimesUsed, long transmitTimesLost,
            long kernelTimestampFallbacks, long failures, long rxToTxCount, long rxToTxP50Nanos, long rxToTxP99Nanos,
            long rxToTxP999Nanos) {
    }

    private final MonoClock mono;
    private final NtpServer.Clock clock;
    private final Supplier<NtpServer.Reference> reference;
    private final Options options;
    private final List<Listener> listeners = new ArrayList<>();
    private volatile boolean running;
    private volatile double requestsPerSecond;
    private long rateMonoNanos = Long.MIN_VALUE; // under this
    private long rateRequests;

    /**
     * @param mono      the discipline's monotonic clock (every instant)
     * @param clock     the disciplined clock answered from
     * @param reference what the server says about its reference, asked on the reader threads every
     *                  {@link #REFERENCE_REFRESH_NANOS} at most
     */
    public NtpServerUdp(MonoClock mono, NtpServer.Clock clock, Supplier<NtpServer.Reference> reference,
            Options options) {
        this.mono = Objects.requireNonNull(mono, "mono");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.reference = Objects.requireNonNull(reference, "reference");
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Binds every socket and starts its reader.
     *
     * @throws IllegalStateException naming {@code ionclock.ntp.port} when a socket cannot be bound (all are closed)
     */
    public void start() {
        running = true;
        SecureRandom seeds = new SecureRandom();
        try {
            for (String bind : options.binds()) {
                NtpServer engine = new NtpServer(clock, options.clientsMax(), options.requestsPerSecondMax(),
                        options.burstMax(), seeds.nextLong());
                Listener l = new Listener(bind, engine);
                listeners.add(l);
                l.open();
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        for (Listener l : listeners) {
            l.thread = Thread.ofPlatform().daemon().name("ionclock-ntp-" + l.bind + "-" + l.port)
                    .start(l.kernel != null ? l::kernelLoop : l::userLoop);
        }
    }

    /** The bound ports, one per bind address in order. */
    public List<Integer> ports() {
        List<Integer> ports = new ArrayList<>();
        for (Listener l : listeners) {
            ports.add(l.port);
        }
        return ports;
    }

    /** "kernel" when every socket has kernel timestamps, "user" when none, "mixed" otherwise. */
    public String timestamping() {
        long kernel = listeners.stream().filter(l -> l.kernel != null).count();
        return kernel == listeners.size() ? TIMESTAMPING_KERNEL : kernel == 0 ? TIMESTAMPING_USER : "mixed";
    }

    /** The counters now, summed over the sockets. Any thread. */
    public View view() {
        long requests = 0, basic = 0, interleaved = 0, kod = 0, seen = 0, evictions = 0, in = 0, out = 0, failed = 0;
        long tx = 0, txUsed = 0, txLost = 0, fallbacks = 0, failures = 0;
        int clients = 0, clientsMax = 0;
        Map<String, Long> drops = new LinkedHashMap<>();
        for (NtpDropReason r : NtpDropReason.values()) {
            drops.put(r.name(), 0L);
        }
        long[] counts = null;
        StringBuilder note = new StringBuilder();
        for (Listener l : listeners) {
            NtpServer e = l.engine;
            requests += e.requests();
            basic += e.answeredBasic();
            interleaved += e.answeredInterleaved();
            kod += e.kodSent();
            seen += e.clientsSeen();
            evictions += e.clientEvictions();
            clients += e.clients();
            clientsMax += e.clientsMax();
            txUsed += e.transmitTimesUsed();
            for (NtpDropReason r : NtpDropReason.values()) {
                drops.merge(r.name(), e.dropped(r), Long::sum);
            }
            in += l.bytesReceived;
            out += l.bytesSent;
            failed += l.sendFailures;
            tx += l.transmitTimes;
            txLost += l.transmitTimesLost;
            fallbacks += l.kernelTimestampFallbacks;
            failures += l.failures;
            counts = add(counts, l.rxToTx.copyCounts());
            if (l.note != null) {
                note.append(note.isEmpty() ? "" : "; ").append(l.bind).append(": ").append(l.note);
            }
        }
        long n = 0;
        if (counts != null) {
            for (long c : counts) {
                n += c;
            }
        }
        return new View(ports(), timestamping(), note.isEmpty() ? null : note.toString(), requestsPerSecond, requests,
                basic, interleaved,
                kod, Collections.unmodifiableMap(drops), clients, clientsMax, seen, evictions, in, out, failed, tx,
                txUsed, txLost, fallbacks, failures, n,
                counts == null ? -1 : NanosHistogram.percentileNanos(counts, 50),
                counts == null ? -1 : NanosHistogram.percentileNanos(counts, 99),
                counts == null ? -1 : NanosHistogram.percentileNanos(counts, 99.9));
    }

    /** Takes the request rate since the last call (call it about once a second). */
    public synchronized void updateRate(long nowMonoNanos) {
        long n = 0;
        for (Listener l : listeners) {
            n += l.engine.requests();
        }
        if (rateMonoNanos != Long.MIN_VALUE && nowMonoNanos > rateMonoNanos) {
            requestsPerSecond = (n - rateRequests) * 1e9 / (nowMonoNanos - rateMonoNanos);
        }
        rateMonoNanos = nowMonoNanos;
        rateRequests = n;
    }

    /** {@code sum + c}, element by element ({@code c} itself when there is no sum yet). */
    private static long[] add(long[] sum, long[] c) {
        if (sum == null) {
            return c;
        }
        for (int i = 0; i < c.length; i++) {
            sum[i] += c[i];
        }
        return sum;
    }

    /** The receive-to-transmit histogram counts summed over the sockets (benchmarks take differences). */
    public long[] rxToTxCounts() {
        long[] counts = null;
        for (Listener l : listeners) {
            counts = add(counts, l.rxToTx.copyCounts());
        }
        return counts == null ? new long[0] : counts;
    }

    @Override
    public void close() {
        running = false;
        for (Listener l : listeners) {
            l.closeSocket();
        }
        for (Listener l : listeners) {
            Thread t = l.thread;
            if (t != null) {
                try {
                    t.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The address key of a sender: IPv4 as IPv4-mapped IPv6 (no allocation: Inet4Address's hash is its address). */
    static long addressHi(InetAddress a) {
        if (a instanceof Inet4Address) {
            return NtpClientTable.IPV4_MAPPED_HI;
        }
        byte[] b = a.getAddress();
        long hi = 0;
        for (int i = 0; i < 8; i++) {
            hi = hi << 8 | (b[i] & 0xFF);
        }
        return hi;
    }

    static long addressLo(InetAddress a) {
        if (a instanceof Inet4Address) {
            return NtpClientTable.ipv4Lo(a.hashCode());
        }
        byte[] b = a.getAddress();
        long lo = 0;
        for (int i = 8; i < 16; i++) {
            lo = lo << 8 | (b[i] & 0xFF);
        }
        return lo;
    }

    /** One bound socket, its engine and its reader. */
    private final class Listener {
        final String bind;
        final NtpServer engine;
        final NanosHistogram rxToTx = new NanosHistogram();
        final byte[] out = new byte[NtpPacket.SIZE_BYTES];
        TimestampingSocket kernel;
        DatagramChannel channel;
        String note;
        int port = -1;
        Thread thread;
        long lastReferenceMonoNanos = Long.MIN_VALUE;
        long lastFailureLogMonoNanos = Long.MIN_VALUE;
        // Counters: written by the reader, read by any.
        volatile long bytesReceived;
        volatile long bytesSent;
        volatile long sendFailures;
        volatile long transmitTimes;
        volatile long transmitTimesLost;
        volatile long kernelTimestampFallbacks;
        volatile long failures;

        Listener(String bind, NtpServer engine) {
            this.bind = bind;
            this.engine = engine;
        }

        void open() {
            if (TIMESTAMPING_KERNEL.equals(options.timestamping())) {
                if (!TimestampingSocket.supported()) {
                    note = "kernel timestamps need Linux on x86_64 or aarch64 (this is " + System.getProperty("os.name")
                            + " " + System.getProperty("os.arch") + "): user-space timestamps";
                } else {
                    try {
                        kernel = TimestampingSocket.open(bind, options.port(), NtpPacket.DATAGRAM_BYTES_MAX,
                                RECEIVE_BUFFER_BYTES, null);
                        port = kernel.localPort();
                        return;
                    } catch (IllegalStateException e) {
                        if (e.getMessage() != null && e.getMessage().contains("bind ")) {
                            throw new IllegalStateException("ionclock.ntp.port: cannot listen on UDP " + bind + " port "
                                    + options.port() + ": " + e.getMessage(), e);
                        }
                        note = "kernel timestamps refused (" + e.getMessage() + "): user-space timestamps";
                    }
                }
                LOG.warnf("NTP server on %s: %s", bind, note);
            } else {
                note = "ionclock.ntp.timestamping=user";
            }
            try {
                InetAddress address = InetAddress.ofLiteral(bind);
                channel = DatagramChannel.open(address instanceof Inet6Address ? StandardProtocolFamily.INET6
                        : StandardProtocolFamily.INET);
                channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER_BYTES);
                channel.bind(new InetSocketAddress(address, options.port()));
                channel.configureBlocking(true);
                port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("ionclock.ntp.port: cannot listen on UDP " + bind + " port "
                        + options.port() + ": " + e, e);
            }
        }

        void closeSocket() {
            if (kernel != null) {
                kernel.close();
            }
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.debugf("NTP server socket close: %s", e.toString());
                }
            }
        }

        void refreshReference(long nowMonoNanos) {
            if (lastReferenceMonoNanos == Long.MIN_VALUE
                    || nowMonoNanos - lastReferenceMonoNanos >= REFERENCE_REFRESH_NANOS) {
                lastReferenceMonoNanos = nowMonoNanos;
                try {
                    engine.setReference(reference.get());
                } catch (RuntimeException e) {
                    failure(e, "reference");
                }
            }
        }

        /** Kernel mode: poll, convert the batch's timestamps with the pair read after it, answer, send. */
        void kernelLoop() {
            TimestampingSocket s = kernel;
            ClockPairReader pairs = new LinuxClockPairReader(mono);
            ClockPair before = new ClockPair();
            ClockPair after = new ClockPair();
            TransmitKeys keys = new TransmitKeys(TRANSMIT_KEYS_MAX);
            TransmitKeys.Sent sent = new TransmitKeys.Sent();
            byte[][] data = new byte[BATCH_MAX][NtpPacket.SIZE_BYTES];
            int[] lens = new int[BATCH_MAX];
            InetAddress[] froms = new InetAddress[BATCH_MAX];
            int[] fromPorts = new int[BATCH_MAX];
            long[] rxRealtimes = new long[BATCH_MAX];
            long[] reportKeys = new long[REPORTS_MAX];
            long[] txRealtimes = new long[REPORTS_MAX];
            int[] counts = new int[2]; // datagrams, reports
            TimestampingSocket.Receiver receiver = new TimestampingSocket.Receiver() {
                @Override
                public void datagram(byte[] bytes, int len, InetAddress from, int fromPort, long rxRealtimeNanos) {
                    int i = counts[0]++;
                    System.arraycopy(bytes, 0, data[i], 0, Math.min(Math.max(len, 0), NtpPacket.SIZE_BYTES));
                    lens[i] = len;
                    froms[i] = from;
                    fromPorts[i] = fromPort;
                    rxRealtimes[i] = rxRealtimeNanos;
                }

                @Override
                public void transmitted(long key, long txRealtimeNanos) {
                    int i = counts[1]++;
                    reportKeys[i] = key;
                    txRealtimes[i] = txRealtimeNanos;
                }
            };
            pairs.read(before);
            while (running && !s.closed()) {
                try {
                    counts[0] = 0;
                    counts[1] = 0;
                    long errorsBefore = s.receiveErrors();
                    s.poll(READ_WAIT_MILLIS, receiver);
                    if (s.receiveErrors() != errorsBefore && counts[0] == 0 && counts[1] == 0) {
                        LockSupport.parkNanos(FAILURE_RETRY_NANOS); // a failing socket returns at once
                    }
                    pairs.read(after);
                    boolean stepped = RealtimeToMono.stepped(before, after);
                    for (int i = 0; i < counts[1]; i++) {
                        transmitTimes++;
                        long txMonoNanos = stepped || txRealtimes[i] == 0 ? RealtimeToMono.IMPLAUSIBLE
                                : RealtimeToMono.monoNanos(txRealtimes[i], after, KERNEL_TIMESTAMP_AGE_NANOS_MAX);
                        if (!keys.take(reportKeys[i], sent) || txMonoNanos == RealtimeToMono.IMPLAUSIBLE) {
                            transmitTimesLost++;
                            continue;
                        }
                        rxToTx.record(txMonoNanos - sent.sendMonoNanos());
                        engine.onTransmitted((int) sent.token(), sent.sequence(), txMonoNanos);
                    }
                    if (lastReferenceMonoNanos == Long.MIN_VALUE) {
                        refreshReference(after.monoAfterNanos());
                    }
                    for (int i = 0; i < counts[0]; i++) {
                        long rxMonoNanos = stepped || rxRealtimes[i] == 0 ? RealtimeToMono.IMPLAUSIBLE
                                : RealtimeToMono.monoNanos(rxRealtimes[i], after, KERNEL_TIMESTAMP_AGE_NANOS_MAX);
                        if (rxMonoNanos == RealtimeToMono.IMPLAUSIBLE) {
                            kernelTimestampFallbacks++;
                            rxMonoNanos = after.monoBeforeNanos(); // user space: when the reader had it
                        }
                        InetAddress from = froms[i];
                        froms[i] = null;
                        int len = lens[i];
                        bytesReceived += Math.max(0, len);
                        int n = engine.answer(data[i], 0, len, addressHi(from), addressLo(from), rxMonoNanos, out, 0);
                        if (n == 0) {
                            continue;
                        }
                        long key = s.send(out, 0, n, from, fromPorts[i]);
                        if (key < 0) {
                            sendFailures++;
                            continue;
                        }
                        bytesSent += n;
                        // sendMonoNanos holds the request's receive instant: rx-to-tx is measured from it.
                        keys.record(key, engine.lastSlot(), engine.lastRxNtp(), rxMonoNanos);
                    }
                    // After the answers, not between a receive and its transmit: the reference is read at most every
                    // REFERENCE_REFRESH_NANOS and may be that old.
                    refreshReference(after.monoAfterNanos());
                    ClockPair t = before;
                    before = after;
                    after = t;
                } catch (RuntimeException e) {
                    if (!running || s.closed()) {
                        return;
                    }
                    failure(e, "kernel socket");
                    LockSupport.parkNanos(FAILURE_RETRY_NANOS);
                    pairs.read(before);
                }
            }
        }

        /** User mode: a blocking receive; the receive time is read when it returns. */
        void userLoop() {
            DatagramChannel c = channel;
            ByteBuffer rx = ByteBuffer.allocateDirect(NtpPacket.DATAGRAM_BYTES_MAX + 1);
            ByteBuffer tx = ByteBuffer.wrap(out);
            byte[] data = new byte[NtpPacket.SIZE_BYTES];
            while (running && c.isOpen()) {
                try {
                    rx.clear();
                    SocketAddress sa = c.receive(rx);
                    long rxMonoNanos = mono.monoNanos();
                    if (!(sa instanceof InetSocketAddress from)) {
                        continue;
                    }
                    int len = rx.position(); // a longer datagram fills the buffer: seen as OVERSIZED
                    bytesReceived += len;
                    rx.flip();
                    rx.get(data, 0, Math.min(len, NtpPacket.SIZE_BYTES));
                    refreshReference(rxMonoNanos);
                    InetAddress a = from.getAddress();
                    int n = engine.answer(data, 0, len, addressHi(a), addressLo(a), rxMonoNanos, out, 0);
                    if (n == 0) {
                        continue;
                    }
                    tx.clear().limit(n);
                    if (c.send(tx, from) != n) {
                        sendFailures++;
                        continue;
                    }
                    rxToTx.record(mono.monoNanos() - rxMonoNanos);
                    bytesSent += n;
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    if (!running || !c.isOpen()) {
                        return;
                    }
                    failure(e, "socket");
                    LockSupport.parkNanos(FAILURE_RETRY_NANOS);
                }
            }
        }

        void failure(Throwable e, String where) {
            failures++;
            long now = mono.monoNanos();
            if (lastFailureLogMonoNanos == Long.MIN_VALUE || now - lastFailureLogMonoNanos >= FAILURE_LOG_NANOS) {
                lastFailureLogMonoNanos = now;
                LOG.errorf(e, "NTP server %s on %s: %s (%d failures so far; the reader goes on)", where, bind,
                        e.toString(), failures);
            }
        }
    }
}
