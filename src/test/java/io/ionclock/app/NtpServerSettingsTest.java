package io.ionclock.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.ntp.NtpPacket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NtpServerSettingsTest {

    @Test
    void everyBadServerValueIsNamedByItsKey() {
        Map<String, String> bad = Map.of("ionclock.ntp.port", "65536", "ionclock.ntp.bind", "0.0.0.0,gateway.local",
                "ionclock.ntp.client-requests-per-second-max", "0", "ionclock.ntp.client-request-burst-max", "-1",
                "ionclock.ntp.clients-max", "0", "ionclock.ntp.timestamping", "hardware");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigCheck.disciplineConfig(ConfigCheckTest.config(bad)));
        for (String key : bad.keySet()) {
            assertTrue(e.getMessage().contains(key + ":"), key + " not named in: " + e.getMessage());
        }
    }

    @Test
    void bindsAreLiteralsWithoutDuplicates() {
        assertEquals(List.of("0.0.0.0", "::"),
                NtpServerSettings.binds(ConfigCheckTest.config(Map.of("ionclock.ntp.bind", " 0.0.0.0 , :: ")).ntp()));
        assertThrows(IllegalArgumentException.class, () -> NtpServerSettings.binds(
                ConfigCheckTest.config(Map.of("ionclock.ntp.bind", "127.0.0.1,127.0.0.1")).ntp()));
        assertThrows(IllegalArgumentException.class,
                () -> NtpServerSettings.binds(ConfigCheckTest.config(Map.of("ionclock.ntp.bind", " , ")).ntp()));
    }

    @Test
    void upstreamOfTheAppliancesOwnSources() {
        assertEquals(NtpPacket.REFID_PPS, NtpServerSettings.upstreamOf("GNSS+PPS").referenceId());
        assertEquals(NtpPacket.REFID_PPS, NtpServerSettings.upstreamOf("PPS").referenceId());
        assertEquals(NtpPacket.REFID_GPS, NtpServerSettings.upstreamOf("GNSS").referenceId());
        assertEquals("SIM", NtpPacket.refIdText(NtpServerSettings.upstreamOf("SIM").referenceId()));
        assertEquals(1, NtpServerSettings.upstreamOf("SIM").stratum());
        assertEquals(2, NtpServerSettings.upstreamOf("CLOCKLINK").stratum());
        assertNull(NtpServerSettings.upstreamOf("NONE"));
    }
}
