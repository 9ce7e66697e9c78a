package io.ionclock.adapter.pps;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What can be checked without a /dev/ppsN: the failure paths of open(). */
class LinuxPpsDeviceTest {

    @TempDir
    Path dir;

    @Test
    void missingDeviceFailsWithTheErrno() {
        String path = dir.resolve("pps9").toString();
        IOException e = assertThrows(IOException.class, () -> LinuxPpsDevice.open(path, false));
        assertTrue(e.getMessage().contains(path) && e.getMessage().contains("ENOENT"), e.getMessage());
    }

    @Test
    void deviceThatIsNotPpsFailsAtGetcap() {
        IOException e = assertThrows(IOException.class, () -> LinuxPpsDevice.open("/dev/null", false));
        assertTrue(e.getMessage().contains("PPS_GETCAP /dev/null"), e.getMessage());
        assertTrue(e.getMessage().contains("ENOTTY"), e.getMessage());
    }

    @Test
    void ownerModeFailsTheSameWayWithoutTouchingParameters() {
        IOException e = assertThrows(IOException.class, () -> LinuxPpsDevice.open("/dev/null", true));
        assertTrue(e.getMessage().contains("PPS_GETCAP"), e.getMessage());
    }
}
