package io.ionclock.adapter.clockctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ionclock.core.hostclock.KernelClock;
import io.ionclock.core.hostclock.KernelClockState;
import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JNA layer, read-only: every clock_adjtime call here has {@code modes = 0}, so nothing can change this machine's
 * clock. The write paths are checked only as the bytes they would pass (encoders), never called.
 */
class LinuxTimexTest {
    static final long TOLERANCE_500_PPM_UNITS = 500L << 16;
    static final long AGREEMENT_NANOS_MAX = 100_000_000L;
    static final long COMPILE_SECONDS_MAX = 60;

    @Test
    void aReadOnlyCallReturnsAPlausibleKernelState() throws Exception {
        KernelClockState state = new LinuxTimex().read();
        System.out.println("clock_adjtime(modes 0): " + state);
        assertTrue(state.clockState() >= KernelClockState.TIME_OK && state.clockState() <= KernelClockState.TIME_ERROR,
                "state " + state.clockState());
        assertTrue(Math.abs(state.frequencyPpb()) <= KernelClock.FREQUENCY_PPB_MAX, state.frequencyPpb() + " ppb");
        assertEquals(10_000, state.tickMicros(), 1_000, "tick: 1e6 / USER_HZ (100)");
        assertTrue(state.maxErrorMicros() >= 0 && state.maxErrorMicros() <= KernelClockState.MAX_ERROR_MICROS_MAX);
        assertTrue(state.estErrorMicros() >= 0 && state.estErrorMicros() <= KernelClockState.MAX_ERROR_MICROS_MAX);
        assertEquals(0, state.status() & ~0xFFFF, "only STA_* bits");
        if (state.unsync()) {
            assertEquals(KernelClockState.TIME_ERROR, state.clockState(), "STA_UNSYNC makes the kernel answer TIME_ERROR");
        }
        Memory raw = new Memory(LinuxTimex.SIZE_BYTES);
        LinuxTimex.readInto(raw);
        assertEquals(TOLERANCE_500_PPM_UNITS, raw.getLong(LinuxTimex.TOLERANCE_OFFSET), "tolerance is 500 ppm");
        assertTrue(raw.getLong(LinuxTimex.PRECISION_OFFSET) >= 1, "precision us");
        assertEquals(0, raw.getInt(LinuxTimex.MODES_OFFSET), "the kernel does not write modes back");
    }

    @Test
    void theTimeFieldAgreesWithClockGettime() throws Exception {
        LinuxTimex timex = new LinuxTimex();
        Memory raw = new Memory(LinuxTimex.SIZE_BYTES);
        long beforeNanos = timex.realtimeNanos();
        int clockState = LinuxTimex.readInto(raw);
        long afterNanos = timex.realtimeNanos();
        assertTrue(clockState >= 0, "clock_adjtime(0) returned " + clockState);
        long timeNanos = LinuxTimex.timeNanos(raw);
        assertTrue(timeNanos >= beforeNanos - AGREEMENT_NANOS_MAX && timeNanos <= afterNanos + AGREEMENT_NANOS_MAX,
                beforeNanos + " <= " + timeNanos + " <= " + afterNanos);
        assertTrue(Math.abs(afterNanos - System.currentTimeMillis() * 1_000_000L) < AGREEMENT_NANOS_MAX);
    }

