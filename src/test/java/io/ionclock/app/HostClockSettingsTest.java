package io.ionclock.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostClockSettingsTest {
    @TempDir
    Path proc;

    void process(String pid, String comm) throws Exception {
        Files.createDirectories(proc.resolve(pid));
        Files.writeString(proc.resolve(pid).resolve("comm"), comm + "\n");
    }

    @Test
    void chronydIsFoundByItsCommName() throws Exception {
        process("1", "systemd");
        process("77", "chronyc");
        Files.createDirectories(proc.resolve("sys"));
        assertFalse(HostClockSettings.chronydRunning(proc));
        process("812", "chronyd");
        assertTrue(HostClockSettings.chronydRunning(proc));
        assertFalse(HostClockSettings.chronydRunning(proc.resolve("missing")), "no /proc: none");
    }

    @Test
    void theDefaultFollowsChronydAndSaysWhy() {
        HostClockSettings.Mode m = HostClockSettings.resolve(Optional.empty(), () -> true);
        assertEquals("chrony-sock", m.mode());
        assertTrue(m.reason().contains("chronyd process is running"), m.reason());
        assertEquals("none", HostClockSettings.resolve(Optional.empty(), () -> false).mode());
        assertEquals("none", HostClockSettings.resolve(Optional.of("none"), () -> true).mode());
        assertEquals("chrony-sock", HostClockSettings.resolve(Optional.of("chrony-sock"), () -> false).mode());
    }

    @Test
    void badValuesAreNamed() {
        IonclockConfig defaults = ConfigCheckTest.config(Map.of());
        ConfigCheck.disciplineConfig(defaults);
        assertEquals(100_000, HostClockSettings.nanos(defaults.chronySock().boundMax()));
        assertEquals("/run/chrony/ionclock.sock", defaults.chronySock().path());
        // discipline is a mode the configuration takes (whether it may run is decided at start: never in a test).
        ConfigCheck.disciplineConfig(ConfigCheckTest.config(Map.of("ionclock.host-clock", "discipline")));
        assertEquals("discipline", HostClockSettings.resolve(Optional.of("discipline"), () -> true).mode());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigCheck.disciplineConfig(
                ConfigCheckTest.config(Map.of("ionclock.host-clock", "ntpd", "ionclock.chrony-sock.path", "chrony.sock",
                        "ionclock.chrony-sock.bound-max", "2s"))));
        for (String key : new String[] {"ionclock.host-clock", "ionclock.chrony-sock.path",
                "ionclock.chrony-sock.bound-max"}) {
            assertTrue(e.getMessage().contains(key), key + " not named in: " + e.getMessage());
        }
        ConfigCheck.disciplineConfig(ConfigCheckTest.config(Map.of("ionclock.host-clock", "chrony-sock",
                "ionclock.chrony-sock.bound-max", "1ms")));
    }
}
