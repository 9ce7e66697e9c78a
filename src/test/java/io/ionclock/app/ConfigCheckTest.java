package io.ionclock.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.DisciplineConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.List;
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

    /** Each bad sync value alone, with what else it needs, and the key its message must name. */
    static final String[][] BAD_SYNC = {
        {"ionclock.sync.role", "ionclock.sync.role=leader"},
        {"ionclock.sync.role", "ionclock.sync.role=master", "ionclock.reference=none"},
        {"ionclock.sync.port", "ionclock.sync.port=-1"},
        {"ionclock.sync.host", "ionclock.sync.host= "},
        {"ionclock.sync.peers", "ionclock.sync.role=gateway"},
        {"ionclock.sync.peers", "ionclock.sync.peers=masterhost"},
        {"ionclock.sync.peers", "ionclock.sync.peers=m1:7372,,m2:7372"},
        {"ionclock.sync.peers", "ionclock.sync.peers=m1:70000"},
        {"ionclock.sync.peers", "ionclock.sync.peers=::1:7372"},
        {"ionclock.sync.peers", "ionclock.sync.peers=m1:7372,M1:7372"},
        {"ionclock.sync.peers", "ionclock.sync.role=gateway", "ionclock.sync.peers=" + manyPeers(17)},
        {"ionclock.sync.peers", "ionclock.sync.role=master", "ionclock.reference=sim", "ionclock.sync.peers=" + manyPeers(28)},
        {"ionclock.sync.key-file", "ionclock.sync.key-file= "},
        {"ionclock.sync.send-key-id", "ionclock.sync.send-key-id=0"},
        {"ionclock.sync.node-id", "ionclock.sync.node-id=" + "n".repeat(32)},
        {"ionclock.sync.round", "ionclock.sync.round=5ms"},
        {"ionclock.sync.round", "ionclock.sync.round=400d"},
        {"ionclock.sync.poll", "ionclock.sync.poll=50ms"},
        {"ionclock.sync.timestamp-error-nanos", "ionclock.sync.timestamp-error-nanos=-1"},
        {"ionclock.sync.clients-max", "ionclock.sync.clients-max=5000"},
        {"ionclock.sync.filter-window", "ionclock.sync.filter-window=500ms"},
    };

    static String manyPeers(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("m").append(i).append(":7372");
        }
        return b.toString();
    }

    @Test
    void everyBadSyncValueIsNamedByItsKey() {
        java.util.Map<String, String> all = new java.util.HashMap<>();
        for (String[] c : BAD_SYNC) {
            java.util.Map<String, String> values = new java.util.HashMap<>();
            for (int i = 1; i < c.length; i++) {
                String[] kv = c[i].split("=", 2);
                values.put(kv[0], kv[1]);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ConfigCheck.disciplineConfig(config(values)), String.join(" ", c));
            assertTrue(e.getMessage().contains(c[0] + ":"), c[0] + " not named for " + values + ": " + e.getMessage());
            if (!c[0].equals("ionclock.sync.role") && !c[0].equals("ionclock.sync.peers")) {
                all.putAll(values);
            }
        }
        // All at once: every key is named, not only the first.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigCheck.disciplineConfig(config(all)));
        for (String key : all.keySet()) {
            assertTrue(e.getMessage().contains(key + ":"), key + " not named in: " + e.getMessage());
        }
    }

    @Test
    void goodSyncSettingsPass() {
        ConfigCheck.disciplineConfig(config(Map.of("ionclock.sync.role", "gateway", "ionclock.sync.peers",
                " m1.site:7372, 10.0.0.2:7400 ,[fd00::1]:7372", "ionclock.reference", "none", "ionclock.sync.port", "0")));
        ConfigCheck.disciplineConfig(config(Map.of("ionclock.sync.role", "master", "ionclock.reference", "sim",
                "ionclock.sync.send-key-id", "4294967295", "ionclock.sync.node-id", "m".repeat(31))));
        assertEquals(java.util.List.of(new SyncSettings.HostPort("fd00::1", 7372, "[fd00::1]:7372")),
                SyncSettings.parsePeers("[fd00::1]:7372"));
        assertEquals(java.util.List.of(), SyncSettings.parsePeers(""));
        assertTrue(SyncSettings.nodeId(config(Map.of())).length() <= 31);
        assertEquals("ionclock.sync.round", SyncSettings.keyOf("roundPeriodNanos must be 10000000..: 5"));
    }

    @Test
    void aMissingOrMalformedKeyFileIsNamedByItsKeyWithoutTheKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path missing = dir.resolve("none.keys");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SyncSettings.readKeys(missing, java.util.OptionalLong.empty()));
        assertTrue(e.getMessage().startsWith("ionclock.sync.key-file: " + missing), e.getMessage());
        String secret = "C0FFEE".repeat(8);
        java.nio.file.Path bad = dir.resolve("bad.keys");
        for (String text : new String[] {"1 SHA1 HEX:" + secret, "1 SHA256 HEX:" + secret + "Z", "1 HEX:" + secret,
                "1 C0FFEEC0FFEEC0FF SHA256", "1 SHA256 HEX:C0FFEE"}) {
            java.nio.file.Files.writeString(bad, text);
            e = assertThrows(IllegalArgumentException.class, () -> SyncSettings.readKeys(bad, java.util.OptionalLong.empty()));
            assertTrue(e.getMessage().startsWith("ionclock.sync.key-file: " + bad + ": keyfile line 1"), e.getMessage());
            assertTrue(!e.getMessage().toUpperCase().contains("C0FFEE"), "the key in: " + e.getMessage());
        }
        java.nio.file.Files.writeString(bad, "1 SHA256 HEX:" + secret);
        assertEquals(1, SyncSettings.readKeys(bad, java.util.OptionalLong.empty()).sendKeyId());
        e = assertThrows(IllegalArgumentException.class, () -> SyncSettings.readKeys(bad, java.util.OptionalLong.of(2)));
        assertTrue(e.getMessage().startsWith("ionclock.sync.send-key-id: "), e.getMessage());
        java.nio.file.Files.write(bad, new byte[SyncSettings.KEY_FILE_BYTES_MAX + 1]);
        e = assertThrows(IllegalArgumentException.class, () -> SyncSettings.readKeys(bad, java.util.OptionalLong.empty()));
        assertTrue(e.getMessage().contains("larger than"), e.getMessage());
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

    /** Every board states its oscillator: the bound's assumption is the board's, not a cloud host's default. */
    @Test
    void everyDeviceProfileStatesItsOscillator() throws Exception {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("device-profiles"))) {
            List<java.nio.file.Path> profiles = files.filter(f -> f.toString().endsWith(".properties")).toList();
            assertTrue(profiles.size() >= 4, profiles.toString());
            for (java.nio.file.Path f : profiles) {
                java.util.Properties p = new java.util.Properties();
                try (var in = java.nio.file.Files.newBufferedReader(f)) {
                    p.load(in);
                }
                long drift = Long.parseLong(p.getProperty("ionclock.max-drift-ppb", "-1"));
                long tolerance = Long.parseLong(p.getProperty("ionclock.frequency-tolerance-ppb", "-1"));
                assertTrue(drift > 0 && tolerance > drift, f + ": max-drift-ppb " + drift + ", tolerance " + tolerance);
                assertTrue(java.nio.file.Files.readString(f).contains("oscillator"), f + " names where its figures come from");
            }
        }
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
        assertEquals(200, config.maxDriftPpb(), "the profile states its oscillator");
        assertEquals(100_000, config.frequencyTolerancePpb());
        assertEquals(0.2, config.sim().wanderPpbPerSqrtSecond());
    }
}
