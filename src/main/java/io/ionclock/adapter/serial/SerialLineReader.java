package io.ionclock.adapter.serial;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads lines from a serial GNSS receiver and hands them to a {@link LineSink} with their receive time on
 * CLOCK_MONOTONIC ({@code System.nanoTime()}). It only reads, timestamps and splits on LF: no NMEA parsing.
 *
 * <p>Owns one daemon thread (never the caller's event loop). The thread opens the tty non-blocking, sets raw
 * 8N1, discards input that was waiting before the open (its receive time would be wrong), then loops on
 * poll() with a {@value #POLL_TIMEOUT_MILLIS} ms timeout and read(). When the device goes away (EOF, read
 * error, POLLHUP/POLLERR: a USB receiver unplugged) it closes the fd, forgets the partial line, and reopens
 * with a backoff from {@link #REOPEN_BACKOFF_NANOS_MIN} doubling to {@link #REOPEN_BACKOFF_NANOS_MAX}; the
 * backoff returns to the minimum once a connection delivered bytes. Errors are counted and the last one kept
 * as text; none ends the loop.
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
    public static final long REOPEN_BACKOFF_NANOS_MIN = 100_000_000L;
    public static final long REOPEN_BACKOFF_NANOS_MAX = 2_000_000_000L;
    /** How long {@link #close()} waits for the thread to end. */
    public static final long CLOSE_TIMEOUT_NANOS = 2_000_000_000L;
    /** Readable-but-empty reads in a row after which the connection is treated as broken (no busy loop). */
    static final int EMPTY_READS_MAX = 16;
    /** Longest error text kept. */
    public static final int ERROR_TEXT_CHARS_MAX = 200;

    private final SerialPortConfig config;
    private final int baudCode;
    private final LineSplitter splitter;
    private final Thread thread;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile boolean running = true;

    private volatile boolean connected;
    private volatile long bytes;
    private volatile long opens;
    private volatile long reopens;
    private volatile long errors;
    private volatile String lastError = "";

    /**
     * @param config port to read; validated already
     * @param sink   receives the lines on the reader thread
     */
    public SerialLineReader(SerialPortConfig config, LineSink sink) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(sink, "sink");
        this.baudCode = LinuxTty.baudCode(config.baud());
        this.splitter = new LineSplitter(LINE_BYTES_MAX, sink, e -> error("line sink threw " + e));
        this.thread = Thread.ofPlatform()
                .daemon(true)
                .name("ionclock-serial " + config.devicePath())
                .unstarted(this::run);
    }

    /** Starts the reader thread. Returns at once; opening and reading happen on the thread. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("SerialLineReader already started");
        }
        thread.start();
    }

    /**
     * Stops the thread and closes the device; waits at most {@link #CLOSE_TIMEOUT_NANOS}. Idempotent. The sink
     * gets no call once this returns, unless the sink itself blocked the thread past the timeout (then
     * {@link #alive()} stays true and {@link #lastError()} says so).
     */
    @Override
    public void close() {
        running = false;
        stopRequested.countDown();
        if (!started.get() || Thread.currentThread() == thread) {
            return;
        }
        try {
            if (!thread.join(Duration.ofNanos(CLOSE_TIMEOUT_NANOS))) {
                error("reader thread did not stop within " + CLOSE_TIMEOUT_NANOS / 1_000_000 + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public SerialPortConfig config() {
        return config;
    }

    /** Whether the device is open and being read. */
    public boolean connected() {
        return connected;
    }

    /** Whether the reader thread is running (false before start and after close). */
    public boolean alive() {
        return thread.isAlive();
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
        return reopens;
    }

    /** Failed opens, read/poll errors, hang-ups and sink exceptions. */
    public long errors() {
        return errors;
    }

    /** Text of the last error, empty if none. */
    public String lastError() {
        return lastError;
    }

    private void run() {
        byte[] chunk = new byte[READ_BYTES_MAX];
        long backoffNanos = REOPEN_BACKOFF_NANOS_MIN;
        try (Memory readBuf = new Memory(READ_BYTES_MAX);
                Memory pollfd = new Memory(LinuxTty.POLLFD_SIZE_BYTES);
                Memory termios = new Memory(LinuxTty.TERMIOS_SIZE_BYTES)) {
            NativeLong readCount = new NativeLong(READ_BYTES_MAX);
            while (running) {
                boolean gotBytes = false;
                try {
                    int fd = openConfigured(termios);
                    if (fd >= 0) {
                        try {
                            gotBytes = readUntilDisconnected(fd, readBuf, readCount, pollfd, chunk);
                        } finally {
                            connected = false;
                            LinuxTty.close(fd);
                            splitter.reset();
                        }
                    }
                } catch (RuntimeException | LinkageError e) {
                    error("unexpected " + e);
                }
                if (gotBytes) {
                    backoffNanos = REOPEN_BACKOFF_NANOS_MIN;
                }
                if (running && awaitStop(backoffNanos)) {
                    break;
                }
                backoffNanos = Math.min(backoffNanos * 2, REOPEN_BACKOFF_NANOS_MAX);
            }
        } finally {
            connected = false;
        }
    }

    /** Opens and configures the device; returns the fd, or -1 after counting the error. */
    private int openConfigured(Memory termios) {
        String path = config.devicePath();
        int fd = LinuxTty.open(path);
        if (fd < 0) {
            error("open " + path + ": " + LinuxTty.errnoText(-fd));
            return -1;
        }
        int rc = LinuxTty.configureRaw8n1(fd, baudCode, termios);
        if (rc == 0) {
            rc = LinuxTty.flushInput(fd);
        }
        if (rc < 0) {
            error("configure " + path + ": " + LinuxTty.errnoText(-rc));
            LinuxTty.close(fd);
            return -1;
        }
        opens++;
        if (opens > 1) {
            reopens++;
        }
        connected = true;
        return fd;
    }

    /** Reads until the device fails or close() is called. Returns whether any byte arrived. */
    private boolean readUntilDisconnected(int fd, Memory readBuf, NativeLong readCount, Memory pollfd,
            byte[] chunk) {
        String path = config.devicePath();
        boolean gotBytes = false;
        int emptyReads = 0;
        while (running) {
            int revents = LinuxTty.pollIn(fd, pollfd, POLL_TIMEOUT_MILLIS);
            if (revents < 0) {
                if (-revents == LinuxTty.EINTR) {
                    continue;
                }
                error("poll " + path + ": " + LinuxTty.errnoText(-revents));
                return gotBytes;
            }
            if (revents == 0) {
                continue;
            }
            boolean broken = (revents & (LinuxTty.POLLHUP | LinuxTty.POLLERR | LinuxTty.POLLNVAL)) != 0;
            if ((revents & LinuxTty.POLLIN) == 0 && !broken) {
                continue;
            }
            if ((revents & LinuxTty.POLLIN) != 0) {
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
                    error("read " + path + ": end of file (device hung up)");
                    return gotBytes;
                }
                int errno = (int) -n;
                if (errno != LinuxTty.EAGAIN && errno != LinuxTty.EINTR) {
                    error("read " + path + ": " + LinuxTty.errnoText(errno));
                    return gotBytes;
                }
                if (!broken && ++emptyReads < EMPTY_READS_MAX) {
                    continue;
                }
            }
            if (broken) {
                error("poll " + path + ": device hung up or failed (revents 0x" + Integer.toHexString(revents)
                        + ")");
            } else {
                error("poll " + path + ": readable but " + EMPTY_READS_MAX + " reads returned nothing");
            }
            return gotBytes;
        }
        return gotBytes;
    }

    /** Waits up to {@code nanos}; returns true if close() was called. */
    private boolean awaitStop(long nanos) {
        try {
            return stopRequested.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            running = false;
            return true;
        }
    }

    private void error(String text) {
        errors++;
        lastError = text.length() <= ERROR_TEXT_CHARS_MAX ? text : text.substring(0, ERROR_TEXT_CHARS_MAX);
    }
}
