package io.ionclock.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The outside programs the tests talk to. {@code ./ionclock test} installs the missing ones (as root with
 * apt-get) or names the command that does; a test that needs one calls {@link #require}. Under
 * {@code CI=true} a missing peer fails the test instead of skipping it: a green CI run has run them all.
 */
public final class Peers {
    /** Pseudo-terminal pairs standing in for serial ports. */
    public static final Peer SOCAT = new Peer("socat", "socat");
    /** Reads a tty's settings back (the reader's own termios setup). */
    public static final Peer STTY = new Peer("stty", "coreutils");
    /** A real MQTT broker (external mode, the probe against a site's broker). */
    public static final Peer MOSQUITTO = new Peer("mosquitto", "mosquitto");
    /** Real MQTT subscribers (3.1.1 and 5). */
    public static final Peer MOSQUITTO_SUB = new Peer("mosquitto_sub", "mosquitto-clients");
    /** A real MQTT publisher (spoofed ticks, garbage requests). */
    public static final Peer MOSQUITTO_PUB = new Peer("mosquitto_pub", "mosquitto-clients");
    /** Makes a throwaway certificate for the MQTT-over-TLS test. */
    public static final Peer OPENSSL = new Peer("openssl", "openssl");
    /** A real MQTT 5 request/response client. */
    public static final Peer MOSQUITTO_RR = new Peer("mosquitto_rr", "mosquitto-clients");

    /** A real NTP client and server ({@code -x}: never touches the clock; {@code -Q}: one measurement). */
    public static final Peer CHRONYD = new Peer("chronyd", "chrony");
    /** Reads a running chronyd's sources and tracking. */
    public static final Peer CHRONYC = new Peer("chronyc", "chrony");
    /** An SNTP one-shot client (ntpsec's ntpdig). */
    public static final Peer NTPDIG = new Peer("ntpdig", "ntpsec-ntpdig");

    /** Checks and unit-tests the Prometheus rules under ops/prometheus. */
    public static final Peer PROMTOOL = new Peer("promtool", "prometheus");
    /** A real browser, headless: loads the status page against a running appliance and dumps its DOM. */
    public static final Peer CHROMIUM = new Peer("chromium", "chromium");

    /** An outside program and the Debian package that has it. */
    public record Peer(String program, String debianPackage) {
    }

    private Peers() {
    }

    /** Skips the calling test when {@code peer} is missing, or fails it under {@code CI=true}. */
    public static void require(Peer peer) {
        if (find(peer.program()).isPresent()) {
            return;
        }
        String message = "peer program '" + peer.program() + "' is missing (Debian package " + peer.debianPackage()
                + "; ./ionclock test installs it when run as root)";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(message + ": under CI=true no test is skipped for a missing peer");
        }
        Assumptions.abort(message);
    }

    /** The program on {@code PATH} (or in /usr/sbin, /sbin, where Debian puts daemons such as chronyd). */
    public static Optional<Path> find(String program) {
        String path = System.getenv("PATH");
        String dirs = (path == null ? "" : path) + File.pathSeparator + "/usr/sbin" + File.pathSeparator + "/sbin";
        for (String dir : dirs.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
