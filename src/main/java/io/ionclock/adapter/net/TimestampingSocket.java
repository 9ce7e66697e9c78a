package io.ionclock.adapter.net;

import io.ionclock.adapter.LinuxPoll;
import io.ionclock.adapter.clock.LinuxClock;

import io.ionclock.adapter.LinuxErrno;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * A UDP socket whose datagrams carry the kernel's receive and transmit timestamps ({@code SO_TIMESTAMPING}, Linux
 * only, through JNA: {@link LinuxNet}). The timestamps are taken by the kernel when the packet passes the network
 * device (software) or by the NIC (hardware), so the JVM's scheduling and the event loop's latency stay out of the
 * measurement.
 *
 * <h2>Timestamps</h2>
 * Software mode ({@link #timestamping()} {@code "kernel"}): CLOCK_REALTIME nanoseconds, receive time from the
 * device's receive path, transmit time when the driver hands the packet to the device. Carry them into the
 * monotonic timebase with {@code adapter.clock.RealtimeToMono} and a clock pair read after them. Hardware mode
 * ({@code "hardware"}, asked with an interface name and granted by it): the NIC's raw timestamps, on the NIC's own
 * clock (its PHC), which is CLOCK_REALTIME only where something like phc2sys keeps it so; a report without a
 * hardware timestamp then gives 0 (counted), never a software one on another clock. Hardware timestamping is
 * enabled on the interface with {@code SIOCSHWTSTAMP} (transmit on, receive filter all), which needs CAP_NET_ADMIN
 * unless the interface is already set so; when refused, the socket uses software timestamps and
 * {@link #hardwareRefusal()} says why.
 *
 * <h2>Transmit keys</h2>
 * {@link #send} returns the datagram's key, and {@link Receiver#transmitted} reports its transmit time with that key
 * later (from the socket's error queue). Keys are 0, 1, 2, ... for the datagrams the kernel accepted, as unsigned
 * 32-bit numbers (they wrap after 2^32 sends). On Linux 6.13+ every send carries its key ({@code SCM_TS_OPT_ID}); on
 * older kernels the first send finds that out (EINVAL) and the socket mirrors the kernel's own OPT_ID counter, which
 * counts the datagrams it accepted. A send that fails after the kernel took a key (kernels before the 2024 fix
 * "net-timestamp: make sk_tskey more predictable in error path", or a netfilter drop) would shift that mirror; the
 * explicit keys cannot shift. Match keys to what was sent with {@link TransmitKeys}. A report can reach the polling
 * thread before {@code send} has returned the key (on loopback the kernel queues it inside the sendmsg call).
 *
 * <h2>Limits and losses</h2>
 * A datagram longer than {@code datagramBytesMax} is handed with {@code len = datagramBytesMax + 1} (counted), so
 * the caller sees it as oversized; the buffer never holds more. The kernel bounds what waits: datagrams and transmit
 * reports share the socket receive buffer ({@code SO_RCVBUF}), and it drops whatever does not fit, so a transmit
 * report can be lost and its key never reported. Each {@link #poll} drains at most {@link #ERRQUEUE_PER_CALL_MAX}
 * reports and {@link #DATAGRAMS_PER_CALL_MAX} datagrams. ICMP errors are not asked for ({@code IP_RECVERR} off).
 * The kernel stamps received packets only while some socket in the system asks for it, and switches that on
 * through a workqueue when the first one does (about 1.3 ms on the 6.18 test machine, longer under load): a datagram
 * received by the first timestamping socket in that moment has no receive timestamp (0, counted). Keep the socket
 * open for the life of the service.
 *
 * <h2>Threads</h2>
 * {@link #send} from one thread (the event loop), {@link #poll} from another (the reader), {@link #close} and the
 * counters from any. Each of send and poll is serialized with itself. All native memory is allocated at open,
 * separately for the sending and the receiving side; per datagram the JVM allocates only what JNA's interface
 * mapping boxes for each call (about 160 bytes a call, see TimestampingSocketBench) and, for a sender not in a small
 * cache ({@link SenderAddresses}), its {@code InetAddress}. Close shuts the socket down, which wakes a waiting poll; the
 * descriptor is closed when the last send or poll in progress returns, so it is never reused under them.
 */
public final class TimestampingSocket implements AutoCloseable {

    /** The longest UDP payload over IPv4. */
    public static final int DATAGRAM_BYTES_MAX = 65_507;
    /** The largest {@code SO_RCVBUF} asked for (the kernel also caps it at net.core.rmem_max). */
    public static final int SOCKET_RECEIVE_BUFFER_BYTES_MAX = 64 << 20;
    /** Transmit reports (and other error-queue entries) drained per {@link #poll}, at most. */
    public static final int ERRQUEUE_PER_CALL_MAX = 64;
    /** Datagrams drained per {@link #poll}, at most. */
    public static final int DATAGRAMS_PER_CALL_MAX = 64;
    /** The longest wait of one {@link #poll}. */
    public static final int POLL_TIMEOUT_MILLIS_MAX = 60_000;
    /** Control-message buffer: a timestamp (64 bytes) and an extended error with its address (64) fit twice. */
    static final int CONTROL_BUFFER_BYTES = 256;
    /** Key numbering: not yet known (before the first accepted send), explicit, or the kernel's counter mirrored. */
    private static final int KEYS_UNKNOWN = 0;
    private static final int KEYS_EXPLICIT = 1;
    private static final int KEYS_KERNEL_COUNTER = 2;
    private static final long KEY_MASK = 0xffff_ffffL;

    /**
     * What {@link #poll} hands over, on the polling thread.
     */
    public interface Receiver {
        /**
         * A datagram.
         *
         * @param bytes          the payload, valid only during the call (the socket reuses the array)
         * @param len            payload length; {@code datagramBytesMax + 1} when the datagram was longer
         * @param from           the sender (an IPv4 sender on a dual-stack IPv6 socket is an Inet4Address)
         * @param fromPort       the sender's port
         * @param rxRealtimeNanos the kernel's receive time, CLOCK_REALTIME nanoseconds (in hardware mode the NIC's
         *                       clock); 0 when the datagram carried none (counted)
         */
        void datagram(byte[] bytes, int len, InetAddress from, int fromPort, long rxRealtimeNanos);

        /**
         * The transmit time of the datagram whose {@link #send} returned {@code key}.
         *
         * @param key             0 .. 2^32 - 1
         * @param txRealtimeNanos the kernel's transmit time, CLOCK_REALTIME nanoseconds (in hardware mode the NIC's
         *                        clock); 0 when the report carried no timestamp of this socket's kind (counted)
         */
        void transmitted(long key, long txRealtimeNanos);
    }

    private final int fd;
    private final int family;
    private final boolean hardware;
    private final String hardwareRefusal;
    private final int localPort;
    private final int datagramBytesMax;
    private final int socketReceiveBufferBytes;

    // Lifecycle, guarded by itself.
    private final Object lifecycle = new Object();
    private int users;
    private boolean closing;
    private boolean released;

    // Send side: the sending thread only (under sendLock).
    private final Object sendLock = new Object();
    private final Memory sendMsg = new Memory(LinuxNet.MSGHDR_SIZE_BYTES);
    private final Memory sendIov = new Memory(LinuxNet.IOVEC_SIZE_BYTES);
    private final Memory sendName = new Memory(LinuxNet.SOCKADDR_BUFFER_BYTES);
    private final Memory sendControl = new Memory(LinuxNet.cmsgSpace(Integer.BYTES));
    private final Memory sendData;
    private int keyNumbering = KEYS_UNKNOWN;
    private long nextKey;
    private InetAddress lastTo;
    private int lastToPort = -1;
    private int lastToNameBytes;

    // Receive side: the polling thread only (under pollLock).
    private final Object pollLock = new Object();
    private final Memory pollfd = new Memory(LinuxPoll.POLLFD_SIZE_BYTES);
    /** getsockopt(SO_ERROR): the int at 0, its length at 4. */
    private final Memory socketError = new Memory(2 * Integer.BYTES);
    private final Pointer socketErrorLength = socketError.share(Integer.BYTES);
    private final Memory rxMsg = new Memory(LinuxNet.MSGHDR_SIZE_BYTES);
    private final Memory rxIov = new Memory(LinuxNet.IOVEC_SIZE_BYTES);
    private final Memory rxName = new Memory(LinuxNet.SOCKADDR_BUFFER_BYTES);
    private final Memory rxControl = new Memory(CONTROL_BUFFER_BYTES);
    private final Memory rxData;
    private final byte[] rxBytes;
    private final SenderAddresses senders = new SenderAddresses();
    // Parse results of the last control block (polling thread).
    private long parsedTimestampNanos;
    private boolean parsedTimestamp;
    private boolean parsedExtendedErr;
    private int parsedEeErrno;
    private int parsedEeOrigin;
    private int parsedEeInfo;
    private long parsedEeData;

    // Counters: each written by one thread, read by any.
    private volatile long datagramsReceived;
    private volatile long datagramsWithoutTimestamp;
    private volatile long datagramsOversized;
    private volatile long transmitTimestamps;
    private volatile long transmitWithoutTimestamp;
    private volatile long errQueueOther;
    private volatile long receiveErrors;
    private volatile int lastReceiveErrno;
    private volatile long sendFailures;
    private volatile long sendsWouldBlock;
    private volatile int lastSendErrno;

    private TimestampingSocket(int fd, int family, boolean hardware, String hardwareRefusal, int localPort,
            int datagramBytesMax, int socketReceiveBufferBytes) {
        this.fd = fd;
        this.family = family;
        this.hardware = hardware;
        this.hardwareRefusal = hardwareRefusal;
        this.localPort = localPort;
        this.datagramBytesMax = datagramBytesMax;
        this.socketReceiveBufferBytes = socketReceiveBufferBytes;
        this.sendData = new Memory(datagramBytesMax);
        this.rxData = new Memory(datagramBytesMax + 1L);
        this.rxBytes = new byte[datagramBytesMax + 1];

        sendIov.setPointer(LinuxNet.IOVEC_BASE_OFFSET, sendData);
        sendMsg.clear();
        sendMsg.setPointer(LinuxNet.MSGHDR_NAME_OFFSET, sendName);
        sendMsg.setPointer(LinuxNet.MSGHDR_IOV_OFFSET, sendIov);
        sendMsg.setLong(LinuxNet.MSGHDR_IOVLEN_OFFSET, 1);
        sendControl.clear();
        sendControl.setLong(LinuxNet.CMSGHDR_LEN_OFFSET, LinuxNet.cmsgLen(Integer.BYTES));
        sendControl.setInt(LinuxNet.CMSGHDR_LEVEL_OFFSET, LinuxNet.SOL_SOCKET);
        sendControl.setInt(LinuxNet.CMSGHDR_TYPE_OFFSET, LinuxNet.SCM_TS_OPT_ID);

        rxIov.setPointer(LinuxNet.IOVEC_BASE_OFFSET, rxData);
        rxIov.setLong(LinuxNet.IOVEC_LEN_OFFSET, datagramBytesMax + 1L);
        rxMsg.clear();
        rxMsg.setPointer(LinuxNet.MSGHDR_NAME_OFFSET, rxName);
        rxMsg.setPointer(LinuxNet.MSGHDR_IOV_OFFSET, rxIov);
        rxMsg.setLong(LinuxNet.MSGHDR_IOVLEN_OFFSET, 1);
        rxMsg.setPointer(LinuxNet.MSGHDR_CONTROL_OFFSET, rxControl);
        pollfd.setInt(LinuxPoll.POLLFD_FD_OFFSET, fd);
        pollfd.setShort(LinuxPoll.POLLFD_EVENTS_OFFSET, LinuxPoll.POLLIN);
    }

    /** Whether this platform can open one: Linux on x86_64 or aarch64, and libc loads. Never throws. */
    public static boolean supported() {
        return LinuxNet.supported();
    }

    /**
     * Opens a non-blocking UDP socket bound to {@code host:port} with kernel timestamping on.
     *
     * @param host                     an address of this host to bind ("0.0.0.0", "::", "127.0.0.1", a name); its
     *                                 family (IPv4 or IPv6) is the socket's
     * @param port                     0..65535; 0 binds an ephemeral port ({@link #localPort()})
     * @param datagramBytesMax         the longest datagram sent or accepted, 1..{@link #DATAGRAM_BYTES_MAX}; the
     *                                 receive buffer has one byte more, to see longer ones
     * @param socketReceiveBufferBytes {@code SO_RCVBUF} to ask for, 0..{@link #SOCKET_RECEIVE_BUFFER_BYTES_MAX};
     *                                 0 keeps the kernel's default
     * @param hardwareInterface        the interface whose NIC should timestamp (e.g. "eth0"), or null for software
     * @throws IllegalArgumentException on a bad argument or a host that does not resolve
     * @throws IllegalStateException    when the platform is not supported or a system call fails (the errno in the
     *                                  message)
     */
    public static TimestampingSocket open(String host, int port, int datagramBytesMax, int socketReceiveBufferBytes,
            String hardwareInterface) {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (datagramBytesMax < 1 || datagramBytesMax > DATAGRAM_BYTES_MAX) {
            throw new IllegalArgumentException("datagramBytesMax must be 1.." + DATAGRAM_BYTES_MAX + ": "
                    + datagramBytesMax);
        }
        if (socketReceiveBufferBytes < 0 || socketReceiveBufferBytes > SOCKET_RECEIVE_BUFFER_BYTES_MAX) {
            throw new IllegalArgumentException("socketReceiveBufferBytes must be 0.." + SOCKET_RECEIVE_BUFFER_BYTES_MAX
                    + ": " + socketReceiveBufferBytes);
        }
        if (!supported()) {
            throw new IllegalStateException("kernel-timestamping sockets need Linux on x86_64 or aarch64 (64-bit);"
                    + " this is " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        }
        InetAddress bindAddress;
        try {
            bindAddress = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve " + host + ": " + e.getMessage(), e);
        }
        int family = bindAddress instanceof Inet6Address ? LinuxNet.AF_INET6 : LinuxNet.AF_INET;
        String where = bindAddress.getHostAddress() + " port " + port;
        LinuxNet.NetLibC libc = LinuxNet.Holder.LIBC;
        int fd = libc.socket(family, LinuxNet.SOCK_DGRAM | LinuxNet.SOCK_NONBLOCK | LinuxNet.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket(" + (family == LinuxNet.AF_INET6 ? "AF_INET6" : "AF_INET")
                    + "): " + LinuxErrno.text(Native.getLastError()));
        }
        try (Memory intValue = new Memory(Integer.BYTES); Memory length = new Memory(Integer.BYTES);
                Memory name = new Memory(LinuxNet.SOCKADDR_BUFFER_BYTES)) {
            if (socketReceiveBufferBytes > 0) {
                intValue.setInt(0, socketReceiveBufferBytes);
                check(libc.setsockopt(fd, LinuxNet.SOL_SOCKET, LinuxNet.SO_RCVBUF, intValue, Integer.BYTES),
                        "setsockopt(SO_RCVBUF) on " + where);
            }
            length.setInt(0, Integer.BYTES);
            check(libc.getsockopt(fd, LinuxNet.SOL_SOCKET, LinuxNet.SO_RCVBUF, intValue, length),
                    "getsockopt(SO_RCVBUF) on " + where);
            int grantedReceiveBufferBytes = intValue.getInt(0);

            name.clear();
            int nameBytes = LinuxNet.writeSockaddr(name, family, bindAddress, port);
            check(libc.bind(fd, name, nameBytes), "bind " + where);
            length.setInt(0, LinuxNet.SOCKADDR_BUFFER_BYTES);
            check(libc.getsockname(fd, name, length), "getsockname on " + where);
            int localPort = LinuxNet.readPort(name);

            boolean hardware = false;
            String refusal = null;
            if (hardwareInterface != null) {
                String why = LinuxNet.enableHardware(fd, hardwareInterface);
                if (why == null) {
                    hardware = true;
                } else {
                    refusal = "hardware timestamps on " + hardwareInterface + " refused: " + why
                            + "; kernel software timestamps used";
                }
            }
            intValue.setInt(0, LinuxNet.TIMESTAMPING_SOFTWARE | (hardware ? LinuxNet.TIMESTAMPING_HARDWARE : 0));
            check(libc.setsockopt(fd, LinuxNet.SOL_SOCKET, LinuxNet.SO_TIMESTAMPING, intValue, Integer.BYTES),
                    "setsockopt(SO_TIMESTAMPING) on " + where);
            return new TimestampingSocket(fd, family, hardware, refusal, localPort, datagramBytesMax,
                    grantedReceiveBufferBytes);
        } catch (RuntimeException | Error e) {
            libc.close(fd);
            throw e;
        }
    }

    /** "hardware" (the NIC timestamps) or "kernel" (software timestamps taken by the kernel). */
    public String timestamping() {
        return hardware ? "hardware" : "kernel";
    }

    /** Why hardware timestamps were asked for and not granted, or null. */
    public String hardwareRefusal() {
        return hardwareRefusal;
    }

    /** The bound port. */
    public int localPort() {
        return localPort;
    }

    /** The longest datagram sent or accepted. */
    public int datagramBytesMax() {
        return datagramBytesMax;
    }

    /** {@code SO_RCVBUF} as the kernel granted it (it doubles the request for its bookkeeping, capped by rmem_max). */
    public int socketReceiveBufferBytes() {
        return socketReceiveBufferBytes;
    }

    /** How keys are numbered so far: "explicit (SCM_TS_OPT_ID)", "kernel counter" or "unknown" before a send. */
    public String keyNumbering() {
        synchronized (sendLock) {
            return switch (keyNumbering) {
                case KEYS_EXPLICIT -> "explicit (SCM_TS_OPT_ID)";
                case KEYS_KERNEL_COUNTER -> "kernel counter";
                default -> "unknown";
            };
        }
    }

    /** Tests: number keys by mirroring the kernel's counter, as on kernels before 6.13. Before the first send. */
    void useKernelCounterKeys() {
        synchronized (sendLock) {
            if (nextKey != 0) {
                throw new IllegalStateException("before the first send only");
            }
            keyNumbering = KEYS_KERNEL_COUNTER;
        }
    }

    /**
     * Sends one datagram without blocking. Returns its transmit key (0 .. 2^32 - 1, see the class comment), or -1
     * when it was not sent: the socket buffer was full (EAGAIN, ENOBUFS: {@link #sendsWouldBlock()}), the address
     * cannot be reached from this socket (another family, no route: {@link #lastSendErrno()}) or the socket is
     * closed. Every -1 is counted in {@link #sendFailures()}.
     *
     * @param len 0..{@link #datagramBytesMax()}
     * @throws IllegalArgumentException for a port outside 1..65535 or a length over the limit (a caller's bug)
     */
    public long send(byte[] buf, int off, int len, InetAddress to, int toPort) {
        Objects.checkFromIndexSize(off, len, buf.length);
        Objects.requireNonNull(to, "to");
        if (len > datagramBytesMax) {
            throw new IllegalArgumentException("datagram of " + len + " bytes over the limit " + datagramBytesMax);
        }
        if (toPort < 1 || toPort > 65_535) {
            throw new IllegalArgumentException("port out of range: " + toPort);
        }
        synchronized (sendLock) {
            if (!enter()) {
                return sendFailed(LinuxErrno.EBADF);
            }
            try {
                if (to != lastTo || toPort != lastToPort) {
                    lastTo = null;
                    int nameBytes = LinuxNet.writeSockaddr(sendName, family, to, toPort);
                    if (nameBytes < 0) {
                        return sendFailed(LinuxErrno.EAFNOSUPPORT);
                    }
                    lastTo = to;
                    lastToPort = toPort;
                    lastToNameBytes = nameBytes;
                }
                sendMsg.setInt(LinuxNet.MSGHDR_NAMELEN_OFFSET, lastToNameBytes);
                if (len > 0) {
                    sendData.write(0, buf, off, len);
                }
                sendIov.setLong(LinuxNet.IOVEC_LEN_OFFSET, len);
                long sent = sendmsg(keyNumbering != KEYS_KERNEL_COUNTER);
                if (sent < 0 && keyNumbering == KEYS_UNKNOWN && -sent == LinuxErrno.EINVAL) {
                    // A kernel before 6.13 does not know SCM_TS_OPT_ID; if the same datagram goes without it, number
                    // keys by the kernel's counter (no key was taken by the refused send).
                    sent = sendmsg(false);
                    if (sent >= 0) {
                        keyNumbering = KEYS_KERNEL_COUNTER;
                    }
                }
                if (sent < 0) {
                    return sendFailed((int) -sent);
                }
                if (keyNumbering == KEYS_UNKNOWN) {
                    keyNumbering = KEYS_EXPLICIT;
                }
                long key = nextKey;
                nextKey = (nextKey + 1) & KEY_MASK;
                return key;
            } finally {
                exit();
            }
        }
    }

    /** One sendmsg, with this datagram's key as a control message or not. Returns bytes sent or -errno. */
    private long sendmsg(boolean explicitKey) {
        if (explicitKey) {
            sendControl.setInt(LinuxNet.CMSGHDR_SIZE_BYTES, (int) nextKey);
            sendMsg.setPointer(LinuxNet.MSGHDR_CONTROL_OFFSET, sendControl);
            sendMsg.setLong(LinuxNet.MSGHDR_CONTROLLEN_OFFSET, sendControl.size());
        } else {
            sendMsg.setPointer(LinuxNet.MSGHDR_CONTROL_OFFSET, null);
            sendMsg.setLong(LinuxNet.MSGHDR_CONTROLLEN_OFFSET, 0);
        }
        long sent = LinuxNet.Holder.LIBC.sendmsg(fd, sendMsg, LinuxNet.MSG_DONTWAIT | LinuxNet.MSG_NOSIGNAL);
        return sent >= 0 ? sent : -Native.getLastError();
    }

    private long sendFailed(int errno) {
        sendFailures++;
        if (errno == LinuxErrno.EAGAIN || errno == LinuxErrno.ENOBUFS) {
            sendsWouldBlock++;
        }
        lastSendErrno = errno;
        return -1;
    }

    /**
     * Waits at most {@code timeoutMillis} for a datagram or a transmit report, then drains at most
     * {@link #ERRQUEUE_PER_CALL_MAX} transmit reports and at most {@link #DATAGRAMS_PER_CALL_MAX} datagrams into
     * {@code receiver}, reports first. Returns how many calls it made to the receiver (0 on timeout, once closed, or
     * when the wait was interrupted by a signal). Never waits longer than the timeout and never loops without a
     * bound; {@link #close()} from another thread ends the wait. An exception from the receiver propagates; what is
     * not drained yet stays queued.
     *
     * @param timeoutMillis 0 (do not wait) .. {@link #POLL_TIMEOUT_MILLIS_MAX}
     */
    public int poll(int timeoutMillis, Receiver receiver) {
        if (timeoutMillis < 0 || timeoutMillis > POLL_TIMEOUT_MILLIS_MAX) {
            throw new IllegalArgumentException("timeoutMillis must be 0.." + POLL_TIMEOUT_MILLIS_MAX + ": "
                    + timeoutMillis);
        }
        Objects.requireNonNull(receiver, "receiver");
        synchronized (pollLock) {
            if (!enter()) {
                return 0;
            }
            try {
                pollfd.setShort(LinuxPoll.POLLFD_REVENTS_OFFSET, (short) 0);
                int ready = LinuxNet.Holder.LIBC.poll(pollfd, 1, timeoutMillis);
                if (ready < 0) {
                    int errno = Native.getLastError();
                    if (errno != LinuxErrno.EINTR) {
                        receiveFailed(errno);
                    }
                    return 0;
                }
                if (ready == 0 || closing()) {
                    return 0;
                }
                int revents = pollfd.getShort(LinuxPoll.POLLFD_REVENTS_OFFSET);
                if ((revents & LinuxPoll.POLLNVAL) != 0) {
                    receiveFailed(LinuxErrno.EBADF);
                    return 0;
                }
                int handed = 0;
                if ((revents & LinuxPoll.POLLERR) != 0) {
                    handed += drainErrorQueue(receiver);
                }
                if ((revents & LinuxPoll.POLLIN) != 0) {
                    handed += drainDatagrams(receiver);
                }
                return handed;
            } finally {
                exit();
            }
        }
    }

    private int drainErrorQueue(Receiver receiver) {
        int handed = 0;
        for (int i = 0; i < ERRQUEUE_PER_CALL_MAX; i++) {
            long n = recvmsg(LinuxNet.MSG_ERRQUEUE | LinuxNet.MSG_DONTWAIT);
            if (n < 0) {
                int errno = (int) -n;
                if (errno == LinuxErrno.EAGAIN) {
                    if (i == 0) {
                        clearPendingError(); // POLLERR with an empty queue: a socket error, else poll would spin
                    }
                    break;
                }
                if (errno != LinuxErrno.EINTR) {
                    receiveFailed(errno);
                    break;
                }
                continue;
            }
            parseControl();
            if (!parsedExtendedErr || parsedEeErrno != LinuxNet.ENOMSG
                    || parsedEeOrigin != LinuxNet.SO_EE_ORIGIN_TIMESTAMPING
                    || parsedEeInfo != LinuxNet.SCM_TSTAMP_SND) {
                errQueueOther++;
                continue;
            }
            long txNanos = parsedTimestamp ? parsedTimestampNanos : 0;
            if (txNanos == 0) {
                transmitWithoutTimestamp++;
            } else {
                transmitTimestamps++;
            }
            receiver.transmitted(parsedEeData, txNanos);
            handed++;
        }
        return handed;
    }

    private int drainDatagrams(Receiver receiver) {
        int handed = 0;
        for (int i = 0; i < DATAGRAMS_PER_CALL_MAX; i++) {
            // MSG_TRUNC: the datagram's real length even when the buffer held only its start.
            long n = recvmsg(LinuxNet.MSG_DONTWAIT | LinuxNet.MSG_TRUNC);
            if (n < 0) {
                int errno = (int) -n;
                if (errno == LinuxErrno.EAGAIN) {
                    break;
                }
                if (errno == LinuxErrno.EINTR) {
                    continue;
                }
                receiveFailed(errno); // e.g. a pending socket error: reported once, then cleared
                break;
            }
            InetAddress from = senders.address(rxName, rxMsg.getInt(LinuxNet.MSGHDR_NAMELEN_OFFSET));
            if (from == null) {
                receiveFailed(LinuxErrno.EAFNOSUPPORT);
                continue;
            }
            int fromPort = LinuxNet.readPort(rxName);
            int len;
            if (n > datagramBytesMax) {
                len = datagramBytesMax + 1;
                datagramsOversized++;
            } else {
                len = (int) n;
            }
            if (len > 0) {
                rxData.read(0, rxBytes, 0, len);
            }
            parseControl();
            long rxNanos = parsedTimestamp ? parsedTimestampNanos : 0;
            if (rxNanos == 0) {
                datagramsWithoutTimestamp++;
            }
            datagramsReceived++;
            receiver.datagram(rxBytes, len, from, fromPort, rxNanos);
            handed++;
        }
        return handed;
    }

    /** One recvmsg into the receive buffers. Returns the datagram's length or -errno. */
    private long recvmsg(int flags) {
        rxMsg.setInt(LinuxNet.MSGHDR_NAMELEN_OFFSET, LinuxNet.SOCKADDR_BUFFER_BYTES);
        rxMsg.setLong(LinuxNet.MSGHDR_CONTROLLEN_OFFSET, CONTROL_BUFFER_BYTES);
        rxMsg.setInt(LinuxNet.MSGHDR_FLAGS_OFFSET, 0);
        long n = LinuxNet.Holder.LIBC.recvmsg(fd, rxMsg, flags);
        return n >= 0 ? n : -Native.getLastError();
    }

    /**
     * Reads the control messages of the last recvmsg: the timestamp this socket uses and an extended error. A
     * malformed or truncated block ends the walk; what was read before stays.
     */
    private void parseControl() {
        parsedTimestamp = false;
        parsedTimestampNanos = 0;
        parsedExtendedErr = false;
        long controlBytes = Math.min(rxMsg.getLong(LinuxNet.MSGHDR_CONTROLLEN_OFFSET), CONTROL_BUFFER_BYTES);
        long offset = 0;
        while (offset + LinuxNet.CMSGHDR_SIZE_BYTES <= controlBytes) {
            long cmsgBytes = rxControl.getLong(offset + LinuxNet.CMSGHDR_LEN_OFFSET);
            if (cmsgBytes < LinuxNet.CMSGHDR_SIZE_BYTES || cmsgBytes > controlBytes - offset) {
                return;
            }
            int level = rxControl.getInt(offset + LinuxNet.CMSGHDR_LEVEL_OFFSET);
            int type = rxControl.getInt(offset + LinuxNet.CMSGHDR_TYPE_OFFSET);
            long data = offset + LinuxNet.CMSGHDR_SIZE_BYTES;
            long dataBytes = cmsgBytes - LinuxNet.CMSGHDR_SIZE_BYTES;
            if (level == LinuxNet.SOL_SOCKET && type == LinuxNet.SCM_TIMESTAMPING
                    && dataBytes >= LinuxNet.SCM_TIMESTAMPING_SIZE_BYTES) {
                int index = hardware ? LinuxNet.TIMESTAMP_HARDWARE_INDEX : LinuxNet.TIMESTAMP_SOFTWARE_INDEX;
                parsedTimestampNanos = LinuxClock.timespecNanos(rxControl,
                        data + (long) index * LinuxNet.TIMESPEC_SIZE_BYTES);
                parsedTimestamp = true;
            } else if (((level == LinuxNet.SOL_IP && type == LinuxNet.IP_RECVERR)
                    || (level == LinuxNet.SOL_IPV6 && type == LinuxNet.IPV6_RECVERR))
                    && dataBytes >= LinuxNet.EXTENDED_ERR_SIZE_BYTES) {
                parsedExtendedErr = true;
                parsedEeErrno = rxControl.getInt(data + LinuxNet.EE_ERRNO_OFFSET);
                parsedEeOrigin = rxControl.getByte(data + LinuxNet.EE_ORIGIN_OFFSET) & 0xff;
                parsedEeInfo = rxControl.getInt(data + LinuxNet.EE_INFO_OFFSET);
                parsedEeData = rxControl.getInt(data + LinuxNet.EE_DATA_OFFSET) & KEY_MASK;
            }
            offset += LinuxNet.cmsgAlign(cmsgBytes);
        }
    }

    /**
     * Reads (and so clears) a pending socket error, counted. None is expected: without IP_RECVERR the kernel sets
     * none on an unconnected UDP socket.
     */
    private void clearPendingError() {
        socketError.setInt(0, 0);
        socketError.setInt(Integer.BYTES, Integer.BYTES);
        if (LinuxNet.Holder.LIBC.getsockopt(fd, LinuxNet.SOL_SOCKET, LinuxNet.SO_ERROR, socketError,
                socketErrorLength) == 0 && socketError.getInt(0) != 0) {
            receiveFailed(socketError.getInt(0));
        }
    }

    private void receiveFailed(int errno) {
        receiveErrors++;
        lastReceiveErrno = errno;
    }

    /**
     * Closes the socket; idempotent, from any thread. A poll waiting in another thread returns; the descriptor is
     * closed once no send or poll is using it.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closing) {
                return;
            }
            closing = true;
            // Wakes a poll(2) waiting on this socket (unconnected UDP: returns ENOTCONN and still wakes it).
            LinuxNet.Holder.LIBC.shutdown(fd, LinuxNet.SHUT_RDWR);
            if (users == 0) {
                release();
            }
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean closed() {
        return closing();
    }

    private boolean closing() {
        synchronized (lifecycle) {
            return closing;
        }
    }

    private boolean enter() {
        synchronized (lifecycle) {
            if (closing) {
                return false;
            }
            users++;
            return true;
        }
    }

    private void exit() {
        synchronized (lifecycle) {
            users--;
            if (closing && users == 0) {
                release();
            }
        }
    }

    /** Under the lifecycle lock, with no user left. */
    private void release() {
        if (released) {
            return;
        }
        released = true;
        LinuxNet.Holder.LIBC.close(fd);
    }

    /** Datagrams handed to a receiver. */
    public long datagramsReceived() {
        return datagramsReceived;
    }

    /** Datagrams handed with rxRealtimeNanos 0: the kernel attached no timestamp of this socket's kind. */
    public long datagramsWithoutTimestamp() {
        return datagramsWithoutTimestamp;
    }

    /** Datagrams longer than datagramBytesMax (handed with len = datagramBytesMax + 1). */
    public long datagramsOversized() {
        return datagramsOversized;
    }

    /** Transmit reports handed with a timestamp. */
    public long transmitTimestamps() {
        return transmitTimestamps;
    }

    /** Transmit reports handed with txRealtimeNanos 0 (e.g. hardware mode, and the NIC did not stamp it). */
    public long transmitWithoutTimestamp() {
        return transmitWithoutTimestamp;
    }

    /** Error-queue entries that were not transmit timestamps: skipped. */
    public long errQueueOther() {
        return errQueueOther;
    }

    /** Failed receive calls (other than "nothing there" and signals), and datagrams from an unknown family. */
    public long receiveErrors() {
        return receiveErrors;
    }

    /** errno of the last receive error, 0 if none. */
    public int lastReceiveErrno() {
        return lastReceiveErrno;
    }

    /** InetAddresses made for senders not in the small cache (package-private: tests). */
    long senderAddressesMade() {
        synchronized (pollLock) {
            return senders.misses();
        }
    }

    /** Sends that returned -1. */
    public long sendFailures() {
        return sendFailures;
    }

    /** Sends that returned -1 because the socket buffer was full (EAGAIN, ENOBUFS); also in sendFailures. */
    public long sendsWouldBlock() {
        return sendsWouldBlock;
    }

    /** errno of the last failed send, 0 if none (EBADF: closed; EAFNOSUPPORT: the other address family). */
    public int lastSendErrno() {
        return lastSendErrno;
    }

    private static void check(int result, String what) {
        if (result < 0) {
            throw new IllegalStateException(what + ": " + LinuxErrno.text(Native.getLastError()));
        }
    }


}
