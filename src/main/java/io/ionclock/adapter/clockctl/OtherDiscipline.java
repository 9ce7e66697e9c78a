package io.ionclock.adapter.clockctl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds another program disciplining the system clock, by scanning {@code /proc/PID/comm}: ionclock refuses to
 * discipline the clock beside one (two servos on one clock fight). Recognized: chronyd (except with {@code -x}, which
 * leaves the clock alone), ntpd (ntp.org, NTPsec, OpenNTPD and busybox all name it so), systemd-timesyncd (whose comm
 * the kernel truncates to {@code systemd-timesyn}; a running process is an active service), phc2sys and timemaster
 * (which steer CLOCK_REALTIME from a PHC) and ptp4l (which steers CLOCK_REALTIME when it uses software timestamping).
 * gpsd is not one: it only feeds a discipline. Zombie processes are ignored.
 */
public final class OtherDiscipline {

    /** Processes looked at; /proc on a gateway holds a few hundred. */
    static final int PROCESSES_MAX = 65_536;
    /** Bytes of a cmdline read (chronyd's options come first). */
    static final int CMDLINE_BYTES_MAX = 4096;

    /** One program found: its name as people know it, its pid. */
    public record Found(String program, long pid) {
        /** {@code "chronyd (pid 812) is disciplining the clock"}. */
        public String message() {
            return program + " (pid " + pid + ") is disciplining the clock";
        }
    }

    private final Path procRoot;

    public OtherDiscipline() {
        this(Path.of("/proc"));
    }

    /** Scans {@code procRoot} (a fake one in tests). */
    public OtherDiscipline(Path procRoot) {
        this.procRoot = procRoot;
    }

    /** Every disciplining program running, in pid order. */
    public List<Found> scan() {
        List<Found> found = new ArrayList<>();
        int seen = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(procRoot)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || name.isEmpty() || name.length() > 10) {
                    continue;
                }
                if (++seen > PROCESSES_MAX) {
                    break;
                }
                program(dir).ifPresent(p -> found.add(new Found(p, Long.parseLong(name))));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + procRoot + ": " + e.getMessage(), e);
        }
        found.sort((a, b) -> Long.compare(a.pid(), b.pid()));
        return found;
    }

    /** The refusal message, or empty when the clock is ours to discipline. */
    public Optional<String> refusal() {
        List<Found> found = scan();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder text = new StringBuilder();
        for (Found f : found) {
            text.append(text.isEmpty() ? "" : "; ").append(f.message());
        }
        return Optional.of(text + ": ionclock.host-clock=discipline refuses to run beside it (stop it, or use"
                + " ionclock.host-clock=chrony-sock to feed chronyd)");
    }

    private static Optional<String> program(Path dir) {
        String comm = readSmall(dir.resolve("comm")).strip();
        String program = switch (comm) {
            case "chronyd", "ntpd", "phc2sys", "ptp4l", "timemaster" -> comm;
            case "systemd-timesyn", "systemd-timesyncd" -> "systemd-timesyncd";
            default -> null;
        };
        if (program == null || zombie(dir)) {
            return Optional.empty();
        }
        if (program.equals("chronyd") && leavesTheClockAlone(readSmall(dir.resolve("cmdline")))) {
            return Optional.empty();
        }
        return Optional.of(program);
    }

    /** chronyd -x: "does not try to control the system clock". Short options may be clustered ({@code -dx}). */
    static boolean leavesTheClockAlone(String cmdline) {
        String[] args = cmdline.split("\0");
        for (int i = 1; i < args.length; i++) {
            if (args[i].matches("-[A-Za-z0-9]*x[A-Za-z0-9]*")) {
                return true;
            }
        }
        return false;
    }

    private static boolean zombie(Path dir) {
        String stat = readSmall(dir.resolve("stat"));
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            return false;
        }
        char state = stat.charAt(close + 2);
        return state == 'Z' || state == 'X';
    }

    /** The first CMDLINE_BYTES_MAX bytes of a /proc file, "" if it vanished (the process exited). */
    private static String readSmall(Path file) {
        try (var in = Files.newInputStream(file)) {
            return new String(in.readNBytes(CMDLINE_BYTES_MAX), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
