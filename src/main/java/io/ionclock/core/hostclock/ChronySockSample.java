package io.ionclock.core.hostclock;

import io.ionclock.core.LeapIndicator;
import java.nio.ByteOrder;

/**
 * chrony's SOCK refclock datagram ({@code struct sock_sample} in chrony's {@code refclock_sock.c}), written at explicit
 * offsets into the caller's buffer:
 *
 * <pre>
 *   struct sock_sample {
 *     struct timeval tv;   //  0: tv_sec (time_t), 8: tv_usec (suseconds_t): the sample's time on the system clock
 *     double offset;       // 16: true time minus the system time at tv, seconds
 *     int pulse;           // 24: non-zero for a PPS pulse (seconds from another source); we always send 0
 *     int leap;            // 28: 0 none, 1 insert, 2 delete (chrony's LEAP_Normal, LEAP_InsertSecond, LEAP_DeleteSecond)
 *     int _pad;            // 32: ignored
 *     int magic;           // 36: 0x534f434b ("SOCK")
 *   };                     // 40 bytes
 * </pre>
 *
 * <b>LP64 only</b>: the layout above is the one on 64-bit Linux (x86_64, aarch64), where {@code time_t} and
 * {@code suseconds_t} are 8 bytes. On 32-bit glibc the struct is 32 or 40 bytes depending on {@code _TIME_BITS}; chrony
 * converts some cases, but this encoder does not claim them. chrony reads the fields in host byte order: the caller
 * passes {@link ByteOrder#nativeOrder()}.
 *
 * <p>chrony takes {@code tv} (microseconds) as the instant of the sample and {@code tv + offset} as true time then,
 * so the microseconds cut off {@code tv} are added back into {@code offset}: nothing is lost to the timeval's
 * resolution.
 */
public final class ChronySockSample {
    public static final int SIZE_BYTES = 40;
    public static final int TV_SEC_OFFSET = 0;
    public static final int TV_USEC_OFFSET = 8;
    public static final int OFFSET_OFFSET = 16;
    public static final int PULSE_OFFSET = 24;
    public static final int LEAP_OFFSET = 28;
    public static final int PAD_OFFSET = 32;
    public static final int MAGIC_OFFSET = 36;
    public static final int MAGIC = 0x534f434b;
    /** chrony's leap values (NTP_Leap): explicit numbers, never an enum's ordinal. */
    public static final int LEAP_NONE = 0;
    public static final int LEAP_INSERT = 1;
    public static final int LEAP_DELETE = 2;
    /**
     * The largest |offset| encoded: below chrony's own limit (UTI_IsTimeOffsetSane drops |offset| >= 2^32 s). A gateway
     * without an RTC boots in 1970, about 1.8e9 s from now: chrony gets that offset and steps (its makestep).
     */
    public static final long OFFSET_NANOS_MAX = (1L << 32) * 1_000_000_000L - 1;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_MICRO = 1_000L;

    private ChronySockSample() {
    }

    /** chrony's leap value of {@code leap}. */
    public static int leapCode(LeapIndicator leap) {
        return switch (leap) {
            case NONE -> LEAP_NONE;
            case INSERT -> LEAP_INSERT;
            case DELETE -> LEAP_DELETE;
        };
    }

    /**
     * Writes one sample at {@code dst[at .. at + SIZE_BYTES)}.
     *
     * @param systemEpochNanos      the sample's instant on the host's system clock (CLOCK_REALTIME), ns since the
     *                              Unix epoch, >= 0
     * @param trueMinusSystemNanos  true time minus the system clock at that instant (chrony's sign: positive when the
     *                              system clock is behind), |value| <= {@link #OFFSET_NANOS_MAX}
     * @param leap                  the leap second announced
     * @param order                 the byte order chrony reads: {@link ByteOrder#nativeOrder()}
     * @return the offset written, seconds (what chrony will read)
     */
    public static double encode(byte[] dst, int at, long systemEpochNanos, long trueMinusSystemNanos, LeapIndicator leap,
            ByteOrder order) {
        if (at < 0 || at > dst.length - SIZE_BYTES) {
            throw new IllegalArgumentException("no room for " + SIZE_BYTES + " bytes at " + at + " in " + dst.length);
        }
        if (systemEpochNanos < 0) {
            throw new IllegalArgumentException("systemEpochNanos before 1970: " + systemEpochNanos);
        }
        if (Math.abs(trueMinusSystemNanos) > OFFSET_NANOS_MAX) {
            throw new IllegalArgumentException("offset out of range: " + trueMinusSystemNanos + " ns");
        }
        long tvSec = systemEpochNanos / NANOS_PER_SECOND;
        long tvUsec = systemEpochNanos % NANOS_PER_SECOND / NANOS_PER_MICRO;
        long cutNanos = systemEpochNanos % NANOS_PER_MICRO; // what the timeval cannot hold, back into the offset
        double offsetSeconds = (trueMinusSystemNanos + cutNanos) / 1e9;
        boolean little = order == ByteOrder.LITTLE_ENDIAN;
        putLong(dst, at + TV_SEC_OFFSET, tvSec, little);
        putLong(dst, at + TV_USEC_OFFSET, tvUsec, little);
        putLong(dst, at + OFFSET_OFFSET, Double.doubleToRawLongBits(offsetSeconds), little);
        putInt(dst, at + PULSE_OFFSET, 0, little);
        putInt(dst, at + LEAP_OFFSET, leapCode(leap), little);
        putInt(dst, at + PAD_OFFSET, 0, little);
        putInt(dst, at + MAGIC_OFFSET, MAGIC, little);
        return offsetSeconds;
    }

    private static void putLong(byte[] dst, int at, long v, boolean little) {
        for (int i = 0; i < Long.BYTES; i++) {
            int shift = little ? 8 * i : 8 * (Long.BYTES - 1 - i);
            dst[at + i] = (byte) (v >>> shift);
        }
    }

    private static void putInt(byte[] dst, int at, int v, boolean little) {
        for (int i = 0; i < Integer.BYTES; i++) {
            int shift = little ? 8 * i : 8 * (Integer.BYTES - 1 - i);
            dst[at + i] = (byte) (v >>> shift);
        }
    }
}
