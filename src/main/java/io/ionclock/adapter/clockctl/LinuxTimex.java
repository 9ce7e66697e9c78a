package io.ionclock.adapter.clockctl;

import io.ionclock.adapter.LinuxErrno;
import io.ionclock.core.hostclock.KernelClock;
import io.ionclock.core.hostclock.KernelClockException;
import io.ionclock.core.hostclock.KernelClockState;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * {@link KernelClock} on Linux: {@code clock_adjtime(CLOCK_REALTIME, struct timex *)} through JNA interface mapping,
 * the struct read and written at explicit offsets (no JNA Structure: native-image needs no field reflection). The
 * layout is LP64 glibc/musl (x86_64, aarch64): 208 bytes; 32-bit targets are refused at construction. Every write
 * needs CAP_SYS_TIME (EPERM otherwise); {@link #read()} ({@code modes = 0}) needs nothing. Calls are serialized (one
 * buffer).
 */
public final class LinuxTimex implements KernelClock {

    static final int CLOCK_REALTIME = 0;

    /** sizeof(struct timex) on LP64 Linux. */
    static final int SIZE_BYTES = 208;
    static final int MODES_OFFSET = 0;        // unsigned int, then 4 bytes of padding
    static final int OFFSET_OFFSET = 8;       // long: PLL offset, us (ns with STA_NANO)
    static final int FREQ_OFFSET = 16;        // long: 2^-16 ppm
    static final int MAXERROR_OFFSET = 24;    // long: us
    static final int ESTERROR_OFFSET = 32;    // long: us
    static final int STATUS_OFFSET = 40;      // int, then 4 bytes of padding
    static final int CONSTANT_OFFSET = 48;    // long
    static final int PRECISION_OFFSET = 56;   // long: us
    static final int TOLERANCE_OFFSET = 64;   // long: 2^-16 ppm
    static final int TIME_SEC_OFFSET = 72;    // struct timeval: tv_sec
    static final int TIME_USEC_OFFSET = 80;   //                 tv_usec (ns with ADJ_NANO / STA_NANO)
    static final int TICK_OFFSET = 88;        // long: us per USER_HZ tick
    static final int PPSFREQ_OFFSET = 96;
    static final int JITTER_OFFSET = 104;
    static final int SHIFT_OFFSET = 112;      // int, then padding
    static final int STABIL_OFFSET = 120;
    static final int JITCNT_OFFSET = 128;
    static final int CALCNT_OFFSET = 136;
    static final int ERRCNT_OFFSET = 144;
    static final int STBCNT_OFFSET = 152;
    static final int TAI_OFFSET = 160;        // int, then 11 ints of padding to 208

    static final int ADJ_OFFSET = 0x0001;
    static final int ADJ_FREQUENCY = 0x0002;
    static final int ADJ_MAXERROR = 0x0004;
    static final int ADJ_ESTERROR = 0x0008;
    static final int ADJ_STATUS = 0x0010;
    static final int ADJ_TIMECONST = 0x0020;
    static final int ADJ_TAI = 0x0080;
    static final int ADJ_SETOFFSET = 0x0100;
    static final int ADJ_MICRO = 0x1000;
    static final int ADJ_NANO = 0x2000;
    static final int ADJ_TICK = 0x4000;

    /** timex.freq units per ppb: the kernel counts 2^-16 ppm. */
    static final double FREQ_UNITS_PER_PPB = 65536.0 / 1000.0;
    static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** The libc functions used. */
    interface TimexLibC extends Library {
        int clock_adjtime(int clockId, Pointer timex);

        int clock_gettime(int clockId, Pointer timespec);
    }

    static final class Holder {
        static final TimexLibC LIBC = Native.load(Platform.C_LIBRARY_NAME, TimexLibC.class);
    }

    private final Memory timex = new Memory(SIZE_BYTES);
    private final Memory timespec = new Memory(16);

    public LinuxTimex() {
        if (!Platform.isLinux() || Native.LONG_SIZE != 8) {
            throw new IllegalStateException("clock_adjtime's struct timex is mapped for 64-bit Linux only (this is "
                    + System.getProperty("os.name") + ", " + Native.LONG_SIZE * 8 + "-bit long)");
        }
    }

    @Override
    public synchronized KernelClockState read() throws KernelClockException {
        timex.clear();
        int clockState = call("clock_adjtime(0)");
        return state(timex, clockState);
    }

    @Override
    public synchronized double setFrequencyPpb(double frequencyPpb) throws KernelClockException {
        KernelClock.requireFrequencyInRange(frequencyPpb);
        encodeFrequency(timex, frequencyPpb);
        call("clock_adjtime(ADJ_FREQUENCY)");
        return timex.getLong(FREQ_OFFSET) / FREQ_UNITS_PER_PPB;
    }

    @Override
    public synchronized void stepNanos(long deltaNanos) throws KernelClockException {
        encodeStep(timex, deltaNanos);
        call("clock_adjtime(ADJ_SETOFFSET|ADJ_NANO)");
    }

