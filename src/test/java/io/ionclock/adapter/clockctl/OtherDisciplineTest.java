package io.ionclock.adapter.clockctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OtherDisciplineTest {

    private static void process(Path proc, long pid, String comm, String state, String... args) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("comm"), comm + "\n");
        Files.writeString(dir.resolve("stat"), pid + " (" + comm + ") " + state + " 1 1 1 0 -1");
        Files.writeString(dir.resolve("cmdline"), comm + "\0" + String.join("\0", args) + (args.length > 0 ? "\0" : ""));
    }

    @Test
    void namesEachDisciplineWithItsPid(@TempDir Path proc) throws IOException {
        process(proc, 812, "chronyd", "S", "-F", "2");
        process(proc, 1, "systemd", "S");
        process(proc, 455, "systemd-timesyn", "S");
        process(proc, 90, "gpsd", "S", "-n", "/dev/ttyAMA0");
        process(proc, 77, "ntpd", "Z");
        Files.createDirectories(proc.resolve("self"));
        Files.createDirectories(proc.resolve("sys"));

        List<OtherDiscipline.Found> found = new OtherDiscipline(proc).scan();
        assertEquals(List.of(new OtherDiscipline.Found("systemd-timesyncd", 455),
                new OtherDiscipline.Found("chronyd", 812)), found, "a zombie ntpd and gpsd are not disciplines");
        assertEquals("chronyd (pid 812) is disciplining the clock", found.get(1).message());
        Optional<String> refusal = new OtherDiscipline(proc).refusal();
        assertTrue(refusal.orElseThrow().startsWith(
                "systemd-timesyncd (pid 455) is disciplining the clock; chronyd (pid 812) is disciplining the clock"),
                refusal.get());
    }

    @Test
    void chronydWithMinusXLeavesTheClockAlone(@TempDir Path proc) throws IOException {
        process(proc, 25854, "chronyd", "S", "-x", "-d", "-u", "root", "-f", "/tmp/server.conf");
        process(proc, 25900, "chronyd", "S", "-dx", "-f", "/tmp/x.conf");
        assertEquals(List.of(), new OtherDiscipline(proc).scan());
        assertFalse(new OtherDiscipline(proc).refusal().isPresent());
        process(proc, 30000, "chronyd", "S", "-f", "/etc/chrony/xchrony.conf");
        assertEquals(List.of(new OtherDiscipline.Found("chronyd", 30000)), new OtherDiscipline(proc).scan());
    }

    @Test
    void ptpAndNtpDaemonsAreFound(@TempDir Path proc) throws IOException {
        process(proc, 10, "ptp4l", "S", "-i", "eth0", "-S");
        process(proc, 11, "phc2sys", "S", "-a", "-r");
        process(proc, 12, "ntpd", "S", "-g");
        process(proc, 13, "timemaster", "S");
        assertEquals(List.of("ptp4l", "phc2sys", "ntpd", "timemaster"),
                new OtherDiscipline(proc).scan().stream().map(OtherDiscipline.Found::program).toList());
    }

    @Test
    void aProcessThatExitsDuringTheScanIsSkipped(@TempDir Path proc) throws IOException {
        Files.createDirectories(proc.resolve("4242"));
        assertEquals(List.of(), new OtherDiscipline(proc).scan());
    }

    @Test
    void thisMachineScansWithoutError() {
        // Read-only; on a build machine chronyd may run with -x (test peers), which is not a discipline.
        System.out.println("other disciplines here: " + new OtherDiscipline().refusal().orElse("none"));
    }
}
