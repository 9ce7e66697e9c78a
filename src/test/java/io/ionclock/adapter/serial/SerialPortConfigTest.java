package io.ionclock.adapter.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SerialPortConfigTest {

    @ParameterizedTest
    @ValueSource(ints = {4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600})
    void acceptsTheCommonBaudRates(int baud) {
        assertEquals(baud, new SerialPortConfig("/dev/ttyAMA0", baud).baud());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -9600, 1200, 2400, 14400, 76800, 250000, 500000, 1000000, 1843200})
    void rejectsOtherBaudRatesNamingTheValue(int baud) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SerialPortConfig("/dev/ttyAMA0", baud));
        assertTrue(e.getMessage().contains("baud rate " + baud + " "), e.getMessage());
        assertTrue(e.getMessage().contains("921600"), e.getMessage());
    }

    @Test
    void rejectsBadDevicePaths() {
        assertThrows(NullPointerException.class, () -> new SerialPortConfig(null, 9600));
        assertThrows(IllegalArgumentException.class, () -> new SerialPortConfig(" ", 9600));
        assertThrows(IllegalArgumentException.class, () -> new SerialPortConfig("/dev/tty\0S0", 9600));
        assertThrows(IllegalArgumentException.class,
                () -> new SerialPortConfig("/" + "d".repeat(SerialPortConfig.DEVICE_PATH_CHARS_MAX), 9600));
    }
}
