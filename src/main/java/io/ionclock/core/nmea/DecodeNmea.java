package io.ionclock.core.nmea;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The {@code decode-nmea FILE} tool ({@code -} reads standard input), in the manner of gpsd's
 * {@code gpsdecode}: one JSON object per line on {@code out} for every time-bearing sentence that
 * yields a full UTC date and time, then a one-line summary of the counters on {@code err}.
 *
 * <pre>{"line": 12, "sentence": "GPRMC", "time": "2007-12-23T19:32:21.000Z", "valid": true}
 * {"line": 40, "sentence": "GPRMC", "time": "1980-01-05T23:59:46.005Z", "valid": false, "reason": "RECEIVER_FLAGGED_INVALID"}</pre>
 *
 * <p>{@code line} is 1-based and counts every line of the input, comments included. A line ends at
 * LF, at CR LF, at any run of CRs followed by LF (so {@code CR CR LF} is one end), or at a run of
 * CRs not followed by LF; the last line may lack an end. {@code time} is RFC 3339 UTC with exactly
 * three fraction digits ({@code 23:59:60.xxx} during a leap second). {@code valid} is false when the
 * receiver flags the time invalid or a guard rejects it, and {@code reason} then says which
 * ({@link NmeaTime.Reason} names).
 *
 * <p>Pure apart from opening the named file: no clock, no exit, no static state.
 */
public final class DecodeNmea {

    /** Exit code: input decoded (whatever its content). */
    public static final int EXIT_OK = 0;
    /** Exit code: bad arguments. */
    public static final int EXIT_USAGE = 1;
    /** Exit code: the file could not be opened or read. */
    public static final int EXIT_UNREADABLE = 2;

    /**
     * The floor decode-nmea uses: 2000-01-01T00:00:00Z, so historical captures decode while the
     * receivers' 1980 and 1999 default dates are flagged.
     */
    public static final long NOT_BEFORE_DEFAULT_EPOCH_MILLIS = 946_684_800_000L;

    /** Bytes read from the input at a time. */
    static final int READ_CHUNK_BYTES = 64 * 1024;
    /** Line buffer: room for the longest sentence plus blanks; a longer line is dropped whole. */
    static final int LINE_BUFFER_BYTES = 2 * NmeaParser.LINE_BYTES_MAX;

    private static final String USAGE = "usage: decode-nmea FILE   (FILE '-' reads standard input)";

    private DecodeNmea() {
    }

    /**
     * Runs the tool: {@code args} is {@code [FILE]}, where {@code -} means {@code stdin}. Uses the floor
     * {@link #NOT_BEFORE_DEFAULT_EPOCH_MILLIS}.
     *
     * @return {@link #EXIT_OK}, {@link #EXIT_USAGE} or {@link #EXIT_UNREADABLE}
     */
    public static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
        if (args == null || args.length != 1 || args[0] == null || args[0].isEmpty()) {
            err.println(USAGE);
            return EXIT_USAGE;
        }
        String name = args[0];
        if (name.equals("-")) {
            return decode(stdin, "-", out, err, NOT_BEFORE_DEFAULT_EPOCH_MILLIS);
        }
        Path path;
        try {
            path = Path.of(name);
        } catch (InvalidPathException e) {
            err.println("decode-nmea: " + name + ": invalid path");
            return EXIT_UNREADABLE;
        }
        try (InputStream in = Files.newInputStream(path)) {
            return decode(in, name, out, err, NOT_BEFORE_DEFAULT_EPOCH_MILLIS);
        } catch (IOException | SecurityException e) {
            err.println("decode-nmea: " + name + ": cannot read: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return EXIT_UNREADABLE;
        }
    }

