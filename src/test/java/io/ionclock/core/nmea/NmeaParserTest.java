package io.ionclock.core.nmea;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.nmea.NmeaTime.Kind;
import io.ionclock.core.nmea.NmeaTime.Reason;
import io.ionclock.core.nmea.NmeaTime.Talker;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The parsing rules, one by one, with plain strings. */
class NmeaParserTest {

    /** 2000-01-01T00:00:00Z, as decode-nmea uses. */
    static final long FLOOR_2000 = DecodeNmea.NOT_BEFORE_DEFAULT_EPOCH_MILLIS;

    // Real sentences from the gpsd captures (ac12, humminbird-M37, ericsson, quectel).
    static final String RMC = "$GPRMC,193221.00,A,2037.7279,N,08704.0848,W,00.1,201.8,231207,01,W,A*2D";
    static final String ZDA = "$GPZDA,193223.00,23,12,2007,00,00*69";
    static final String GGA = "$GPGGA,193222.00,2037.72832,N,08704.08469,W,1,04,1.7,-30.00,M,-13.9,M,,*7F";

    NmeaParser parser;
    NmeaTime out;

    @BeforeEach
    void setUp() {
        parser = new NmeaParser(FLOOR_2000);
        out = new NmeaTime();
    }

    boolean parse(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.ISO_8859_1);
        return parser.parse(bytes, 0, bytes.length, out);
    }

    /** Appends a correct checksum to "$...". */
    static String cs(String sentence) {
        int x = 0;
        for (int i = 1; i < sentence.length(); i++) {
            x ^= sentence.charAt(i);
        }
        return sentence + String.format("*%02X", x);
    }

    static long at(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    void assertValid(String iso) {
        assertEquals(Reason.NONE, out.reason(), out::toString);
        assertTrue(out.valid(), out::toString);
        assertTrue(out.dateKnown());
        assertEquals(Instant.parse(iso), Instant.ofEpochMilli(out.epochMillis()));
    }

    void assertInvalid(Reason reason) {
        assertFalse(out.valid(), out::toString);
        assertEquals(reason, out.reason(), out::toString);
    }

    @Nested
    class Sentences {
        @Test
        void rmcGivesDateAndTime() {
            assertTrue(parse(RMC));
            assertEquals(Kind.RMC, out.kind());
            assertEquals(Talker.GP, out.talker());
            assertEquals("GPRMC", out.sentenceName());
            assertValid("2007-12-23T19:32:21Z");
            assertEquals((19 * 3600 + 32 * 60 + 21) * 1000, out.timeOfDayMillis());
            assertEquals(1, parser.sentences());
        }

        @Test
        void zdaGivesDateAndTimeAndIgnoresTheLocalZone() {
            assertTrue(parse(ZDA));
            assertEquals(Kind.ZDA, out.kind());
            assertValid("2007-12-23T19:32:23Z");
            for (String zone : new String[] {"-05,00", "+01,00", "-01,00", "+00,00", "-00,00", ","}) {
                assertTrue(parse(cs("$INZDA,194104,16,09,2006," + zone)));
                assertValid("2006-09-16T19:41:04Z");
            }
        }

        @Test
        void zdaWithoutDateFieldsHasNoDate() {
            assertTrue(parse(cs("$GPZDA,030837.00,,,,00,00")));
            assertTrue(out.timeOfDayKnown());
            assertFalse(out.dateKnown());
            assertInvalid(Reason.NO_DATE);
        }

        @ParameterizedTest
        @ValueSource(strings = {"$GPZDA,193223.00,23,12,07,00,00", "$GPZDA,193223.00,32,12,2007,00,00",
            "$GPZDA,193223.00,23,13,2007,00,00", "$GPZDA,193223.00,29,02,2007,,", "$GPZDA,193223.00,23,12,1899,,",
            "$GPZDA,193223.00,23,12,2201,,", "$GPZDA,193223.00,23,12,20O7,,", "$GPZDA,193223.00,23,12"})
        void badZdaDatesAreMalformed(String zda) {
            assertFalse(parse(cs(zda)));
            assertInvalid(Reason.MALFORMED);
            assertEquals(1, parser.malformed());
            assertEquals(0, parser.sentences());
        }

        @Test
        void ggaBeforeAnyDateHasATimeOfDayOnly() {
            assertTrue(parse(GGA));
            assertEquals(Kind.GGA, out.kind());
            assertTrue(out.timeOfDayKnown());
            assertEquals((19 * 3600 + 32 * 60 + 22) * 1000, out.timeOfDayMillis());
            assertFalse(out.dateKnown());
            assertInvalid(Reason.NO_DATE);
        }

        @Test
        void ggaGllGnsTakeTheRememberedDate() {
            parse(RMC);
            assertTrue(parse(GGA));
            assertValid("2007-12-23T19:32:22Z");
            assertTrue(parse(cs("$GPGLL,2037.7279,N,08704.0848,W,193223.00,A,A")));
            assertEquals(Kind.GLL, out.kind());
            assertValid("2007-12-23T19:32:23Z");
            assertTrue(parse(cs("$GNGNS,193224.00,4111.59903,N,11156.54809,W,AANN,13,0.93,01482.5,-016.5,,")));
            assertEquals(Kind.GNS, out.kind());
            assertEquals(Talker.GN, out.talker());
            assertValid("2007-12-23T19:32:24Z");
        }

        @Test
        void ggaCrossesMidnightForward() {
            parse(cs("$GPRMC,235959.50,A,2037.7279,N,08704.0848,W,00.1,201.8,311207,01,W,A"));
            assertValid("2007-12-31T23:59:59.500Z");
            parse(cs("$GPGGA,000000.50,2037.7,N,08704.0,W,1,04,1.7,-30.00,M,-13.9,M,,"));
            assertValid("2008-01-01T00:00:00.500Z");
            // and the chained date keeps following the GGA-only stream
            parse(cs("$GPGGA,000001.50,2037.7,N,08704.0,W,1,04,1.7,-30.00,M,-13.9,M,,"));
            assertValid("2008-01-01T00:00:01.500Z");
        }

        @Test
        void ggaCrossesMidnightBackward() {
            parse(cs("$GPZDA,000001.00,01,01,2008,,"));
            parse(cs("$GPGGA,235959.00,2037.7,N,08704.0,W,1,04,1.7,-30.00,M,-13.9,M,,"));
            assertValid("2007-12-31T23:59:59Z");
        }

        @Test
        void timeGoingBackwardsAFewSecondsKeepsTheDay() {
            parse(cs("$INRMC,194124,A,4426.1130,N,07140.5596,W,5.2,77.3,160906,15.8,W"));
            parse(cs("$INGGA,194111,4426.1138,N,07140.5536,W,2,10,0.9,267.9,M,,,,"));
            assertValid("2006-09-16T19:41:11Z");
        }

        @ParameterizedTest
        @CsvSource({"GP", "GN", "GL", "GA", "BD", "GB", "QZ", "IN"})
        void timeTalkers(String talker) {
            assertTrue(parse(RMC.replace("$GP", "$" + talker).substring(0, RMC.length() - 3)));
            assertEquals(Talker.valueOf(talker), out.talker());
            assertEquals(talker + "RMC", out.sentenceName());
            assertValid("2007-12-23T19:32:21Z");
        }

        @ParameterizedTest
        @ValueSource(strings = {"$IIRMC,193221.00,A,2037.7279,N,08704.0848,W,00.1,201.8,231207,01,W,A",
            "$GPVTG,000.0,T,357.0,M,000.0,N,0000.1,K,A", "$GPGSA,A,3,20,,,,13,31,,04,,,,,02.7,01.4,02.3",
            "$GPGSV,3,1,12,20,76,058,40,11,73,252,,06,41,274,,14,41,185,", "$GNTXT,01,01,02,ANTSTATUS=OK",
            "$PGRME,15.0,M,45.0,M,25.0,M", "$PERC,GPppr,423451,02405,00050,12,0,0", "$PSRF151,01",
            "$PTNLRXO,1,-270.721", "$POLYN,TIME,RESTART_OCCURRED", "$SDDPT,2.2,0.0",
            "!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0", "$GPZZZ", "$PQGSV,4,1,15,02,20,116,,03,,,,0,4"})
        void otherSentencesAreCountedAndSkipped(String sentence) {
            for (String line : new String[] {sentence, cs(sentence)}) {
                assertTrue(parse(line), line);
                assertEquals(Kind.OTHER, out.kind());
                assertNull(out.sentenceName());
                assertInvalid(Reason.NOT_TIME_SENTENCE);
            }
            assertEquals(2, parser.sentences());
            assertEquals(0, parser.malformed());
        }

        @Test
        void aTimeSentenceFromAnUntrustedTalkerDoesNotSetTheDate() {
            parse(cs("$IIZDA,193223.00,23,12,2007,00,00"));
            parse(GGA);
            assertInvalid(Reason.NO_DATE);
        }
    }

    @Nested
    class Framing {
        @ParameterizedTest
        @ValueSource(strings = {"", "\r", "\n", "\r\n", "\r\r\n", "  \r\n"})
        void anyLineEnding(String ending) {
            assertTrue(parse(RMC + ending));
            assertValid("2007-12-23T19:32:21Z");
        }

        @Test
        void checksumIsOptional() {
            assertTrue(parse(RMC.substring(0, RMC.length() - 3)));
            assertValid("2007-12-23T19:32:21Z");
        }

        @Test
        void checksumHexInEitherCase() {
            assertTrue(parse("$GPRMC,205150.00,V,,,,,,,,,,,V*4a"));
            assertTrue(parse("$GPRMC,205150.00,V,,,,,,,,,,,V*4A"));
            assertEquals(0, parser.checksumErrors());
        }

        @Test
        void badChecksumIsCountedAndDropped() {
            assertFalse(parse(RMC.replace("*2D", "*2E")));
            assertEquals(Kind.NONE, out.kind());
            assertInvalid(Reason.CHECKSUM_ERROR);
            assertEquals(1, parser.checksumErrors());
            assertEquals(0, parser.sentences());
            assertEquals(0, parser.malformed());
        }

        @ParameterizedTest
        @ValueSource(strings = {"*2", "*2D0", "*2G", "*", "*2D*43", "*2D-", "*2D\u0000"})
        void badChecksumSyntaxIsMalformed(String star) {
            String line = RMC.replace("*2D", star);
            assertFalse(parse(line), line);
            assertInvalid(Reason.MALFORMED);
            assertEquals(1, parser.malformed());
        }

        @Test
        void trailingBlanksAreTrimmed() {
            assertTrue(parse(RMC + " \t\r\n"));
            assertTrue(parse(" " + RMC));
            assertEquals(0, parser.malformed());
        }

        @Test
        void commentsAndBlankLinesAreIgnoredNotErrors() {
            assertFalse(parse("# Name: Magellan Triton 400"));
            assertInvalid(Reason.IGNORED);
            assertFalse(parse("#"));
            assertFalse(parse(""));
            assertFalse(parse("\r\n"));
            assertEquals(4, parser.lines());
            assertEquals(0, parser.malformed() + parser.sentences() + parser.checksumErrors());
        }

        @ParameterizedTest
        @ValueSource(strings = {"4.4343,N,01025.5386,E,200002,A,D*48", "$GPN,00000.0000,E,0,00,0.0,,M,,M,,",
            "$GP,00,0.0,,M,,M,,", "$GP", "$", "$11,23,87,270,,13,70,270", "$GPV427.00,V,0000.0000,N",
            "$gprmc,193221.00,A,,,,,,,231207,,", "$GPRMC1,193221.00,A", "$PX", "$PXY,1", "$P", "$Pgrme,1", "$PABCDEFGHIJK,1",
            "GPRMC,193221.00,A,2037.7279,N,08704.0848,W,00.1,201.8,231207,01,W,A", "\u0000\u0001\u0002\u00ff",
            "$GPRMC,000346.03,A,4808\u0000\u0000\u0000\u0000                  ",
            "$GPRMC,000344.03,A,4808.9992,N", "$GPGGA,235952.00,0000.0000,N,00000.0000,E,0,00,0.0,,M,,M,,*00.0000,N*51",
            "$GPRMC,193221.00,A,2037.7279,N,08704.0848,W,00.1,201.8,231207,01,W,A\u00e9"})
        void noiseAndTruncationAreMalformed(String line) {
            assertFalse(parse(line), line);
            assertEquals(Kind.NONE, out.kind());
            assertInvalid(Reason.MALFORMED);
            assertEquals(1, parser.malformed());
            assertEquals(0, parser.sentences());
        }

        @Test
        void runTogetherLineParsesTheLastSentenceWhenItHasAChecksum() {
            // triton400.log line 19: a truncated GGA runs into a GLL.
            assertTrue(parse("$GPGGA,030130$GPGLL,2638.1728,N,08011.3893,W,030131.000,A,A*41"));
            assertEquals(Kind.GLL, out.kind());
            assertEquals(1, parser.malformed());
            assertEquals(1, parser.sentences());
            // gp-320fw: a complete GSA without line end, then an RMC.
            assertTrue(parse("$GPGSA,A,1,,,,,,,,,,,,,,,*1E$GPRMC,235949.00,V,0000.0000,N,00000.0000,E,,,161206,,,N*44"));
            assertEquals(Kind.RMC, out.kind());
            assertInvalid(Reason.RECEIVER_FLAGGED_INVALID);
            assertEquals(2, parser.malformed());
            // noise before the '$'
            assertTrue(parse("\u0000\u0000xx" + RMC));
            assertValid("2007-12-23T19:32:21Z");
            assertEquals(3, parser.malformed());
        }

        @Test
        void runTogetherTailWithoutChecksumIsDropped() {
            assertFalse(parse("$GPGSV,3,1,11,23,87,270,$GPRMC,193221.00,A,2037.7279,N,08704.0848,W,00.1,201.8,231207,01,W,A"));
            assertInvalid(Reason.MALFORMED);
            assertEquals(2, parser.malformed()); // the prefix and the unproven tail
            assertEquals(0, parser.sentences());
        }

        @Test
        void runTogetherTailWithBadChecksumIsAChecksumError() {
            assertFalse(parse("$GPGGA,030130$GPGLL,2638.1728,N,08011.3893,W,030131.000,A,A*42"));
            assertInvalid(Reason.CHECKSUM_ERROR);
            assertEquals(1, parser.malformed());
            assertEquals(1, parser.checksumErrors());
        }

        @Test
        void lineLengthLimit() {
            String head = "$PABC,";
            String longest = head + "x".repeat(NmeaParser.LINE_BYTES_MAX - head.length());
            assertEquals(NmeaParser.LINE_BYTES_MAX, longest.length());
            assertTrue(parse(longest + "\r\n"));
            assertFalse(parse(longest + "x\r\n"));
            assertInvalid(Reason.MALFORMED);
            assertFalse(parse("$GPGSV" + ",1".repeat(100_000)));
            assertEquals(2, parser.malformed());
        }

        @Test
        void lineDroppedByTheCaller() {
            parser.dropLine(out);
            assertInvalid(Reason.MALFORMED);
            assertEquals(1, parser.lines());
            assertEquals(1, parser.malformed());
        }

        @Test
        void parsesWithinALargerBuffer() {
            byte[] buf = ("garbage" + RMC + "\r\nmore").getBytes(StandardCharsets.US_ASCII);
            assertTrue(parser.parse(buf, 7, RMC.length() + 2, out));
            assertValid("2007-12-23T19:32:21Z");
        }

        @Test
        void badBoundsAreACallerBug() {
            byte[] buf = new byte[10];
            assertThrows(IndexOutOfBoundsException.class, () -> parser.parse(buf, 5, 6, out));
            assertThrows(IndexOutOfBoundsException.class, () -> parser.parse(buf, -1, 2, out));
            assertEquals(0, parser.lines());
        }

        @Test
        void everyLineIsCountedOnce() {
            String[] lines = {"# c", "", RMC, RMC.replace("*2D", "*00"), "junk", GGA, "$GPGSV,1", "$GPRMC,1"};
            for (String l : lines) {
                parse(l);
            }
            assertEquals(lines.length, parser.lines());
            assertEquals(lines.length - 2,
                    parser.sentences() + parser.checksumErrors() + parser.malformed());
            assertEquals(3, parser.sentences());
            assertEquals(1, parser.checksumErrors());
            assertEquals(2, parser.malformed());
        }
    }

    @Nested
    class Times {
        @ParameterizedTest
        @CsvSource({
            "193221, 0", "193221., 0", "193221.5, 500", "193221.42, 420", "193221.099, 99", "193221.997, 997",
            "193221.0000, 0", "193221.9994, 999", "193221.9995, 999", "193221.1234, 123", "193221.1235, 124",
            "193221.123456789, 123"})
        void fractionsFromNoneToMany(String time, int millis) {
            assertTrue(parse(cs("$GPZDA," + time + ",23,12,2007,,")));
            assertEquals(at("2007-12-23T19:32:21Z") + millis, out.epochMillis());
            assertEquals((19 * 3600 + 32 * 60 + 21) * 1000 + millis, out.timeOfDayMillis());
        }

        @ParameterizedTest
        @ValueSource(strings = {"19322", "1932210", "193221.1234567890", "193221,5", "1932x1", "243221", "196021",
            "193261", "235860", "-93221", "193221.5a", "+93221"})
        void badTimesAreMalformed(String time) {
            assertFalse(parse(cs("$GPZDA," + time + ",23,12,2007,,")));
            assertInvalid(Reason.MALFORMED);
        }

        @Test
        void leapSecondIsRecognisedButNotUsed() {
            assertTrue(parse(cs("$GPZDA,235960.25,31,12,2016,,")));
            assertTrue(out.leapSecond());
            assertEquals(NmeaTime.DAY_MILLIS + 250, out.timeOfDayMillis());
            assertEquals(at("2017-01-01T00:00:00.250Z"), out.epochMillis());
            assertInvalid(Reason.LEAP_SECOND);
            assertEquals(0, parser.guardRejected());
        }

        @ParameterizedTest
        @CsvSource({"010100, 2000-01-01", "311268, 2068-12-31", "010169, 1969-01-01", "220899, 1999-08-22",
            "290200, 2000-02-29", "291216, 2016-12-29"})
        void rmcTwoDigitYearsPivotAt69(String ddmmyy, String date) {
            NmeaParser noFloor = new NmeaParser(Long.MIN_VALUE);
            byte[] b = cs("$GPRMC,120000,A,,,,,,," + ddmmyy + ",,").getBytes(StandardCharsets.US_ASCII);
            assertTrue(noFloor.parse(b, 0, b.length, out));
            assertValid(date + "T12:00:00Z");
        }

        @ParameterizedTest
        @ValueSource(strings = {"2208-1", "22089", "2208999", "290299", "310400", "001207", "231307", "000000", "2a1207"})
        void badRmcDatesAreMalformed(String ddmmyy) {
            assertFalse(parse(cs("$GPRMC,000231.099,A,4829.0005,N,00022.0015,E,0.15,212.28," + ddmmyy + ",,,A")));
            assertInvalid(Reason.MALFORMED);
            assertEquals(1, parser.malformed());
        }

        @Test
        void emptyTimeGivesNoTime() {
            assertTrue(parse("$GPRMC,,V,,,,,,,,,,N*53"));
            assertEquals(Kind.RMC, out.kind());
            assertFalse(out.timeOfDayKnown());
            assertInvalid(Reason.NO_TIME);
            assertTrue(parse("$GPGGA,,,,,,0,,,,,,,,*66"));
            assertInvalid(Reason.NO_TIME);
        }

        @Test
        void rmcWithoutDateHasNoDate() {
            assertTrue(parse("$GPRMC,205150.00,V,,,,,,,,,,,V*4a"));
            assertTrue(out.timeOfDayKnown());
            assertFalse(out.dateKnown());
            assertFalse(out.valid());
            assertTrue(parse(cs("$GPRMC,205150.00,A,4405.556,N,12118.398,W,000.0,000.0,,0.0,E")));
            assertFalse(out.dateKnown());
            assertInvalid(Reason.NO_DATE);
        }
    }

    @Nested
    class ReceiverFlags {
        @ParameterizedTest
        @ValueSource(strings = {
            "$GPRMC,221015.00,V,4742.21,N,01200.75,E,0.0,0.0,181223,0.0,E",
            "$GPRMC,221015.00,,4742.21,N,01200.75,E,0.0,0.0,181223,0.0,E",
            "$GPRMC,221015.00,X,4742.21,N,01200.75,E,0.0,0.0,181223,0.0,E",
            "$GPRMC,221015.00,A,4742.21,N,01200.75,E,0.0,0.0,181223,0.0,E,N",
            "$GPRMC,221015.00,A,4742.21,N,01200.75,E,0.0,0.0,181223,0.0,E,S"})
        void rmcFlags(String rmc) {
            assertTrue(parse(cs(rmc)));
            assertTrue(out.dateKnown());
            assertEquals(at("2023-12-18T22:10:15Z"), out.epochMillis());
            assertInvalid(Reason.RECEIVER_FLAGGED_INVALID);
        }

        @ParameterizedTest
        @ValueSource(strings = {"A", "D"})
        void rmcStatusAandDAreValidWhateverTheNavStatus(String status) {
            // telit-pls83-w: NMEA 4.1 nav status 'V' ("no nav status") must not invalidate the time
            assertTrue(parse(cs("$GPRMC,043539.00,STATUS,4333.1902,N,00115.5,W,0.0,,060220,,,A,V".replace("STATUS", status))));
            assertValid("2020-02-06T04:35:39Z");
        }

        @Test
        void rmcStatusMustBeOneCharacter() {
            assertFalse(parse(cs("$GPRMC,221015.00,AA,4742.21,N,01200.75,E,0.0,0.0,181223,0.0,E")));
            assertInvalid(Reason.MALFORMED);
        }

        @ParameterizedTest
        @CsvSource(value = {"0, false", "1, true", "2, true", "4, true", "5, true", "6, true", "7, true",
            "8, false", "'', false"}, emptyValue = "")
        void ggaQuality(String quality, boolean valid) {
            parse(RMC);
            assertTrue(parse(cs("$GPGGA,193222.00,2037.72832,N,08704.08469,W," + quality + ",04,1.7,-30.00,M,-13.9,M,,")));
            assertEquals(at("2007-12-23T19:32:22Z"), out.epochMillis());
            assertTrue(out.dateKnown());
            assertEquals(valid, out.valid());
            if (!valid) {
                assertInvalid(Reason.RECEIVER_FLAGGED_INVALID);
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"X", "-1", "123", "1.0"})
        void badGgaQualityIsMalformed(String quality) {
            assertFalse(parse(cs("$GPGGA,193222.00,2037.72832,N,08704.08469,W," + quality + ",04,1.7,-30.00,M,-13.9,M,,")));
            assertInvalid(Reason.MALFORMED);
        }

        @ParameterizedTest
        @CsvSource(value = {"'A,A', true", "'A,D', true", "'A', true", "'V,N', false", "'A,N', false", "'A,S', false",
            "'V', false", "',', false", "'', false"}, emptyValue = "")
        void gllStatusAndMode(String statusAndMode, boolean valid) {
            parse(RMC);
            String tail = statusAndMode.isEmpty() ? "" : "," + statusAndMode;
            assertTrue(parse(cs("$GPGLL,2037.7279,N,08704.0848,W,193223.00" + tail)));
            assertEquals(at("2007-12-23T19:32:23Z"), out.epochMillis());
            assertEquals(valid, out.valid(), out::toString);
        }

        @Test
        void gllWithoutTimeField() {
            parse(RMC);
            assertTrue(parse(cs("$GPGLL,4916.45,N,12311.12,W")));
            assertInvalid(Reason.NO_TIME);
            // a GLL without a time field (Garmin 65) does not forget the date
            parse(GGA);
            assertValid("2007-12-23T19:32:22Z");
        }

        @ParameterizedTest
        @CsvSource(value = {"AANN, true", "ANNA, true", "NNNA, true", "D, true", "N, false", "NNN, false",
            "NNNN, false", "SN, false", "'', false"}, emptyValue = "")
        void gnsModeAllNIsNoFix(String mode, boolean valid) {
            parse(RMC);
            assertTrue(parse(cs("$GNGNS,193224.00,4111.59903,N,11156.54809,W," + mode + ",13,0.93,01482.5,-016.5,,")));
            assertEquals(at("2007-12-23T19:32:24Z"), out.epochMillis());
            assertEquals(valid, out.valid());
        }

        @Test
        void badGnsModeIsMalformed() {
            assertFalse(parse(cs("$GNGNS,193224.00,4111.59903,N,11156.54809,W,A1,13,0.93,01482.5,-016.5,,")));
            assertInvalid(Reason.MALFORMED);
        }

        @Test
        void flaggedRmcDoesNotSetTheDate() {
            parse(cs("$GPRMC,235946.005,V,8960.000000,N,00000.000000,E,0.000,0.00,050180,,,N"));
            assertEquals(at("1980-01-05T23:59:46.005Z"), out.epochMillis());
            assertInvalid(Reason.RECEIVER_FLAGGED_INVALID);
            parse(cs("$GPGGA,235947.004,8960.000000,N,00000.000000,E,1,0,,137.000,M,13.000,M,,"));
            assertInvalid(Reason.NO_DATE);
            assertEquals(0, parser.guardRejected());
        }

        @Test
        void emptyTimeForgetsTheDate() {
            parse(RMC);
            parse("$GPGGA,,,,,,0,,,,,,,,*66");
            parse(GGA);
            assertInvalid(Reason.NO_DATE);
        }

        @Test
        void rmcWithoutDateForgetsTheDate() {
            parse(RMC);
            parse(cs("$GPRMC,193221.50,V,,,,,,,,,,N"));
            parse(GGA);
            assertInvalid(Reason.NO_DATE);
        }

        @Test
        void flaggedGgaKeepsGpsdsTimeValueButIsInvalid() {
            // ch-4711: RMC turns V, GGA quality 0; gpsd still reports the GGA time with the old date.
            parse(cs("$GNRMC,135657.997,A,5543.0326,N,03724.7205,E,00.79,159.0,051209,,,A"));
            parse(cs("$GPRMC,135658.997,V,5543.0326,N,03724.7205,E,00.79,159.0,051209,,,N"));
            assertTrue(parse("$GPGGA,135659.997,5543.0324,N,03724.7207,E,0,,,165.6,M,14.6,M,,*7C"));
            assertEquals(at("2009-12-05T13:56:59.997Z"), out.epochMillis());
            assertInvalid(Reason.RECEIVER_FLAGGED_INVALID);
        }
    }

    @Nested
    class Guards {
        @Test
        void dateBeforeFloorIsRejectedAndCounted() {
            assertTrue(parse("$GPRMC,000231.42,A,4829.0005,N,00022.0016,E,0.16,212.28,220899,,,A*59"));
            assertEquals(at("1999-08-22T00:02:31.420Z"), out.epochMillis());
            assertInvalid(Reason.BEFORE_FLOOR);
            assertEquals(1, parser.guardRejected());
            assertEquals(1, parser.sentences());
        }

        @Test
        void floorIsInclusive() {
            NmeaParser p = new NmeaParser(at("2007-12-23T19:32:21Z"));
            byte[] b = RMC.getBytes(StandardCharsets.US_ASCII);
            assertTrue(p.parse(b, 0, b.length, out));
            assertValid("2007-12-23T19:32:21Z");
            NmeaParser later = new NmeaParser(at("2007-12-23T19:32:21.001Z"));
            later.parse(b, 0, b.length, out);
            assertInvalid(Reason.BEFORE_FLOOR);
        }

        @Test
        void ggaAfterARejectedDateIsRejectedToo() {
            parse(cs("$GPRMC,000345.03,A,4808.9993,N,01135.0798,E,000.1,000.0,070419,003.0,E,A"));
            assertValid("2019-04-07T00:03:45.030Z");
            parse("$GPZDA,000427.00,22,08,1999,,*67");
            assertInvalid(Reason.BEFORE_FLOOR);
            parse(cs("$GPGGA,000428.00,4808.9993,N,01135.0798,E,1,04,01.4,00460.0,M,0046.2,M,,"));
            assertEquals(at("1999-08-22T00:04:28Z"), out.epochMillis());
            assertInvalid(Reason.BEFORE_FLOOR);
            assertEquals(2, parser.guardRejected());
        }

        @Test
        void weekRolloverBackwardIsRejected() {
            NmeaParser p = new NmeaParser(0);
            parseWith(p, cs("$GPRMC,000345.03,A,4808.9993,N,01135.0798,E,000.1,000.0,070419,003.0,E,A"));
            assertValid("2019-04-07T00:03:45.030Z");
            parseWith(p, cs("$GPRMC,000346.03,A,4808.9993,N,01135.0798,E,000.1,000.0,220899,003.0,E,A"));
            assertEquals(at("1999-08-22T00:03:46.030Z"), out.epochMillis());
            assertInvalid(Reason.WEEK_ROLLOVER);
            assertEquals(1, p.guardRejected());
            // the anchor did not move: the right date is still valid
            parseWith(p, cs("$GPRMC,000347.03,A,4808.9993,N,01135.0798,E,000.1,000.0,070419,003.0,E,A"));
            assertValid("2019-04-07T00:03:47.030Z");
        }

        @Test
        void weekRolloverForwardIsRejected() {
            // neo-m8n: 2015-03-18 and gpsd's "fixed-up" 2034-11-01 are 1024 weeks apart
            NmeaParser p = new NmeaParser(FLOOR_2000);
            parseWith(p, cs("$GNRMC,171819.00,A,,,,,,,180315,,,A"));
            assertValid("2015-03-18T17:18:19Z");
            parseWith(p, cs("$GNZDA,171820.00,01,11,2034,,"));
            assertInvalid(Reason.WEEK_ROLLOVER);
        }

        @ParameterizedTest
        @CsvSource({"-1, true", "0, true", "1, true", "2, false", "-2, false"})
        void weekRolloverToleranceIsADay(int days, boolean rollover) {
            NmeaParser p = new NmeaParser(0);
            parseWith(p, cs("$GPZDA,120000,07,04,2019,,"));
            long candidate = at("2019-04-07T12:00:00Z") - NmeaParser.WEEK_ROLLOVER_MILLIS + days * NmeaParser.DAY_MILLIS;
            java.time.LocalDate d = Instant.ofEpochMilli(candidate).atZone(java.time.ZoneOffset.UTC).toLocalDate();
            parseWith(p, cs(String.format("$GPZDA,120000,%02d,%02d,%04d,,", d.getDayOfMonth(), d.getMonthValue(), d.getYear())));
            assertEquals(candidate, out.epochMillis());
            assertEquals(rollover ? Reason.WEEK_ROLLOVER : Reason.NONE, out.reason());
        }

        @Test
        void resetForgetsDateAndAnchor() {
            NmeaParser p = new NmeaParser(0);
            parseWith(p, RMC);
            p.reset();
            parseWith(p, GGA);
            assertInvalid(Reason.NO_DATE);
            parseWith(p, cs("$GPZDA,193223.00,08,05,1988,,")); // 2007-12-23 - 1024 weeks
            assertValid("1988-05-08T19:32:23Z");
        }

        void parseWith(NmeaParser p, String line) {
            byte[] b = line.getBytes(StandardCharsets.US_ASCII);
            p.parse(b, 0, b.length, out);
        }
    }

    @Test
    void sentenceNamesAreSharedConstants() {
        parse(RMC);
        String first = out.sentenceName();
        parse(RMC);
        assertSame(first, out.sentenceName());
    }

    @Test
    void resultIsOverwrittenByADroppedLine() {
        parse(RMC);
        parse("junk");
        assertEquals(Kind.NONE, out.kind());
        assertFalse(out.dateKnown());
        assertFalse(out.timeOfDayKnown());
        assertFalse(out.valid());
    }
}
