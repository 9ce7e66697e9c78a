package io.ionclock.core.ntp;

/**
 * NTP's time formats (RFC 5905 section 6) against ns since the Unix epoch. Pure.
 *
 * <ul>
 *   <li>Timestamp: 64 bits, seconds since 1900-01-01 (32) and a binary fraction (32). The seconds wrap every 2^32 s
 *       (136 years: era 0 ends 2036-02-07T06:28:16Z), so a timestamp names an instant only together with a pivot:
 *       {@link #toEpochNanos} picks the era that puts it within 2^31 s of the pivot (the caller's clock, or the build
 *       date when it has none), as chrony does with its era split.</li>
 *   <li>Short: 32 bits, seconds (16) and fraction (16), unsigned: root delay and root dispersion.</li>
 * </ul>
 */
public final class NtpTime {
    /** Seconds from 1900-01-01 (NTP's prime epoch) to 1970-01-01 (the Unix epoch). */
    public static final long UNIX_EPOCH_NTP_SECONDS = 2_208_988_800L;
    /** One NTP era, s. */
    public static final long ERA_SECONDS = 1L << 32;
    /** The largest short-format value: 65535.99998 s (what "unknown" root dispersion saturates at). */
    public static final long SHORT_MAX = 0xFFFF_FFFFL;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private NtpTime() {
    }

    /**
     * The NTP timestamp of {@code epochNanos} (rounded to the nearest 2^-32 s). Negative epochs (before 1970) and
     * instants past era 1 are not timestamps this appliance makes; the era is dropped (the low 32 bits of seconds).
     */
    public static long fromEpochNanos(long epochNanos) {
        long seconds = Math.floorDiv(epochNanos, NANOS_PER_SECOND);
        long nanos = Math.floorMod(epochNanos, NANOS_PER_SECOND);
        long fraction = ((nanos << 32) + NANOS_PER_SECOND / 2) / NANOS_PER_SECOND; // nanos < 2^30: no overflow
        long ntpSeconds = seconds + UNIX_EPOCH_NTP_SECONDS;
        if (fraction == 1L << 32) { // rounded up to the next second
            fraction = 0;
            ntpSeconds++;
        }
        return (ntpSeconds << 32) | fraction;
    }

    /**
     * The instant a 64-bit NTP timestamp names: the era whose instant lies within 2^31 s of {@code pivotEpochNanos}
     * (at or after {@code pivot - 2^31 s}, before {@code pivot + 2^31 s}).
     */
    public static long toEpochNanos(long ntpTimestamp, long pivotEpochNanos) {
        long ntpSeconds = ntpTimestamp >>> 32;
        long fraction = ntpTimestamp & 0xFFFF_FFFFL;
        long nanos = (fraction * NANOS_PER_SECOND + (1L << 31)) >>> 32; // fraction * 1e9 < 2^62: no overflow
        long pivotSeconds = Math.floorDiv(pivotEpochNanos, NANOS_PER_SECOND) + UNIX_EPOCH_NTP_SECONDS;
        // seconds = ntpSeconds + era * 2^32, nearest to the pivot.
        long low = pivotSeconds - (1L << 31);
        long era = Math.floorDiv(low - ntpSeconds + ERA_SECONDS - 1, ERA_SECONDS);
        long seconds = ntpSeconds + era * ERA_SECONDS - UNIX_EPOCH_NTP_SECONDS;
        return seconds * NANOS_PER_SECOND + nanos;
    }

    /** A short-format value in ns (exact to the ns below). */
    public static long shortToNanos(long shortValue) {
        long v = shortValue & SHORT_MAX;
        return (v * NANOS_PER_SECOND) >>> 16;
    }

    /** {@code nanos} in short format, rounded up (a root dispersion must never understate), saturated at {@link #SHORT_MAX}. */
    public static long nanosToShortCeil(long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        if (nanos >= 65_536L * NANOS_PER_SECOND) {
            return SHORT_MAX;
        }
        long v = ((nanos << 16) + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND; // nanos < 2^47: no overflow
        return Math.min(SHORT_MAX, v);
    }

    /** {@code 2^log2} s in ns for a poll or precision exponent (clamped to -30..17). */
    public static long log2SecondsToNanos(int log2) {
        int e = Math.max(-30, Math.min(17, log2));
        return e >= 0 ? NANOS_PER_SECOND << e : NANOS_PER_SECOND >> -e;
    }
}
