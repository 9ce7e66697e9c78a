package io.ionclock.core.nmea;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Finds and reads the gpsd regression captures in {@code ../shared/testdata/nmea/gpsd/}. */
final class GpsdCaptures {

    /** Where the captures live, relative to the project root or one of its parents. */
    static final String RELATIVE_DIR = "shared/testdata/nmea/gpsd";
    /** System property that overrides the directory. */
    static final String DIR_PROPERTY = "ionclock.testdata.gpsd";

    private GpsdCaptures() {
    }

    /**
     * The capture directory: {@code -Dionclock.testdata.gpsd}, else {@code shared/testdata/nmea/gpsd}
     * under {@code user.dir} or its nearest parent that has one (the project root is
     * {@code /work/wt-nmea}, the captures {@code /work/shared/...}).
     */
    static Path dir() {
        String override = System.getProperty(DIR_PROPERTY);
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            Path candidate = p.resolve(RELATIVE_DIR);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("gpsd captures not found: no " + RELATIVE_DIR + " above " + start
                + " (set -D" + DIR_PROPERTY + ")");
    }

    /** Every {@code *.log} in the directory, sorted by name. */
    static List<Path> logs() {
        try (Stream<Path> files = Files.list(dir())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Splits bytes into lines as decode-nmea numbers them: a line ends at LF, at a run of CRs
     * followed by LF, or at a run of CRs not followed by LF; terminators are not included; a final
     * line without terminator counts, an empty tail does not.
     */
    static List<byte[]> splitLines(byte[] data) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < data.length) {
            byte b = data[i];
            if (b == '\n') {
                lines.add(java.util.Arrays.copyOfRange(data, start, i));
                start = ++i;
            } else if (b == '\r') {
                int lineEnd = i;
                while (i < data.length && data[i] == '\r') {
                    i++;
                }
                if (i < data.length && data[i] == '\n') {
                    i++;
                }
                lines.add(java.util.Arrays.copyOfRange(data, start, lineEnd));
                start = i;
            } else {
                i++;
            }
        }
        if (start < data.length) {
            lines.add(java.util.Arrays.copyOfRange(data, start, data.length));
        }
        return lines;
    }

    static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
