package io.ionclock.core.nmea;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads the gpsd regression captures kept with the tests in {@code src/test/resources/gpsd/} (copies of
 * gpsd's {@code test/daemon/*.log} and {@code *.log.chk}, BSD-2-Clause: see the README and
 * {@code LICENSE-gpsd.txt} there).
 */
public final class GpsdCaptures {

    /** The captures' folder on the test classpath. */
    static final String RESOURCE_DIR = "/gpsd/";
    /** A file that is always in the folder, used to find it. */
    static final String LICENSE_FILE = "LICENSE-gpsd.txt";

    private GpsdCaptures() {
    }

    /** The capture directory (test resources are a directory under Maven: target/test-classes/gpsd). */
    public static Path dir() {
        URL license = GpsdCaptures.class.getResource(RESOURCE_DIR + LICENSE_FILE);
        if (license == null) {
            throw new IllegalStateException("gpsd captures missing from the test classpath: no "
                    + RESOURCE_DIR + LICENSE_FILE + " (src/test/resources" + RESOURCE_DIR + ")");
        }
        try {
            return Path.of(license.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
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
