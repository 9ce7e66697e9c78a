package io.ionclock.adapter.net;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.ionclock.adapter.LinuxErrno;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * The libc socket calls {@link TimestampingSocket} needs, through JNA interface mapping. Structures are explicit
 * offsets in {@code Memory} (no JNA Structure, so native-image needs no field reflection).
 *
 * <p>Constants and layouts are Linux asm-generic for LP64, checked with gcc against the kernel and glibc headers
 * (linux/net_tstamp.h, linux/errqueue.h, linux/sockios.h, asm-generic/socket.h, sys/socket.h) on x86_64; aarch64
 * uses the same asm-generic values and the same LP64 layouts. {@code ssize_t}, {@code size_t}, {@code nfds_t} and
 * {@code unsigned long} are mapped to Java {@code long}, which is right only where a C long has 64 bits:
 * {@link #supported()} admits x86_64 and aarch64 and nothing else (32-bit platforms are not supported).
 * {@code SO_TIMESTAMPING} is the old option (37), whose {@code struct timespec} has 64-bit fields on LP64.
 */
final class LinuxNet {

    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SHUT_RDWR = 2;

    static final int SOL_SOCKET = 1;
    static final int SOL_IP = 0;
    static final int SOL_IPV6 = 41;
    static final int SO_ERROR = 4;
    static final int SO_RCVBUF = 8;
    static final int SO_TIMESTAMPING = 37;
    static final int SCM_TIMESTAMPING = SO_TIMESTAMPING;
    /** Linux 6.13+: a control message setting this datagram's OPT_ID key (older kernels: EINVAL). */
    static final int SCM_TS_OPT_ID = 81;
    static final int IP_RECVERR = 11;
    static final int IPV6_RECVERR = 25;

    static final int SOF_TIMESTAMPING_TX_HARDWARE = 1;
    static final int SOF_TIMESTAMPING_TX_SOFTWARE = 1 << 1;
    static final int SOF_TIMESTAMPING_RX_HARDWARE = 1 << 2;
    static final int SOF_TIMESTAMPING_RX_SOFTWARE = 1 << 3;
    static final int SOF_TIMESTAMPING_SOFTWARE = 1 << 4;
    static final int SOF_TIMESTAMPING_RAW_HARDWARE = 1 << 6;
    static final int SOF_TIMESTAMPING_OPT_ID = 1 << 7;
    static final int SOF_TIMESTAMPING_OPT_TSONLY = 1 << 11;
    /** What every socket asks for: kernel software receive and transmit stamps, reported, keyed, without payload. */
    static final int TIMESTAMPING_SOFTWARE = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_TX_SOFTWARE
            | SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_OPT_TSONLY;
    /** Added when the interface granted hardware timestamping. */
    static final int TIMESTAMPING_HARDWARE = SOF_TIMESTAMPING_RAW_HARDWARE | SOF_TIMESTAMPING_RX_HARDWARE
            | SOF_TIMESTAMPING_TX_HARDWARE;

    static final int MSG_TRUNC = 0x20;
    static final int MSG_CTRUNC = 0x8;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_ERRQUEUE = 0x2000;
    static final int MSG_NOSIGNAL = 0x4000;

    /** struct sock_extended_err: ee_errno of a timestamp report, and its origin. */
    static final int ENOMSG = 42;
    static final int SO_EE_ORIGIN_TIMESTAMPING = 4;
    /** ee_info of a transmit timestamp: the driver handed the packet to the device (the only one asked for). */
    static final int SCM_TSTAMP_SND = 0;

    static final int SIOCSHWTSTAMP = 0x89b0;
    static final int SIOCGHWTSTAMP = 0x89b1;
    static final int HWTSTAMP_TX_ON = 1;
    static final int HWTSTAMP_FILTER_ALL = 1;

    /** struct msghdr { void *name; socklen_t namelen; struct iovec *iov; size_t iovlen; void *control;
     * size_t controllen; int flags; }. */
    static final int MSGHDR_SIZE_BYTES = 56;
    static final int MSGHDR_NAME_OFFSET = 0;
    static final int MSGHDR_NAMELEN_OFFSET = 8;
    static final int MSGHDR_IOV_OFFSET = 16;
    static final int MSGHDR_IOVLEN_OFFSET = 24;
    static final int MSGHDR_CONTROL_OFFSET = 32;
    static final int MSGHDR_CONTROLLEN_OFFSET = 40;
    static final int MSGHDR_FLAGS_OFFSET = 48;
    /** struct iovec { void *base; size_t len; }. */
    static final int IOVEC_SIZE_BYTES = 16;
    static final int IOVEC_BASE_OFFSET = 0;
    static final int IOVEC_LEN_OFFSET = 8;
    /** struct cmsghdr { size_t len; int level; int type; } then data at CMSG_ALIGN(16). */
    static final int CMSGHDR_SIZE_BYTES = 16;
    static final int CMSGHDR_LEN_OFFSET = 0;
    static final int CMSGHDR_LEVEL_OFFSET = 8;
    static final int CMSGHDR_TYPE_OFFSET = 12;
    /** CMSG_ALIGN: control messages are aligned to sizeof(size_t). */
    static final int CMSG_ALIGN_BYTES = 8;
    /** struct scm_timestamping { struct timespec ts[3]; }: [0] software, [1] unused, [2] raw hardware. */
    static final int SCM_TIMESTAMPING_SIZE_BYTES = 48;
    static final int TIMESPEC_SIZE_BYTES = 16;
    static final int TIMESTAMP_SOFTWARE_INDEX = 0;
    static final int TIMESTAMP_HARDWARE_INDEX = 2;
    /** struct sock_extended_err { u32 ee_errno; u8 ee_origin, ee_type, ee_code, ee_pad; u32 ee_info, ee_data; }. */
    static final int EXTENDED_ERR_SIZE_BYTES = 16;
    static final int EE_ERRNO_OFFSET = 0;
    static final int EE_ORIGIN_OFFSET = 4;
    static final int EE_INFO_OFFSET = 8;
    static final int EE_DATA_OFFSET = 12;
    /** struct sockaddr_in { u16 family; be16 port; be32 addr; u8 zero[8]; }. */
    static final int SOCKADDR_IN_SIZE_BYTES = 16;
    static final int SOCKADDR_IN_ADDR_OFFSET = 4;
    /** struct sockaddr_in6 { u16 family; be16 port; be32 flowinfo; u8 addr[16]; u32 scope_id; }. */
    static final int SOCKADDR_IN6_SIZE_BYTES = 28;
    static final int SOCKADDR_IN6_ADDR_OFFSET = 8;
    static final int SOCKADDR_IN6_SCOPE_OFFSET = 24;
    static final int SOCKADDR_FAMILY_OFFSET = 0;
    static final int SOCKADDR_PORT_OFFSET = 2;
    static final int IPV4_ADDRESS_BYTES = 4;
    static final int IPV6_ADDRESS_BYTES = 16;
    /** ::ffff:a.b.c.d: ten zero bytes, two 0xff, then the IPv4 address. */
    static final int V4_MAPPED_PREFIX_BYTES = 12;
    /** Room for either address, rounded up to 8 bytes. */
    static final int SOCKADDR_BUFFER_BYTES = 32;
    /** struct ifreq: char name[IFNAMSIZ] then a union whose ifr_data pointer is at 16; 40 bytes on LP64. */
    static final int IFREQ_SIZE_BYTES = 40;
    static final int IFNAMSIZ = 16;
    static final int IFREQ_DATA_OFFSET = 16;
    /** struct hwtstamp_config { int flags; int tx_type; int rx_filter; }. */
    static final int HWTSTAMP_CONFIG_SIZE_BYTES = 12;
    static final int HWTSTAMP_TX_TYPE_OFFSET = 4;
    static final int HWTSTAMP_RX_FILTER_OFFSET = 8;

    /** The libc functions used; the {@code long}s are C longs (LP64 only, see class comment). */
    interface NetLibC extends Library {
        int socket(int domain, int type, int protocol);

        int setsockopt(int fd, int level, int optname, Pointer optval, int optlen);

        int getsockopt(int fd, int level, int optname, Pointer optval, Pointer optlen);

        int bind(int fd, Pointer addr, int addrlen);

        int getsockname(int fd, Pointer addr, Pointer addrlen);

        long sendmsg(int fd, Pointer msghdr, int flags);

        long recvmsg(int fd, Pointer msghdr, int flags);

        int poll(Pointer fds, long nfds, int timeoutMillis);

        int ioctl(int fd, long request, Pointer arg);

        int shutdown(int fd, int how);

        int close(int fd);
    }

    static final class Holder {
        static final NetLibC LIBC = Native.load(Platform.C_LIBRARY_NAME, NetLibC.class);
    }

    private LinuxNet() {
    }

    /** Linux on x86_64 or aarch64 (LP64), and libc loads. Never throws. */
    static boolean supported() {
        try {
            return Platform.isLinux() && Native.POINTER_SIZE == 8 && Native.LONG_SIZE == 8
                    && ("x86-64".equals(Platform.ARCH) || "aarch64".equals(Platform.ARCH))
                    && Holder.LIBC != null;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /** CMSG_ALIGN. */
    static long cmsgAlign(long lengthBytes) {
        return (lengthBytes + CMSG_ALIGN_BYTES - 1) & -CMSG_ALIGN_BYTES;
    }

    /** CMSG_LEN: header plus data. */
    static int cmsgLen(int dataBytes) {
        return CMSGHDR_SIZE_BYTES + dataBytes;
    }

    /** CMSG_SPACE: header plus aligned data. */
    static int cmsgSpace(int dataBytes) {
        return CMSGHDR_SIZE_BYTES + (int) cmsgAlign(dataBytes);
    }

    /**
     * Writes a sockaddr_in or sockaddr_in6 of {@code socketFamily} for {@code address}. An IPv4 address goes to an
     * IPv6 socket as ::ffff:a.b.c.d. Returns its length, or -1 for an IPv6 address on an IPv4 socket.
     */
    static int writeSockaddr(Memory name, int socketFamily, InetAddress address, int port) {
        byte[] bytes = address.getAddress();
        name.setShort(SOCKADDR_FAMILY_OFFSET, (short) socketFamily);
        name.setByte(SOCKADDR_PORT_OFFSET, (byte) (port >>> 8));
        name.setByte(SOCKADDR_PORT_OFFSET + 1, (byte) port);
        if (socketFamily == AF_INET) {
            if (bytes.length != IPV4_ADDRESS_BYTES) {
                return -1;
            }
            name.write(SOCKADDR_IN_ADDR_OFFSET, bytes, 0, IPV4_ADDRESS_BYTES);
            name.setLong(SOCKADDR_IN_ADDR_OFFSET + IPV4_ADDRESS_BYTES, 0);
            return SOCKADDR_IN_SIZE_BYTES;
        }
        name.setInt(SOCKADDR_PORT_OFFSET + 2, 0); // flowinfo
        if (bytes.length == IPV4_ADDRESS_BYTES) {
            for (int i = 0; i < V4_MAPPED_PREFIX_BYTES - 2; i++) {
                name.setByte(SOCKADDR_IN6_ADDR_OFFSET + i, (byte) 0);
            }
            name.setByte(SOCKADDR_IN6_ADDR_OFFSET + V4_MAPPED_PREFIX_BYTES - 2, (byte) 0xff);
            name.setByte(SOCKADDR_IN6_ADDR_OFFSET + V4_MAPPED_PREFIX_BYTES - 1, (byte) 0xff);
            name.write(SOCKADDR_IN6_ADDR_OFFSET + V4_MAPPED_PREFIX_BYTES, bytes, 0, IPV4_ADDRESS_BYTES);
            name.setInt(SOCKADDR_IN6_SCOPE_OFFSET, 0);
        } else {
            name.write(SOCKADDR_IN6_ADDR_OFFSET, bytes, 0, IPV6_ADDRESS_BYTES);
            name.setInt(SOCKADDR_IN6_SCOPE_OFFSET, ((Inet6Address) address).getScopeId());
        }
        return SOCKADDR_IN6_SIZE_BYTES;
    }

    /** The port of a sockaddr_in or sockaddr_in6. */
    static int readPort(Pointer name) {
        return ((name.getByte(SOCKADDR_PORT_OFFSET) & 0xff) << 8)
                | (name.getByte(SOCKADDR_PORT_OFFSET + 1) & 0xff);
    }

    /**
     * Turns on hardware timestamping of {@code interfaceName} (transmit on, receive all) unless it already is.
     * Returns null when granted, or why not.
     */
    static String enableHardware(int fd, String interfaceName) {
        byte[] name = interfaceName.getBytes(StandardCharsets.US_ASCII);
        if (name.length == 0 || name.length >= IFNAMSIZ
                || !interfaceName.chars().allMatch(c -> c > ' ' && c < 0x7f && c != '/' && c != ':')) {
            return "not a valid interface name";
        }
        NetLibC libc = Holder.LIBC;
        try (Memory ifreq = new Memory(IFREQ_SIZE_BYTES);
                Memory config = new Memory(HWTSTAMP_CONFIG_SIZE_BYTES)) {
            ifreq.clear();
            config.clear();
            ifreq.write(0, name, 0, name.length);
            ifreq.setPointer(IFREQ_DATA_OFFSET, config);
            if (libc.ioctl(fd, SIOCGHWTSTAMP, ifreq) == 0 && grantsAll(config)) {
                return null; // already on (e.g. by ptp4l): no privilege needed
            }
            config.clear();
            config.setInt(HWTSTAMP_TX_TYPE_OFFSET, HWTSTAMP_TX_ON);
            config.setInt(HWTSTAMP_RX_FILTER_OFFSET, HWTSTAMP_FILTER_ALL);
            if (libc.ioctl(fd, SIOCSHWTSTAMP, ifreq) != 0) {
                int errno = Native.getLastError();
                String text = LinuxErrno.text(errno);
                return switch (errno) {
                    case LinuxErrno.EPERM, LinuxErrno.EACCES -> text + ", needs CAP_NET_ADMIN";
                    case LinuxErrno.EOPNOTSUPP -> text + ", the interface cannot timestamp in hardware";
                    case LinuxErrno.ENODEV -> text + ", no such interface";
                    case LinuxErrno.ERANGE -> text + ", the NIC cannot timestamp every received packet";
                    default -> text;
                };
            }
            if (!grantsAll(config)) {
                return "the driver set tx_type " + config.getInt(HWTSTAMP_TX_TYPE_OFFSET) + ", rx_filter "
                        + config.getInt(HWTSTAMP_RX_FILTER_OFFSET) + " (wanted 1, 1: transmit on, receive all)";
            }
            return null;
        }
    }

    private static boolean grantsAll(Memory config) {
        return config.getInt(HWTSTAMP_TX_TYPE_OFFSET) == HWTSTAMP_TX_ON
                && config.getInt(HWTSTAMP_RX_FILTER_OFFSET) == HWTSTAMP_FILTER_ALL;
    }
}
