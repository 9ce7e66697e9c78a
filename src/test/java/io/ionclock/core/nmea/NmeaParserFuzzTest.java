package io.ionclock.core.nmea;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ionclock.core.nmea.NmeaTime.Kind;
import io.ionclock.core.nmea.NmeaTime.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * Any bytes: no exception, no hang, and the result and counter invariants hold. Runs its seeds
 * ({@code src/test/resources/io/ionclock/core/nmea/NmeaParserFuzzTestInputs/<method>/}) plus an empty
 * input in regression mode under plain JUnit. To fuzz (60 s a method):
 * {@code JAZZER_FUZZ=1 ./mvnw test -Dtest='NmeaParserFuzzTest#parseLines'}; it keeps its corpus in
 * {@code .cifuzz-corpus/} (not committed) and writes findings next to the seeds.
 */
class NmeaParserFuzzTest {

    static final long FLOOR = DecodeNmea.NOT_BEFORE_DEFAULT_EPOCH_MILLIS;
    /** Latest instant a result can name: 2200-12-31 (ZDA_YEAR_MAX), a day crossing and a leap second later. */
    static final long EPOCH_MILLIS_MAX = Instant.parse("2201-01-02T00:00:01Z").toEpochMilli();
    /** Earliest: 1900-01-01 (ZDA_YEAR_MIN) less a day crossing. */
    static final long EPOCH_MILLIS_MIN = Instant.parse("1899-12-31T00:00:00Z").toEpochMilli();
    static final Pattern JSON_LINE = Pattern.compile(
            "\\{\"line\": [1-9][0-9]*, \"sentence\": \"(GP|GN|GL|GA|BD|GB|QZ|IN)(RMC|ZDA|GGA|GLL|GNS)\","
                    + " \"time\": \"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z\","
                    + " \"valid\": (true|false(, \"reason\": \"[A-Z_]+\")?)}");

    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({"$GPRMC,", "$GNGGA,", "$GPZDA,", "$GLGLL,", "$GNGNS,", "$GPGSV,", "$PGRME,", ",A,", ",V,",
        ",NNN,", "*", "123519.00", "230394", ",23,03,1994,", "#"})
    void parseLines(byte[] data) {
        NmeaParser parser = new NmeaParser(FLOOR);
        NmeaTime out = new NmeaTime();
        int start = 0;
        for (int i = 0; i <= data.length; i++) {
            if (i == data.length || data[i] == '\n') {
                check(parser, data, start, i - start, out);
                start = i + 1;
            }
        }
        // the whole input as one line, at an offset inside a larger buffer
        byte[] padded = new byte[data.length + 2];
        System.arraycopy(data, 0, padded, 1, data.length);
        check(parser, padded, 1, data.length, out);
    }

    static void check(NmeaParser p, byte[] buf, int off, int len, NmeaTime out) {
        long lines = p.lines();
        long sentences = p.sentences();
        long checksumErrors = p.checksumErrors();
        long malformed = p.malformed();
        long guardRejected = p.guardRejected();

        boolean accepted = p.parse(buf, off, len, out);

        assertEquals(lines + 1, p.lines());
        long dSentences = p.sentences() - sentences;
        long dChecksum = p.checksumErrors() - checksumErrors;
        long dMalformed = p.malformed() - malformed;
        long dGuard = p.guardRejected() - guardRejected;
        assertTrue(dSentences >= 0 && dChecksum >= 0 && dMalformed >= 0 && dGuard >= 0);
        assertTrue(dSentences + dChecksum <= 1);
        assertTrue(dMalformed <= 2);
        assertEquals(accepted, dSentences == 1);
        assertEquals(accepted, out.kind() != Kind.NONE);
        if (out.reason() == Reason.IGNORED) {
            assertEquals(0, dSentences + dChecksum + dMalformed);
        } else {
            assertTrue(dSentences + dChecksum + dMalformed >= 1);
        }
        assertEquals(out.reason() == Reason.CHECKSUM_ERROR, dChecksum == 1);
        boolean guarded = out.reason() == Reason.BEFORE_FLOOR || out.reason() == Reason.WEEK_ROLLOVER;
        assertEquals(guarded ? 1 : 0, dGuard);

        assertEquals(out.valid(), out.reason() == Reason.NONE, out::toString);
        if (out.valid()) {
            assertTrue(out.dateKnown() && out.timeOfDayKnown(), out::toString);
            assertTrue(out.epochMillis() >= FLOOR && out.epochMillis() <= EPOCH_MILLIS_MAX, out::toString);
            assertTrue(out.timeOfDayMillis() < NmeaTime.DAY_MILLIS, out::toString);
            assertNotNull(out.sentenceName());
        }
        if (out.timeOfDayKnown()) {
            assertTrue(out.timeOfDayMillis() >= 0 && out.timeOfDayMillis() < NmeaTime.DAY_MILLIS + 1000, out::toString);
            assertNotEquals(Kind.OTHER, out.kind());
        }
        if (out.dateKnown()) {
            assertTrue(out.timeOfDayKnown());
            assertTrue(out.epochMillis() >= EPOCH_MILLIS_MIN && out.epochMillis() <= EPOCH_MILLIS_MAX, out::toString);
            assertEquals(0, Math.floorMod(out.epochMillis() - out.timeOfDayMillis(), NmeaTime.DAY_MILLIS));
        }
        if (!accepted) {
            assertTrue(out.reason() == Reason.IGNORED || out.reason() == Reason.CHECKSUM_ERROR
                    || out.reason() == Reason.MALFORMED, out::toString);
            assertTrue(!out.dateKnown() && !out.timeOfDayKnown() && !out.valid());
        }
    }

    @FuzzTest(maxDuration = "60s")
    void decodeNmea(byte[] data) {
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        int exit = DecodeNmea.decode(new ByteArrayInputStream(data), "fuzz",
                new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8), FLOOR);
        assertEquals(DecodeNmea.EXIT_OK, exit);
        String out = outBytes.toString(StandardCharsets.UTF_8);
        for (String line : out.lines().toList()) {
            assertTrue(JSON_LINE.matcher(line).matches(), line);
        }
        String err = errBytes.toString(StandardCharsets.UTF_8);
        assertTrue(err.startsWith("decode-nmea: fuzz: lines ") && err.endsWith(System.lineSeparator())
                && err.lines().count() == 1, err);
    }
}
