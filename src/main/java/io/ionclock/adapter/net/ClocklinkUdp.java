package io.ionclock.adapter.net;

import io.ionclock.adapter.clock.ClockPair;
import io.ionclock.adapter.clock.ClockPairReader;
import io.ionclock.adapter.clock.LinuxClockPairReader;
import io.ionclock.adapter.clock.RealtimeToMono;
import io.ionclock.core.MonoClock;
import io.ionclock.core.ReferenceSource;
import io.ionclock.core.Sample;
import io.ionclock.core.clocklink.ClocklinkConfig;
import io.ionclock.core.clocklink.ClocklinkNode;
import io.ionclock.core.clocklink.DropReason;
import io.ionclock.core.clocklink.PeerStatus;
import io.ionclock.core.clocklink.Wire;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Clocklink on UDP: one socket on {@code ionclock.sync.port}, and the pure {@link ClocklinkNode} driven on one Vert.x
 * event loop only (every datagram, every transmit time, and a one-shot timer re-armed at the instant the node asks for).
 * Two transports (docs/clocklink.md: where timestamps are taken):
 * <ul>
 *   <li>{@code kernel} ({@code ionclock.sync.timestamping}, the default): a {@link TimestampingSocket}. A reader thread
 *       waits on it, carries each kernel timestamp into the discipline's monotonic timebase with a clock pair read
 *       after the batch ({@link RealtimeToMono}: a realtime step between two pairs makes the batch fall back to its
 *       user-space time, counted) and hands (bytes, receive time, sender) and (transmit key, transmit time) to the
 *       loop through a bounded queue ({@link #HANDOFF_MAX}; a full queue drops, counted). Sends go out from the loop;
 *       each SYNC_REQUEST/RESPONSE's key is kept ({@link TransmitKeys}) to match its transmit time to the node's
 *       (token, sequence). The node interleaves.</li>
 *   <li>{@code user}, and where the kernel socket cannot be had (another OS, the option refused): Vert.x UDP, each
 *       datagram's receive timestamp the first thing the handler reads. Status and metrics say which is in use.</li>
 * </ul>
 * Every instant is on the discipline's monotonic clock.
 * Bad datagrams are the node's counted drops; a failure of the node itself (a bug) is counted and logged, and the
 * loop goes on. Status and metrics read a {@link View} the loop publishes.
 */
public final class ClocklinkUdp implements ReferenceSource {
    private static final Logger LOG = Logger.getLogger(ClocklinkUdp.class);
    /** The source's name in the selection and in status. */
    public static final String KIND = "clocklink";
    /** The node is woken at least this often, whatever it asked for: the sync loop's heartbeat. */
    static final long WAKE_NANOS_MAX = 1_000_000_000L;
    /** The sync loop counts as dead when it has not run for this long. */
    static final long ALIVE_NANOS_MAX = 5_000_000_000L;
    /** The view for status and metrics is rebuilt at most this often (the node may only be read on its loop). */
    static final long VIEW_REFRESH_NANOS = 200_000_000L;
    /** After a failure of the node, its timer is retried after this (never a busy loop). */
    static final long FAILURE_RETRY_NANOS = 100_000_000L;
    /** At most one log line about failures per this. */
    static final long FAILURE_LOG_NANOS = 10_000_000_000L;
    /** Datagrams are copied into a buffer one byte longer than a message, so that a longer one is seen as OVERSIZED. */
    static final int RECEIVE_BYTES_MAX = Wire.MESSAGE_BYTES_MAX + 1;
    /** The socket's receive buffer asked of the kernel (it caps it at net.core.rmem_max): bursts of clients' requests. */
    static final int RECEIVE_BUFFER_BYTES = 1 << 20;
    /** How long start waits for the socket to bind. */
    static final long BIND_WAIT_SECONDS = 10;
    /** How long stop waits for the socket to close (Vert.x may already be closing). */
    static final long CLOSE_WAIT_SECONDS = 2;
    /** Kernel mode: datagrams and transmit times waiting for the loop, at most (more are dropped, counted). */
    static final int HANDOFF_MAX = 2048;
    /** Kernel mode: the loop takes at most this many from the hand-off per run, then yields to its other work. */
    static final int HANDOFF_DRAIN_MAX = 256;
    /** Kernel mode: the reader's longest wait (it re-reads its clock pair at least this often). */
    static final int READ_WAIT_MILLIS = 100;
    /** Kernel mode: a kernel timestamp older than this when converted is not believed (a realtime step). */
    static final long KERNEL_TIMESTAMP_AGE_NANOS_MAX = 1_000_000_000L;
    /** Timestamping in use: the NIC's, the kernel's software timestamps, or user space. */
    public static final String TIMESTAMPING_HARDWARE = "hardware";
    public static final String TIMESTAMPING_KERNEL = "kernel";
    public static final String TIMESTAMPING_USER = "user";

    /**
     * Where the socket listens, and the configured peers' addresses in the order of the config's peers (tokens 1..n);
     * {@code timestamping} {@code kernel} or {@code user}, {@code hardwareInterface} null or an interface name.
     */
    public record Options(String host, int port, List<InetSocketAddress> peers, String timestamping,
            String hardwareInterface) {
        /** User-space timestamps (Vert.x UDP). */
        public Options(String host, int port, List<InetSocketAddress> peers) {
            this(host, port, peers, TIMESTAMPING_USER, null);
        }
    }

    /**
     * What status and metrics show, rebuilt on the loop. Drops count every {@link DropReason} (zeros included).
     */
    public record View(String role, String nodeId, long nodeNumber, int port, String state, long term, boolean leader,
            String leaderName, long leaderNumber, int clients, long messagesSent, long messagesReceived,
            long bytesSent, long samplesEmitted, long elections, long deposals, long joinsRefused,
            long joinChallenges,
            Map<String, Long> dropped, List<PeerStatus> peers, int addresses, int addressesMax,
            long addressEvictions, long sendFailures, long unroutableSends, long failures,
            String timestamping, String timestampingNote, long interleavedExchanges, long interleaveMisses,
            long transmitTimes, long transmitTimesUnmatched, long kernelTimestampFallbacks, long transmitTimesLost,
            long handoffDropped) {
    }

    /**
     * Kernel mode: what the reader hands the loop (a datagram, or a transmit time when {@code bytes} is null). The reader
     * fills {@code rxOrTxMonoNanos} once the batch's clock pair is read, before it hands the entry on (the queue
     * publishes it).
     */
    private static final class Handoff {
        final byte[] bytes;
        final String host;
        final int port;
        final long key;
        long rxOrTxMonoNanos;

        Handoff(byte[] bytes, String host, int port, long key) {
            this.bytes = bytes;
            this.host = host;
            this.port = port;
            this.key = key;
        }
    }

    private final Vertx vertx;
    private final MonoClock mono;
    private final ClocklinkConfig config;
    private final ClocklinkNode.LocalClock clock;
    private final Options options;
    private final AddressTable addresses;
    private final byte[] rxBuf = new byte[RECEIVE_BYTES_MAX];
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicLong unroutableSends = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    private Context context;
    private DatagramSocket socket;
    // Kernel mode.
    private TimestampingSocket kernelSocket;
    private Thread reader;
    private final ArrayBlockingQueue<Handoff> handoff = new ArrayBlockingQueue<>(HANDOFF_MAX);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final TransmitKeys transmitKeys = new TransmitKeys(); // loop only
    private final TransmitKeys.Sent taken = new TransmitKeys.Sent(); // loop only
    private final AtomicLong kernelTimestampFallbacks = new AtomicLong(); // datagrams on user-space time instead
    private final AtomicLong transmitTimesLost = new AtomicLong(); // implausible, or matching no key
    private final AtomicLong handoffDropped = new AtomicLong();
    private volatile String timestamping = TIMESTAMPING_USER;
    private volatile String timestampingNote;
    private ClocklinkNode node;
    // Loop-only state.
    private long timerId = -1;
    private long timerAtMonoNanos = Long.MAX_VALUE;
    private long lastViewMonoNanos = Long.MIN_VALUE;
    private long lastFailureLogMonoNanos = Long.MIN_VALUE;
    private boolean referenceAvailable;

    private volatile View view;
    private volatile long heartbeatMonoNanos;
    private volatile int boundPort = -1;
    private volatile boolean running;

    /**
     * @param mono  the discipline's monotonic clock (the sim profile's simulated oscillator): every instant
     * @param clock the published clock ({@code DisciplinedClock::read}), which answers the node's peers
     */
    public ClocklinkUdp(Vertx vertx, MonoClock mono, ClocklinkConfig config, ClocklinkNode.LocalClock clock, Options options) {
        if (options.peers().size() != config.peers().size()) {
            throw new IllegalArgumentException("one address per configured peer: " + options.peers().size() + " for "
                    + config.peers().size());
        }
        this.vertx = vertx;
        this.mono = mono;
        this.config = config;
        this.clock = clock;
        this.options = options;
        List<AddressTable.Address> configured = new ArrayList<>();
        for (int i = 0; i < options.peers().size(); i++) {
            InetSocketAddress a = options.peers().get(i);
            if (config.peers().get(i).addressToken() != i + 1) {
                throw new IllegalArgumentException("configured peers must have tokens 1..n in order");
            }
            configured.add(new AddressTable.Address(a.getAddress().getHostAddress(), a.getPort()));
        }
        this.addresses = new AddressTable(configured, config.clientsMax());
    }

    @Override
    public String kind() {
        return KIND;
    }

    /**
     * Binds the socket and starts the node; returns once bound (the port is then {@link #port()}).
     *
     * @throws IllegalStateException naming {@code ionclock.sync.port} when the socket cannot be bound
     */
    @Override
    public void start(Consumer<Sample> sink) {
        node = new ClocklinkNode(config, clock, this::send, sink);
        context = vertx.getOrCreateContext();
        if (TIMESTAMPING_KERNEL.equals(options.timestamping())) {
            openKernelSocket();
        } else {
            timestampingNote = "ionclock.sync.timestamping=user";
        }
        CompletableFuture<Integer> bound = new CompletableFuture<>();
        context.runOnContext(v -> {
            long nowMonoNanos = mono.monoNanos();
            long wake = node.start(nowMonoNanos);
            if (kernelSocket != null) {
                node.setKernelTimestamps(true);
                boundPort = kernelSocket.localPort();
                running = true;
                heartbeatMonoNanos = nowMonoNanos;
                arm(wake, nowMonoNanos);
                refreshView(nowMonoNanos);
                bound.complete(boundPort);
                return;
            }
            socket = vertx.createDatagramSocket(new DatagramSocketOptions().setIpV6(options.host().contains(":"))
                    .setReceiveBufferSize(RECEIVE_BUFFER_BYTES));
            socket.exceptionHandler(e -> failure(e, "socket"));
            socket.handler(this::onDatagram);
            socket.listen(options.port(), options.host()).onComplete(ar -> {
                if (ar.failed()) {
                    bound.completeExceptionally(ar.cause());
                    return;
                }
                boundPort = socket.localAddress().port();
                running = true;
                long now = mono.monoNanos();
                heartbeatMonoNanos = now;
                arm(wake, now);
                refreshView(now);
                bound.complete(boundPort);
            });
        });
        try {
            bound.get(BIND_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("ionclock.sync.port: cannot listen on UDP " + options.host() + ":"
                    + options.port() + ": " + cause.getMessage(), cause);
        }
        if (kernelSocket != null) {
            ClockPairReader pairs = new LinuxClockPairReader(mono);
            TimestampingSocket s = kernelSocket;
            reader = Thread.ofPlatform().daemon().name("ionclock-clocklink-rx").start(() -> readLoop(s, pairs));
        }
    }

    /** Kernel mode if the platform and the kernel allow it; otherwise user space, and the note says why. */
    private void openKernelSocket() {
        if (!TimestampingSocket.supported()) {
            timestampingNote = "kernel timestamps need Linux on x86_64 or aarch64 (this is " + System.getProperty("os.name")
                    + " " + System.getProperty("os.arch") + "): user-space timestamps";
            LOG.warnf("Clocklink: %s", timestampingNote);
            return;
        }
        try {
            kernelSocket = TimestampingSocket.open(options.host(), options.port(), Wire.MESSAGE_BYTES_MAX,
                    RECEIVE_BUFFER_BYTES, options.hardwareInterface());
            timestamping = kernelSocket.timestamping();
            timestampingNote = kernelSocket.hardwareRefusal();
            if (timestampingNote != null) {
                LOG.warnf("Clocklink: %s; software kernel timestamps", timestampingNote);
            }
        } catch (IllegalStateException | IllegalArgumentException e) {
            timestampingNote = "kernel timestamps refused (" + e.getMessage() + "): user-space timestamps";
            LOG.warnf("Clocklink: %s", timestampingNote);
            kernelSocket = null;
        }
    }

    /**
     * Kernel mode, the reader thread: waits on the socket, converts each batch's kernel timestamps with the pair read
     * after it (and the one before: a step between them makes the batch use user-space time), and hands it to the loop.
     */
    private void readLoop(TimestampingSocket s, ClockPairReader pairs) {
        ClockPair before = new ClockPair();
        ClockPair after = new ClockPair();
        List<Handoff> batch = new ArrayList<>(TimestampingSocket.DATAGRAMS_PER_CALL_MAX + TimestampingSocket.ERRQUEUE_PER_CALL_MAX);
        long[] realtimes = new long[TimestampingSocket.DATAGRAMS_PER_CALL_MAX + TimestampingSocket.ERRQUEUE_PER_CALL_MAX];
        TimestampingSocket.Receiver receiver = new TimestampingSocket.Receiver() {
            @Override
            public void datagram(byte[] bytes, int len, InetAddress from, int fromPort, long rxRealtimeNanos) {
                int n = Math.min(Math.min(len, RECEIVE_BYTES_MAX), bytes.length); // longer: OVERSIZED by its length
                byte[] copy = java.util.Arrays.copyOf(bytes, n);
                realtimes[batch.size()] = rxRealtimeNanos;
                batch.add(new Handoff(copy, from.getHostAddress(), fromPort, -1));
            }

            @Override
            public void transmitted(long key, long txRealtimeNanos) {
                realtimes[batch.size()] = txRealtimeNanos;
                batch.add(new Handoff(null, null, 0, key));
            }
        };
        pairs.read(before);
        while (running && !s.closed()) {
            try {
                batch.clear();
                long errorsBefore = s.receiveErrors();
                s.poll(READ_WAIT_MILLIS, receiver);
                if (s.receiveErrors() != errorsBefore && batch.isEmpty()) {
                    // a failing socket returns at once: never a busy loop (the errors are counted by the socket)
                    java.util.concurrent.locks.LockSupport.parkNanos(FAILURE_RETRY_NANOS);
                }
                pairs.read(after);
                boolean stepped = RealtimeToMono.stepped(before, after);
                for (int i = 0; i < batch.size(); i++) {
                    Handoff h = batch.get(i);
                    long monoNanos = stepped || realtimes[i] == 0 ? RealtimeToMono.IMPLAUSIBLE
                            : RealtimeToMono.monoNanos(realtimes[i], after, KERNEL_TIMESTAMP_AGE_NANOS_MAX);
                    if (monoNanos == RealtimeToMono.IMPLAUSIBLE) {
                        if (h.bytes == null) {
                            transmitTimesLost.incrementAndGet(); // the node keeps its own time for it
                            continue;
                        }
                        kernelTimestampFallbacks.incrementAndGet();
                        monoNanos = after.monoBeforeNanos(); // user space: when the reader had it
                    }
                    h.rxOrTxMonoNanos = monoNanos;
                    hand(h);
                }
                ClockPair t = before;
                before = after;
                after = t;
            } catch (RuntimeException e) {
                if (!running || s.closed()) {
                    return;
                }
                failure(e, "kernel socket");
                java.util.concurrent.locks.LockSupport.parkNanos(FAILURE_RETRY_NANOS); // never a busy loop
                pairs.read(before);
            }
        }
    }

    private void hand(Handoff h) {
        if (!handoff.offer(h)) {
            handoffDropped.incrementAndGet();
            return;
        }
        if (drainScheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> drain());
        }
    }

    /** Kernel mode, on the loop: the reader's datagrams and transmit times into the node, a bounded number a run. */
    private void drain() {
        drainScheduled.set(false);
        long nowMonoNanos = mono.monoNanos();
        for (int i = 0; i < HANDOFF_DRAIN_MAX && running; i++) {
            Handoff h = handoff.poll();
            if (h == null) {
                break;
            }
            nowMonoNanos = mono.monoNanos();
            try {
                if (h.bytes == null) {
                    if (transmitKeys.take(h.key, taken)) {
                        node.onTransmitted(nowMonoNanos, taken.token(), taken.sequence(),
                                Math.min(h.rxOrTxMonoNanos, nowMonoNanos));
                    } else {
                        transmitTimesLost.incrementAndGet();
                    }
                    continue;
                }
                deliver(nowMonoNanos, Math.min(h.rxOrTxMonoNanos, nowMonoNanos), h.bytes, h.bytes.length, h.host,
                        h.port);
            } catch (RuntimeException e) {
                failure(e, "datagram");
                arm(nowMonoNanos + FAILURE_RETRY_NANOS, nowMonoNanos);
            }
        }
        if (!handoff.isEmpty() && drainScheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> drain());
        }
        maybeRefreshView(nowMonoNanos);
    }

    private void onDatagram(DatagramPacket packet) {
        long rxMonoNanos = mono.monoNanos(); // first: the receive timestamp
        long nowMonoNanos = rxMonoNanos;
        try {
            Buffer data = packet.data();
            int len = Math.min(data.length(), RECEIVE_BYTES_MAX);
            data.getBytes(0, len, rxBuf, 0);
            SocketAddress from = packet.sender();
            nowMonoNanos = mono.monoNanos();
            deliver(nowMonoNanos, rxMonoNanos, rxBuf, len, from.hostAddress() != null ? from.hostAddress() : from.host(),
                    from.port());
        } catch (RuntimeException e) {
            failure(e, "datagram");
            arm(nowMonoNanos + FAILURE_RETRY_NANOS, nowMonoNanos);
        }
        maybeRefreshView(nowMonoNanos);
    }

    /** One datagram from {@code host:port} into the node (either transport); a sender whose datagram was not dropped is trusted. */
    private void deliver(long nowMonoNanos, long rxMonoNanos, byte[] bytes, int len, String host, int port) {
        long token = addresses.tokenOf(host, port);
        long droppedBefore = droppedTotal();
        long wake = node.onPacket(nowMonoNanos, rxMonoNanos, bytes, 0, len, token);
        if (droppedTotal() == droppedBefore) {
            addresses.trust(token);
        }
        arm(wake, nowMonoNanos);
    }

    private long droppedTotal() {
        long n = 0;
        for (DropReason r : DropReason.values()) {
            n += node.view().dropped(r);
        }
        return n;
    }

    /**
     * The node's outbox: copies the datagram (the node reuses its buffer) and sends it to the token's address. In
     * kernel mode a SYNC_REQUEST's or SYNC_RESPONSE's transmit key is kept, to match its transmit time to it.
     */
    private void send(long token, byte[] buf, int off, int len) {
        AddressTable.Address a = addresses.addressOf(token);
        if (a == null || (socket == null && kernelSocket == null)) {
            unroutableSends.incrementAndGet(); // the address was evicted since its datagram came
            return;
        }
        if (kernelSocket != null) {
            long key;
            try {
                key = kernelSocket.send(buf, off, len, InetAddress.ofLiteral(a.host()), a.port());
            } catch (RuntimeException e) {
                key = -1;
            }
            if (key < 0) {
                sendFailures.incrementAndGet();
                return;
            }
            int type = Wire.type(buf, off);
            if (type == Wire.TYPE_SYNC_REQUEST || type == Wire.TYPE_SYNC_RESPONSE) {
                transmitKeys.record(key, token, Wire.sequence(buf, off), mono.monoNanos());
            }
            return;
        }
        socket.send(Buffer.buffer(len).appendBytes(buf, off, len), a.port(), a.host())
                .onFailure(e -> sendFailures.incrementAndGet());
    }

    /** Arms the one-shot timer for {@code wakeMonoNanos} unless an earlier one is armed (an early wake-up is harmless). */
    private void arm(long wakeMonoNanos, long nowMonoNanos) {
        if (!running) {
            return;
        }
        long target = Math.min(wakeMonoNanos, nowMonoNanos + WAKE_NANOS_MAX);
        if (timerId >= 0) {
            if (target >= timerAtMonoNanos) {
                return;
            }
            vertx.cancelTimer(timerId);
        }
        long delayMillis = Math.max(1, (Math.max(0, target - nowMonoNanos) + 999_999) / 1_000_000);
        timerAtMonoNanos = target;
        timerId = vertx.setTimer(delayMillis, this::onTimer);
    }

    private void onTimer(long id) {
        if (id != timerId || !running) {
            return;
        }
        timerId = -1;
        timerAtMonoNanos = Long.MAX_VALUE;
        long nowMonoNanos = mono.monoNanos();
        heartbeatMonoNanos = nowMonoNanos;
        long wake;
        try {
            wake = node.onTimer(nowMonoNanos);
        } catch (RuntimeException e) {
            failure(e, "timer");
            wake = nowMonoNanos + FAILURE_RETRY_NANOS;
        }
        arm(wake, nowMonoNanos);
        maybeRefreshView(nowMonoNanos);
    }

    private void failure(Throwable e, String where) {
        failures.incrementAndGet();
        long now = mono.monoNanos();
        if (lastFailureLogMonoNanos == Long.MIN_VALUE || now - lastFailureLogMonoNanos >= FAILURE_LOG_NANOS) {
            lastFailureLogMonoNanos = now;
            LOG.errorf(e, "Clocklink %s: %s (%d failures so far; the loop goes on)", where, e.toString(), failures.get());
        }
    }

    private void maybeRefreshView(long nowMonoNanos) {
        if (lastViewMonoNanos == Long.MIN_VALUE || nowMonoNanos - lastViewMonoNanos >= VIEW_REFRESH_NANOS) {
            refreshView(nowMonoNanos);
        }
    }

    private void refreshView(long nowMonoNanos) {
        lastViewMonoNanos = nowMonoNanos;
        try {
            Map<String, Long> dropped = new LinkedHashMap<>();
            for (DropReason r : DropReason.values()) {
                dropped.put(r.name(), node.view().dropped(r));
            }
            view = new View(config.role().name().toLowerCase(java.util.Locale.ROOT), config.nodeId(),
                    Integer.toUnsignedLong(node.view().nodeNumber()), boundPort, node.view().state().name(), node.view().term(),
                    node.view().isLeader(), node.view().leaderName(), Integer.toUnsignedLong(node.view().leaderNumber()), node.view().clientCount(),
                    node.view().messagesSent(), node.view().messagesReceived(), node.view().bytesSent(), node.view().samplesEmitted(),
                    node.view().elections(), node.view().deposals(), node.view().joinsRefused(), node.view().joinChallenges(),
                    java.util.Collections.unmodifiableMap(dropped),
                    node.view().peerStatus(nowMonoNanos), addresses.size(), addresses.capacity(), addresses.evictions(),
                    sendFailures.get(), unroutableSends.get(), failures.get(), timestamping, timestampingNote,
                    node.view().interleavedExchanges(), node.view().interleaveMisses(), node.view().transmitTimes(),
                    node.view().transmitTimesUnmatched(), kernelTimestampFallbacks.get(), transmitTimesLost.get(),
                    handoffDropped.get());
        } catch (RuntimeException e) {
            failure(e, "status");
        }
    }

    /**
     * Tells a master whether the app's selection uses its own reference (docs/clocklink.md); runs on the node's loop.
     */
    public void setReferenceAvailable(boolean available) {
        Context c = context;
        if (c == null) {
            return;
        }
        c.runOnContext(v -> {
            if (available != referenceAvailable) {
                referenceAvailable = available;
                node.setReferenceAvailable(available);
            }
        });
    }

    /** Whether the sync loop has run within {@link #ALIVE_NANOS_MAX}. */
    @Override
    public boolean alive(long nowMonoNanos) {
        return running && nowMonoNanos - heartbeatMonoNanos <= ALIVE_NANOS_MAX;
    }

    public long heartbeatAgeNanos(long nowMonoNanos) {
        return nowMonoNanos - heartbeatMonoNanos;
    }

    /** The last view (null before the socket is bound). */
    public View view() {
        return view;
    }

    /** The bound UDP port, or -1. */
    public int port() {
        return boundPort;
    }

    public ClocklinkConfig config() {
        return config;
    }

    @Override
    public Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("role", config.role().name().toLowerCase(java.util.Locale.ROOT));
        d.put("port", boundPort);
        d.put("peers", config.peers().size());
        d.put("timestamping", timestamping);
        return d;
    }

    /** Timestamping in use: {@code hardware}, {@code kernel} or {@code user}. */
    public String timestamping() {
        return timestamping;
    }

    @Override
    public void close() {
        Context c = context;
        if (c == null) {
            return;
        }
        TimestampingSocket ks = kernelSocket;
        if (ks != null) {
            running = false;
            ks.close(); // wakes the reader
            Thread r = reader;
            if (r != null) {
                try {
                    r.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        CompletableFuture<Void> closed = new CompletableFuture<>();
        c.runOnContext(v -> {
            running = false;
            if (timerId >= 0) {
                vertx.cancelTimer(timerId);
                timerId = -1;
            }
            if (socket == null) {
                closed.complete(null);
                return;
            }
            socket.close().onComplete(ar -> closed.complete(null));
        });
        try {
            closed.get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debugf("Clocklink socket close: %s", e.toString());
        }
    }
}
