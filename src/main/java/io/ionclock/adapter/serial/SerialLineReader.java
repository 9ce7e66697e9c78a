package io.ionclock.adapter.serial;

import io.ionclock.adapter.LinuxPoll;

import io.ionclock.adapter.LinuxErrno;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import io.ionclock.adapter.DeviceLoop;
import java.util.Objects;

/**
 * Reads lines from a serial GNSS receiver and hands them to a {@link LineSink} with their receive time on
 * CLOCK_MONOTONIC ({@code System.nanoTime()}). It only reads, timestamps and splits on LF: no NMEA parsing.
 *
 * <p>Owns one daemon thread, run by a {@link DeviceLoop} (never the caller's event loop). The thread opens the
 * tty non-blocking, sets raw 8N1, discards input that was waiting before the open (its receive time would be
 * wrong), then loops on poll() with a {@value #POLL_TIMEOUT_MILLIS} ms timeout and read(). When the device goes
 * away (EOF, read error, POLLHUP/POLLERR: a USB receiver unplugged) it closes the fd, forgets the partial line,
 * and reopens with a backoff from {@link #REOPEN_BACKOFF_NANOS_MIN} doubling to
 * {@link #REOPEN_BACKOFF_NANOS_MAX}; the backoff returns to the minimum once a connection delivered bytes.
 * Errors are counted and the last one kept as text; none ends the loop.
 *
 * <p>Counters are written by the reader thread only and may be read from any thread.
 */
public final class SerialLineReader implements AutoCloseable {

    /** Longest line delivered, in bytes, not counting the LF and a CR before it. Longer lines are dropped. */
    public static final int LINE_BYTES_MAX = 256;
    /** Most bytes taken by one read(). */
    public static final int READ_BYTES_MAX = 1024;
    /** poll() timeout: also the longest the thread takes to notice {@link #close()}. */
    public static final int POLL_TIMEOUT_MILLIS = 100;
    public static final long REOPEN_BACKOFF_NANOS_MIN = DeviceLoop.REOPEN_BACKOFF_NANOS_MIN;
    public static final long REOPEN_BACKOFF_NANOS_MAX = DeviceLoop.REOPEN_BACKOFF_NANOS_MAX;
    /** How long {@link #close()} waits for the thread to end. */
    public static final long CLOSE_TIMEOUT_NANOS = 2_000_000_000L;
    /** Readable-but-empty reads in a row after which the connection is treated as broken (no busy loop). */
    static final int EMPTY_READS_MAX = 16;
    /** Longest error text kept. */
    public static final int ERROR_TEXT_CHARS_MAX = DeviceLoop.ERROR_TEXT_CHARS_MAX;

    private final SerialPortConfig config;
    private final int baudCode;
    private final DeviceLoop loop;
    private final LineSplitter splitter;

    private volatile long bytes;

