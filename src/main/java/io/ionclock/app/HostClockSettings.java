package io.ionclock.app;

import io.ionclock.adapter.clockctl.ChronySockFeed;
import io.ionclock.core.hostclock.ChronyFeedPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** {@code ionclock.host-clock} and {@code ionclock.chrony-sock.*}: checked at start, and the mode chosen. */
final class HostClockSettings {
    static final String NONE = "none";
    static final String CHRONY_SOCK = "chrony-sock";
    /** clock_adjtime: ionclock steers the system clock itself (opt-in; needs CAP_SYS_TIME). */
    static final String DISCIPLINE = "discipline";
    static final List<String> MODES = List.of(NONE, CHRONY_SOCK, DISCIPLINE);
    /** The process name chronyd runs under (/proc/PID/comm). */
    static final String CHRONYD_COMM = "chronyd";
    /** Entries of /proc looked at, at most, for a running chronyd. */
    static final int PROC_ENTRIES_MAX = 1_000_000;
    /** Bytes of a /proc/PID/comm read (the kernel's TASK_COMM_LEN is 16). */
    static final int COMM_BYTES_MAX = 64;

    /** The mode in force and why (logged at start, shown in the status). */
    record Mode(String mode, String reason) {
    }

    private HostClockSettings() {
    }

    static void check(IonclockConfig c, List<String> errors) {
        c.hostClock().ifPresent(m -> {
            if (!MODES.contains(m)) {
                errors.add("ionclock.host-clock: '" + m + "' is not one of " + MODES);
            }
        });
        String problem = ChronySockFeed.pathProblem(c.chronySock().path());
        if (problem != null) {
            errors.add("ionclock.chrony-sock.path: " + problem);
        }
        long boundNanosMax = nanos(c.chronySock().boundMax());
        if (boundNanosMax < 1 || boundNanosMax > ChronyFeedPolicy.BOUND_NANOS_MAX_LIMIT) {
            errors.add("ionclock.chrony-sock.bound-max: " + c.chronySock().boundMax() + " must be > 0 and at most 1 s");
        }
    }

    static long nanos(java.time.Duration d) {
        return d.compareTo(java.time.Duration.ofDays(1)) > 0 ? Long.MAX_VALUE : d.toNanos();
    }

    /** The mode: the configured one, else chrony-sock when chronyd runs, else none. */
    static Mode resolve(Optional<String> configured, BooleanSupplier chronydRunning) {
        if (configured.isPresent()) {
            return new Mode(configured.get(), "ionclock.host-clock=" + configured.get());
        }
        return chronydRunning.getAsBoolean()
                ? new Mode(CHRONY_SOCK, "a chronyd process is running and ionclock.host-clock is not set")
                : new Mode(NONE, "no chronyd process is running and ionclock.host-clock is not set");
    }

    /** Whether a process named chronyd runs: {@code /proc/PID/comm} of every process under {@code proc}. */
    static boolean chronydRunning(Path proc) {
        int seen = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc)) {
            for (Path entry : entries) {
                if (++seen > PROC_ENTRIES_MAX) {
                    return false;
                }
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !name.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    continue;
                }
                if (CHRONYD_COMM.equals(comm(entry.resolve("comm")))) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false; // no /proc (not Linux): nothing to feed
        }
        return false;
    }

    private static String comm(Path file) {
        try (var in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(COMM_BYTES_MAX);
            return new String(b, StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            return ""; // the process is gone, or not ours to read
        }
    }
}
