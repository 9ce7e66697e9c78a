package io.ionclock.core.nmea;

import java.util.Objects;

/**
 * NMEA 0183 time parser for one receiver: turns lines into {@link NmeaTime} results and counters.
 *
 * <p>Stateful, not thread-safe: one instance per receiver, driven by one thread. It never reads a
 * clock. It remembers two things:
 * <ul>
 *   <li>the receiver's current date, for GGA/GLL/GNS which carry only a time of day: the date of the
 *       last dated time the receiver did not flag invalid (RMC with status A/D, ZDA, or a GGA/GLL/GNS
 *       dated this way). Their time of day takes that date, moved a day forward (back) when it lies
 *       more than {@link #DAY_CROSSING_MILLIS} before (after) the remembered time of day, i.e.
 *       across midnight. An empty time field, or an RMC without a date, forgets it (as gpsd does);</li>
 *   <li>the last valid time, the anchor of the week-rollover guard.</li>
 * </ul>
 *
 * <p>Input is untrusted. Every line ends as exactly one of: ignored (blank or {@code #} comment), an
 * accepted sentence ({@link #sentences()}), a checksum error ({@link #checksumErrors()}) or malformed
 * ({@link #malformed()}). A line where sentences run together, or with noise before a {@code $},
 * also counts its dropped leading fragment as malformed and parses only the sentence that starts at
 * its last {@code $}, and only if that sentence carries a checksum. No input throws, loops or
 * allocates.
 *
 * <p>Accepted: {@code $} or {@code !}, an address of a two-letter talker and a three-letter type
 * (or a proprietary {@code P...} address), comma-separated printable ASCII fields, an optional
 * {@code *hh} checksum (hex in either case, verified when present), then optional CR/LF. Times are
 * taken from RMC, ZDA, GGA, GLL and GNS of the talkers in {@link NmeaTime.Talker}; every other
 * well-formed sentence is counted and skipped as {@link NmeaTime.Kind#OTHER}.
 */
public final class NmeaParser {

    /** Longest sentence accepted, in bytes, line terminator and surrounding blanks excluded. */
    public static final int LINE_BYTES_MAX = 256;
    /** Shortest proprietary address: P and a three-letter manufacturer code ({@code PERC}), in characters. */
    public static final int PROPRIETARY_ADDRESS_CHARS_MIN = 4;
    /** Longest proprietary address ({@code PTNLRXO}, {@code PSRF151} ...), in characters. */
    public static final int PROPRIETARY_ADDRESS_CHARS_MAX = 10;
    /** Most digits accepted after the decimal point of a time; more is malformed. */
    public static final int FRACTION_DIGITS_MAX = 9;
    /** RMC two-digit years below this are 20yy, the others 19yy (as gpsd). */
    public static final int RMC_CENTURY_PIVOT_YY = 69;
    /** Earliest ZDA year accepted as well-formed (as gpsd). */
    public static final int ZDA_YEAR_MIN = 1900;
    /** Latest ZDA year accepted as well-formed (as gpsd). */
    public static final int ZDA_YEAR_MAX = 2200;
    /** Milliseconds in a day. */
    public static final long DAY_MILLIS = NmeaTime.DAY_MILLIS;
    /** A GPS week-number rollover: 1024 weeks. */
    public static final long WEEK_ROLLOVER_MILLIS = 1024L * 7 * DAY_MILLIS;
    /** A jump this close to {@link #WEEK_ROLLOVER_MILLIS} (either way) is a rollover. */
    public static final long WEEK_ROLLOVER_TOLERANCE_MILLIS = DAY_MILLIS;
    /**
     * A time of day this far before (after) the remembered dated time of day belongs to the next
     * (previous) day.
     */
    public static final long DAY_CROSSING_MILLIS = DAY_MILLIS / 2;
    /** Field separators remembered per sentence: enough for field 13 of RMC/GNS. */
    static final int FIELDS_TRACKED = 16;

    private static final int TALKER_NONE = -1;

    private final long notBeforeEpochMillis;
    private final int[] commaAt = new int[FIELDS_TRACKED];
    private int commas;
    private int dataEnd;

