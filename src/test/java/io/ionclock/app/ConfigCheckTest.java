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
                config(Map.of("ionclock.mqtt.port", "0", "ionclock.sync.port", "70000", "ionclock.ready-bound", "0s",
                        "ionclock.max-drift-ppb", "1000000000", "ionclock.reference", "gps"))));
        for (String key : new String[] {"ionclock.mqtt.port", "ionclock.sync.port", "ionclock.ready-bound",
                "ionclock.max-drift-ppb", "ionclock.reference"}) {
            assertTrue(e.getMessage().contains(key), key + " not named in: " + e.getMessage());
        }
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
