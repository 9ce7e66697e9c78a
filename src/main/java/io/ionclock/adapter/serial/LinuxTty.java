package io.ionclock.adapter.serial;

import io.ionclock.adapter.LinuxPoll;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The few Linux calls the serial reader needs, through JNA (interface mapping, no JNA Structure: layouts are
 * explicit offsets, so native-image needs no field reflection). Methods return a result {@code >= 0} or
 * {@code -errno}, as the kernel does.
 *
 * <p>Terminal settings use {@code ioctl(TCGETS/TCSETS)} with the kernel's {@code struct termios} and the speed
 * in the {@code CBAUD} bits of {@code c_cflag}, not glibc's {@code tcsetattr}/{@code cfsetospeed}: glibc 2.42
 * made {@code speed_t} a plain number behind new symbol versions, and a function looked up with dlsym() gets
 * whichever version the running glibc defaults to. The kernel ABI does not move.
 *
 * <p>Constants and layouts are Linux asm-generic (x86_64, aarch64, arm, riscv), checked against the kernel
 * headers with gcc for x86_64, aarch64 and armhf. alpha, mips, powerpc and sparc use other values.
 */
final class LinuxTty {

    static final int O_RDONLY = 0;
    static final int O_NOCTTY = 0x100;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;


    static final int TCGETS = 0x5401;
    static final int TCSETS = 0x5402;
    static final int TCIFLUSH = 0;

    /** Kernel struct termios: c_iflag, c_oflag, c_cflag, c_lflag (u32 each), c_line, c_cc[19]. */
    static final int TERMIOS_SIZE_BYTES = 36;
    static final int TERMIOS_IFLAG_OFFSET = 0;
    static final int TERMIOS_OFLAG_OFFSET = 4;
    static final int TERMIOS_CFLAG_OFFSET = 8;
    static final int TERMIOS_LFLAG_OFFSET = 12;
    static final int TERMIOS_CC_OFFSET = 17;
    static final int VTIME = 5;
    static final int VMIN = 6;

    static final int IGNBRK = 0x1;
    static final int BRKINT = 0x2;
    static final int PARMRK = 0x8;
    static final int INPCK = 0x10;
    static final int ISTRIP = 0x20;
    static final int INLCR = 0x40;
    static final int IGNCR = 0x80;
    static final int ICRNL = 0x100;
    static final int IUCLC = 0x200;
    static final int IXON = 0x400;
    static final int IXANY = 0x800;
    static final int IXOFF = 0x1000;
    static final int IMAXBEL = 0x2000;

    static final int OPOST = 0x1;

    static final int CBAUD = 0x100f;
    static final int CSIZE = 0x30;
    static final int CS8 = 0x30;
    static final int CSTOPB = 0x40;
    static final int CREAD = 0x80;
    static final int PARENB = 0x100;
    static final int CLOCAL = 0x800;
    static final int CIBAUD = 0x100f0000;
    static final int CRTSCTS = 0x80000000;

    static final int ISIG = 0x1;
    static final int ICANON = 0x2;
    static final int ECHO = 0x8;
    static final int ECHONL = 0x40;
    static final int IEXTEN = 0x8000;

    static final int B4800 = 0xc;
    static final int B9600 = 0xd;
    static final int B19200 = 0xe;
    static final int B38400 = 0xf;
    static final int B57600 = 0x1001;
    static final int B115200 = 0x1002;
    static final int B230400 = 0x1003;
    static final int B460800 = 0x1004;
    static final int B921600 = 0x1007;


    /** The libc functions used; {@code size_t}, {@code ssize_t} and {@code unsigned long} are NativeLong. */
    interface TtyLibC extends Library {
        int open(String path, int flags);

        int close(int fd);

        NativeLong read(int fd, Pointer buf, NativeLong count);

        int poll(Pointer fds, NativeLong nfds, int timeoutMillis);

        int ioctl(int fd, NativeLong request, Pointer arg);

        int tcflush(int fd, int queueSelector);
    }

    private static final class Holder {
        static final TtyLibC LIBC = Native.load(Platform.C_LIBRARY_NAME, TtyLibC.class);
        static final NativeLong TCGETS_REQUEST = new NativeLong(TCGETS);
        static final NativeLong TCSETS_REQUEST = new NativeLong(TCSETS);
        static final NativeLong ONE = new NativeLong(1);
    }

    private LinuxTty() {
    }