    // Remembered date for GGA/GLL/GNS: the last dated time the receiver did not flag (see class doc).
    private boolean refKnown;
    private long refEpochMillis;
    // Anchor for the rollover guard: the last valid time (kept until reset()).
    private boolean anchorKnown;
    private long anchorEpochMillis;

    private long lines;
    private long sentences;
    private long checksumErrors;
    private long malformed;
    private long guardRejected;

    /**
     * @param notBeforeEpochMillis the floor: a date-time before it is never valid (the appliance
     *                             passes its build date; receivers without a fix count up from
     *                             1980 or 1999 defaults)
     */
    public NmeaParser(long notBeforeEpochMillis) {
        this.notBeforeEpochMillis = notBeforeEpochMillis;
    }

    /** The floor given at construction. */
    public long notBeforeEpochMillis() {
        return notBeforeEpochMillis;
    }

    /** Forgets the remembered date and the rollover anchor (e.g. the receiver was reopened). Counters stay. */
    public void reset() {
        refKnown = false;
        anchorKnown = false;
    }

    /**
     * Parses one line.
     *
     * @param buf bytes, untrusted
     * @param off start of the line in {@code buf}
     * @param len length of the line, with or without its CR/LF terminator
     * @param out overwritten with what the line held
     * @return true when the line held an accepted sentence ({@code out.kind()} is not NONE);
     *     false when it was blank, a comment or dropped ({@code out.reason()} says which)
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} lie outside {@code buf} (a caller bug)
     */
    public boolean parse(byte[] buf, int off, int len, NmeaTime out) {
        Objects.checkFromIndexSize(off, len, buf.length);
        lines++;
        int end = off + len;
        while (end > off && isBlankOrEol(buf[end - 1])) {
            end--;
        }
        int s = off;
        while (s < end && isBlank(buf[s])) {
            s++;
        }
        if (s == end || buf[s] == '#') {
            out.clear(NmeaTime.Reason.IGNORED);
            return false;
        }
        if (end - s > LINE_BYTES_MAX) {
            return dropMalformed(out);
        }

        boolean prefixDropped = false;
        if (buf[s] != '$' && buf[s] != '!') {
            int dollar = indexOf(buf, (byte) '$', s + 1, end);
            if (dollar < 0) {
                return dropMalformed(out);
            }
            prefixDropped = true;
            s = dollar;
        }

        // One pass: checksum, field separators, bad bytes; restart at every later '$'.
        int xor = 0;
        int star = -1;
        int nCommas = 0;
        boolean badByte = false;
        for (int i = s + 1; i < end; i++) {
            int b = buf[i] & 0xFF;
            if (b == '$') {
                prefixDropped = true;
                s = i;
                xor = 0;
                star = -1;
                nCommas = 0;
                badByte = false;
            } else if (star >= 0) {
                // checksum characters, checked below
            } else if (b == '*') {
                star = i;
            } else if (b < 0x20 || b > 0x7E) {
                badByte = true;
            } else {
                xor ^= b;
                if (b == ',') {
                    if (nCommas < FIELDS_TRACKED) {
                        commaAt[nCommas] = i;
                    }
                    nCommas++;
                }
            }
        }
        if (prefixDropped) {
            malformed++;
        }
        if (badByte) {
            return dropMalformed(out);
        }
        if (star >= 0) {
            if (end - star != 3) {
                return dropMalformed(out);
            }
            int hi = hexValue(buf[star + 1]);
            int lo = hexValue(buf[star + 2]);
            if (hi < 0 || lo < 0) {
                return dropMalformed(out);
            }
            if (((hi << 4) | lo) != xor) {
                checksumErrors++;
                out.clear(NmeaTime.Reason.CHECKSUM_ERROR);
                return false;
            }
            dataEnd = star;
        } else {
            if (prefixDropped) {
                // A sentence salvaged from a run-together line must prove itself with a checksum.
                return dropMalformed(out);
            }
            dataEnd = end;
        }
        commas = nCommas;

        int addrStart = s + 1;
        int addrEnd = nCommas > 0 ? commaAt[0] : dataEnd;
        int addrLen = addrEnd - addrStart;
        if (addrLen >= 1 && buf[addrStart] == 'P' && buf[s] == '$') {
            if (addrLen < PROPRIETARY_ADDRESS_CHARS_MIN || addrLen > PROPRIETARY_ADDRESS_CHARS_MAX || !isUpperAlnum(buf, addrStart + 1, addrEnd)) {
                return dropMalformed(out);
            }
            return acceptOther(out);
        }
        if (addrLen != 5 || !isUpper(buf, addrStart, addrEnd)) {
            return dropMalformed(out);
        }
        int talker = talkerOrdinal(buf[addrStart], buf[addrStart + 1]);
        NmeaTime.Kind kind = timeKind(buf[addrStart + 2], buf[addrStart + 3], buf[addrStart + 4]);
        if (talker == TALKER_NONE || kind == NmeaTime.Kind.OTHER || buf[s] != '$') {
            return acceptOther(out);
        }

        out.clear(NmeaTime.Reason.NONE);
        out.kind = kind;
        out.talker = NmeaTime.talkerAt(talker);
        boolean ok = switch (kind) {
            case RMC -> parseRmc(buf, out);
            case ZDA -> parseZda(buf, out);
            case GGA -> parseGga(buf, out);
            case GLL -> parseGll(buf, out);
            case GNS -> parseGns(buf, out);
            default -> false;
        };
        if (!ok) {
            return dropMalformed(out);
        }
        sentences++;
        return true;
    }

