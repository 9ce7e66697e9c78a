package io.ionclock.core.hostclock;

/**
 * The kernel's clock-discipline state as {@code clock_adjtime} reports it, with the Linux ABI constants for the status
 * word ({@code include/uapi/linux/timex.h}).
 *
 * @param clockState     the call's return: {@link #TIME_OK} .. {@link #TIME_ERROR} (TIME_ERROR while STA_UNSYNC)
 * @param frequencyPpb   the frequency correction, ppb (positive: CLOCK_REALTIME runs faster)
 * @param pllOffsetNanos the offset the kernel PLL still has to slew, ns (0 with the PLL off)
 * @param maxErrorMicros maximum error, us (grows by 500 us/s in the kernel)
 * @param estErrorMicros estimated error, us
 * @param status         the STA_* bits
 * @param tickMicros     us added to the clock per USER_HZ tick (10000 at USER_HZ 100, the nominal value)
 * @param taiSeconds     TAI - UTC as set in the kernel (0 if never set)
 */
public record KernelClockState(int clockState, double frequencyPpb, long pllOffsetNanos, long maxErrorMicros,
        long estErrorMicros, int status, long tickMicros, int taiSeconds) {

    public static final int TIME_OK = 0;
    public static final int TIME_INS = 1;
    public static final int TIME_DEL = 2;
    public static final int TIME_OOP = 3;
    public static final int TIME_WAIT = 4;
    public static final int TIME_ERROR = 5;

    public static final int STA_PLL = 0x0001;
    public static final int STA_PPSFREQ = 0x0002;
    public static final int STA_PPSTIME = 0x0004;
    public static final int STA_FLL = 0x0008;
    public static final int STA_INS = 0x0010;
    public static final int STA_DEL = 0x0020;
    public static final int STA_UNSYNC = 0x0040;
    public static final int STA_FREQHOLD = 0x0080;
    public static final int STA_PPSSIGNAL = 0x0100;
    public static final int STA_PPSJITTER = 0x0200;
    public static final int STA_PPSWANDER = 0x0400;
    public static final int STA_PPSERROR = 0x0800;
    public static final int STA_CLOCKERR = 0x1000;
    public static final int STA_NANO = 0x2000;
    public static final int STA_MODE = 0x4000;
    public static final int STA_CLK = 0x8000;
    /** Bits only the kernel sets: writes ignore them. */
    public static final int STA_RONLY = STA_PPSSIGNAL | STA_PPSJITTER | STA_PPSWANDER | STA_PPSERROR | STA_CLOCKERR
            | STA_NANO | STA_MODE | STA_CLK;
    /** Bits that make the kernel steer the clock itself: all off while ionclock disciplines it. */
    public static final int STA_KERNEL_DISCIPLINE = STA_PLL | STA_PPSFREQ | STA_PPSTIME | STA_FLL;

    /** The kernel's NTP_PHASE_LIMIT: past a maxerror of 16 s it sets STA_UNSYNC (chrony's MAX_SYNC_ERROR). */
    public static final long MAX_ERROR_MICROS_MAX = 16_000_000L;
    /** The kernel's growth of maxerror, us per second (MAXFREQ, 500 ppm). */
    public static final long MAX_ERROR_GROWTH_MICROS_PER_SECOND = 500L;

    /**
     * What {@code timedatectl} shows as "System clock synchronized": systemd's {@code ntp_synced()} is true when
     * maxerror is under 16 s, and ignores STA_UNSYNC (which may be set only to keep the kernel off the RTC).
     */
    public boolean synchronizedForTimedated() {
        return maxErrorMicros < MAX_ERROR_MICROS_MAX;
    }

    /** STA_UNSYNC set: ntp_gettime/adjtimex callers get TIME_ERROR. */
    public boolean unsync() {
        return (status & STA_UNSYNC) != 0;
    }
}
