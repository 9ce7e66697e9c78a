package io.ionclock.core.nmea;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecodeNmeaTest {

    static final String NL = System.lineSeparator();

    final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(outBytes, true, UTF_8);
    final PrintStream err = new PrintStream(errBytes, true, UTF_8);

    int run(String input, String... args) {
        return DecodeNmea.run(args, new ByteArrayInputStream(input.getBytes(ISO_8859_1)), out, err);
    }

    String out() {
        return outBytes.toString(UTF_8);
    }

    String err() {
        return errBytes.toString(UTF_8);
    }

    @Test
    void printsOneJsonObjectPerDatedTimeSentence() {
        String input = String.join("\n",
                "# Name: ac12",
                "$GPGGA,193221.00,2037.72792,N,08704.08478,W,1,04,1.7,-30.40,M,-13.9,M,,*7D",
                "$GPRMC,193221.00,A,2037.7279,N,08704.0848,W,00.1,201.8,231207,01,W,A*2D",
                "$GPZDA,193223.00,23,12,2007,00,00*69",
                "$GPGSA,A,3,10,28,09,13,,,,,,,,,03.4,01.7,03.0*00",
                "$GPRMC,193222.00,V,2037.7279,N,08704.0848,W,00.1,201.8,231207,01,W,A",
                "$GPRMC,000231.42,A,4829.0005,N,00022.0016,E,0.16,212.28,220899,,,A*59",
                "$GPRMC,193221.00,A,2037.7279,N,08704.0848,W,00.1,201.8,231207,01,W,A*2E",
                "garbage") + "\n";
        assertEquals(DecodeNmea.EXIT_OK, run(input, "-"));
        assertEquals(""
                + "{\"line\": 3, \"sentence\": \"GPRMC\", \"time\": \"2007-12-23T19:32:21.000Z\", \"valid\": true}" + NL
                + "{\"line\": 4, \"sentence\": \"GPZDA\", \"time\": \"2007-12-23T19:32:23.000Z\", \"valid\": true}" + NL
                + "{\"line\": 6, \"sentence\": \"GPRMC\", \"time\": \"2007-12-23T19:32:22.000Z\", \"valid\": false,"
                + " \"reason\": \"RECEIVER_FLAGGED_INVALID\"}" + NL
                + "{\"line\": 7, \"sentence\": \"GPRMC\", \"time\": \"1999-08-22T00:02:31.420Z\", \"valid\": false,"
                + " \"reason\": \"BEFORE_FLOOR\"}" + NL,
                out());
        assertEquals("decode-nmea: -: lines 9, sentences 6, checksum errors 1, malformed 1, rejected 1,"
                + " times 4 (valid 2)" + NL, err());
    }

    @Test
    void readsAFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("x.log");
        Files.writeString(f, "$GPZDA,193223.5,23,12,2007,-05,00\r\n", ISO_8859_1);
        assertEquals(DecodeNmea.EXIT_OK, DecodeNmea.run(new String[] {f.toString()}, InputStream.nullInputStream(), out, err));
        assertEquals("{\"line\": 1, \"sentence\": \"GPZDA\", \"time\": \"2007-12-23T19:32:23.500Z\", \"valid\": true}" + NL,
                out());
    }

    @Test
    void unreadableFileExitsTwo(@TempDir Path dir) {
        assertEquals(DecodeNmea.EXIT_UNREADABLE, run("", dir.resolve("missing.log").toString()));
        assertTrue(err().contains("missing.log"), err());
        assertEquals(DecodeNmea.EXIT_UNREADABLE, run("", dir.toString())); // a directory
        assertEquals("", out());
    }

    @Test
    void badArgumentsExitOne() {
        assertEquals(DecodeNmea.EXIT_USAGE, run(""));
        assertEquals(DecodeNmea.EXIT_USAGE, run("", "a", "b"));
        assertEquals(DecodeNmea.EXIT_USAGE, DecodeNmea.run(null, InputStream.nullInputStream(), out, err));
        assertTrue(err().startsWith("usage: decode-nmea FILE"), err());
    }

    @Test
    void readErrorExitsTwoAfterTheSummary() {
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                // a whole line, then a line cut short by the error (it would parse as valid)
                String data = "$GPZDA,193223,23,12,2007,,\n$GPZDA,193224,23,12,2007,,";
                if (n < data.length()) {
                    return data.charAt(n++);
                }
                throw new IOException("device gone");
            }
        };
        assertEquals(DecodeNmea.EXIT_UNREADABLE,
                DecodeNmea.decode(failing, "tty", out, err, DecodeNmea.NOT_BEFORE_DEFAULT_EPOCH_MILLIS));
        assertTrue(out().startsWith("{\"line\": 1,"), out());
        assertEquals(1, out().lines().count(), out());
        assertTrue(err().contains("read error: device gone"), err());
        assertTrue(err().contains("lines 2, sentences 1, checksum errors 0, malformed 1,"), err());
    }

    @Test
    void lineNumbersCountEveryKindOfLineEnd() {
        String zda = "$GPZDA,193223,23,12,2007,,";
        // LF, CRLF, CR CR LF (telit), lone CR, blank line, comment, last line without end
        String input = "#c\n" + zda + "\r\n" + zda + "\r\r\n" + zda + "\r" + zda + "\n\n#\n" + zda;
        assertEquals(DecodeNmea.EXIT_OK, run(input, "-"));
        String[] lines = out().split(NL);
        assertEquals(5, lines.length, out());
        int[] expected = {2, 3, 4, 5, 8};
        for (int i = 0; i < expected.length; i++) {
            assertTrue(lines[i].startsWith("{\"line\": " + expected[i] + ","), lines[i]);
        }
        assertTrue(err().contains("lines 8,"), err());
    }

    @Test
    void emptyInputPrintsOnlyTheSummary() {
        assertEquals(DecodeNmea.EXIT_OK, run("", "-"));
        assertEquals("", out());
        assertTrue(err().contains("lines 0,"), err());
    }

    @Test
    void hugeLineIsDroppedWholeAndCountingGoesOn() {
        String zda = "$GPZDA,193223,23,12,2007,,";
        // 1 MB without an end, then a sentence; and a sentence behind 600 blanks (longer than the line buffer).
        String input = "$GPGSV," + "9".repeat(1 << 20) + zda + "\n" + " ".repeat(600) + zda + "\n" + zda + "\n";
        assertEquals(DecodeNmea.EXIT_OK, run(input, "-"));
        assertEquals("{\"line\": 3, \"sentence\": \"GPZDA\", \"time\": \"2007-12-23T19:32:23.000Z\", \"valid\": true}" + NL,
                out());
        assertTrue(err().contains("lines 3, sentences 1, checksum errors 0, malformed 2,"), err());
    }

    @Test
    void binaryNoiseNeverBreaksTheTool() {
        byte[] noise = new byte[200_000];
        new SplittableRandom(42).nextBytes(noise);
        int exit = DecodeNmea.decode(new ByteArrayInputStream(noise), "noise", out, err,
                DecodeNmea.NOT_BEFORE_DEFAULT_EPOCH_MILLIS);
        assertEquals(DecodeNmea.EXIT_OK, exit);
        assertEquals("", out());
    }

    @Test
    void leapSecondIsPrintedAsSecond60() {
        assertEquals(DecodeNmea.EXIT_OK, run("$GPZDA,235960.5,31,12,2016,,\n", "-"));
        assertEquals("{\"line\": 1, \"sentence\": \"GPZDA\", \"time\": \"2016-12-31T23:59:60.500Z\", \"valid\": false,"
                + " \"reason\": \"LEAP_SECOND\"}" + NL, out());
    }

    @Test
    void rfc3339MatchesJavaTime() {
        DateTimeFormatter f = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
        SplittableRandom random = new SplittableRandom(7);
        long min = Instant.parse("1900-01-01T00:00:00Z").toEpochMilli();
        long max = Instant.parse("2201-01-01T00:00:00Z").toEpochMilli();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            long t = i < 4 ? new long[] {0, min, max - 1, -1}[i] : random.nextLong(min, max);
            sb.setLength(0);
            DecodeNmea.appendRfc3339(sb, t, false);
            assertEquals(f.format(Instant.ofEpochMilli(t)), sb.toString());
        }
    }

    @Test
    void floorDefaultIsYear2000() {
        assertEquals(Instant.parse("2000-01-01T00:00:00Z").toEpochMilli(), DecodeNmea.NOT_BEFORE_DEFAULT_EPOCH_MILLIS);
    }
}
