package io.ionclock.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.DisciplineConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigCheckTest {
    static IonclockConfig config(Map<String, String> values) {
        SmallRyeConfig c = new SmallRyeConfigBuilder().withMapping(IonclockConfig.class).withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(values, "test", 500)).build();
        return c.getConfigMapping(IonclockConfig.class);
    }

    @Test
    void defaultsAreValid() {
        DisciplineConfig d = ConfigCheck.disciplineConfig(config(Map.of()));
        assertEquals(500_000, d.slewRatePpbMax());
        assertEquals(15_000, d.maxDriftPpb());
        assertEquals(1_000_000_000L, d.boundNanosMax());
    }

    @Test
    void everyBadValueIsNamedByItsKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigCheck.disciplineConfig(
                config(Map.of("ionclock.mqtt.port", "-1", "ionclock.sync.port", "70000", "ionclock.ready-bound", "0s",
                        "ionclock.max-drift-ppb", "1000000000", "ionclock.reference", "gps"))));
        for (String key : new String[] {"ionclock.mqtt.port", "ionclock.sync.port", "ionclock.ready-bound",
                "ionclock.max-drift-ppb", "ionclock.reference"}) {
            assertTrue(e.getMessage().contains(key), key + " not named in: " + e.getMessage());
        }
    }

    @Test
    void everyBadMqttValueIsNamedByItsKey() {
        java.util.Map<String, String> bad = new java.util.HashMap<>();
        bad.put("ionclock.mqtt.mode", "bridge");
        bad.put("ionclock.mqtt.port", "65536");
        bad.put("ionclock.mqtt.broker", "http://broker:1883");
        bad.put("ionclock.mqtt.gateway-id", "a/b");
        bad.put("ionclock.mqtt.clients-max", "0");
        bad.put("ionclock.mqtt.subscriptions-per-client-max", "0");
        bad.put("ionclock.mqtt.inflight-per-client-max", "0");
        bad.put("ionclock.mqtt.payload-bytes-max", "10");
        bad.put("ionclock.mqtt.requests-per-second-max", "0");
        bad.put("ionclock.mqtt.request-burst-max", "0");
        bad.put("ionclock.mqtt.requests-per-second-total-max", "0");
        bad.put("ionclock.mqtt.session-expiry-max", "0s");
        bad.put("ionclock.mqtt.connack-timeout", "0s");
        bad.put("ionclock.mqtt.keep-alive", "0s");
        bad.put("ionclock.mqtt.username", "u");
        bad.put("ionclock.mqtt.tls.cert", "/x.pem");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigCheck.disciplineConfig(config(bad)));
        for (String key : bad.keySet()) {
            assertTrue(e.getMessage().contains(key), key + " not named in: " + e.getMessage());
        }
        IllegalArgumentException external = assertThrows(IllegalArgumentException.class,
                () -> ConfigCheck.disciplineConfig(config(Map.of("ionclock.mqtt.mode", "external"))));
        assertTrue(external.getMessage().contains("ionclock.mqtt.broker"), external.getMessage());
        ConfigCheck.disciplineConfig(config(Map.of("ionclock.mqtt.mode", "external", "ionclock.mqtt.broker",
                "ssl://broker.site:8883", "ionclock.mqtt.port", "0")));
        assertEquals(10_000, ConfigCheck.mqttLimits(config(Map.of()).mqtt()).clientsMax());
    }

    @Test
    void aValueOfTheWrongTypeIsNamedByItsKey() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> config(Map.of("ionclock.sync.port", "abc")));
        assertTrue(e.getMessage().contains("ionclock.sync.port"), e.getMessage());
    }

    @Test
    void unknownOrMalformedProfilesAreRefusedByName() {
        var factory = new DeviceProfileConfigSourceFactory();
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.of("ionclock.profile", "no-such-board"), "t", 500))
                .withSources(factory).build());
        assertTrue(unknown.getMessage().contains("ionclock.profile"), unknown.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.of("ionclock.profile", "../etc/passwd"), "t", 500))
                .withSources(factory).build());
        assertTrue(bad.getMessage().contains("ionclock.profile"), bad.getMessage());
    }

    @Test
    void theSimProfileSetsTheReferenceAndExplicitSettingsWin() {
        SmallRyeConfig c = new SmallRyeConfigBuilder().withMapping(IonclockConfig.class).withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(Map.of("ionclock.sim.seed", "99"), "explicit", 300))
                .withSources(new DeviceProfileConfigSourceFactory()).build();
        IonclockConfig config = c.getConfigMapping(IonclockConfig.class);
        assertEquals("sim", config.reference());
        assertEquals(25_000, config.sim().oscillatorPpb());
        assertEquals(99, config.sim().seed());
    }
}
