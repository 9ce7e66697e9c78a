package io.ionclock.core.nmea;

/**
 * What {@link NmeaParser#parse} found in one line: a caller-owned, reusable result.
 *
 * <p>One instance is meant to be reused for every line of a receiver, so parsing allocates nothing.
 * The parser overwrites every field on each call. Read the getters before the next call.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #valid()} implies {@link #dateKnown()}, a {@link Reason#NONE} reason, and an
 *       {@link #epochMillis()} no earlier than the parser's floor.</li>
 *   <li>{@link #epochMillis()} is meaningful only when {@link #dateKnown()}; it is UTC milliseconds
 *       since 1970-01-01T00:00:00Z of the instant the sentence names, fraction included (rounded to
 *       the millisecond, never carried into the next second).</li>
 *   <li>{@link #timeOfDayMillis()} is meaningful only when {@link #timeOfDayKnown()}; it lies in
 *       [0, {@value #DAY_MILLIS}) except during a leap second (23:59:60), when it lies in
 *       [{@value #DAY_MILLIS}, {@value #DAY_MILLIS} + 1000).</li>
 * </ul>
 */
public final class NmeaTime {

    /** Milliseconds in a UTC day without a leap second. */
    public static final int DAY_MILLIS = 86_400_000;

    /** Which sentence a line held. */
    public enum Kind {
        /** No sentence: a blank or {@code #} comment line, or a dropped line (see {@link Reason}). */
        NONE,
        RMC,
        ZDA,
        GGA,
        GLL,
        GNS,
        /** A well-formed sentence that carries no time for us (GSV, VTG, $P..., other talkers). */
        OTHER
    }

    /** Talkers trusted for time. Any other two-letter talker yields {@link Kind#OTHER}. */
    public enum Talker {
        GP, GN, GL, GA, BD, GB, QZ, IN,
        /** Not a time talker, or no sentence. */
        OTHER
    }

    /** Why a result is not {@link #valid()}; {@link #NONE} when it is. */
    public enum Reason {
        /** Valid. */
        NONE,
        /** Blank line or {@code #} comment: nothing to parse, not an error. */
        IGNORED,
        /** The checksum did not match; line dropped (counted in checksumErrors). */
        CHECKSUM_ERROR,
        /** Noise, over-long line, bad characters or bad time/date fields; dropped (counted in malformed). */
        MALFORMED,
        /** A well-formed sentence without time (kind OTHER). */
        NOT_TIME_SENTENCE,
        /** The time field is empty. */
        NO_TIME,
        /** A time of day but no date: none in the sentence and none remembered. */
        NO_DATE,
        /** The receiver says so: RMC status not A/D or mode N/S, GGA quality 0/8/empty, GLL status not A or mode N/S, GNS mode all N. */
        RECEIVER_FLAGGED_INVALID,
        /** The date is before the parser's floor (notBeforeEpochMillis); counted in guardRejected. */
        BEFORE_FLOOR,
        /** The date jumps by about 1024 weeks from the last valid one (GPS week rollover); counted in guardRejected. */
        WEEK_ROLLOVER,
        /** 23:59:60: cannot be told apart from the next 00:00:00 as epoch milliseconds, so not used. */
        LEAP_SECOND
    }

    private static final Kind[] KINDS = Kind.values();
    private static final Talker[] TALKERS = Talker.values();
    /** SENTENCE_NAMES[talker][kind]: "GPRMC" etc., null where no name exists. Built once. */
    private static final String[][] SENTENCE_NAMES = sentenceNames();

    Kind kind = Kind.NONE;
    Talker talker = Talker.OTHER;
    boolean timeOfDayKnown;
    int timeOfDayMillis;
    boolean dateKnown;
    long epochMillis;
    boolean valid;
    Reason reason = Reason.IGNORED;

    /** Creates an empty result (kind NONE, reason IGNORED). */
    public NmeaTime() {
    }

    /** The sentence kind; {@link Kind#NONE} when the line held no accepted sentence. */
    public Kind kind() {
        return kind;
    }

    /** The talker when it is a time talker; {@link Talker#OTHER} otherwise. */
    public Talker talker() {
        return talker;
    }

    /**
     * The sentence name like {@code "GPRMC"} for time sentences (kind RMC..GNS from a time talker), as a
     * shared constant (no allocation); null for {@link Kind#NONE} and {@link Kind#OTHER}.
     */
    public String sentenceName() {
        return SENTENCE_NAMES[talker.ordinal()][kind.ordinal()];
    }

    /** Whether the sentence carried a well-formed time of day. */
    public boolean timeOfDayKnown() {
        return timeOfDayKnown;
    }

    /** UTC time of day of the sentence in milliseconds; see the class contract. */
    public int timeOfDayMillis() {
        return timeOfDayMillis;
    }

    /** Whether a full UTC date and time is known (from the sentence, or the remembered date for GGA/GLL/GNS). */
    public boolean dateKnown() {
        return dateKnown;
    }

    /** UTC epoch milliseconds of the time the sentence names; meaningful only when {@link #dateKnown()}. */
    public long epochMillis() {
        return epochMillis;
    }

    /** True when the sentence gives a full UTC date and time that passed every check. */
    public boolean valid() {
        return valid;
    }

    /** Why not {@link #valid()}; {@link Reason#NONE} when valid. */
    public Reason reason() {
        return reason;
    }

    /** Whether the time is 23:59:60 (reason {@link Reason#LEAP_SECOND}). */
    public boolean leapSecond() {
        return timeOfDayKnown && timeOfDayMillis >= DAY_MILLIS;
    }

    void clear(Reason why) {
        kind = Kind.NONE;
        talker = Talker.OTHER;
        timeOfDayKnown = false;
        timeOfDayMillis = 0;
        dateKnown = false;
        epochMillis = 0;
        valid = false;
        reason = why;
    }

    static Talker talkerAt(int ordinal) {
        return TALKERS[ordinal];
    }

    private static String[][] sentenceNames() {
        String[][] names = new String[TALKERS.length][KINDS.length];
        for (Talker t : TALKERS) {
            if (t == Talker.OTHER) {
                continue;
            }
            for (Kind k : KINDS) {
                if (k != Kind.NONE && k != Kind.OTHER) {
                    names[t.ordinal()][k.ordinal()] = t.name() + k.name();
                }
            }
        }
        return names;
    }

    @Override
    public String toString() {
        return "NmeaTime{" + kind + ' ' + talker + " tod=" + (timeOfDayKnown ? timeOfDayMillis : "-")
                + " epochMillis=" + (dateKnown ? epochMillis : "-") + " valid=" + valid + ' ' + reason + '}';
    }
}
