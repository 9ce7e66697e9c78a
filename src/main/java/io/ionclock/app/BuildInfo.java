package io.ionclock.app;

import java.io.IOException;
import java.io.InputStream;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Properties;

/** Facts fixed at build time. */
public final class BuildInfo {
    static final String RESOURCE = "ionclock-build.properties";
    /** Used only if the build date is missing (a build outside Maven): the project's first release year. */
    static final LocalDate FALLBACK_BUILD_DATE = LocalDate.of(2026, 1, 1);
    private static final LocalDate BUILD_DATE = readBuildDate();

    private BuildInfo() {
    }

    public static LocalDate buildDate() {
        return BUILD_DATE;
    }

    /** NMEA dates before this are receiver defaults (1980, a 1024-week rollover), not valid time. */
    public static long notBeforeEpochMillis() {
        return BUILD_DATE.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    private static LocalDate readBuildDate() {
        try (InputStream in = BuildInfo.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return FALLBACK_BUILD_DATE;
            }
            Properties p = new Properties();
            p.load(in);
            String stamp = p.getProperty("build.date", "").trim(); // yyyy-MM-dd, or an ISO timestamp
            return LocalDate.parse(stamp.length() > 10 ? stamp.substring(0, 10) : stamp);
        } catch (IOException | RuntimeException e) {
            return FALLBACK_BUILD_DATE;
        }
    }
}
