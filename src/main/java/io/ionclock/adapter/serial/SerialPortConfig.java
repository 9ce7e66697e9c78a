package io.ionclock.adapter.serial;

import java.util.Objects;

/**
 * One serial port. The framing is fixed: 8 data bits, no parity, 1 stop bit, raw mode, no flow control,
 * which is what NMEA 0183 receivers speak.
 *
 * @param devicePath path of the tty, e.g. {@code /dev/serial0}, {@code /dev/ttyACM0}; symlinks are followed on
 *                   every (re)open
 * @param baud       line speed in bit/s: 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800 or 921600
 */
public record SerialPortConfig(String devicePath, int baud) {

    private static final int[] BAUDS_SUPPORTED = {4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600};

    /** Longest device path accepted. */
    public static final int DEVICE_PATH_CHARS_MAX = 256;

    public SerialPortConfig {
        Objects.requireNonNull(devicePath, "devicePath");
        if (devicePath.isBlank()) {
            throw new IllegalArgumentException("serial devicePath is blank");
        }
        if (devicePath.length() > DEVICE_PATH_CHARS_MAX) {
            throw new IllegalArgumentException(
                    "serial devicePath longer than " + DEVICE_PATH_CHARS_MAX + " chars: " + devicePath.length());
        }
        if (devicePath.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("serial devicePath contains a NUL character");
        }
        if (!isBaudSupported(baud)) {
            throw new IllegalArgumentException("unsupported serial baud rate " + baud + " (supported: "
                    + supportedBaudsText() + ")");
        }
    }

    /** Whether {@code baud} (bit/s) is a supported line speed. */
    public static boolean isBaudSupported(int baud) {
        for (int supported : BAUDS_SUPPORTED) {
            if (supported == baud) {
                return true;
            }
        }
        return false;
    }

    private static String supportedBaudsText() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < BAUDS_SUPPORTED.length; i++) {
            if (i > 0) {
                text.append(", ");
            }
            text.append(BAUDS_SUPPORTED[i]);
        }
        return text.toString();
    }
}
