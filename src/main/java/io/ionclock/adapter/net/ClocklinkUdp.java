package io.ionclock.adapter.net;

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
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Clocklink on Vert.x UDP: one socket on {@code ionclock.sync.port}, and the pure {@link ClocklinkNode} driven on
 * that socket's event loop only (every datagram, and a one-shot timer re-armed at the instant the node asks for).
 * Each datagram's receive timestamp is the first thing the handler reads, before anything is copied or decoded
 * (docs/clocklink.md: where receive timestamps are taken); every instant is on the discipline's monotonic clock.
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

    /** Where the socket listens, and the configured peers' addresses in the order of the config's peers (tokens 1..n). */
    public record Options(String host, int port, List<InetSocketAddress> peers) {
    }

    /**
     * What status and metrics show, rebuilt on the loop. Drops count every {@link DropReason} (zeros included).
     */
    public record View(String role, String nodeId, long nodeNumber, int port, String state, long term, boolean leader,
            String leaderName, long leaderNumber, int clients, long messagesSent, long messagesReceived,
            long bytesSent, long samplesEmitted, long elections, long deposals, long joinsRefused,
            long joinChallenges,
            Map<String, Long> dropped, List<PeerStatus> peers, int addresses, int addressesMax,
            long addressEvictions, long sendFailures, long unroutableSends, long failures) {
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
        CompletableFuture<Integer> bound = new CompletableFuture<>();
        context.runOnContext(v -> {
            long nowMonoNanos = mono.monoNanos();
            long wake = node.start(nowMonoNanos);
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
    }

    private void onDatagram(DatagramPacket packet) {
        long rxMonoNanos = mono.monoNanos(); // first: the receive timestamp
        long nowMonoNanos = rxMonoNanos;
        try {
            Buffer data = packet.data();
            int len = Math.min(data.length(), RECEIVE_BYTES_MAX);
            data.getBytes(0, len, rxBuf, 0);
            SocketAddress from = packet.sender();
            String host = from.hostAddress() != null ? from.hostAddress() : from.host();
            long token = addresses.tokenOf(host, from.port());
            long droppedBefore = droppedTotal();
            nowMonoNanos = mono.monoNanos();
            long wake = node.onPacket(nowMonoNanos, rxMonoNanos, rxBuf, 0, len, token);
            if (droppedTotal() == droppedBefore) {
                addresses.trust(token);
            }
            arm(wake, nowMonoNanos);
        } catch (RuntimeException e) {
            failure(e, "datagram");
            arm(nowMonoNanos + FAILURE_RETRY_NANOS, nowMonoNanos);
        }
        maybeRefreshView(nowMonoNanos);
    }

    private long droppedTotal() {
        long n = 0;
        for (DropReason r : DropReason.values()) {
            n += node.view().dropped(r);
        }
        return n;
    }

    /** The node's outbox: copies the datagram (the node reuses its buffer) and sends it to the token's address. */
    private void send(long token, byte[] buf, int off, int len) {
        AddressTable.Address a = addresses.addressOf(token);
        if (a == null || socket == null) {
            unroutableSends.incrementAndGet(); // the address was evicted since its datagram came
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
                    sendFailures.get(), unroutableSends.get(), failures.get());
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
        return d;
    }

    @Override
    public void close() {
        Context c = context;
        if (c == null) {
            return;
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
