package io.ionclock.adapter.clock;

import io.ionclock.adapter.LinuxErrno;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * {@code clock_gettime} through JNA interface mapping; {@code struct timespec} is read at explicit offsets (no JNA
 * Structure, so native-image needs no field reflection). Clock ids are the kernel's, the same on every Linux.
 */
public final class LinuxClock {

    static final int CLOCK_REALTIME = 0;
    static final int CLOCK_MONOTONIC = 1;
    /** struct timespec is two C longs. */
    static final int TIMESPEC_SIZE_BYTES = 2 * Native.LONG_SIZE;

    /** The libc function used. */
    interface ClockLibC extends Library {
        int clock_gettime(int clockId, Pointer timespec);
    }

    static final class Holder {
        static final ClockLibC LIBC = Native.load(Platform.C_LIBRARY_NAME, ClockLibC.class);
    }

    private LinuxClock() {
    }

    /** Reads {@code clockId} into {@code ts} (TIMESPEC_SIZE_BYTES) and returns it in nanoseconds. */
    static long gettimeNanos(int clockId, Memory ts) {
        if (Holder.LIBC.clock_gettime(clockId, ts) != 0) {
            throw new IllegalStateException("clock_gettime(" + clockId + "): "
                    + LinuxErrno.text(Native.getLastError()));
        }
        return timespecNanos(ts);
    }

    /** Reads a {@code struct timespec} ({@code long tv_sec; long tv_nsec;}) as nanoseconds. */
    static long timespecNanos(Pointer timespec) {
        return timespecNanos(timespec, 0);
    }

    /** Reads a {@code struct timespec} at {@code offset} (C longs: the platform's size) as nanoseconds; 0 stays 0. */
    public static long timespecNanos(Pointer p, long offset) {
        long sec = Native.LONG_SIZE == 8 ? p.getLong(offset) : p.getInt(offset);
        long nsec = Native.LONG_SIZE == 8 ? p.getLong(offset + 8) : p.getInt(offset + 4);
        return sec * 1_000_000_000L + nsec;
    }
}
