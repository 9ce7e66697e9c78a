package io.ionclock.core;

/**
 * A monotonic clock that moves only when told to: for tests and the deterministic simulator. Not
 * thread-safe beyond the visibility a volatile gives; advance it from one thread.
 */
public final class ManualClock implements MonoClock {
    private volatile long monoNanos;

    public ManualClock(long startMonoNanos) {
        this.monoNanos = startMonoNanos;
    }

    @Override
    public long monoNanos() {
        return monoNanos;
    }

    public void advanceNanos(long deltaNanos) {
        if (deltaNanos < 0) {
            throw new IllegalArgumentException("a monotonic clock cannot go back: " + deltaNanos);
        }
        monoNanos += deltaNanos;
    }
}
