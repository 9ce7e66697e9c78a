package io.ionclock.adapter.clockctl;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.ionclock.adapter.LinuxErrno;
import io.ionclock.core.hostclock.FeedResult;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Sends chrony's SOCK refclock samples ({@code core.hostclock.ChronySockSample}) to the Unix datagram socket chronyd
 * binds ({@code refclock SOCK PATH}): {@code socket(AF_UNIX, SOCK_DGRAM)} and {@code sendto(PATH)} through JNA
 * interface mapping, {@code struct sockaddr_un} written at explicit offsets (no JNA Structure: native-image needs only
 * the interface registered, in META-INF/native-image).
 *
 * <p>Nothing here stops time service: chrony not running yet (ENOENT, ECONNREFUSED) is {@link FeedResult#NO_SOCKET}
 * and the next sample tries again; the socket never blocks, so a full chrony queue (EAGAIN) is
 * {@link FeedResult#QUEUE_FULL}, a dropped sample; anything else (EACCES: chronyd created the socket with its umask
 * and ionclock's user may not write it) is {@link FeedResult#SEND_ERROR}, its errno kept in {@link #lastError()}. A
 * socket that could not be opened is opened again at the next send. The socket is not bound: chrony never answers.
 *
 * <p>Linux on x86_64 or aarch64 only ({@code ssize_t} and {@code size_t} map to Java long; the sample is LP64's).
 * {@link #send} from one thread; {@link #lastError()} from any; {@link #close} after the last send.
 */
public final class ChronySockFeed implements AutoCloseable {
    /** {@code sun_path} is 108 bytes with its terminating NUL. */
    public static final int PATH_BYTES_MAX = 107;
    /** The largest datagram sent (a sample is 40 bytes). */
    static final int DATAGRAM_BYTES_MAX = 64;
    static final int AF_UNIX = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_NOSIGNAL = 0x4000;
    /** struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }. */
    static final int SOCKADDR_UN_SIZE_BYTES = 110;
    static final int SUN_FAMILY_OFFSET = 0;
    static final int SUN_PATH_OFFSET = 2;

    /** The libc calls used. */
    interface UnixLibC extends Library {
        int socket(int domain, int type, int protocol);

        long sendto(int fd, Pointer buf, long len, int flags, Pointer addr, int addrlen);

        int close(int fd);
    }

    static final class Holder {
        static final UnixLibC LIBC = Native.load(Platform.C_LIBRARY_NAME, UnixLibC.class);
    }

    private final String path;
    private final Memory address = new Memory(SOCKADDR_UN_SIZE_BYTES);
    private final int addressBytes;
    private final Memory datagram = new Memory(DATAGRAM_BYTES_MAX);
    private int fd = -1;
    private volatile String lastError = "";

    private ChronySockFeed(String path, byte[] pathBytes) {
        this.path = path;
        address.clear();
        address.setShort(SUN_FAMILY_OFFSET, (short) AF_UNIX);
        address.write(SUN_PATH_OFFSET, pathBytes, 0, pathBytes.length);
        addressBytes = SUN_PATH_OFFSET + pathBytes.length + 1;
    }

    /** Whether this platform can feed chrony: Linux on x86_64 or aarch64. Never throws. */
    public static boolean supported() {
        String arch = System.getProperty("os.arch", "");
        return Platform.isLinux() && Native.LONG_SIZE == 8 && ("amd64".equals(arch) || "x86_64".equals(arch)
                || "aarch64".equals(arch));
    }

    /**
     * The problem with {@code path} as chrony's socket path, or null when it is fine: absolute, 1..{@value #PATH_BYTES_MAX}
     * bytes of UTF-8, no NUL.
     */
    public static String pathProblem(String path) {
        if (path == null || path.isEmpty()) {
            return "must not be empty";
        }
        if (!path.startsWith("/")) {
            return "'" + path + "' is not an absolute path";
        }
        if (path.indexOf('\0') >= 0) {
            return "contains a NUL";
        }
        int bytes = path.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > PATH_BYTES_MAX) {
            return "is " + bytes + " bytes; a Unix socket path holds at most " + PATH_BYTES_MAX;
        }
        return null;
    }

    /**
     * A feed to chrony's socket at {@code path}; opens its own socket now (or at the first send, when the kernel
     * refuses one now: the error is in {@link #lastError()}).
     *
     * @throws IllegalArgumentException on a bad path ({@link #pathProblem})
     * @throws IllegalStateException    when the platform is not supported
     */
    public static ChronySockFeed open(String path) {
        Objects.requireNonNull(path, "path");
        String problem = pathProblem(path);
        if (problem != null) {
            throw new IllegalArgumentException("chrony socket path " + problem);
        }
        if (!supported()) {
            throw new IllegalStateException("feeding chrony needs Linux on x86_64 or aarch64 (64-bit); this is "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        }
        ChronySockFeed feed = new ChronySockFeed(path, path.getBytes(StandardCharsets.UTF_8));
        feed.openSocket();
        return feed;
    }

    private boolean openSocket() {
        int s = Holder.LIBC.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s < 0) {
            lastError = "socket(AF_UNIX, SOCK_DGRAM): " + LinuxErrno.text(Native.getLastError());
            return false;
        }
        fd = s;
        return true;
    }

    /**
     * Sends {@code bytes[0 .. len)} as one datagram to chrony's socket without blocking.
     *
     * @param len 1..{@value #DATAGRAM_BYTES_MAX}
     * @return SENT, NO_SOCKET, QUEUE_FULL or SEND_ERROR
     */
    public FeedResult send(byte[] bytes, int len) {
        if (len < 1 || len > DATAGRAM_BYTES_MAX || len > bytes.length) {
            throw new IllegalArgumentException("datagram length " + len + " not in 1.." + DATAGRAM_BYTES_MAX);
        }
        if (fd < 0 && !openSocket()) {
            return FeedResult.SEND_ERROR;
        }
        datagram.write(0, bytes, 0, len);
        long sent = Holder.LIBC.sendto(fd, datagram, len, MSG_DONTWAIT | MSG_NOSIGNAL, address, addressBytes);
        if (sent == len) {
            return FeedResult.SENT;
        }
        int errno = sent < 0 ? Native.getLastError() : 0;
        lastError = sent < 0 ? "sendto " + path + ": " + LinuxErrno.text(errno)
                : "sendto " + path + ": sent " + sent + " of " + len + " bytes";
        return switch (errno) {
            case LinuxErrno.ENOENT, LinuxErrno.ECONNREFUSED -> FeedResult.NO_SOCKET;
            case LinuxErrno.EAGAIN, LinuxErrno.ENOBUFS -> FeedResult.QUEUE_FULL;
            default -> FeedResult.SEND_ERROR;
        };
    }

    /** The path of chrony's socket. */
    public String path() {
        return path;
    }

    /** The last failure's text ({@code "sendto /run/chrony/ionclock.sock: ENOENT (errno 2)"}); empty before any. */
    public String lastError() {
        return lastError;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            Holder.LIBC.close(fd);
            fd = -1;
        }
    }
}
