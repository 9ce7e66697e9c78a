package io.ionclock.core.audit;

/** A manual clock for the writer: tests advance it. */
final class AuditTestClock implements AuditWriter.Clock {
    long monoNanos = 1_000_000_000L;
    long epochNanos = 1_780_000_000_000_000_000L;

    void advanceNanos(long nanos) {
        monoNanos += nanos;
        epochNanos += nanos;
    }

    @Override
    public long monoNanos() {
        return monoNanos;
    }

    @Override
    public long epochNanos() {
        return epochNanos;
    }
}