    @Override
    public synchronized void setSyncStatus(long maxErrorMicros, long estErrorMicros, int status)
            throws KernelClockException {
        KernelClock.requireErrorsInRange(maxErrorMicros, estErrorMicros);
        encodeSyncStatus(timex, maxErrorMicros, estErrorMicros, status);
        call("clock_adjtime(ADJ_MAXERROR|ADJ_ESTERROR|ADJ_STATUS)");
    }

    @Override
    public synchronized void disablePll(int status) throws KernelClockException {
        KernelClock.requireNoKernelDiscipline(status);
        // chrony's initialise_timex: zero the PLL's pending offset (accepted only with STA_PLL), then the PLL off.
        timex.clear();
        timex.setInt(MODES_OFFSET, ADJ_OFFSET | ADJ_STATUS);
        timex.setInt(STATUS_OFFSET, KernelClockState.STA_PLL | status);
        timex.setLong(OFFSET_OFFSET, 0);
        call("clock_adjtime(ADJ_OFFSET|ADJ_STATUS)");
        timex.clear();
        timex.setInt(MODES_OFFSET, ADJ_STATUS);
        timex.setInt(STATUS_OFFSET, status);
        call("clock_adjtime(ADJ_STATUS)");
    }

    @Override
    public synchronized long realtimeNanos() throws KernelClockException {
        if (Holder.LIBC.clock_gettime(CLOCK_REALTIME, timespec) != 0) {
            int errno = Native.getLastError();
            throw new KernelClockException("clock_gettime(CLOCK_REALTIME)", errno, LinuxErrno.text(errno));
        }
        return timespec.getLong(0) * NANOS_PER_SECOND + timespec.getLong(8);
    }

    private int call(String name) throws KernelClockException {
        int rc = Holder.LIBC.clock_adjtime(CLOCK_REALTIME, timex);
        if (rc < 0) {
            int errno = Native.getLastError();
            throw new KernelClockException(name, errno, LinuxErrno.text(errno)
                    + (errno == LinuxErrno.EPERM ? ": the service needs CAP_SYS_TIME" : ""));
        }
        return rc;
    }

    /** The state in a filled {@code struct timex}; the PLL offset in ns whatever STA_NANO says. */
    static KernelClockState state(Pointer timex, int clockState) {
        int status = timex.getInt(STATUS_OFFSET);
        long pllOffset = timex.getLong(OFFSET_OFFSET);
        long pllOffsetNanos = (status & KernelClockState.STA_NANO) != 0 ? pllOffset : pllOffset * 1000;
        return new KernelClockState(clockState, timex.getLong(FREQ_OFFSET) / FREQ_UNITS_PER_PPB, pllOffsetNanos,
                timex.getLong(MAXERROR_OFFSET), timex.getLong(ESTERROR_OFFSET), status, timex.getLong(TICK_OFFSET),
                timex.getInt(TAI_OFFSET));
    }

    /** ADJ_FREQUENCY: freq in 2^-16 ppm, rounded. */
    static void encodeFrequency(Memory timex, double frequencyPpb) {
        timex.clear();
        timex.setInt(MODES_OFFSET, ADJ_FREQUENCY);
        timex.setLong(FREQ_OFFSET, Math.round(frequencyPpb * FREQ_UNITS_PER_PPB));
    }

    /** ADJ_SETOFFSET | ADJ_NANO: the step as a normalized timeval (tv_usec holding ns, 0..999999999). */
    static void encodeStep(Memory timex, long deltaNanos) {
        timex.clear();
        timex.setInt(MODES_OFFSET, ADJ_SETOFFSET | ADJ_NANO);
        timex.setLong(TIME_SEC_OFFSET, Math.floorDiv(deltaNanos, NANOS_PER_SECOND));
        timex.setLong(TIME_USEC_OFFSET, Math.floorMod(deltaNanos, NANOS_PER_SECOND));
    }

    /** ADJ_MAXERROR | ADJ_ESTERROR | ADJ_STATUS. */
    static void encodeSyncStatus(Memory timex, long maxErrorMicros, long estErrorMicros, int status) {
        timex.clear();
        timex.setInt(MODES_OFFSET, ADJ_MAXERROR | ADJ_ESTERROR | ADJ_STATUS);
        timex.setLong(MAXERROR_OFFSET, maxErrorMicros);
        timex.setLong(ESTERROR_OFFSET, estErrorMicros);
        timex.setInt(STATUS_OFFSET, status);
    }

    /** The {@code time} field of a filled struct (ns since the epoch; us unless STA_NANO). */
    static long timeNanos(Pointer timex) {
        long usecOrNsec = timex.getLong(TIME_USEC_OFFSET);
        boolean nano = (timex.getInt(STATUS_OFFSET) & KernelClockState.STA_NANO) != 0;
        return timex.getLong(TIME_SEC_OFFSET) * NANOS_PER_SECOND + (nano ? usecOrNsec : usecOrNsec * 1000);
    }

    /** A read-only call into {@code buffer} (SIZE_BYTES), for the layout tests: modes 0, returns the clock state. */
    static int readInto(Memory buffer) {
        buffer.clear();
        return Holder.LIBC.clock_adjtime(CLOCK_REALTIME, buffer);
    }
}
