package io.ionclock.app;

import io.ionclock.adapter.serial.SerialPortConfig;
import io.ionclock.adapter.mqtt.ExternalBrokerOptions;
import io.ionclock.core.DisciplineConfig;
import io.ionclock.core.mqtt.GatewayTopics;
import io.ionclock.core.mqtt.MqttLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks configuration ranges at start. A bad value stops the service with a message naming the key.
 */
public final class ConfigCheck {
    static final Set<String> REFERENCES = Set.of("sim", "gnss", "none");
    static final Set<String> MQTT_MODES = Set.of("embedded", "external", "off");
    /** The longest interval, maximum or holdover that makes sense for a clock: a year. */
    static final Duration DURATION_MAX = Duration.ofDays(366);

    private ConfigCheck() {
    }

    /** The discipline's limits from the configuration, or an exception naming every bad key. */
    public static DisciplineConfig disciplineConfig(IonclockConfig c) {
        List<String> errors = new ArrayList<>();
        mqtt(errors, c.mqtt());
        SyncSettings.check(c, errors);
        errors.addAll(NtpSettings.check(c));
        NtpServerSettings.check(c.ntp(), errors);
        HostClockSettings.check(c, errors);
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
        if (!(c.sim().wanderPpbPerSqrtSecond() >= 0 && c.sim().wanderPpbPerSqrtSecond() <= 1_000_000)) {
            errors.add("ionclock.sim.wander-ppb-per-sqrt-second: " + c.sim().wanderPpbPerSqrtSecond() + " is not in 0..1000000");
        }
        range(errors, "ionclock.sim.temperature-ppb", c.sim().temperaturePpb(), 0, 10_000_000);
        positive(errors, "ionclock.sim.temperature-period", c.sim().temperaturePeriod());
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

    /** The embedded server's limits (valid after {@link #disciplineConfig} passed). */
    public static MqttLimits mqttLimits(IonclockConfig.Mqtt m) {
        return new MqttLimits(m.clientsMax(), m.subscriptionsPerClientMax(), m.inflightPerClientMax(),
                m.payloadBytesMax(), m.requestsPerSecondMax(), m.requestBurstMax(), m.requestsPerSecondTotalMax(),
                m.sessionExpiryMax().toNanos());
    }

    private static void mqtt(List<String> errors, IonclockConfig.Mqtt m) {
        if (!MQTT_MODES.contains(m.mode())) {
            errors.add("ionclock.mqtt.mode: '" + m.mode() + "' is not one of " + MQTT_MODES);
        }
        range(errors, "ionclock.mqtt.port", m.port(), 0, 65_535);
        if (m.host().isBlank()) {
            errors.add("ionclock.mqtt.host: must not be empty");
        }
        MqttLimits.problems(m.clientsMax(), m.subscriptionsPerClientMax(), m.inflightPerClientMax(), m.payloadBytesMax(),
                m.requestsPerSecondMax(), m.requestBurstMax(), m.requestsPerSecondTotalMax(), 0)
                .forEach(problem -> errors.add("ionclock.mqtt." + problem));
        positive(errors, "ionclock.mqtt.session-expiry-max", m.sessionExpiryMax());
        positive(errors, "ionclock.mqtt.connack-timeout", m.connackTimeout());
        positive(errors, "ionclock.mqtt.reconnect-backoff-min", m.reconnectBackoffMin());
        positive(errors, "ionclock.mqtt.reconnect-backoff-max", m.reconnectBackoffMax());
        positive(errors, "ionclock.mqtt.keep-alive", m.keepAlive());
        if (m.reconnectBackoffMin().compareTo(m.reconnectBackoffMax()) > 0) {
            errors.add("ionclock.mqtt.reconnect-backoff-min: must not exceed ionclock.mqtt.reconnect-backoff-max");
        }
        m.gatewayId().ifPresent(id -> {
            if (!GatewayTopics.isValidGatewayId(id)) {
                errors.add("ionclock.mqtt.gateway-id: '" + id + "' is not 1.." + GatewayTopics.GATEWAY_ID_CHARS_MAX
                        + " chars of [A-Za-z0-9._-]");
            }
        });
        if ("external".equals(m.mode())) {
            if (m.broker().isEmpty()) {
                errors.add("ionclock.mqtt.broker: required when ionclock.mqtt.mode is external");
            }
        }
        m.broker().ifPresent(b -> {
            try {
                ExternalBrokerOptions.parse(b);
            } catch (IllegalArgumentException e) {
                errors.add("ionclock.mqtt.broker: " + e.getMessage());
            }
        });
        if (m.username().isPresent() != m.password().isPresent()) {
            errors.add("ionclock.mqtt.username and ionclock.mqtt.password: set both or neither");
        }
        if (m.tls().cert().isPresent() != m.tls().key().isPresent()) {
            errors.add("ionclock.mqtt.tls.cert and ionclock.mqtt.tls.key: set both or neither");
        }
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