    /** The C compiler's view of struct timex, when one is installed: sizeof, every offsetof, and a modes-0 read. */
    @Test
    void theLayoutMatchesTheCCompilers(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(run(dir, "gcc", "--version") != null, "no gcc: layout checked by the other tests only");
        Path source = dir.resolve("timex.c");
        Files.writeString(source, """
                #include <stdio.h>
                #include <stddef.h>
                #include <sys/timex.h>
                #define P(f) printf(#f " %zu\\n", offsetof(struct timex, f))
                int main(void) {
                    struct timex t = {0}; /* modes = 0: read only */
                    int rc = adjtimex(&t);
                    printf("size %zu\\n", sizeof(struct timex));
                    P(modes); P(offset); P(freq); P(maxerror); P(esterror); P(status); P(constant); P(precision);
                    P(tolerance); P(time); P(tick); P(ppsfreq); P(jitter); P(shift); P(stabil); P(jitcnt); P(calcnt);
                    P(errcnt); P(stbcnt); P(tai);
                    printf("rc %d\\ntickvalue %ld\\ntolerancevalue %ld\\nfreqvalue %ld\\n", rc, t.tick, t.tolerance, t.freq);
                    return 0;
                }
                """);
        Assumptions.assumeTrue(run(dir, "gcc", "-o", dir.resolve("timex").toString(), source.toString()) != null,
                "gcc could not build against sys/timex.h");
        String out = run(dir, dir.resolve("timex").toString());
        Map<String, Long> c = new HashMap<>();
        for (String line : out.strip().split("\n")) {
            String[] kv = line.split(" ");
            c.put(kv[0], Long.parseLong(kv[1]));
        }
        System.out.println("gcc struct timex: " + c);
        assertEquals(LinuxTimex.SIZE_BYTES, c.get("size"));
        assertEquals(LinuxTimex.MODES_OFFSET, c.get("modes"));
        assertEquals(LinuxTimex.OFFSET_OFFSET, c.get("offset"));
        assertEquals(LinuxTimex.FREQ_OFFSET, c.get("freq"));
        assertEquals(LinuxTimex.MAXERROR_OFFSET, c.get("maxerror"));
        assertEquals(LinuxTimex.ESTERROR_OFFSET, c.get("esterror"));
        assertEquals(LinuxTimex.STATUS_OFFSET, c.get("status"));
        assertEquals(LinuxTimex.CONSTANT_OFFSET, c.get("constant"));
        assertEquals(LinuxTimex.PRECISION_OFFSET, c.get("precision"));
        assertEquals(LinuxTimex.TOLERANCE_OFFSET, c.get("tolerance"));
        assertEquals(LinuxTimex.TIME_SEC_OFFSET, c.get("time"));
        assertEquals(LinuxTimex.TICK_OFFSET, c.get("tick"));
        assertEquals(LinuxTimex.PPSFREQ_OFFSET, c.get("ppsfreq"));
        assertEquals(LinuxTimex.JITTER_OFFSET, c.get("jitter"));
        assertEquals(LinuxTimex.SHIFT_OFFSET, c.get("shift"));
        assertEquals(LinuxTimex.STABIL_OFFSET, c.get("stabil"));
        assertEquals(LinuxTimex.JITCNT_OFFSET, c.get("jitcnt"));
        assertEquals(LinuxTimex.CALCNT_OFFSET, c.get("calcnt"));
        assertEquals(LinuxTimex.ERRCNT_OFFSET, c.get("errcnt"));
        assertEquals(LinuxTimex.STBCNT_OFFSET, c.get("stbcnt"));
        assertEquals(LinuxTimex.TAI_OFFSET, c.get("tai"));
        KernelClockState state = new LinuxTimex().read();
        assertEquals(c.get("tickvalue"), state.tickMicros());
        assertEquals(c.get("tolerancevalue"), TOLERANCE_500_PPM_UNITS);
        assertEquals(c.get("freqvalue") / LinuxTimex.FREQ_UNITS_PER_PPB, state.frequencyPpb(), 1_000,
                "the same frequency through C and JNA (within 1 ppm: a running daemon may move it)");
    }

    @Test
    void writesAreEncodedAsTheKernelExpects() {
        // Encoders only: these buffers are never passed to the kernel.
        Memory m = new Memory(LinuxTimex.SIZE_BYTES);
        LinuxTimex.encodeStep(m, -1_500_000_000L);
        assertEquals(LinuxTimex.ADJ_SETOFFSET | LinuxTimex.ADJ_NANO, m.getInt(LinuxTimex.MODES_OFFSET));
        assertEquals(0x2100, m.getInt(LinuxTimex.MODES_OFFSET));
        assertEquals(-2, m.getLong(LinuxTimex.TIME_SEC_OFFSET));
        assertEquals(500_000_000L, m.getLong(LinuxTimex.TIME_USEC_OFFSET), "tv_usec holds ns, normalized >= 0");
        LinuxTimex.encodeStep(m, 2_000_000_001L);
        assertEquals(2, m.getLong(LinuxTimex.TIME_SEC_OFFSET));
        assertEquals(1, m.getLong(LinuxTimex.TIME_USEC_OFFSET));

        LinuxTimex.encodeFrequency(m, -50_000);
        assertEquals(LinuxTimex.ADJ_FREQUENCY, m.getInt(LinuxTimex.MODES_OFFSET));
        assertEquals(-50L << 16, m.getLong(LinuxTimex.FREQ_OFFSET), "-50 ppm in 2^-16 ppm");

        LinuxTimex.encodeSyncStatus(m, 1234, 56, KernelClockState.STA_UNSYNC);
        assertEquals(0x001C, m.getInt(LinuxTimex.MODES_OFFSET));
        assertEquals(1234, m.getLong(LinuxTimex.MAXERROR_OFFSET));
        assertEquals(56, m.getLong(LinuxTimex.ESTERROR_OFFSET));
        assertEquals(0x40, m.getInt(LinuxTimex.STATUS_OFFSET));
        assertEquals(0, m.getLong(LinuxTimex.FREQ_OFFSET), "each encoding starts from a cleared struct");
    }

    /** Runs a command in {@code dir}; its stdout, or null if it could not run or failed. */
    private static String run(Path dir, String... command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(false).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(COMPILE_SECONDS_MAX, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
