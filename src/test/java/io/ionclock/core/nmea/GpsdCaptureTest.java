package io.ionclock.core.nmea;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ionclock.core.nmea.NmeaTime.Kind;
import io.ionclock.core.nmea.NmeaTime.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every gpsd capture against gpsd's own decoding ({@code NAME.log.chk}), quirks as described in the
 * captures' README:
 * <ul>
 *   <li>we accept every sentence gpsd accepted, and drop what gpsd dropped unless it lacks a checksum;</li>
 *   <li>every TPV {@code time} gpsd reported comes from a line at or before it that we decode to the
 *       same instant (stale repeats match the earlier sentence; neo-m8n's are shifted back 1024 weeks);</li>
 *   <li>we never produce a valid time gpsd did not have, except where gpsd reported nothing for that
 *       cycle (its cycle detector held the report back, or the file ended) and a gpsd time lies within
 *       {@link #UNREPORTED_SLACK_MILLIS};</li>
 *   <li>the gpsd times we do not accept are exactly the cases where the README says gpsd is wrong
 *       (GGA/GNS/GLL time of day merged while the receiver says no fix, 1999 rollover dates), each
 *       decoded by us with the same value but flagged invalid;</li>
 *   <li>decode-nmea prints exactly these results with the right line numbers.</li>
 * </ul>
 */
class GpsdCaptureTest {

    /** The captures in the developer set; the test fails if one goes missing. */
    static final int CAPTURES = 26;
    /** gpsd pushes neo-m8n's dates forward by 1024 weeks (README point 6). */
    static final long NEO_M8N_GPSD_SHIFT_MILLIS = 619_315_200_000L;
    /** A valid time gpsd never printed must lie this close to one it did (report held back, or EOF). */
    static final long UNREPORTED_SLACK_MILLIS = 2_000;

    /** gpsd times we decode but flag invalid, per capture (all other captures: none). */
    static final Map<String, Integer> GPSD_TIMES_WE_FLAG = Map.of(
            "april6_2019.log", 1,                      // RMC 220899 = 1999-08-22 (rollover), BEFORE_FLOOR
            "ch-4711.log", 6,                          // GGA quality 0 while RMC is V
            "gp-320fw-2019-04-07-coldboot.log", 8,     // GGA quality 0 after reboot; 1999-08-22 dates
            "quectel-eg25-g.log", 2);                  // GNS mode NNN

    static final DateTimeFormatter RFC3339_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    /** Sentences gpsd accepted whose time fields we find malformed, per capture (others: none). */
    static final Map<String, Integer> GPSD_ACCEPTED_WE_DROP = Map.of(
            "april6_2019.log", 1);                     // RMC date 2208-1 (gpsd uses the position only)

    static final Pattern TPV_TIME = Pattern.compile("\"class\":\"TPV\".*?\"time\":\"([^\"]+)\"");

    /** Our result for one line of a capture. */
    record LineResult(int line, String text, boolean accepted, Kind kind, String name, boolean dateKnown,
                      long epochMillis, int timeOfDayMillis, boolean timeOfDayKnown, boolean valid,
                      Reason reason) {
    }

    /** A TPV with a time in the .chk, after the echo of log line {@code line}. */
    record Tpv(int line, long epochMillis) {
    }

    static List<Path> captures() {
        return GpsdCaptures.logs();
    }

    @Test
    void everyCaptureIsHereWithItsChk() {
        List<Path> logs = captures();
        assertEquals(CAPTURES, logs.size(), logs::toString);
        for (Path log : logs) {
            assertTrue(Files.isRegularFile(log.resolveSibling(log.getFileName() + ".chk")), log::toString);
        }
    }

    static List<LineResult> decode(List<byte[]> lines) {
        NmeaParser parser = new NmeaParser(DecodeNmea.NOT_BEFORE_DEFAULT_EPOCH_MILLIS);
        NmeaTime t = new NmeaTime();
        List<LineResult> results = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            byte[] l = lines.get(i);
            boolean ok = parser.parse(l, 0, l.length, t);
            results.add(new LineResult(i + 1, new String(l, ISO_8859_1), ok, t.kind(), t.sentenceName(),
                    t.dateKnown(), t.epochMillis(), t.timeOfDayMillis(), t.timeOfDayKnown(), t.valid(),
                    t.reason()));
        }
        return results;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void matchesGpsd(Path log) {
        String file = log.getFileName().toString();
        List<byte[]> logLines = GpsdCaptures.splitLines(GpsdCaptures.read(log));
        List<LineResult> ours = decode(logLines);
        List<byte[]> chkLines = GpsdCaptures.splitLines(GpsdCaptures.read(log.resolveSibling(file + ".chk")));

        // Map gpsd's echoes to log lines; collect its TPV times with the line that triggered them.
        Set<Integer> echoed = new TreeSet<>();
        List<Tpv> tpvs = new ArrayList<>();
        int cursor = 0;
        int lastEcho = 0;
        for (byte[] raw : chkLines) {
            String c = new String(raw, ISO_8859_1);
            if (c.isEmpty()) {
                continue;
            }
            if (c.startsWith("{")) {
                Matcher m = TPV_TIME.matcher(c);
                if (m.find()) {
                    long t = Instant.parse(m.group(1)).toEpochMilli();
                    if (file.equals("neo-m8n.log")) {
                        t -= NEO_M8N_GPSD_SHIFT_MILLIS;
                    }
                    tpvs.add(new Tpv(lastEcho, t));
                }
                continue;
            }
            while (cursor < ours.size() && !ours.get(cursor).text().endsWith(c)) {
                cursor++;
            }
            if (cursor == ours.size()) {
                fail(file + ": gpsd echoed a sentence not in the log: " + c);
            }
            lastEcho = ++cursor;
            echoed.add(lastEcho);
        }

        // 1. We accept what gpsd accepted (but time fields gpsd also rejects); what gpsd dropped we
        //    drop too, unless it has no checksum.
        List<LineResult> weDrop = new ArrayList<>();
        for (LineResult r : ours) {
            if (echoed.contains(r.line())) {
                if (!r.accepted()) {
                    weDrop.add(r);
                }
            } else if (!r.text().startsWith("#") && !r.text().isBlank() && r.text().contains("*")) {
                assertFalse(r.accepted(), () -> file + ": gpsd dropped, we accepted: " + r);
            }
        }

        assertEquals(GPSD_ACCEPTED_WE_DROP.getOrDefault(file, 0), weDrop.size(),
                () -> file + ": gpsd accepted, we dropped: " + weDrop);
        for (LineResult r : weDrop) {
            assertEquals(Reason.MALFORMED, r.reason(), () -> describe(r));
        }

        // 2. Every gpsd time comes from a line at or before its TPV that we decode to the same instant.
        for (Tpv tpv : tpvs) {
            boolean found = ours.stream().anyMatch(r -> r.line() <= tpv.line() && r.dateKnown()
                    && r.epochMillis() == tpv.epochMillis());
            assertTrue(found, () -> file + ": no decoded line gives gpsd's " + Instant.ofEpochMilli(tpv.epochMillis())
                    + " (TPV after line " + tpv.line() + ")");
        }

        // 3. No valid time gpsd did not have, unless gpsd reported nothing for that cycle.
        Set<Long> gpsdTimes = tpvs.stream().map(Tpv::epochMillis).collect(Collectors.toSet());
        for (int i = 0; i < ours.size(); i++) {
            LineResult r = ours.get(i);
            if (!r.valid() || gpsdTimes.contains(r.epochMillis())) {
                continue;
            }
            // The cycle: from this line up to the next line with another time of day.
            int cycleEnd = Integer.MAX_VALUE;
            for (int j = i + 1; j < ours.size(); j++) {
                LineResult n = ours.get(j);
                if (n.timeOfDayKnown() && n.timeOfDayMillis() != r.timeOfDayMillis()) {
                    cycleEnd = n.line();
                    break;
                }
            }
            int from = r.line();
            int to = cycleEnd;
            List<Tpv> reported = tpvs.stream().filter(t -> t.line() >= from && t.line() < to).toList();
            assertTrue(reported.isEmpty(), () -> file + ": valid " + describe(r) + " but gpsd reported "
                    + reported.stream().map(t -> Instant.ofEpochMilli(t.epochMillis())).toList());
            long nearest = gpsdTimes.stream().mapToLong(t -> Math.abs(t - r.epochMillis())).min().orElse(Long.MAX_VALUE);
            assertTrue(nearest <= UNREPORTED_SLACK_MILLIS,
                    () -> file + ": valid " + describe(r) + " is " + nearest + " ms from any gpsd time");
        }

        // 4. gpsd times we never accept: exactly the README's gpsd-is-wrong cases, flagged, not lost.
        Set<Long> ourValid = ours.stream().filter(LineResult::valid).map(LineResult::epochMillis)
                .collect(Collectors.toSet());
        Set<Long> flagged = new TreeSet<>();
        for (long t : gpsdTimes) {
            if (ourValid.contains(t)) {
                continue;
            }
            flagged.add(t);
            for (LineResult r : ours) {
                if (r.dateKnown() && r.epochMillis() == t) {
                    assertTrue(Set.of(Reason.RECEIVER_FLAGGED_INVALID, Reason.BEFORE_FLOOR, Reason.WEEK_ROLLOVER)
                            .contains(r.reason()), () -> file + ": unexpected reason " + describe(r));
                }
            }
        }
        assertEquals(GPSD_TIMES_WE_FLAG.getOrDefault(file, 0), flagged.size(), () -> file
                + ": gpsd times we flag: " + flagged.stream().map(Instant::ofEpochMilli).toList());

        // 5. Whatever gpsd thinks, a receiver-flagged or pre-2000 time is never valid.
        for (LineResult r : ours) {
            if (r.valid()) {
                assertTrue(r.epochMillis() >= DecodeNmea.NOT_BEFORE_DEFAULT_EPOCH_MILLIS, () -> describe(r));
                String[] f = r.text().substring(r.text().lastIndexOf('$')).split("[,*]", -1);
                switch (r.kind()) {
                    case RMC -> assertTrue(f[2].equals("A") || f[2].equals("D"), () -> describe(r));
                    case GGA -> assertFalse(f[6].equals("0") || f[6].isEmpty(), () -> describe(r));
                    case GLL -> assertEquals("A", f[6], () -> describe(r));
                    case GNS -> assertFalse(f[6].matches("N*"), () -> describe(r));
                    default -> { }
                }
            }
        }

        // 6. decode-nmea prints exactly the dated results, with these line numbers.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = DecodeNmea.decode(new ByteArrayInputStream(GpsdCaptures.read(log)), file,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                DecodeNmea.NOT_BEFORE_DEFAULT_EPOCH_MILLIS);
        assertEquals(DecodeNmea.EXIT_OK, exit);
        String expected = ours.stream().filter(r -> r.accepted() && r.dateKnown())
                .map(GpsdCaptureTest::json).collect(Collectors.joining());
        assertEquals(expected, out.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("lines " + logLines.size() + ","), err::toString);
    }

    static String json(LineResult r) {
        return "{\"line\": " + r.line() + ", \"sentence\": \"" + r.name() + "\", \"time\": \""
                + RFC3339_MILLIS.format(Instant.ofEpochMilli(r.epochMillis()))
                + "\", \"valid\": " + r.valid() + (r.valid() ? "" : ", \"reason\": \"" + r.reason() + "\"")
                + "}" + System.lineSeparator();
    }

    static String describe(LineResult r) {
        return "line " + r.line() + " " + r.name() + " " + (r.dateKnown() ? Instant.ofEpochMilli(r.epochMillis()) : "-")
                + " " + r.reason() + " [" + r.text() + "]";
    }

    // ------------------------------------------------------------------ quirks, one by one

    static Map<Integer, LineResult> byLine(String file) {
        Path log = GpsdCaptures.dir().resolve(file);
        Map<Integer, LineResult> m = new HashMap<>();
        for (LineResult r : decode(GpsdCaptures.splitLines(GpsdCaptures.read(log)))) {
            m.put(r.line(), r);
        }
        return m;
    }

    static List<LineResult> results(String file) {
        return byLine(file).values().stream().sorted((a, b) -> a.line() - b.line()).toList();
    }

    static long at(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    void gpsmap76sNeverHasAValidTime() {
        List<LineResult> rs = results("GPSmap-76S.log");
        assertTrue(rs.stream().noneMatch(LineResult::valid));
        assertTrue(rs.stream().anyMatch(r -> r.dateKnown() && r.reason() == Reason.RECEIVER_FLAGGED_INVALID));
    }

    @Test
    void neoM8nDecodesTheReceiversDateNotGpsdsShiftedOne() {
        List<LineResult> valid = results("neo-m8n.log").stream().filter(LineResult::valid).toList();
        assertFalse(valid.isEmpty());
        for (LineResult r : valid) {
            assertTrue(r.epochMillis() >= at("2015-03-18T00:00:00Z") && r.epochMillis() < at("2015-03-19T00:00:00Z"),
                    () -> describe(r));
        }
    }

    @Test
    void meinbergStaleRepeatsAreNotNewTimes() {
        // During 20 V RMCs gpsd repeats 22:10:14; we flag each V RMC with its own time.
        List<LineResult> v = results("meinberg-gps164.log").stream()
                .filter(r -> r.kind() == Kind.RMC && r.text().contains(",V,")).toList();
        assertEquals(20, v.size());
        for (LineResult r : v) {
            assertEquals(Reason.RECEIVER_FLAGGED_INVALID, r.reason(), () -> describe(r));
            assertTrue(r.epochMillis() > at("2023-12-18T22:10:14Z"));
        }
    }

    @Test
    void mtk3301DefaultDatesAreFlagged() {
        for (LineResult r : results("mtk-3301.log")) {
            if (r.dateKnown() && r.epochMillis() < at("2008-01-01T00:00:00Z")) {
                assertFalse(r.valid(), () -> describe(r));
            }
        }
        assertTrue(results("mtk-3301.log").stream().anyMatch(r -> r.valid()
                && r.epochMillis() == at("2008-08-23T08:14:37Z")));
    }

    @Test
    void april6RolloverDateIsFlaggedAndBadDateIsMalformed() {
        Map<Integer, LineResult> m = byLine("april6_2019.log");
        assertEquals(Reason.NO_TIME, m.get(14).reason());                 // $GPRMC,,V,...
        assertEquals(Reason.MALFORMED, m.get(15).reason());               // date 2208-1
        assertEquals(Reason.BEFORE_FLOOR, m.get(16).reason());            // 220899
        assertEquals(at("1999-08-22T00:02:31.420Z"), m.get(16).epochMillis());
    }

    @Test
    void gp320fwNothingValidAfterTheReboot() {
        List<LineResult> rs = results("gp-320fw-2019-04-07-coldboot.log");
        int reboot = rs.stream().filter(r -> r.text().startsWith("$PLCS")).findFirst().orElseThrow().line();
        assertTrue(rs.stream().anyMatch(r -> r.valid() && r.line() < reboot));
        assertTrue(rs.stream().noneMatch(r -> r.valid() && r.line() > reboot));
        assertTrue(rs.stream().anyMatch(r -> r.reason() == Reason.BEFORE_FLOOR && r.kind() == Kind.ZDA));
    }

    @Test
    void ac12ZdaAndRmcDisagreeByTwoSecondsAndBothAreReported() {
        List<LineResult> rs = results("ac12.log");
        LineResult rmc = rs.stream().filter(r -> r.valid() && r.kind() == Kind.RMC).findFirst().orElseThrow();
        LineResult zda = rs.stream().filter(r -> r.valid() && r.kind() == Kind.ZDA && r.line() > rmc.line())
                .findFirst().orElseThrow();
        assertEquals(2_000, zda.epochMillis() - rmc.epochMillis());
    }

    @Test
    void firefly2BadGgaChecksumsAreCounted() {
        byte[] data = GpsdCaptures.read(GpsdCaptures.dir().resolve("firefly-II.log"));
        NmeaParser p = new NmeaParser(DecodeNmea.NOT_BEFORE_DEFAULT_EPOCH_MILLIS);
        NmeaTime t = new NmeaTime();
        for (byte[] l : GpsdCaptures.splitLines(data)) {
            p.parse(l, 0, l.length, t);
        }
        assertEquals(23, p.checksumErrors());
        assertEquals(0, p.malformed());
    }

    @Test
    void humminbirdZdaWithMinusFiveZoneIsUtc() {
        assertTrue(results("humminbird-M37.log").stream().anyMatch(r -> r.kind() == Kind.ZDA && r.valid()
                && r.epochMillis() == at("2006-09-16T19:41:04Z")));
    }
}
