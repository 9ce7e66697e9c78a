package io.ionclock.adapter.pps;

import io.ionclock.adapter.LinuxErrno;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.io.IOException;
import java.util.Objects;

/**
 * A {@code /dev/ppsN} device read through the Linux PPS API (RFC 2783, linux/pps.h). The kernel timestamps
 * the assert edge in its interrupt handler on CLOCK_REALTIME; {@link #fetch} waits for the next one with
 * {@code PPS_FETCH}.
 *
 * <p>PPS parameters are device-wide. As <em>owner</em>, {@link #open} enables assert capture and disables
 * clear capture with {@code PPS_GETPARAMS}/{@code PPS_SETPARAMS} (needs CAP_SYS_TIME). As non-owner (chrony
 * or gpsd also uses the device) it only reads: {@code PPS_GETCAP} and {@code PPS_FETCH}; assert capture must
 * then be on already (pps-gpio turns it on by default), otherwise every fetch times out.
 *
 * <p>One thread at a time: the reader that owns it fetches and closes it.
 */
public final class LinuxPpsDevice implements PpsSource {

    /**
     * Shortest fetch timeout: the kernel rounds the timeout down to jiffies (10 ms at HZ=100) and returns the
     * last edge at once for zero jiffies.
     */
    public static final long FETCH_TIMEOUT_NANOS_MIN = 20_000_000L;
    public static final long FETCH_TIMEOUT_NANOS_MAX = 60_000_000_000L;
    /** Wake-ups without a new assert edge (a clear edge, a signal) taken within one fetch. */
    static final int FETCH_WAKEUPS_MAX = 16;
    /** Latest plausible kernel timestamp, seconds since the epoch: keeps seconds x 1e9 inside a long. */
    static final long ASSERT_SEC_MAX = 9_000_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final String devicePath;
    private final boolean owner;
    private final int capabilities;
    private final Memory fdata = new Memory(LinuxPps.FDATA_SIZE_BYTES);
    private int fd;
    private long lastAssertSequence;

    private LinuxPpsDevice(String devicePath, boolean owner, int fd, int capabilities) {
        this.devicePath = devicePath;
        this.owner = owner;
        this.fd = fd;
        this.capabilities = capabilities;
    }

    /**
     * Opens a PPS device, checks it can capture and wait for assert edges, and as owner enables assert
     * capture.
     *
     * @param devicePath e.g. {@code /dev/pps0}
     * @param owner      true to set the device's parameters; false when chrony or gpsd also uses it
     * @throws IOException the device is missing, not a PPS device, lacks a capability, or (owner) the process
     *                     lacks CAP_SYS_TIME
     */
    public static LinuxPpsDevice open(String devicePath, boolean owner) throws IOException {
        Objects.requireNonNull(devicePath, "devicePath");
        if (!LinuxPps.layoutSupported()) {
            throw new IOException("PPS API structure layout not supported on this architecture");
        }
        int fd = LinuxPps.Holder.LIBC.open(devicePath, LinuxPps.O_RDONLY | LinuxPps.O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("open " + devicePath + ": " + LinuxErrno.text(Native.getLastError()));
        }
        LinuxPpsDevice device = null;
        boolean opened = false;
        try (Memory cap = new Memory(Integer.BYTES)) {
            if (LinuxPps.Holder.LIBC.ioctl(fd, LinuxPps.Holder.GETCAP, cap) < 0) {
                throw new IOException("PPS_GETCAP " + devicePath + ": "
                        + LinuxErrno.text(Native.getLastError()) + " (not a PPS device?)");
            }
            int capabilities = cap.getInt(0);
            if ((capabilities & LinuxPps.PPS_CAPTUREASSERT) == 0) {
                throw new IOException(devicePath + " cannot capture assert edges (capabilities 0x"
                        + Integer.toHexString(capabilities) + ")");
            }
            if ((capabilities & LinuxPps.PPS_CANWAIT) == 0) {
                throw new IOException(devicePath + " cannot wait for edges (capabilities 0x"
                        + Integer.toHexString(capabilities) + ")");
            }
            if (owner) {
                enableAssertCapture(fd, devicePath);
            }
            device = new LinuxPpsDevice(devicePath, owner, fd, capabilities);
            device.lastAssertSequence = device.fetchNow();
            opened = true;
            return device;
        } finally {
            if (!opened) {
                if (device != null) {
                    device.close();
                } else {
                    LinuxPps.Holder.LIBC.close(fd);
                }
            }
        }
    }