    /**
     * Counts a line the caller could not pass whole (longer than its buffer, or cut short by a read
     * error) as a line and as malformed, without looking at its bytes.
     */
    public void dropLine(NmeaTime out) {
        lines++;
        dropMalformed(out);
    }

    // ---------------------------------------------------------------- sentences

    /** RMC: 1 time, 2 status, 9 date ddmmyy, 12 mode (NMEA 2.3+). */
    private boolean parseRmc(byte[] buf, NmeaTime out) {
        if (commas < 9) {
            return false;
        }
        int tod = timeField(buf, 1);
        if (tod == BAD) {
            return false;
        }
        int status = charField(buf, 2);
        if (status == BAD) {
            return false;
        }
        long dayEpochMillis = NO_VALUE;
        if (!isEmpty(9)) {
            dayEpochMillis = parseDdmmyy(buf, fieldStart(9), fieldEnd(9));
            if (dayEpochMillis == BAD_DATE) {
                return false;
            }
        }
        int mode = commas >= 12 ? firstChar(buf, 12) : EMPTY;
        if (tod == EMPTY || dayEpochMillis == NO_VALUE) {
            refKnown = false; // as gpsd: a receiver without time or date has lost its date
        }
        boolean flagged = !(status == 'A' || status == 'D') || mode == 'N' || mode == 'S';
        finish(out, tod, dayEpochMillis, flagged);
        return true;
    }

    /** ZDA: 1 time, 2 day, 3 month, 4 year; 5/6 local zone ignored (the time is UTC). */
    private boolean parseZda(byte[] buf, NmeaTime out) {
        if (commas < 4) {
            return false;
        }
        int tod = timeField(buf, 1);
        if (tod == BAD) {
            return false;
        }
        long dayEpochMillis = NO_VALUE;
        if (!isEmpty(2) && !isEmpty(3) && !isEmpty(4)) {
            int day = digits(buf, fieldStart(2), fieldEnd(2), 1, 2);
            int month = digits(buf, fieldStart(3), fieldEnd(3), 1, 2);
            int year = digits(buf, fieldStart(4), fieldEnd(4), 4, 4);
            if (year < ZDA_YEAR_MIN || year > ZDA_YEAR_MAX || !validDate(year, month, day)) {
                return false;
            }
            dayEpochMillis = daysFromCivil(year, month, day) * DAY_MILLIS;
        }
        if (tod == EMPTY) {
            refKnown = false;
        }
        finish(out, tod, dayEpochMillis, false);
        return true;
    }

    /** GGA: 1 time, 6 quality (0 invalid, 8 simulator, empty unknown). */
    private boolean parseGga(byte[] buf, NmeaTime out) {
        if (commas < 6) {
            return false;
        }
        int tod = timeField(buf, 1);
        if (tod == BAD) {
            return false;
        }
        int quality = EMPTY;
        if (!isEmpty(6)) {
            quality = digits(buf, fieldStart(6), fieldEnd(6), 1, 2);
            if (quality == BAD) {
                return false;
            }
        }
        boolean flagged = quality == EMPTY || quality == 0 || quality == 8;
        timeOfDayOnly(out, tod, flagged);
        return true;
    }

