package io.ionclock.core.hostclock;

/** A kernel clock call that failed: which call, and the errno (Linux numbering; 0 when not from a syscall). */
public final class KernelClockException extends Exception {
    private final String call;
    private final int errno;

    public KernelClockException(String call, int errno, String message) {
        super(call + ": " + message);
        this.call = call;
        this.errno = errno;
    }

    /** The call that failed, e.g. {@code "clock_adjtime(ADJ_FREQUENCY)"}. */
    public String call() {
        return call;
    }

    /** The errno the kernel returned (1 = EPERM, 22 = EINVAL), or 0. */
    public int errno() {
        return errno;
    }
}
