package io.ionclock.core.hostclock;

/**
 * The kernel's clock-discipline interface, as far as the host-clock loop needs it (chrony's {@code sys_timex.c},
 * sptp's {@code Clock}): Linux {@code clock_adjtime(CLOCK_REALTIME, struct timex *)} in the real implementation
 * ({@code adapter/clockctl/LinuxTimex}), a manual timeline in {@link SimulatedKernelClock}.
 *
 * <p>Signs, once: a positive {@code frequencyPpb} makes CLOCK_REALTIME run faster than its uncorrected oscillator
 * (the kernel's sign of {@code timex.freq}; chrony negates it internally). A positive {@code deltaNanos} step moves
 * CLOCK_REALTIME forward.
 *
 * <p>Every call may fail: a kernel that refuses (EPERM without CAP_SYS_TIME, EINVAL) throws
 * {@link KernelClockException}, which the caller counts and survives. Nothing here reads a clock but
 * {@link #realtimeNanos()}.
 */
public interface KernelClock {

    /** The kernel's limit on {@code timex.freq}: +-500 ppm (MAXFREQ), in ppb. */
    double FREQUENCY_PPB_MAX = 500_000.0;

    /** The precondition of {@link #setFrequencyPpb}: the kernel would clamp silently, implementations refuse loudly. */
    static void requireFrequencyInRange(double frequencyPpb) {
        if (!(Math.abs(frequencyPpb) <= FREQUENCY_PPB_MAX)) {
            throw new IllegalArgumentException("frequency " + frequencyPpb + " ppb is beyond the kernel's +-"
                    + FREQUENCY_PPB_MAX + " ppb (500 ppm)");
        }
    }

    /** The precondition of {@link #setSyncStatus}: both errors in 0..16 s. */
    static void requireErrorsInRange(long maxErrorMicros, long estErrorMicros) {
        if (maxErrorMicros < 0 || maxErrorMicros > KernelClockState.MAX_ERROR_MICROS_MAX || estErrorMicros < 0
                || estErrorMicros > KernelClockState.MAX_ERROR_MICROS_MAX) {
            throw new IllegalArgumentException("maxerror " + maxErrorMicros + " us, esterror " + estErrorMicros
                    + " us: each must be in 0.." + KernelClockState.MAX_ERROR_MICROS_MAX);
        }
    }

    /** The precondition of {@link #disablePll}: no kernel discipline bit (STA_PLL, STA_FLL, STA_PPS*). */
    static void requireNoKernelDiscipline(int status) {
        if ((status & KernelClockState.STA_KERNEL_DISCIPLINE) != 0) {
            throw new IllegalArgumentException("status 0x" + Integer.toHexString(status) + " keeps a kernel PLL on");
        }
    }

    /** Reads the discipline state without changing anything ({@code modes = 0}). */
    KernelClockState read() throws KernelClockException;

    /**
     * Sets the frequency correction (ADJ_FREQUENCY), the kernel PLL being off.
     *
     * @param frequencyPpb the correction, |value| <= {@link #FREQUENCY_PPB_MAX}
     * @return the frequency the kernel applied, ppb (the request rounded to the kernel's 2^-16 ppm)
     * @throws IllegalArgumentException beyond +-500 ppm or not finite (the kernel would clamp it silently)
     */
    double setFrequencyPpb(double frequencyPpb) throws KernelClockException;

    /** Steps CLOCK_REALTIME by {@code deltaNanos} (ADJ_SETOFFSET | ADJ_NANO): positive moves it forward. */
    void stepNanos(long deltaNanos) throws KernelClockException;

    /**
     * Sets what other programs read about the clock's quality (ADJ_MAXERROR | ADJ_ESTERROR | ADJ_STATUS).
     *
     * @param maxErrorMicros the kernel's maxerror, 0..{@link KernelClockState#MAX_ERROR_MICROS_MAX}; the kernel
     *                       adds 500 us a second to it and sets STA_UNSYNC past 16 s
     * @param estErrorMicros the kernel's esterror, 0..{@link KernelClockState#MAX_ERROR_MICROS_MAX}
     * @param status         the whole status word (STA_* bits); read-only bits are ignored by the kernel
     */
    void setSyncStatus(long maxErrorMicros, long estErrorMicros, int status) throws KernelClockException;

    /**
     * Zeroes any offset the kernel PLL is still slewing and turns the PLL off (ADJ_OFFSET with STA_PLL, then
     * ADJ_STATUS without it: chrony's {@code initialise_timex}), setting {@code status} (which must not have
     * STA_PLL). Called once, before the first frequency set.
     */
    void disablePll(int status) throws KernelClockException;

    /** CLOCK_REALTIME now, ns since the Unix epoch. */
    long realtimeNanos() throws KernelClockException;
}