    /** GLL: 5 time, 6 status, 7 mode (optional). Old receivers send no time: no time then. */
    private boolean parseGll(byte[] buf, NmeaTime out) {
        if (commas < 4) {
            return false;
        }
        if (commas < 5) {
            timeOfDayOnly(out, NO_FIELD, true);
            return true;
        }
        int tod = timeField(buf, 5);
        if (tod == BAD) {
            return false;
        }
        int status = commas >= 6 ? charField(buf, 6) : EMPTY;
        if (status == BAD) {
            return false;
        }
        int mode = commas >= 7 ? firstChar(buf, 7) : EMPTY;
        boolean flagged = status != 'A' || mode == 'N' || mode == 'S';
        timeOfDayOnly(out, tod, flagged);
        return true;
    }

    /** GNS: 1 time, 6 mode, one letter per constellation; all N (or S) means no fix. */
    private boolean parseGns(byte[] buf, NmeaTime out) {
        if (commas < 6) {
            return false;
        }
        int tod = timeField(buf, 1);
        if (tod == BAD) {
            return false;
        }
        int from = fieldStart(6);
        int to = fieldEnd(6);
        if (!isUpper(buf, from, to)) {
            return false;
        }
        boolean anyFix = false;
        for (int i = from; i < to; i++) {
            if (buf[i] != 'N' && buf[i] != 'S') {
                anyFix = true;
            }
        }
        timeOfDayOnly(out, tod, !anyFix);
        return true;
    }

    /** GGA/GLL/GNS: the date comes from the remembered valid time, moved a day across midnight. */
    private void timeOfDayOnly(NmeaTime out, int tod, boolean flagged) {
        if (tod == EMPTY) {
            refKnown = false;
        }
        long dayEpochMillis = NO_VALUE;
        if (tod >= 0 && refKnown) {
            long refDay = Math.floorDiv(refEpochMillis, DAY_MILLIS) * DAY_MILLIS;
            long refTod = refEpochMillis - refDay;
            dayEpochMillis = refDay;
            if (tod < refTod - DAY_CROSSING_MILLIS) {
                dayEpochMillis += DAY_MILLIS;
            } else if (tod > refTod + DAY_CROSSING_MILLIS) {
                dayEpochMillis -= DAY_MILLIS;
            }
        }
        finish(out, tod, dayEpochMillis, flagged);
    }

    /**
     * Common end: fills {@code out}, then applies in order the receiver's flag, the date, the leap
     * second, the floor and the rollover guard. A dated time the receiver did not flag becomes the
     * remembered date for the GGA/GLL/GNS that follow even when a guard rejects it: they take the
     * receiver's latest date and are rejected alike. Only a valid time moves the rollover anchor.
     */
    private void finish(NmeaTime out, int tod, long dayEpochMillis, boolean flagged) {
        if (tod < 0) {
            out.reason = NmeaTime.Reason.NO_TIME;
            return;
        }
        out.timeOfDayKnown = true;
        out.timeOfDayMillis = tod;
        if (dayEpochMillis != NO_VALUE) {
            out.dateKnown = true;
            out.epochMillis = dayEpochMillis + tod;
        }
        if (flagged) {
            out.reason = NmeaTime.Reason.RECEIVER_FLAGGED_INVALID;
            return;
        }
        if (!out.dateKnown) {
            out.reason = NmeaTime.Reason.NO_DATE;
            return;
        }
        if (tod >= DAY_MILLIS) {
            out.reason = NmeaTime.Reason.LEAP_SECOND;
            return;
        }
        refKnown = true;
        refEpochMillis = out.epochMillis;
        if (out.epochMillis < notBeforeEpochMillis) {
            out.reason = NmeaTime.Reason.BEFORE_FLOOR;
            guardRejected++;
        } else if (anchorKnown && isRollover(out.epochMillis - anchorEpochMillis)) {
            out.reason = NmeaTime.Reason.WEEK_ROLLOVER;
            guardRejected++;
        } else {
            out.valid = true;
            out.reason = NmeaTime.Reason.NONE;
            anchorKnown = true;
            anchorEpochMillis = out.epochMillis;
        }
    }

