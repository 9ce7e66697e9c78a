package io.ionclock.adapter.clockctl;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.ionclock.adapter.LinuxErrno;
import io.ionclock.adapter.LinuxPoll;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** A Unix datagram socket bound at a path, standing in for chronyd's SOCK refclock: receives what the feed sends. */
final class UnixDatagramReceiver implements AutoCloseable {
    interface TestLibC extends Library {
        int socket(int domain, int type, int protocol);

        int bind(int fd, Pointer addr, int addrlen);

        long recv(int fd, Pointer buf, long len, int flags);

        int poll(Pointer fds, long nfds, int timeoutMillis);

        int setsockopt(int fd, int level, int optname, Pointer optval, int optlen);

        int close(int fd);
    }

    static final TestLibC LIBC = Native.load(Platform.C_LIBRARY_NAME, TestLibC.class);
    static final int SOL_SOCKET = 1;
    static final int SO_RCVBUF = 8;
    static final int BUFFER_BYTES = 256;

    private final int fd;
    private final Path path;
    private final Memory buffer = new Memory(BUFFER_BYTES);
    private final Memory pollfd = new Memory(LinuxPoll.POLLFD_SIZE_BYTES);

    private UnixDatagramReceiver(int fd, Path path) {
        this.fd = fd;
        this.path = path;
        pollfd.setInt(LinuxPoll.POLLFD_FD_OFFSET, fd);
        pollfd.setShort(LinuxPoll.POLLFD_EVENTS_OFFSET, LinuxPoll.POLLIN);
    }

    /** Binds {@code path}; {@code receiveBufferBytes} > 0 sets SO_RCVBUF (small: to fill it). */
    static UnixDatagramReceiver bind(Path path, int receiveBufferBytes) {
        int fd = LIBC.socket(ChronySockFeed.AF_UNIX, ChronySockFeed.SOCK_DGRAM | ChronySockFeed.SOCK_NONBLOCK, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket: " + LinuxErrno.text(Native.getLastError()));
        }
        try (Memory a = new Memory(ChronySockFeed.SOCKADDR_UN_SIZE_BYTES); Memory v = new Memory(4)) {
            a.clear();
            a.setShort(0, (short) ChronySockFeed.AF_UNIX);
            byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
            a.write(ChronySockFeed.SUN_PATH_OFFSET, p, 0, p.length);
            if (LIBC.bind(fd, a, ChronySockFeed.SUN_PATH_OFFSET + p.length + 1) != 0) {
                int errno = Native.getLastError();
                LIBC.close(fd);
                throw new IllegalStateException("bind " + path + ": " + LinuxErrno.text(errno));
            }
            if (receiveBufferBytes > 0) {
                v.setInt(0, receiveBufferBytes);
                LIBC.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, v, 4);
            }
        }
        return new UnixDatagramReceiver(fd, path);
    }

    /** The next datagram, waiting up to {@code timeoutMillis}; null when none came. */
    byte[] receive(int timeoutMillis) {
        if (LIBC.poll(pollfd, 1, timeoutMillis) <= 0) {
            return null;
        }
        long n = LIBC.recv(fd, buffer, BUFFER_BYTES, 0);
        return n < 0 ? null : Arrays.copyOf(buffer.getByteArray(0, (int) n), (int) n);
    }

    /** Closes the socket but leaves its file, as a chronyd that died does. */
    void closeKeepingFile() {
        LIBC.close(fd);
    }

    @Override
    public void close() throws java.io.IOException {
        LIBC.close(fd);
        Files.deleteIfExists(path);
    }
}
