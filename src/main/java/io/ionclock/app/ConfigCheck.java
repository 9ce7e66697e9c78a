package io.ionclock.app;

import io.ionclock.adapter.serial.SerialPortConfig;
import io.ionclock.core.DisciplineConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks configuration ranges at start. A bad value stops the service with a message naming the key.
 */
public final class ConfigCheck {
    static final Set<String> REFERENCES = Set.of("sim", "gnss", "none");
    /** The longest interval, maximum or holdover that makes sense for a clock: a year. */
    static final Duration DURATION_MAX = Duration.ofDays(366);

    private ConfigCheck() {
    }

    /** The discipline's limits from the configuration, or an exception naming every bad key. */
    public static DisciplineConfig disciplineConfig(IonclockConfig c) {
        List<String> errors = new ArrayList<>();
        port(errors, "ionclock.mqtt.port", c.mqtt().port());
        port(errors, "ionclock.sync.port", c.sync().port());
        positive(errors, "ionclock.ready-bound", c.readyBound());
        positive(errors, "ionclock.bound-max", c.boundMax());
        positive(errors, "ionclock.holdover-after", c.holdoverAfter());
        positive(errors, "ionclock.drift-save-interval", c.driftSaveInterval());
        positive(errors, "ionclock.sim.interval", c.sim().interval());
        range(errors, "ionclock.max-drift-ppb", c.maxDriftPpb(), 1, 100_000_000);
        range(errors, "ionclock.slew-rate-ppb", c.slewRatePpb(), 1, 50_000_000);
        range(errors, "ionclock.frequency-tolerance-ppb", c.frequencyTolerancePpb(), 1, 50_000_000);
        range(errors, "ionclock.sim.oscillator-ppb", c.sim().oscillatorPpb(), -10_000_000, 10_000_000);
        range(errors, "ionclock.sim.noise-nanos", c.sim().noiseNanos(), 0, 1_000_000_000);
        if (!SerialPortConfig.isBaudSupported(c.gnss().baud())) {
            errors.add("ionclock.gnss.baud: " + c.gnss().baud() + " is not a supported line speed (4800..921600)");
        }
        if (!REFERENCES.contains(c.reference())) {
            errors.add("ionclock.reference: '" + c.reference() + "' is not one of " + REFERENCES);
        }
        if ("gnss".equals(c.reference()) && c.gnss().device().isEmpty()) {
            errors.add("ionclock.gnss.device: required when ionclock.reference is gnss");
        }
        c.gnss().device().ifPresent(d -> {
            if (d.isBlank()) {
                errors.add("ionclock.gnss.device: must not be empty");
            }
        });
        if (c.pps().device().isPresent() && c.pps().gpioLine().isPresent()) {
            errors.add("ionclock.pps.device and ionclock.pps.gpio-line: set one, not both");
        }
        c.pps().gpioLine().ifPresent(line -> range(errors, "ionclock.pps.gpio-line", line, 0, 1023));
        if (!c.pps().gpioChip().matches("gpiochip[0-9]{1,3}")) {
            errors.add("ionclock.pps.gpio-chip: '" + c.pps().gpioChip() + "' is not gpiochipN");
        }
        if (c.dataDir().isBlank()) {
            errors.add("ionclock.data-dir: must not be empty");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration: " + String.join("; ", errors));
        }
        return new DisciplineConfig(c.slewRatePpb(), c.maxDriftPpb(), c.frequencyTolerancePpb(),
                c.holdoverAfter().toNanos(), c.boundMax().toNanos());
    }

    private static void port(List<String> errors, String key, int port) {
        range(errors, key, port, 1, 65_535);
    }

    private static void range(List<String> errors, String key, long value, long min, long max) {
        if (value < min || value > max) {
            errors.add(key + ": " + value + " is outside [" + min + ", " + max + "]");
        }
    }

    private static void positive(List<String> errors, String key, Duration d) {
        if (d.isNegative() || d.isZero() || d.compareTo(DURATION_MAX) > 0) {
            errors.add(key + ": " + d + " must be > 0 and at most " + DURATION_MAX.toDays() + " days");
        }
    }
}
