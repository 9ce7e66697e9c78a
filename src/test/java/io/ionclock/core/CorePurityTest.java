package io.ionclock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** core/ imports only the JDK and never reads a clock: time is passed in. */
class CorePurityTest {
    static final Path CORE = Path.of("src/main/java/io/ionclock/core");
    static final Pattern FRAMEWORK_IMPORT = Pattern.compile(
            "^import\\s+(static\\s+)?(io\\.quarkus|io\\.vertx|com\\.pi4j|com\\.sun\\.jna|jakarta\\.|io\\.micrometer|io\\.smallrye|io\\.netty|org\\.eclipse)",
            Pattern.MULTILINE);
    static final Pattern CLOCK_READ = Pattern.compile(
            "System\\.(nanoTime|currentTimeMillis)\\(|Instant\\.now\\(|Clock\\.system|LocalDateTime\\.now\\(");

    @Test
    void coreIsFrameworkFreeAndReadsNoClock() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(CORE)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(files.size() > 5, "found the core sources");
        List<String> offenders = files.stream().filter(p -> {
            try {
                String text = Files.readString(p);
                return FRAMEWORK_IMPORT.matcher(text).find() || CLOCK_READ.matcher(text).find();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).map(Path::toString).toList();
        assertEquals(List.of(), offenders);
    }

    @Test
    void theCheckCanFail() {
        assertTrue(FRAMEWORK_IMPORT.matcher("import io.vertx.core.Vertx;").find());
        assertTrue(CLOCK_READ.matcher("long t = System.nanoTime();").find());
    }
}
