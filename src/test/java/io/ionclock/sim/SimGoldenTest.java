package io.ionclock.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Holds the simulator to its recorded outputs ({@link SimGolden}): every shipped scenario at three seeds, every output
 * key and a digest of every datagram sent. A refactor must pass it unchanged. When a change is meant to move the
 * figures, re-record in the same commit and say why in its message:
 * {@code ./mvnw test -Dtest=SimGoldenTest -Dionclock.golden.record=true} (and again with {@code -Dionclock.golden=full}).
 */
class SimGoldenTest {
    static Stream<Arguments> cases() {
        return SimGolden.cases().stream().map(c -> Arguments.of(c[0], c[1]));
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("cases")
    void theSimulatorReproducesItsRecordedOutput(String name, long seed) {
        String mode = SimGolden.mode();
        Map<String, Object> result = SimGolden.run(name, seed, mode);
        if (SimGolden.recording()) {
            SimGolden.record(name, seed, mode, result);
            return;
        }
        List<String> d = SimGolden.differences(name, seed, mode, result);
        assertTrue(d.isEmpty(), name + " seed " + seed + " (" + mode + ") differs from "
                + SimGolden.file(name, seed, mode) + ":\n  " + String.join("\n  ", d)
                + "\nIf this change is meant to move the simulator's output, re-record in the same commit and say why:"
                + " ./mvnw test -Dtest=SimGoldenTest -Dionclock.golden.record=true (and with -Dionclock.golden=full)");
    }
}