    /**
     * Decodes {@code in} to {@code out} (one JSON object per dated time sentence) and prints the
     * summary to {@code err}. Never throws on bad content; a read error gives {@link #EXIT_UNREADABLE}
     * after the summary of what was read.
     *
     * @param name                 how to name the input in messages
     * @param notBeforeEpochMillis the floor passed to {@link NmeaParser}
     */
    public static int decode(InputStream in, String name, PrintStream out, PrintStream err,
                             long notBeforeEpochMillis) {
        NmeaParser parser = new NmeaParser(notBeforeEpochMillis);
        NmeaTime time = new NmeaTime();
        StringBuilder json = new StringBuilder(160);
        long[] counts = new long[2]; // [0] dated time sentences printed, [1] of which valid
        byte[] chunk = new byte[READ_CHUNK_BYTES];
        byte[] line = new byte[LINE_BUFFER_BYTES];
        int lineLen = 0;          // line.length + 1 once the line overflowed
        boolean inLine = false;   // bytes (or a pending CR) seen since the last line end
        boolean pendingCr = false;
        long lineNumber = 0;
        int exit = EXIT_OK;
        try {
            int n;
            while ((n = in.read(chunk)) != -1) {
                for (int i = 0; i < n; i++) {
                    byte b = chunk[i];
                    if (pendingCr && b != '\r' && b != '\n') {
                        // A run of CRs not followed by LF ended the line.
                        emit(parser, time, line, lineLen, ++lineNumber, json, out, counts);
                        lineLen = 0;
                        inLine = false;
                        pendingCr = false;
                    }
                    if (b == '\n') {
                        emit(parser, time, line, lineLen, ++lineNumber, json, out, counts);
                        lineLen = 0;
                        inLine = false;
                        pendingCr = false;
                    } else if (b == '\r') {
                        pendingCr = true;
                        inLine = true;
                    } else {
                        inLine = true;
                        if (lineLen < line.length) {
                            line[lineLen] = b;
                        }
                        if (lineLen <= line.length) {
                            lineLen++;
                        }
                    }
                }
            }
            if (inLine) {
                // The last line may lack its end.
                emit(parser, time, line, lineLen, ++lineNumber, json, out, counts);
            }
        } catch (IOException e) {
            if (inLine) {
                // Cut short by the error: not trusted.
                lineNumber++;
                parser.dropLine(time);
            }
            err.println("decode-nmea: " + name + ": read error: " + e.getMessage());
            exit = EXIT_UNREADABLE;
        }
        out.flush();
        err.println("decode-nmea: " + name + ": lines " + parser.lines()
                + ", sentences " + parser.sentences()
                + ", checksum errors " + parser.checksumErrors()
                + ", malformed " + parser.malformed()
                + ", rejected " + parser.guardRejected()
                + ", times " + counts[0]
                + " (valid " + counts[1] + ")");
        err.flush();
        return exit;
    }

    private static void emit(NmeaParser parser, NmeaTime time, byte[] line, int len, long lineNumber,
                             StringBuilder json, PrintStream out, long[] counts) {
        if (len > line.length) {
            parser.dropLine(time);
            return;
        }
        if (!parser.parse(line, 0, len, time) || !time.dateKnown()) {
            return;
        }
        counts[0]++;
        if (time.valid()) {
            counts[1]++;
        }
        json.setLength(0);
        json.append("{\"line\": ").append(lineNumber)
                .append(", \"sentence\": \"").append(time.sentenceName())
                .append("\", \"time\": \"");
        appendRfc3339(json, time.epochMillis(), time.leapSecond());
        json.append("\", \"valid\": ").append(time.valid());
        if (!time.valid()) {
            json.append(", \"reason\": \"").append(time.reason().name()).append('"');
        }
        json.append('}');
        out.println(json);
    }

    /**
     * Appends {@code yyyy-mm-ddThh:mm:ss.mmmZ} for UTC epoch milliseconds; with {@code leapSecond},
     * {@code epochMillis} is taken as 23:59:60.mmm (it equals the next midnight plus mmm).
     */
    static void appendRfc3339(StringBuilder sb, long epochMillis, boolean leapSecond) {
        long millis = leapSecond ? epochMillis - 1000 : epochMillis;
        long days = Math.floorDiv(millis, NmeaParser.DAY_MILLIS);
        int tod = (int) (millis - days * NmeaParser.DAY_MILLIS);
        // H. Hinnant's civil_from_days.
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        int seconds = tod / 1000 % 60 + (leapSecond ? 1 : 0);
        pad(sb, year, 4).append('-');
        pad(sb, month, 2).append('-');
        pad(sb, day, 2).append('T');
        pad(sb, tod / 3_600_000, 2).append(':');
        pad(sb, tod / 60_000 % 60, 2).append(':');
        pad(sb, seconds, 2).append('.');
        pad(sb, tod % 1000, 3).append('Z');
    }

    private static StringBuilder pad(StringBuilder sb, long value, int width) {
        if (value < 0) {
            sb.append('-');
            value = -value;
        }
        long limit = 1;
        for (int i = 1; i < width; i++) {
            limit *= 10;
        }
        for (long p = limit; p > 1 && value < p; p /= 10) {
            sb.append('0');
        }
        return sb.append(value);
    }
}