    /** Kernel B-code for a line speed in bit/s. */
    static int baudCode(int baud) {
        return switch (baud) {
            case 4800 -> B4800;
            case 9600 -> B9600;
            case 19200 -> B19200;
            case 38400 -> B38400;
            case 57600 -> B57600;
            case 115200 -> B115200;
            case 230400 -> B230400;
            case 460800 -> B460800;
            case 921600 -> B921600;
            default -> throw new IllegalArgumentException("unsupported serial baud rate " + baud);
        };
    }

    /** c_iflag for raw input: no break, parity, strip, CR/NL mapping or software flow control. */
    static int rawIflag(int iflag) {
        return iflag & ~(IGNBRK | BRKINT | PARMRK | INPCK | ISTRIP | INLCR | IGNCR | ICRNL | IUCLC | IXON | IXANY
                | IXOFF | IMAXBEL);
    }

    /** c_oflag without output processing. */
    static int rawOflag(int oflag) {
        return oflag & ~OPOST;
    }

    /** c_lflag for non-canonical input without echo or signals. */
    static int rawLflag(int lflag) {
        return lflag & ~(ISIG | ICANON | ECHO | ECHONL | IEXTEN);
    }

    /** c_cflag for 8N1, receiver on, modem lines ignored, no RTS/CTS, input speed = output speed = baudCode. */
    static int raw8n1Cflag(int cflag, int baudCode) {
        return (cflag & ~(CBAUD | CIBAUD | CSIZE | PARENB | CSTOPB | CRTSCTS)) | CS8 | CREAD | CLOCAL | baudCode;
    }

    /** Opens read-only, non-blocking, not as controlling terminal. Returns fd or -errno. */
    static int open(String path) {
        int fd = Holder.LIBC.open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        return fd >= 0 ? fd : -Native.getLastError();
    }

    static void close(int fd) {
        Holder.LIBC.close(fd);
    }

    /** Sets raw 8N1 at {@code baudCode} on an open tty. Returns 0 or -errno (ENOTTY: not a terminal). */
    static int configureRaw8n1(int fd, int baudCode, Memory termios) {
        termios.clear(TERMIOS_SIZE_BYTES);
        if (Holder.LIBC.ioctl(fd, Holder.TCGETS_REQUEST, termios) < 0) {
            return -Native.getLastError();
        }
        termios.setInt(TERMIOS_IFLAG_OFFSET, rawIflag(termios.getInt(TERMIOS_IFLAG_OFFSET)));
        termios.setInt(TERMIOS_OFLAG_OFFSET, rawOflag(termios.getInt(TERMIOS_OFLAG_OFFSET)));
        termios.setInt(TERMIOS_CFLAG_OFFSET, raw8n1Cflag(termios.getInt(TERMIOS_CFLAG_OFFSET), baudCode));
        termios.setInt(TERMIOS_LFLAG_OFFSET, rawLflag(termios.getInt(TERMIOS_LFLAG_OFFSET)));
        termios.setByte(TERMIOS_CC_OFFSET + VMIN, (byte) 1);
        termios.setByte(TERMIOS_CC_OFFSET + VTIME, (byte) 0);
        if (Holder.LIBC.ioctl(fd, Holder.TCSETS_REQUEST, termios) < 0) {
            return -Native.getLastError();
        }
        return 0;
    }

    /** Discards bytes received but not yet read (they would get a wrong receive time). Returns 0 or -errno. */
    static int flushInput(int fd) {
        return Holder.LIBC.tcflush(fd, TCIFLUSH) == 0 ? 0 : -Native.getLastError();
    }

    /** Waits up to {@code timeoutMillis} for input. Returns revents (0 on timeout) or -errno. */
    static int pollIn(int fd, Memory pollfd, int timeoutMillis) {
        pollfd.setInt(LinuxPoll.POLLFD_FD_OFFSET, fd);
        pollfd.setShort(LinuxPoll.POLLFD_EVENTS_OFFSET, LinuxPoll.POLLIN);
        pollfd.setShort(LinuxPoll.POLLFD_REVENTS_OFFSET, (short) 0);
        int ready = Holder.LIBC.poll(pollfd, Holder.ONE, timeoutMillis);
        if (ready < 0) {
            return -Native.getLastError();
        }
        return ready == 0 ? 0 : pollfd.getShort(LinuxPoll.POLLFD_REVENTS_OFFSET) & 0xffff;
    }

    /** Reads up to {@code count} bytes into {@code buf}. Returns bytes read (0 = end of file) or -errno. */
    static long read(int fd, Memory buf, NativeLong count) {
        long n = Holder.LIBC.read(fd, buf, count).longValue();
        return n >= 0 ? n : -Native.getLastError();
    }
}
