package io.ionclock.core.leap;

import io.ionclock.core.LeapIndicator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The IERS/NIST leap-seconds list ({@code leap-seconds.list}, tzdata's copy at
 * {@code /usr/share/zoneinfo/leap-seconds.list}), parsed and checked. Pure: the text in, an immutable table out.
 *
 * <p>Format: data lines {@code NTP_SECONDS TAI_MINUS_UTC [# comment]}, each the instant (NTP seconds since 1900, UTC)
 * from which the offset holds, i.e. the midnight just after a leap second; {@code #$ NTP_SECONDS} the last update;
 * {@code #@ NTP_SECONDS} the expiry; {@code #h W1 W2 W3 W4 W5} the SHA-1 of the digits of the update time, the expiry
 * and every data line's two fields, in file order (whitespace and comments left out), as five 32-bit hex words.
 * Other {@code #} lines are comments. A list whose hash does not match, or without the update, expiry or hash lines, or
 * with data out of order, is refused with the line that is wrong: a leap is never taken from a list that is not
 * intact. Whether it has expired is for the caller to judge against its clock ({@link #expired}).
 */
public final class LeapSecondsList {
    /** Larger files are not leap-second lists (tzdata's is about 5 KB). */
    public static final int TEXT_CHARS_MAX = 64 * 1024;
    /** Data lines at most (28 leaps since 1972, one a year would still fit for two centuries). */
    public static final int ENTRIES_MAX = 256;
    /** Seconds from 1900-01-01 (NTP) to 1970-01-01 (Unix). */
    static final long NTP_UNIX_SECONDS = 2_208_988_800L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long SECONDS_PER_DAY = 86_400L;

    private final long updatedEpochSeconds;
    private final long expiresEpochSeconds;
    private final long[] epochSeconds; // UTC instants (Unix seconds) from which taiMinusUtc[i] holds
    private final int[] taiMinusUtc;

    private LeapSecondsList(long updatedEpochSeconds, long expiresEpochSeconds, long[] epochSeconds, int[] taiMinusUtc) {
        this.updatedEpochSeconds = updatedEpochSeconds;
        this.expiresEpochSeconds = expiresEpochSeconds;
        this.epochSeconds = epochSeconds;
        this.taiMinusUtc = taiMinusUtc;
    }

    /** A list that cannot be used, and the line (1-based, 0: the whole text) where that shows. */
    public static final class Invalid extends Exception {
        public final int line;

        Invalid(int line, String message) {
            super(line > 0 ? "line " + line + ": " + message : message);
            this.line = line;
        }
    }

    /** Parses and checks {@code text}; throws {@link Invalid} naming the line when it is not an intact list. */
    public static LeapSecondsList parse(String text) throws Invalid {
        if (text.length() > TEXT_CHARS_MAX) {
            throw new Invalid(0, "longer than " + TEXT_CHARS_MAX + " characters: not a leap-seconds list");
        }
        StringBuilder digits = new StringBuilder(4096);
        List<long[]> entries = new ArrayList<>();
        long updated = -1;
        long expires = -1;
        int[] hash = null;
        int hashLine = 0;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int n = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#$")) {
                updated = number(line.substring(2), n, "update time");
                digits.append(digitsOf(line.substring(2)));
            } else if (line.startsWith("#@")) {
                expires = number(line.substring(2), n, "expiry");
                digits.append(digitsOf(line.substring(2)));
            } else if (line.startsWith("#h")) {
                String[] words = line.substring(2).trim().split("\\s+");
                if (words.length != 5) {
                    throw new Invalid(n, "the hash is not five words");
                }
                hash = new int[5];
                for (int w = 0; w < 5; w++) {
                    try {
                        hash[w] = (int) Long.parseLong(words[w], 16);
                    } catch (NumberFormatException e) {
                        throw new Invalid(n, "the hash is not hexadecimal");
                    }
                }
                hashLine = n;
            } else if (line.startsWith("#")) {
                continue;
            } else {
                int hashMark = line.indexOf('#');
                String[] f = (hashMark >= 0 ? line.substring(0, hashMark) : line).trim().split("\\s+");
                if (f.length != 2) {
                    throw new Invalid(n, "a data line is two numbers: '" + clip(line) + "'");
                }
                long t = number(f[0], n, "leap time");
                long offset = number(f[1], n, "TAI - UTC");
                if (offset > 1000) {
                    throw new Invalid(n, "TAI - UTC of " + offset + " s");
                }
                if (!entries.isEmpty() && t <= entries.getLast()[0]) {
                    throw new Invalid(n, "not after the line before");
                }
                if (entries.size() == ENTRIES_MAX) {
                    throw new Invalid(n, "more than " + ENTRIES_MAX + " data lines");
                }
                if ((t - NTP_UNIX_SECONDS) % SECONDS_PER_DAY != 0) {
                    throw new Invalid(n, "a leap takes effect at midnight UTC; " + t + " is not one");
                }
                entries.add(new long[] {t, offset});
                digits.append(f[0]).append(f[1]);
            }
        }
        if (updated < 0 || expires < 0) {
            throw new Invalid(0, "no " + (updated < 0 ? "update time (#$)" : "expiry (#@)") + " line");
        }
        if (hash == null) {
            throw new Invalid(0, "no hash (#h) line");
        }
        if (entries.isEmpty()) {
            throw new Invalid(0, "no data lines");
        }
        int[] computed = sha1Words(digits.toString());
        for (int w = 0; w < 5; w++) {
            if (computed[w] != hash[w]) {
                throw new Invalid(hashLine, "the hash does not match the contents (changed or damaged)");
            }
        }
        long[] at = new long[entries.size()];
        int[] off = new int[entries.size()];
        for (int k = 0; k < at.length; k++) {
            at[k] = entries.get(k)[0] - NTP_UNIX_SECONDS;
            off[k] = (int) entries.get(k)[1];
        }
        return new LeapSecondsList(updated - NTP_UNIX_SECONDS, expires - NTP_UNIX_SECONDS, at, off);
    }

    private static long number(String s, int line, String what) throws Invalid {
        String t = s.trim();
        int hashMark = t.indexOf('#');
        if (hashMark >= 0) {
            t = t.substring(0, hashMark).trim();
        }
        if (t.isEmpty() || t.length() > 12 || !t.chars().allMatch(Character::isDigit)) {
            throw new Invalid(line, "the " + what + " is not a number: '" + clip(s) + "'");
        }
        return Long.parseLong(t);
    }

    /** The number's digits as written (the hash is over the text, leading zeros included). */
    private static String digitsOf(String field) {
        String t = field.trim();
        int hashMark = t.indexOf('#');
        return (hashMark >= 0 ? t.substring(0, hashMark) : t).trim();
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static int[] sha1Words(String digits) {
        byte[] d;
        try {
            d = MessageDigest.getInstance("SHA-1").digest(digits.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JDK", e);
        }
        int[] w = new int[5];
        for (int i = 0; i < 5; i++) {
            w[i] = (d[4 * i] & 0xFF) << 24 | (d[4 * i + 1] & 0xFF) << 16 | (d[4 * i + 2] & 0xFF) << 8 | (d[4 * i + 3] & 0xFF);
        }
        return w;
    }

    /** The list's last update, Unix seconds. */
    public long updatedEpochSeconds() {
        return updatedEpochSeconds;
    }

    /** The list's expiry, Unix seconds: past it the list cannot say whether a leap is coming. */
    public long expiresEpochSeconds() {
        return expiresEpochSeconds;
    }

    /** Whether the list has expired at {@code epochNanos} (UTC). */
    public boolean expired(long epochNanos) {
        return Math.floorDiv(epochNanos, NANOS_PER_SECOND) >= expiresEpochSeconds;
    }

    /** TAI - UTC at {@code epochNanos}, s (the first entry's value before it: the list starts in 1972). */
    public int taiMinusUtcSeconds(long epochNanos) {
        long s = Math.floorDiv(epochNanos, NANOS_PER_SECOND);
        int v = taiMinusUtc[0];
        for (int k = 0; k < epochSeconds.length && epochSeconds[k] <= s; k++) {
            v = taiMinusUtc[k];
        }
        return v;
    }

    /**
     * The leap second at the end of the UTC day holding {@code epochNanos}: INSERT when the list's next entry takes
     * effect at the coming midnight with TAI - UTC one more, DELETE one less, otherwise NONE. NONE too once the list
     * has expired at that midnight (an expired list never announces, nor rules out, a leap: the caller reports it).
     */
    public LeapIndicator leapAtEndOfDay(long epochNanos) {
        long s = Math.floorDiv(epochNanos, NANOS_PER_SECOND);
        long midnight = Math.floorDiv(s, SECONDS_PER_DAY) * SECONDS_PER_DAY + SECONDS_PER_DAY;
        for (int k = 1; k < epochSeconds.length; k++) {
            if (epochSeconds[k] == midnight) {
                int step = taiMinusUtc[k] - taiMinusUtc[k - 1];
                return step > 0 ? LeapIndicator.INSERT : step < 0 ? LeapIndicator.DELETE : LeapIndicator.NONE;
            }
        }
        return LeapIndicator.NONE;
    }

    /** Data lines in the list. */
    public int entries() {
        return epochSeconds.length;
    }
}