    private static boolean isRollover(long deltaMillis) {
        long jump = Math.abs(deltaMillis);
        return Math.abs(jump - WEEK_ROLLOVER_MILLIS) <= WEEK_ROLLOVER_TOLERANCE_MILLIS;
    }

    private boolean acceptOther(NmeaTime out) {
        out.clear(NmeaTime.Reason.NOT_TIME_SENTENCE);
        out.kind = NmeaTime.Kind.OTHER;
        sentences++;
        return true;
    }

    private boolean dropMalformed(NmeaTime out) {
        malformed++;
        out.clear(NmeaTime.Reason.MALFORMED);
        return false;
    }

    // ---------------------------------------------------------------- fields

    /** Marker results of the field helpers (all negative, never a time of day). */
    private static final int BAD = -1;
    private static final int EMPTY = -2;
    private static final int NO_FIELD = -3;
    private static final long NO_VALUE = Long.MIN_VALUE;
    private static final long BAD_DATE = Long.MIN_VALUE + 1;

    /** Start of field k (1-based, after the address); requires 1 <= k <= commas, k <= FIELDS_TRACKED. */
    private int fieldStart(int k) {
        return commaAt[k - 1] + 1;
    }

    private int fieldEnd(int k) {
        return k < commas ? commaAt[k] : dataEnd;
    }

    private boolean isEmpty(int k) {
        return k > commas || fieldStart(k) == fieldEnd(k);
    }

    /** Time field k: milliseconds of the day, EMPTY, or BAD. */
    private int timeField(byte[] buf, int k) {
        return isEmpty(k) ? EMPTY : parseHhmmss(buf, fieldStart(k), fieldEnd(k));
    }

    /** A one-character field: the character, EMPTY, or BAD when longer. */
    private int charField(byte[] buf, int k) {
        if (isEmpty(k)) {
            return EMPTY;
        }
        return fieldEnd(k) - fieldStart(k) == 1 ? buf[fieldStart(k)] : BAD;
    }

    /** First character of field k, or EMPTY. */
    private int firstChar(byte[] buf, int k) {
        return isEmpty(k) ? EMPTY : buf[fieldStart(k)];
    }

    /**
     * {@code hhmmss[.f...]} to milliseconds of the day, rounded half up to the millisecond (as gpsd
     * prints it) but never into the next second; 23:59:60 (leap second) gives DAY_MILLIS and more.
     * BAD when malformed.
     */
    static int parseHhmmss(byte[] buf, int from, int to) {
        int n = to - from;
        if (n < 6) {
            return BAD;
        }
        int hh = digits(buf, from, from + 2, 2, 2);
        int mm = digits(buf, from + 2, from + 4, 2, 2);
        int ss = digits(buf, from + 4, from + 6, 2, 2);
        if (hh < 0 || mm < 0 || ss < 0 || hh > 23 || mm > 59 || ss > 60 || (ss == 60 && (hh != 23 || mm != 59))) {
            return BAD;
        }
        int millis = 0;
        if (n > 6) {
            int fractionDigits = n - 7;
            if (buf[from + 6] != '.' || fractionDigits > FRACTION_DIGITS_MAX) {
                return BAD;
            }
            int scale = 100;
            for (int i = from + 7; i < to; i++) {
                int d = buf[i] - '0';
                if (d < 0 || d > 9) {
                    return BAD;
                }
                if (scale > 0) {
                    millis += d * scale;
                    scale /= 10;
                } else if (i == from + 10 && d >= 5) {
                    millis++;
                }
            }
            if (millis > 999) {
                millis = 999;
            }
        }
        return ((hh * 60 + mm) * 60 + ss) * 1000 + millis;
    }