    private static void enableAssertCapture(int fd, String devicePath) throws IOException {
        try (Memory params = new Memory(LinuxPps.KPARAMS_SIZE_BYTES)) {
            params.clear();
            if (LinuxPps.Holder.LIBC.ioctl(fd, LinuxPps.Holder.GETPARAMS, params) < 0) {
                throw new IOException("PPS_GETPARAMS " + devicePath + ": "
                        + LinuxErrno.text(Native.getLastError()));
            }
            int mode = params.getInt(LinuxPps.KPARAMS_MODE_OFFSET);
            int wanted = (mode | LinuxPps.PPS_CAPTUREASSERT) & ~LinuxPps.PPS_CAPTURECLEAR;
            if (wanted == mode) {
                return;
            }
            params.setInt(LinuxPps.KPARAMS_MODE_OFFSET, wanted);
            if (LinuxPps.Holder.LIBC.ioctl(fd, LinuxPps.Holder.SETPARAMS, params) < 0) {
                int errno = Native.getLastError();
                String hint = errno == LinuxErrno.EPERM
                        ? " (needs CAP_SYS_TIME; or open as non-owner if chrony owns the device)" : "";
                throw new IOException("PPS_SETPARAMS " + devicePath + ": " + LinuxErrno.text(errno) + hint);
            }
        }
    }

    @Override
    public boolean fetch(long timeoutNanos, PpsEdge out) throws IOException {
        if (timeoutNanos < FETCH_TIMEOUT_NANOS_MIN || timeoutNanos > FETCH_TIMEOUT_NANOS_MAX) {
            throw new IllegalArgumentException("timeoutNanos out of [" + FETCH_TIMEOUT_NANOS_MIN + ", "
                    + FETCH_TIMEOUT_NANOS_MAX + "]: " + timeoutNanos);
        }
        if (fd < 0) {
            throw new IOException(devicePath + " is closed");
        }
        long deadlineMonoNanos = System.nanoTime() + timeoutNanos;
        for (int wakeup = 0; wakeup < FETCH_WAKEUPS_MAX; wakeup++) {
            long remainingNanos = deadlineMonoNanos - System.nanoTime();
            if (remainingNanos < FETCH_TIMEOUT_NANOS_MIN) {
                return false;
            }
            fdata.clear();
            fdata.setLong(LinuxPps.FDATA_TIMEOUT_OFFSET + LinuxPps.KTIME_SEC_OFFSET,
                    remainingNanos / NANOS_PER_SECOND);
            fdata.setInt(LinuxPps.FDATA_TIMEOUT_OFFSET + LinuxPps.KTIME_NSEC_OFFSET,
                    (int) (remainingNanos % NANOS_PER_SECOND));
            if (LinuxPps.Holder.LIBC.ioctl(fd, LinuxPps.Holder.FETCH, fdata) < 0) {
                int errno = Native.getLastError();
                if (errno == LinuxErrno.ETIMEDOUT) {
                    return false;
                }
                if (errno == LinuxErrno.EINTR) {
                    continue;
                }
                throw new IOException("PPS_FETCH " + devicePath + ": " + LinuxErrno.text(errno));
            }
            long sequence = Integer.toUnsignedLong(fdata.getInt(LinuxPps.FDATA_ASSERT_SEQUENCE_OFFSET));
            if (sequence == lastAssertSequence) {
                continue;
            }
            out.set(assertRealtimeNanos(), sequence);
            lastAssertSequence = sequence;
            return true;
        }
        return false;
    }

    /** The device's capability bits (PPS_GETCAP). */
    public int capabilities() {
        return capabilities;
    }

    public String devicePath() {
        return devicePath;
    }

    public boolean owner() {
        return owner;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            LinuxPps.Holder.LIBC.close(fd);
            fd = -1;
        }
        fdata.close();
    }

    /** PPS_FETCH with a zero timeout: the last assert sequence, without waiting. */
    private long fetchNow() throws IOException {
        fdata.clear();
        if (LinuxPps.Holder.LIBC.ioctl(fd, LinuxPps.Holder.FETCH, fdata) < 0) {
            throw new IOException("PPS_FETCH " + devicePath + ": " + LinuxErrno.text(Native.getLastError()));
        }
        return Integer.toUnsignedLong(fdata.getInt(LinuxPps.FDATA_ASSERT_SEQUENCE_OFFSET));
    }

    private long assertRealtimeNanos() throws IOException {
        long sec = fdata.getLong(LinuxPps.FDATA_ASSERT_TU_OFFSET + LinuxPps.KTIME_SEC_OFFSET);
        int nsec = fdata.getInt(LinuxPps.FDATA_ASSERT_TU_OFFSET + LinuxPps.KTIME_NSEC_OFFSET);
        if (sec < 0 || sec > ASSERT_SEC_MAX || nsec < 0 || nsec >= NANOS_PER_SECOND) {
            throw new IOException(devicePath + " returned an invalid assert time " + sec + " s " + nsec + " ns");
        }
        return sec * NANOS_PER_SECOND + nsec;
    }
}