    /**
     * @param config port to read; validated already
     * @param sink   receives the lines on the reader thread
     */
    public SerialLineReader(SerialPortConfig config, LineSink sink) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(sink, "sink");
        this.baudCode = LinuxTty.baudCode(config.baud());
        this.loop = new DeviceLoop("ionclock-serial " + config.devicePath(), this::readSession,
                CLOSE_TIMEOUT_NANOS, false);
        this.splitter = new LineSplitter(LINE_BYTES_MAX, sink, e -> loop.error("line sink threw " + e));
    }

    /** Starts the reader thread. Returns at once; opening and reading happen on the thread. */
    public void start() {
        loop.start();
    }

    /**
     * Stops the thread and closes the device; waits at most {@link #CLOSE_TIMEOUT_NANOS}. Idempotent. The sink
     * gets no call once this returns, unless the sink itself blocked the thread past the timeout (then
     * {@link #alive()} stays true and {@link #lastError()} says so).
     */
    @Override
    public void close() {
        loop.close();
    }

    public SerialPortConfig config() {
        return config;
    }

    /** Whether the device is open and being read. */
    public boolean connected() {
        return loop.connected();
    }

    /** Whether the reader thread is running (false before start and after close). */
    public boolean alive() {
        return loop.alive();
    }

    /** Bytes read from the device. */
    public long bytes() {
        return bytes;
    }

    /** Lines delivered to the sink. */
    public long lines() {
        return splitter.lines();
    }

    /** Lines longer than {@link #LINE_BYTES_MAX} that were dropped. */
    public long overlongDropped() {
        return splitter.overlongDropped();
    }

    /** Successful opens after the first one: reconnects after the device went away. */
    public long reopens() {
        return loop.reopens();
    }

    /** Failed opens, read/poll errors, hang-ups and sink exceptions. */
    public long errors() {
        return loop.errors();
    }

    /** Text of the last error, empty if none. */
    public String lastError() {
        return loop.lastError();
    }

    /** One connection: open, configure, read until it fails. Returns whether any byte arrived. */
    private boolean readSession() {
        try (Memory readBuf = new Memory(READ_BYTES_MAX);
                Memory pollfd = new Memory(LinuxPoll.POLLFD_SIZE_BYTES);
                Memory termios = new Memory(LinuxTty.TERMIOS_SIZE_BYTES)) {
            int fd = openConfigured(termios);
            if (fd < 0) {
                return false;
            }
            try {
                return readUntilDisconnected(fd, readBuf, new NativeLong(READ_BYTES_MAX), pollfd,
                        new byte[READ_BYTES_MAX]);
            } finally {
                loop.connected(false);
                LinuxTty.close(fd);
                splitter.reset();
            }
        }
    }

    /** Opens and configures the device; returns the fd, or -1 after counting the error. */
    private int openConfigured(Memory termios) {
        String path = config.devicePath();
        int fd = LinuxTty.open(path);
        if (fd < 0) {
            loop.error("open " + path + ": " + LinuxErrno.text(-fd));
            return -1;
        }
        int rc = LinuxTty.configureRaw8n1(fd, baudCode, termios);
        if (rc == 0) {
            rc = LinuxTty.flushInput(fd);
        }
        if (rc < 0) {
            loop.error("configure " + path + ": " + LinuxErrno.text(-rc));
            LinuxTty.close(fd);
            return -1;
        }
        loop.opened();
        loop.connected(true);
        return fd;
    }

    /** Reads until the device fails or close() is called. Returns whether any byte arrived. */
    private boolean readUntilDisconnected(int fd, Memory readBuf, NativeLong readCount, Memory pollfd,
            byte[] chunk) {
        String path = config.devicePath();
        boolean gotBytes = false;
        int emptyReads = 0;
        while (loop.running()) {
            int revents = LinuxTty.pollIn(fd, pollfd, POLL_TIMEOUT_MILLIS);
            if (revents < 0) {
                if (-revents == LinuxErrno.EINTR) {
                    continue;
                }
                loop.error("poll " + path + ": " + LinuxErrno.text(-revents));
                return gotBytes;
            }
            if (revents == 0) {
                continue;
            }
            boolean broken = (revents & (LinuxPoll.POLLHUP | LinuxPoll.POLLERR | LinuxPoll.POLLNVAL)) != 0;
            if ((revents & LinuxPoll.POLLIN) == 0 && !broken) {
                continue;
            }
            if ((revents & LinuxPoll.POLLIN) != 0) {
                long n = LinuxTty.read(fd, readBuf, readCount);
                long rxMonoNanos = System.nanoTime();
                if (n > 0) {
                    int len = (int) n;
                    readBuf.read(0, chunk, 0, len);
                    bytes += len;
                    gotBytes = true;
                    emptyReads = 0;
                    splitter.accept(chunk, 0, len, rxMonoNanos);
                    continue;
                }
                if (n == 0) {
                    loop.error("read " + path + ": end of file (device hung up)");
                    return gotBytes;
                }
                int errno = (int) -n;
                if (errno != LinuxErrno.EAGAIN && errno != LinuxErrno.EINTR) {
                    loop.error("read " + path + ": " + LinuxErrno.text(errno));
                    return gotBytes;
                }
                if (!broken && ++emptyReads < EMPTY_READS_MAX) {
                    continue;
                }
            }
            if (broken) {
                loop.error("poll " + path + ": device hung up or failed (revents 0x"
                        + Integer.toHexString(revents) + ")");
            } else {
                loop.error("poll " + path + ": readable but " + EMPTY_READS_MAX + " reads returned nothing");
            }
            return gotBytes;
        }
        return gotBytes;
    }
}