    /** {@code ddmmyy} to the epoch milliseconds of that UTC midnight, or BAD_DATE. */
    static long parseDdmmyy(byte[] buf, int from, int to) {
        if (to - from != 6) {
            return BAD_DATE;
        }
        int day = digits(buf, from, from + 2, 2, 2);
        int month = digits(buf, from + 2, from + 4, 2, 2);
        int yy = digits(buf, from + 4, from + 6, 2, 2);
        if (day < 0 || month < 0 || yy < 0) {
            return BAD_DATE;
        }
        int year = yy < RMC_CENTURY_PIVOT_YY ? 2000 + yy : 1900 + yy;
        if (!validDate(year, month, day)) {
            return BAD_DATE;
        }
        return daysFromCivil(year, month, day) * DAY_MILLIS;
    }

    /** Decimal digits in [from, to), between minDigits and maxDigits of them; BAD otherwise. */
    static int digits(byte[] buf, int from, int to, int minDigits, int maxDigits) {
        int n = to - from;
        if (n < minDigits || n > maxDigits) {
            return BAD;
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) {
                return BAD;
            }
            v = v * 10 + d;
        }
        return v;
    }

    static boolean validDate(int year, int month, int day) {
        if (month < 1 || month > 12 || day < 1) {
            return false;
        }
        return day <= daysInMonth(year, month);
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    static long daysFromCivil(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }

    // ---------------------------------------------------------------- bytes

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t';
    }

    private static boolean isBlankOrEol(byte b) {
        return b == '\r' || b == '\n' || b == ' ' || b == '\t';
    }

    private static int indexOf(byte[] buf, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        return -1;
    }

    private static boolean isUpper(byte[] buf, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] < 'A' || buf[i] > 'Z') {
                return false;
            }
        }
        return true;
    }

    private static boolean isUpperAlnum(byte[] buf, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = buf[i];
            if (!((b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9'))) {
                return false;
            }
        }
        return true;
    }

    /** Ordinal in {@link NmeaTime.Talker} of a time talker, or TALKER_NONE. */
    private static int talkerOrdinal(byte c0, byte c1) {
        return switch ((c0 << 8) | c1) {
            case ('G' << 8) | 'P' -> NmeaTime.Talker.GP.ordinal();
            case ('G' << 8) | 'N' -> NmeaTime.Talker.GN.ordinal();
            case ('G' << 8) | 'L' -> NmeaTime.Talker.GL.ordinal();
            case ('G' << 8) | 'A' -> NmeaTime.Talker.GA.ordinal();
            case ('B' << 8) | 'D' -> NmeaTime.Talker.BD.ordinal();
            case ('G' << 8) | 'B' -> NmeaTime.Talker.GB.ordinal();
            case ('Q' << 8) | 'Z' -> NmeaTime.Talker.QZ.ordinal();
            case ('I' << 8) | 'N' -> NmeaTime.Talker.IN.ordinal();
            default -> TALKER_NONE;
        };
    }

    private static NmeaTime.Kind timeKind(byte a, byte b, byte c) {
        return switch ((a << 16) | (b << 8) | c) {
            case ('R' << 16) | ('M' << 8) | 'C' -> NmeaTime.Kind.RMC;
            case ('Z' << 16) | ('D' << 8) | 'A' -> NmeaTime.Kind.ZDA;
            case ('G' << 16) | ('G' << 8) | 'A' -> NmeaTime.Kind.GGA;
            case ('G' << 16) | ('L' << 8) | 'L' -> NmeaTime.Kind.GLL;
            case ('G' << 16) | ('N' << 8) | 'S' -> NmeaTime.Kind.GNS;
            default -> NmeaTime.Kind.OTHER;
        };
    }

    // ---------------------------------------------------------------- counters

    /** Lines seen (every call to parse, comments and blanks included). */
    public long lines() {
        return lines;
    }

    /** Accepted sentences, time-bearing or not (a checksum, when present, matched). */
    public long sentences() {
        return sentences;
    }

    /** Sentences dropped because their checksum did not match. */
    public long checksumErrors() {
        return checksumErrors;
    }

    /**
     * Dropped fragments: noise, over-long lines, non-printable bytes, bad checksum syntax, bad
     * addresses, bad time/date/status fields, run-together prefixes.
     */
    public long malformed() {
        return malformed;
    }

    /** Accepted sentences whose time the floor or the week-rollover guard rejected. */
    public long guardRejected() {
        return guardRejected;
    }
}
